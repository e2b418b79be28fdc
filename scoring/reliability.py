"""Reliability: Cronbach's alpha with its Feldt interval, item statistics, ICC(1)/ICC(2).

Alpha uses pairwise-complete covariances built from three matrix products; the ICCs come from a
one-way ANOVA computed with group sums, never through a model matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from scoring.groups import FloatArray, GroupIndex

__all__ = [
    "AlphaResult",
    "IccResult",
    "alpha_item_statistics",
    "cronbach_alpha",
    "group_reliability",
    "icc",
    "pairwise_covariance",
]


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha with its Feldt confidence interval.

    ``n`` is the number of rows (respondents) used for the interval, ``k`` the number of items
    that entered alpha (items without variance are left out, as psych does).
    """

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int


@dataclass(frozen=True)
class IccResult:
    """One-way ANOVA intraclass correlations of respondent scores on groups.

    ``k`` is the average group size N/G used by ICC(1), ``n`` the respondents with a score and
    ``n_groups`` the groups with at least one of them.
    """

    icc1: float
    icc2: float
    msb: float
    msw: float
    k: float
    n_groups: int
    n: int


def _check_confidence(confidence: float) -> float:
    if not (0.0 < float(confidence) < 1.0):
        raise ValueError(
            f"confidence must lie strictly between 0 and 1 (e.g. 0.95), got {confidence!r}"
        )
    return float(confidence)


def _as_matrix(x: FloatArray, name: str = "x") -> FloatArray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D (respondents × items) array, got shape {arr.shape}; "
            "pass one column per item and NaN for missing answers"
        )
    return arr


def pairwise_covariance(x: FloatArray) -> FloatArray:
    """Covariance matrix from pairwise-complete observations, shape (J, J).

    Notes
    -----
    For items j, k with W the answered-indicator matrix and X₀ the answers with missing set to 0
    (centred first by column means, which leaves covariances unchanged and keeps float64 exact):

        n_jk = (WᵀW)_jk,  S_jk = (X₀ᵀX₀)_jk,  s_{j|k} = (X₀ᵀW)_jk
        C_jk = (S_jk − s_{j|k} s_{k|j} / n_jk) / (n_jk − 1)

    Each entry uses the rows where both items are answered, with means of those rows, as R
    ``cov(x, use = "pairwise")`` and pandas ``DataFrame.cov``. NaN where n_jk < 2.
    """
    arr = _as_matrix(x)
    answered = ~np.isnan(arr)
    weight = answered.astype(np.float64)
    # Column sums through BLAS products: a reduction along axis 0 of a row-major (N, J) array is
    # several times slower.
    ones = np.ones(arr.shape[0])
    counts = ones @ weight
    centred = np.where(answered, arr, 0.0)
    centre = np.where(counts > 0, (ones @ centred) / np.maximum(counts, 1.0), 0.0)
    np.subtract(centred, centre, out=centred)
    centred *= weight
    n_pair = weight.T @ weight
    cross = centred.T @ centred
    partial = centred.T @ weight
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (cross - partial * partial.T / n_pair) / (n_pair - 1.0)
    return np.asarray(np.where(n_pair >= 2, cov, np.nan), dtype=np.float64)


def _items_with_variance(cov: FloatArray) -> npt.NDArray[np.bool_]:
    diag = np.diag(cov)
    return np.asarray(np.isfinite(diag) & (diag > 0), dtype=np.bool_)


def _alpha_from_cov(cov: FloatArray) -> float:
    k = cov.shape[0]
    total = float(cov.sum())
    if k < 2 or not np.isfinite(total) or total == 0.0:
        return float("nan")
    return float(k / (k - 1.0) * (1.0 - float(np.trace(cov)) / total))


def cronbach_alpha(x: FloatArray, *, confidence: float = 0.95) -> AlphaResult:
    """Cronbach's alpha (raw) from pairwise-complete covariances, with a Feldt interval.

    Parameters
    ----------
    x : (N, J) float array
        Answers, one column per item (reverse-keyed items already reversed), NaN for missing.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    AlphaResult; every number is NaN (no exception) when fewer than two items have variance or
    fewer than two rows are given.

    Notes
    -----
    With C the pairwise-complete covariance matrix of the k items that have variance:

        α = k/(k − 1) · (1 − tr C / Σ C)

    Feldt interval with n = all rows (as psych and pingouin) and p = 1 − confidence:

        [1 − (1 − α)·F_{1−p/2}(n − 1, (n − 1)(k − 1)),  1 − (1 − α)·F_{p/2}(n − 1, (n − 1)(k − 1))]

    Matches R ``psych::alpha(x)$total$raw_alpha`` and ``$feldt`` (psych also drops items without
    variance) and ``pingouin.cronbach_alpha(x)`` when every item varies. With incomplete data the
    pairwise matrix need not be positive semi-definite, so in pathological missing-data patterns
    α can exceed 1, as in those packages.

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
       Psychometrika, 16, 297-334.
    .. [2] Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson
       reliability coefficient twenty. Psychometrika, 30, 357-370.
    """
    level = _check_confidence(confidence)
    arr = _as_matrix(x)
    n = int(arr.shape[0])
    if n < 2 or arr.shape[1] < 2:
        k0 = int(arr.shape[1])
        return AlphaResult(alpha=float("nan"), ci_low=float("nan"), ci_high=float("nan"), n=n, k=k0)
    cov = pairwise_covariance(arr)
    keep = _items_with_variance(cov)
    k = int(keep.sum())
    alpha = _alpha_from_cov(cov[np.ix_(keep, keep)])
    if k < 2 or not np.isfinite(alpha):
        return AlphaResult(alpha=float("nan"), ci_low=float("nan"), ci_high=float("nan"), n=n, k=k)
    p = 1.0 - level
    df1 = n - 1.0
    df2 = (n - 1.0) * (k - 1.0)
    ci_low = 1.0 - (1.0 - alpha) * float(stats.f.ppf(1.0 - p / 2.0, df1, df2))
    ci_high = 1.0 - (1.0 - alpha) * float(stats.f.ppf(p / 2.0, df1, df2))
    return AlphaResult(alpha=alpha, ci_low=ci_low, ci_high=ci_high, n=n, k=k)


def alpha_item_statistics(x: FloatArray, *, item_ids: Sequence[str]) -> pd.DataFrame:
    """Alpha if an item is deleted and the item-rest correlation, one row per item.

    Parameters
    ----------
    x : (N, J) float array
        Answers (reverse-keyed items already reversed), NaN for missing.
    item_ids : sequence of J str
        Item ids, in column order.

    Returns
    -------
    DataFrame with columns ``item``, ``alpha_if_deleted``, ``item_rest_r``. Items without
    variance get NaN and are left out of the other items' statistics (psych leaves them out of
    its table); ``alpha_if_deleted`` is NaN when fewer than three items have variance.

    Notes
    -----
    From the pairwise-complete covariance matrix C of the items with variance, for item i with
    r_i = Σ_j C_ij:

        ΣC₋ᵢ = ΣC − 2r_i + C_ii,  α₋ᵢ = (k − 1)/(k − 2) · (1 − (tr C − C_ii) / ΣC₋ᵢ)
        item-rest r_i = (r_i − C_ii) / √(C_ii · ΣC₋ᵢ)

    Matches R ``psych::alpha(x)$alpha.drop$raw_alpha`` and ``$item.stats$r.drop``.
    """
    arr = _as_matrix(x)
    ids = [str(item) for item in item_ids]
    if len(ids) != arr.shape[1]:
        raise ValueError(
            f"item_ids must name every column of x: got {len(ids)} ids for {arr.shape[1]} columns"
        )
    alpha_drop = np.full(arr.shape[1], np.nan)
    rest_r = np.full(arr.shape[1], np.nan)
    if arr.shape[0] >= 2 and arr.shape[1] >= 2:
        cov_all = pairwise_covariance(arr)
        keep = _items_with_variance(cov_all)
        cov = cov_all[np.ix_(keep, keep)]
        k = cov.shape[0]
        if k >= 2:
            diag = np.diag(cov)
            row = cov.sum(axis=1)
            rest_total = cov.sum() - 2.0 * row + diag
            with np.errstate(invalid="ignore", divide="ignore"):
                rest_r[keep] = (row - diag) / np.sqrt(diag * rest_total)
                if k >= 3:
                    alpha_drop[keep] = (
                        (k - 1.0) / (k - 2.0) * (1.0 - (np.trace(cov) - diag) / rest_total)
                    )
    return pd.DataFrame({"item": ids, "alpha_if_deleted": alpha_drop, "item_rest_r": rest_r})


def icc(scores: FloatArray, groups: GroupIndex) -> IccResult:
    """ICC(1) and ICC(2) from a one-way ANOVA of respondent scores on groups.

    Parameters
    ----------
    scores : (N,) float array
        One score per respondent (e.g. a dimension score); NaN scores are dropped.
    groups : GroupIndex
        Group of each respondent.

    Returns
    -------
    IccResult; the ICCs and mean squares are NaN when fewer than two groups have a score or
    there are no within-group degrees of freedom (every group has one respondent).

    Notes
    -----
    With G groups holding a score, N scores, group means ȳ_g and grand mean ȳ:

        MSB = Σ_g n_g(ȳ_g − ȳ)² / (G − 1),  MSW = Σ_i (y_i − ȳ_g(i))² / (N − G)
        ICC(1) = (MSB − MSW) / (MSB + (k − 1)·MSW),  k = N/G
        ICC(2) = (MSB − MSW) / MSB

    k = N/G is the convention of R ``multilevel::ICC1(aov(y ~ factor(g)))`` (not the n₀ of
    unbalanced ANOVA); ICC(1) may be negative. ICC(2) is the reliability of group means
    (``multilevel::ICC2``).

    References
    ----------
    .. [1] Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability:
       Implications for data aggregation and analysis. In Klein & Kozlowski (Eds.), Multilevel
       theory, research, and methods in organizations (pp. 349-381).
    .. [2] Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing rater
       reliability. Psychological Bulletin, 86, 420-428.
    """
    y = np.asarray(scores, dtype=np.float64)
    if y.ndim != 1 or y.shape[0] != groups.codes.shape[0]:
        raise ValueError(
            f"scores must be a 1-D array with one value per respondent of the group index "
            f"({groups.codes.shape[0]}), got shape {y.shape}"
        )
    answered = ~np.isnan(y)
    n_g = groups.count(y)
    sums = groups.sum(y)
    n = int(answered.sum())
    n_groups = int((n_g > 0).sum())
    nan = float("nan")
    k = n / n_groups if n_groups > 0 else nan
    if n_groups < 2 or n - n_groups < 1:
        return IccResult(icc1=nan, icc2=nan, msb=nan, msw=nan, k=k, n_groups=n_groups, n=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(n_g > 0, sums / np.where(n_g > 0, n_g, 1.0), 0.0)
    grand = float(sums.sum()) / n
    ssb = float((n_g * (means - grand) ** 2).sum())
    resid = np.where(answered, y - means[groups.codes], 0.0)
    ssw = float((resid * resid).sum())
    msb = ssb / (n_groups - 1)
    msw = ssw / (n - n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        icc1 = float(np.float64(msb - msw) / np.float64(msb + (k - 1.0) * msw))
        icc2 = float(np.float64(msb - msw) / np.float64(msb))
    return IccResult(icc1=icc1, icc2=icc2, msb=msb, msw=msw, k=k, n_groups=n_groups, n=n)


def group_reliability(n: FloatArray, icc1: float) -> FloatArray:
    """Reliability of each group's mean, λ_g = n_g·ICC1 / (1 + (n_g − 1)·ICC1).

    Parameters
    ----------
    n : float array
        Respondents per group (any shape).
    icc1 : float
        ICC(1) of the score.

    Returns
    -------
    Array of the shape of n with values in [0, 1]: 0 where ICC(1) ≤ 0 (group membership carries
    no information, so a group mean is no more reliable than the grand mean); NaN where n < 1 or
    ICC(1) is NaN.

    Notes
    -----
    The Spearman-Brown formula applied to ICC(1) with the group's own size; it is ICC(2) for a
    group of that size and the weight of the group mean in its empirical-Bayes estimate. R
    ``multilevel::gmeanrel`` gives the same formula for the average group size.
    """
    sizes = np.asarray(n, dtype=np.float64)
    rho = float(icc1)
    if np.isnan(rho):
        return np.full(sizes.shape, np.nan)
    if rho <= 0.0:
        return np.asarray(np.where(sizes >= 1, 0.0, np.nan), dtype=np.float64)
    rho = min(rho, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        lam = sizes * rho / (1.0 + (sizes - 1.0) * rho)
    return np.asarray(np.where(sizes >= 1, lam, np.nan), dtype=np.float64)
