"""Point estimates and intervals of group means: t-intervals, finite-population correction, CR1.

Every function works on per-group moments (G, D) of respondents' dimension scores, so a whole
organisation is estimated from one pass of group sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from scipy import special

from scoring.groups import FloatArray, ItemMoments

CLUSTER_ROBUST = "cluster-robust CR1 se across units, t on G-1 df"
AS_SURVEYED = "the organisation as surveyed: stratified by unit, weighted, FPC"
WIDER_POOL = "a wider pool of units: CR2 se, Bell-McCaffrey df"
ORDINARY_T = "ordinary t interval: fewer than 2 units have scores, so no cluster-robust se"


@dataclass(frozen=True)
class Estimates:
    """Means with standard errors and intervals; every array has the same shape (G, D).

    ``df`` is the degrees of freedom of the t distribution behind the interval (NaN where the
    interval is undefined, e.g. n < 2).
    """

    n: FloatArray
    mean: FloatArray
    sd: FloatArray
    se: FloatArray
    df: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray


@dataclass(frozen=True)
class OrganisationEstimates(Estimates):
    """The organisation row (shape (1, D)) and, per dimension, how its se was obtained.

    ``n_units`` is the number of units with at least one score; ``method`` holds `CLUSTER_ROBUST`
    or `ORDINARY_T` (the fallback when fewer than 2 units have scores).
    """

    n_units: FloatArray
    method: tuple[str, ...]


def t_interval(
    mean: npt.ArrayLike, se: npt.ArrayLike, df: npt.ArrayLike, *, confidence: float
) -> tuple[FloatArray, FloatArray]:
    """Two-sided t interval mean ± t_{(1+confidence)/2, df}·se (NaN where df < 1 or se is NaN)."""
    _check_confidence(confidence)
    m, s, d = np.broadcast_arrays(
        np.asarray(mean, dtype=np.float64),
        np.asarray(se, dtype=np.float64),
        np.asarray(df, dtype=np.float64),
    )
    valid = np.isfinite(d) & (d >= 1)
    quantile = np.full(d.shape, np.nan)
    # Groups share few distinct df (n - 1): each quantile is computed once.
    distinct, where = np.unique(d[valid], return_inverse=True)
    quantile[valid] = special.stdtrit(distinct, 0.5 + confidence / 2.0)[where]
    half = quantile * s
    return m - half, m + half


def head_count_below_n(n: npt.ArrayLike, head_counts: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """(G,) True where a unit's known head-count is smaller than its respondents (a stale count).

    Parameters
    ----------
    n : (G, D) respondents with a score (NaN counts as 0)
    head_counts : (G,) people in each group (NaN when unknown)
    """
    n_arr = np.asarray(n, dtype=np.float64)
    pop = np.asarray(head_counts, dtype=np.float64)
    if n_arr.ndim != 2 or pop.shape != (n_arr.shape[0],):
        raise ValueError(
            f"head_counts must have one value per group ({n_arr.shape[0]}); got shape {pop.shape}"
        )
    most = np.max(np.where(np.isnan(n_arr), 0.0, n_arr), axis=1, initial=0.0)
    return np.asarray(~np.isnan(pop) & (most > pop), dtype=bool)


def finite_population_correction(
    n: npt.ArrayLike, head_counts: npt.ArrayLike, *, labels: Sequence[object] | None = None
) -> FloatArray:
    """√((N_pop − n)/(N_pop − 1)) per group and dimension; 1 where the head-count is unknown (NaN).

    Parameters
    ----------
    n : (G, D) respondents with a score
    head_counts : (G,) people in each group (NaN when unknown)
    labels : (G,) group labels, used in error messages

    Raises
    ------
    ValueError
        If a head-count is not a whole number ≥ 1 (a value no unit can have).

    Notes
    -----
    A census (n = N_pop) gets a correction of 0: the mean of those people is known exactly. A
    head-count smaller than the unit's respondents is out of date (people joined since it was
    entered); the true head-count is unknown, so that unit gets no correction (1) rather than a
    failure of the whole organisation: `head_count_below_n` finds such units for a warning.
    """
    n_arr = np.asarray(n, dtype=np.float64)
    pop = np.asarray(head_counts, dtype=np.float64)
    stale = head_count_below_n(n_arr, pop)
    names = list(labels) if labels is not None else list(range(pop.size))
    known = ~np.isnan(pop)
    invalid = known & ((pop < 1) | (pop != np.round(pop)) | ~np.isfinite(pop))
    if invalid.any():
        g = int(np.flatnonzero(invalid)[0])
        raise ValueError(
            f"unit {names[g]!r}: the head-count must be a whole number >= 1; got {pop[g]}"
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (pop[:, None] - n_arr) / (pop[:, None] - 1.0)
    ratio = np.where(pop[:, None] - n_arr <= 0, 0.0, ratio)
    return np.where((known & ~stale)[:, None], np.sqrt(ratio), 1.0)


def group_estimates(
    moments: ItemMoments,
    *,
    confidence: float,
    head_counts: npt.ArrayLike | None = None,
    labels: Sequence[object] | None = None,
) -> Estimates:
    """Per group and dimension: n, mean, sd (n−1), se = sd/√n (·FPC), t-interval on n−1 df.

    Parameters
    ----------
    moments : (G, D) moments of respondents' dimension scores (`GroupIndex.moments`)
    confidence : confidence level of the interval
    head_counts : (G,) people per group, NaN where unknown; applies the finite-population correction
    labels : (G,) group labels for error messages

    Notes
    -----
    se = s/√n · √((N_pop − n)/(N_pop − 1)) when N_pop is known; interval ȳ ± t_{1−p/2, n−1}·se.
    sd, se and the interval are NaN for n < 2, the mean is NaN for n = 0.
    """
    _check_confidence(confidence)
    n = moments.n
    sd = np.sqrt(moments.var)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = sd / np.sqrt(n)
    if head_counts is not None:
        se = se * finite_population_correction(n, head_counts, labels=labels)
    df = np.where(n >= 2, n - 1.0, np.nan)
    low, high = t_interval(moments.mean, se, df, confidence=confidence)
    return Estimates(n=n, mean=moments.mean, sd=sd, se=se, df=df, ci_low=low, ci_high=high)


def organisation_estimates(moments: ItemMoments, *, confidence: float) -> OrganisationEstimates:
    """The whole organisation: mean over respondents with a cluster-robust (CR1) se across units.

    Parameters
    ----------
    moments : (G, D) per-unit moments of respondents' dimension scores
    confidence : confidence level of the interval

    Returns
    -------
    OrganisationEstimates of shape (1, D).

    Notes
    -----
    With N respondents with a score, ȳ their mean and G the units with at least one score,

        e_g = Σ_{i∈g} (y_i − ȳ) = S_g − n_g ȳ,
        se = √(G/(G−1)) · √(Σ_g e_g²) / N,

    and the interval is ȳ ± t_{1−p/2, G−1}·se. This is the CR1 se of an intercept-only OLS, as
    statsmodels ``OLS(y, 1).fit(cov_type="cluster")`` gives (its correction
    G/(G−1)·(N−1)/(N−K) reduces to G/(G−1) for K = 1). With fewer than 2 units the CR1 se does
    not exist; the row then falls back to the ordinary interval s/√N on N−1 df and ``method``
    says so. The sd is the respondent-level sd (n−1), from within- plus between-unit sums of
    squares. No finite-population correction is applied to this row.

    References
    ----------
    Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
    Journal of Human Resources 50(2), 317-372.
    """
    _check_confidence(confidence)
    n_g = moments.n
    n = n_g.sum(axis=0)
    total = moments.sum.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / np.where(n > 0, n, 1.0), np.nan)
        group_mean = np.where(n_g > 0, moments.mean, 0.0)
        within = np.where(n_g > 1, (n_g - 1.0) * np.nan_to_num(moments.var), 0.0).sum(axis=0)
        between = (n_g * (group_mean - np.nan_to_num(mean)) ** 2).sum(axis=0)
        sd = np.where(n > 1, np.sqrt((within + between) / np.where(n > 1, n - 1.0, 1.0)), np.nan)
        n_units = (n_g > 0).sum(axis=0).astype(np.float64)
        resid = moments.sum - n_g * np.nan_to_num(mean)
        cr1 = np.sqrt(n_units / (n_units - 1.0)) * np.sqrt((resid * resid).sum(axis=0)) / n
        simple = sd / np.sqrt(n)
    clustered = n_units >= 2
    se = np.where(clustered, cr1, simple)
    df = np.where(clustered, n_units - 1.0, np.where(n >= 2, n - 1.0, np.nan))
    low, high = t_interval(mean, se, df, confidence=confidence)
    method = tuple(CLUSTER_ROBUST if c else ORDINARY_T for c in clustered)
    return OrganisationEstimates(
        n=n[None, :],
        mean=mean[None, :],
        sd=sd[None, :],
        se=se[None, :],
        df=df[None, :],
        ci_low=low[None, :],
        ci_high=high[None, :],
        n_units=n_units[None, :],
        method=method,
    )


def organisation_as_surveyed(
    moments: ItemMoments,
    *,
    confidence: float,
    head_counts: npt.ArrayLike | None = None,
) -> OrganisationEstimates:
    """The organisation as surveyed: a stratified mean over units with its design-based interval.

    Parameters
    ----------
    moments : (G, D) per-unit moments of respondents' dimension scores
    confidence : confidence level of the interval
    head_counts : (G,) people per unit, NaN where unknown; a head-count below the unit's
        respondents counts as unknown (`head_count_below_n`)

    Notes
    -----
    With W_g = N_g (the head-counts, when every unit with scores has one) or else W_g = n_g,
    w_g = W_g / Σ W_g and the sampling fraction f_g = n_g/N_g (0 where N_g is unknown),

        ȳ_st = Σ_g w_g ȳ_g,   var = Σ_g w_g² (1 − f_g) s_g²/n_g,

    the stratified estimator of the mean of the organisation's people (Cochran 1977, ch. 5).
    A unit of one respondent has no s_g²; it borrows the pooled within-unit variance
    SSW/(N − G). The interval is t on Satterthwaite's df,
    (Σ a_g s_g²)² / Σ (a_g s_g²)²/ν_g with a_g = w_g²(1 − f_g)/n_g and ν_g = n_g − 1 (N − G
    for the borrowed variance). This is what a facilitator means by "our organisation": the
    people who were asked, not a wider pool of possible units (`organisation_wider_pool`).
    A census of every unit has se 0: the mean of those people is then known. Without
    head-counts the weights are n_g and the mean is the mean over respondents.

    References
    ----------
    Cochran, W. G. (1977). Sampling techniques (3rd ed.), §5.3-5.4 (stratified estimation) and
    §5.4 (Satterthwaite's df).
    """
    _check_confidence(confidence)
    n_g = moments.n
    present = n_g > 0
    n = n_g.sum(axis=0)
    n_units = present.sum(axis=0).astype(np.float64)
    if head_counts is None:
        pop = np.full(n_g.shape[0], np.nan)
    else:
        pop = np.asarray(head_counts, dtype=np.float64)
        pop = np.where(head_count_below_n(n_g, pop), np.nan, pop)
    pop2 = np.broadcast_to(pop[:, None], n_g.shape)
    all_known = np.all(~np.isnan(pop2) | ~present, axis=0)
    weight = np.where(all_known[None, :], np.nan_to_num(pop2), n_g) * present
    with np.errstate(invalid="ignore", divide="ignore"):
        w = weight / weight.sum(axis=0)
        fraction = np.where(np.isnan(pop2), 0.0, n_g / np.where(np.isnan(pop2), 1.0, pop2))
        group_mean = np.where(present, moments.mean, 0.0)
        mean = np.where(n > 0, (w * group_mean).sum(axis=0), np.nan)
        ssw = np.where(n_g > 1, (n_g - 1.0) * np.nan_to_num(moments.var), 0.0).sum(axis=0)
        within_df = n - n_units
        pooled = np.where(within_df > 0, ssw / within_df, np.nan)
        own = n_g > 1
        s2 = np.where(own, moments.var, pooled[None, :])
        nu = np.where(own, n_g - 1.0, within_df[None, :])
        a = np.where(present, w * w * (1.0 - fraction) / np.where(present, n_g, 1.0), 0.0)
        term = np.where(present, a * s2, 0.0)
        var = term.sum(axis=0)
        df = var * var / np.where(present & (term > 0), term * term / nu, 0.0).sum(axis=0)
        se = np.sqrt(var)
        within = ssw
        between = n_g * (group_mean - np.nan_to_num((n_g * group_mean).sum(axis=0) / n)) ** 2
        sd = np.where(n > 1, np.sqrt((within + between.sum(axis=0)) / (n - 1.0)), np.nan)
    df = np.where(se > 0, df, np.where(se == 0, np.inf, np.nan))
    low, high = t_interval(mean, se, np.where(np.isinf(df), 1e12, df), confidence=confidence)
    return OrganisationEstimates(
        n=n[None, :],
        mean=mean[None, :],
        sd=sd[None, :],
        se=se[None, :],
        df=np.where(np.isinf(df), 1e12, df)[None, :],
        ci_low=low[None, :],
        ci_high=high[None, :],
        n_units=n_units[None, :],
        method=tuple(AS_SURVEYED for _ in range(n_g.shape[1])),
    )


def organisation_wider_pool(moments: ItemMoments, *, confidence: float) -> OrganisationEstimates:
    """The mean over respondents as an estimate for a wider pool of units: CR2 se, BM df.

    Notes
    -----
    For the intercept-only regression with unit clusters, the CR2 (bias-reduced linearisation)
    adjustment (I − H_gg)^{-1/2} acts on the residual sum E_g = Σ_{i∈g}(y_i − ȳ) only:

        se² = Σ_g E_g² / (1 − n_g/N) / N²,

    and Bell & McCaffrey's degrees of freedom (working model of independent errors) are
    (tr M)²/tr(M²) with M = diag(d) − v vᵀ, d_g = n_g a_g², v_g = n_g a_g/√N,
    a_g = 1/(N √(1 − n_g/N)): O(G), no G × G matrix. R ``clubSandwich::coef_test(...,
    vcov = "CR2", test = "Satterthwaite")`` computes the same. With fewer than 2 units it
    falls back to the ordinary interval (`organisation_estimates`).

    References
    ----------
    Bell, R. M., & McCaffrey, D. F. (2002). Bias reduction in standard errors for linear
    regression with multi-stage samples. Survey Methodology 28(2), 169-181.
    Pustejovsky, J. E., & Tipton, E. (2018). Small-sample methods for cluster-robust variance
    estimation. JBES 36(4), 672-683.
    """
    base = organisation_estimates(moments, confidence=confidence)
    n_g = moments.n
    n = n_g.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        resid = np.where(n_g > 0, moments.sum - n_g * np.nan_to_num(base.mean[0]), 0.0)
        h = n_g / n
        se = np.sqrt((resid * resid / np.where(n_g > 0, 1.0 - h, 1.0)).sum(axis=0)) / n
        a2 = np.where(n_g > 0, 1.0 / (n * n * (1.0 - h)), 0.0)
        d = n_g * a2
        v2 = n_g * n_g * a2 / n
        trace = (d - v2).sum(axis=0)
        trace2 = (d * d).sum(axis=0) - 2.0 * (d * v2).sum(axis=0) + v2.sum(axis=0) ** 2
        df = trace * trace / trace2
    clustered = base.n_units[0] >= 2
    se = np.where(clustered, se, base.se[0])
    df = np.where(clustered, df, base.df[0])
    low, high = t_interval(base.mean[0], se, df, confidence=confidence)
    method = tuple(WIDER_POOL if c else ORDINARY_T for c in clustered)
    return replace(
        base,
        se=se[None, :],
        df=df[None, :],
        ci_low=low[None, :],
        ci_high=high[None, :],
        method=method,
    )


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1; got {confidence}")
