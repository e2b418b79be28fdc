"""Change between two waves from summary statistics: Welch difference and Hedges' g.

Inputs are counts, means and standard deviations of the two waves (any broadcastable shapes), so a
comparison of every unit × dimension is one vectorised call; the result has one row per element.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from scoring.groups import FloatArray

__all__ = ["hedges_g", "paired_unit_change", "stratified_change", "welch_difference"]


def _check_confidence(confidence: float) -> float:
    if not (0.0 < float(confidence) < 1.0):
        raise ValueError(
            f"confidence must lie strictly between 0 and 1 (e.g. 0.95), got {confidence!r}"
        )
    return float(confidence)


def _broadcast(*arrays: npt.ArrayLike) -> list[FloatArray]:
    try:
        out = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in arrays))
    except ValueError as exc:
        shapes = [np.shape(a) for a in arrays]
        raise ValueError(
            f"n1, mean1, sd1, n2, mean2, sd2 must have broadcastable shapes, got {shapes}"
        ) from exc
    return [np.ravel(a) for a in out]


def _difference_frame(
    diff: FloatArray, se: FloatArray, df: FloatArray, level: float, **extra: npt.ArrayLike
) -> pd.DataFrame:
    """``diff`` with its t interval and two-sided p-value (H0: no change) on ``df`` degrees of
    freedom (infinite df: the normal limit; se 0: a point interval and no p-value)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        finite_df = np.where(np.isinf(df), 1e12, df)
        crit = special.stdtrit(finite_df, 1.0 - (1.0 - level) / 2.0)
        p_value = np.where(se > 0, 2.0 * special.stdtr(finite_df, -np.abs(diff / se)), np.nan)
    return pd.DataFrame(
        {
            "diff": diff,
            "se": se,
            "df": df,
            "ci_low": diff - crit * se,
            "ci_high": diff + crit * se,
            "p_value": p_value,
            **extra,
        }
    )


def welch_difference(
    n1: npt.ArrayLike,
    mean1: npt.ArrayLike,
    sd1: npt.ArrayLike,
    n2: npt.ArrayLike,
    mean2: npt.ArrayLike,
    sd2: npt.ArrayLike,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Difference of two independent means (wave 2 − wave 1) with Welch's t interval and p-value.

    Parameters
    ----------
    n1, mean1, sd1 : array-like
        Respondents, mean and standard deviation (divisor n − 1) of the first wave.
    n2, mean2, sd2 : array-like
        The same for the second wave. All six broadcast together.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    DataFrame with one row per broadcast element (C order) and columns ``diff`` (mean2 − mean1),
    ``se``, ``df``, ``ci_low``, ``ci_high``, ``p_value`` (two-sided, H0: no change). Everything
    but ``diff`` is NaN where a wave has fewer than two respondents or both standard deviations
    are 0.

    Notes
    -----
    With v_i = sd_i²/n_i:

        se = √(v₁ + v₂),  df = (v₁ + v₂)² / (v₁²/(n₁ − 1) + v₂²/(n₂ − 1))
        CI = diff ± t_{1−p/2, df}·se,  p = 2·P(T_df > |diff|/se)

    Matches R ``t.test(x2, x1)`` (Welch is R's default) and
    ``scipy.stats.ttest_ind_from_stats(..., equal_var=False)``.

    References
    ----------
    .. [1] Welch, B. L. (1947). The generalization of "Student's" problem when several different
       population variances are involved. Biometrika, 34, 28-35.
    """
    level = _check_confidence(confidence)
    a_n, a_mean, a_sd, b_n, b_mean, b_sd = _broadcast(n1, mean1, sd1, n2, mean2, sd2)
    diff = b_mean - a_mean
    with np.errstate(invalid="ignore", divide="ignore"):
        v1 = a_sd**2 / a_n
        v2 = b_sd**2 / b_n
        var = v1 + v2
        df = var**2 / (v1**2 / (a_n - 1.0) + v2**2 / (b_n - 1.0))
        se = np.sqrt(var)
        valid = (a_n >= 2) & (b_n >= 2) & (var > 0) & np.isfinite(var)
        se = np.where(valid, se, np.nan)
        df = np.where(valid, df, np.nan)
    return _difference_frame(diff, se, df, level)


def hedges_g(
    n1: npt.ArrayLike,
    mean1: npt.ArrayLike,
    sd1: npt.ArrayLike,
    n2: npt.ArrayLike,
    mean2: npt.ArrayLike,
    sd2: npt.ArrayLike,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Standardised change (wave 2 − wave 1) as Hedges' g with a normal-approximation interval.

    Parameters
    ----------
    n1, mean1, sd1, n2, mean2, sd2 : array-like
        Counts, means and standard deviations (divisor n − 1) of the two waves; they broadcast.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    DataFrame with one row per broadcast element and columns ``g``, ``g_se``, ``ci_low``,
    ``ci_high``; NaN where a wave has fewer than two respondents or the pooled sd is 0.

    Notes
    -----
    Pooled sd and the small-sample correction J of Hedges (1981):

        s_p = √(((n₁ − 1)sd₁² + (n₂ − 1)sd₂²) / (n₁ + n₂ − 2)),  d = (mean₂ − mean₁)/s_p
        g = J·d,  J = 1 − 3/(4(n₁ + n₂) − 9)

    The interval is the normal approximation with the large-sample variance of Hedges & Olkin
    (1985), evaluated at g:

        Var(g) = (n₁ + n₂)/(n₁n₂) + g²/(2(n₁ + n₂)),  CI = g ± z_{1−p/2}·√Var(g)

    the interval of ``metafor::escalc(measure = "SMD")`` (same variance formula; its g uses the
    exact gamma-function J, which differs from this J by about 1e-4 at n₁ + n₂ = 20 and less for
    larger waves) and the standard error of ``pingouin.compute_esci`` (which multiplies it by a
    t instead of a z critical value). It was chosen over the noncentral-t interval because it is
    closed-form and vectorises over every unit × dimension; for two waves of 10 respondents the
    noncentral-t limits differ from it by a few hundredths of a standard deviation.

    References
    ----------
    .. [1] Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and
       related estimators. Journal of Educational Statistics, 6, 107-128.
    .. [2] Hedges, L. V., & Olkin, I. (1985). Statistical methods for meta-analysis, ch. 5.
    .. [3] Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R. (2009).
       Introduction to meta-analysis, ch. 4.
    """
    level = _check_confidence(confidence)
    a_n, a_mean, a_sd, b_n, b_mean, b_sd = _broadcast(n1, mean1, sd1, n2, mean2, sd2)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = a_n + b_n
        pooled = np.sqrt(((a_n - 1.0) * a_sd**2 + (b_n - 1.0) * b_sd**2) / (total - 2.0))
        valid = (a_n >= 2) & (b_n >= 2) & (pooled > 0) & np.isfinite(pooled)
        d = (b_mean - a_mean) / pooled
        g = np.where(valid, (1.0 - 3.0 / (4.0 * total - 9.0)) * d, np.nan)
        se = np.sqrt(total / (a_n * b_n) + g**2 / (2.0 * total))
    z = float(special.ndtri(1.0 - (1.0 - level) / 2.0))
    return pd.DataFrame({"g": g, "g_se": se, "ci_low": g - z * se, "ci_high": g + z * se})


def _stratified_terms(
    n: FloatArray, mean: FloatArray, sd: FloatArray, head_counts: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One wave's stratified mean and its variance terms, as in `organisation_as_surveyed`.

    Returns the (D,) mean, and the (G, D) terms a_g·s_g² and their degrees of freedom ν_g.
    """
    present = n > 0
    total = n.sum(axis=0)
    pop = np.where(n > head_counts, np.nan, head_counts)  # a stale head-count counts as unknown
    all_known = np.all(~np.isnan(pop) | ~present, axis=0)
    weight = np.where(all_known[None, :], np.nan_to_num(pop), n) * present
    with np.errstate(invalid="ignore", divide="ignore"):
        w = weight / weight.sum(axis=0)
        fraction = np.where(np.isnan(pop), 0.0, n / np.where(np.isnan(pop), 1.0, pop))
        estimate = np.where(total > 0, (w * np.where(present, mean, 0.0)).sum(axis=0), np.nan)
        var = np.where(n > 1, sd * sd, np.nan)
        ssw = np.where(n > 1, (n - 1.0) * np.nan_to_num(var), 0.0).sum(axis=0)
        within_df = total - present.sum(axis=0)
        pooled = np.where(within_df > 0, ssw / within_df, np.nan)
        own = n > 1
        s2 = np.where(own, var, pooled[None, :])
        nu = np.where(own, n - 1.0, within_df[None, :])
        a = np.where(present, w * w * (1.0 - fraction) / np.where(present, n, 1.0), 0.0)
        term = np.where(present, a * s2, 0.0)
    return estimate, term, np.where(present, nu, np.inf)


def stratified_change(
    n1: npt.ArrayLike,
    mean1: npt.ArrayLike,
    sd1: npt.ArrayLike,
    head_counts1: npt.ArrayLike,
    n2: npt.ArrayLike,
    mean2: npt.ArrayLike,
    sd2: npt.ArrayLike,
    head_counts2: npt.ArrayLike,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Change of the organisation as surveyed (wave 2 − wave 1): the difference of two stratified means.

    Parameters
    ----------
    n1, mean1, sd1 : (G, D) respondents, mean and sd (divisor n − 1) per unit and dimension of
        the first wave; n = 0 where a unit has no answers for a dimension
    head_counts1 : (G,) people per unit in the first wave, NaN where unknown
    n2, mean2, sd2, head_counts2 : the same for the second wave (the same G units in the same
        order; a unit that did not take part in a wave has n = 0 there)
    confidence : coverage of the interval

    Returns
    -------
    DataFrame with one row per dimension: ``diff``, ``se``, ``df``, ``ci_low``, ``ci_high``,
    ``p_value``.

    Notes
    -----
    Each wave's mean is ȳ_st = Σ_g w_g ȳ_g with head-count weights where every unit has one (else
    n_g) and variance Σ_g a_g s_g², a_g = w_g²(1 − f_g)/n_g (`scoring.estimates.organisation_as_surveyed`,
    Cochran 1977 §5.3). The waves' respondents are different people, so

        diff = ȳ_st,2 − ȳ_st,1,   var = Σ_g a_g,1 s_g,1² + Σ_g a_g,2 s_g,2²,

    with Satterthwaite's df over every term of both waves. Units are strata: the spread between
    units does not enter, which is right for the organisation as surveyed (the same units asked
    twice) and is why this interval is narrower than Welch's on the organisation rows' overall sd.
    Both waves censused give se 0: the change of those people is then known.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling techniques (3rd ed.), §5.3-5.4.
    """
    level = _check_confidence(confidence)
    arrays = [
        np.atleast_2d(np.asarray(a, dtype=np.float64)) for a in (n1, mean1, sd1, n2, mean2, sd2)
    ]
    a_n, a_mean, a_sd, b_n, b_mean, b_sd = arrays
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"n, mean and sd of both waves must have one shape (G, D); got {shapes}")
    pops = [np.asarray(h, dtype=np.float64).reshape(-1, 1) for h in (head_counts1, head_counts2)]
    for pop in pops:
        if pop.shape[0] != a_n.shape[0]:
            raise ValueError(
                f"head_counts must have one value per unit ({a_n.shape[0]}); got {pop.shape[0]}"
            )
    before, term1, nu1 = _stratified_terms(a_n, a_mean, a_sd, pops[0])
    after, term2, nu2 = _stratified_terms(b_n, b_mean, b_sd, pops[1])
    diff = after - before
    with np.errstate(invalid="ignore", divide="ignore"):
        var = term1.sum(axis=0) + term2.sum(axis=0)
        denominator = (np.where(term1 > 0, term1 * term1 / nu1, 0.0)).sum(axis=0) + (
            np.where(term2 > 0, term2 * term2 / nu2, 0.0)
        ).sum(axis=0)
        df = np.where(var > 0, var * var / denominator, np.inf)
        se = np.sqrt(var)
    return _difference_frame(diff, se, df, level)


def paired_unit_change(
    mean1: npt.ArrayLike,
    mean2: npt.ArrayLike,
    weights: npt.ArrayLike,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Change for a wider pool of units, paired by unit: the weighted mean of unit differences.

    Parameters
    ----------
    mean1, mean2 : (G, D) unit means of the two waves (NaN where a unit has no mean)
    weights : (G,) or (G, D) unit weights (head-counts, or respondents); only units with a mean
        in both waves count, and their weights are normalised per dimension
    confidence : coverage of the interval

    Returns
    -------
    DataFrame with one row per dimension: ``diff``, ``se``, ``df``, ``ci_low``, ``ci_high``,
    ``p_value``, ``units`` (units paired). NaN where fewer than two units pair.

    Notes
    -----
    With d_g = ȳ_g,2 − ȳ_g,1 for the P units in both waves and w_g normalised to sum to 1,

        diff = Σ w_g d_g,   se² = P/(P − 1) · Σ w_g² (d_g − diff)²,   df = P − 1,

    the cluster-robust (CR1) variance of a weighted mean of unit-level differences. A unit that
    is stable between waves (correlated unit effects) contributes its change, not its level, so
    the interval does not carry the between-unit spread twice and stays valid when unit effects
    persist between waves — where Welch's interval on two independent samples under-covers. With
    equal weights this is the paired t-test on unit means (R ``t.test(m2, m1, paired = TRUE)``).

    References
    ----------
    .. [1] Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust
       inference. Journal of Human Resources, 50(2), 317-372.
    """
    level = _check_confidence(confidence)
    m1 = np.atleast_2d(np.asarray(mean1, dtype=np.float64))
    m2 = np.atleast_2d(np.asarray(mean2, dtype=np.float64))
    if m1.shape != m2.shape:
        raise ValueError(f"mean1 and mean2 must have one shape (G, D); got {m1.shape}, {m2.shape}")
    raw = np.asarray(weights, dtype=np.float64)
    weight = np.broadcast_to(raw.reshape(-1, 1) if raw.ndim == 1 else raw, m1.shape)
    both = np.isfinite(m1) & np.isfinite(m2) & (weight > 0)
    units = both.sum(axis=0).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(both, weight, 0.0)
        w = w / w.sum(axis=0)
        d = np.where(both, m2 - m1, 0.0)
        diff = (w * d).sum(axis=0)
        spread = (w * w * (d - diff) ** 2 * both).sum(axis=0)
        se = np.where(units >= 2, np.sqrt(units / (units - 1.0) * spread), np.nan)
        df = np.where(units >= 2, units - 1.0, np.nan)
        diff = np.where(units >= 1, diff, np.nan)
    return _difference_frame(diff, se, df, level, units=units.astype(np.int64))
