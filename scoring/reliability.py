"""Reliability: Cronbach's alpha with its Feldt interval, item statistics, ICC(1)/ICC(2).

Alpha uses pairwise-complete covariances accumulated over row blocks (one pass serves every scale
built from the items); the ICCs come from a one-way ANOVA on group sums, never a model matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from scoring.groups import FloatArray, GroupIndex

__all__ = [
    "PAIRWISE_BLOCK_ROWS",
    "AlphaResult",
    "IccResult",
    "PairwiseCovariance",
    "PairwiseSums",
    "alpha_item_statistics",
    "alpha_item_statistics_from_cov",
    "cronbach_alpha",
    "cronbach_alpha_from_cov",
    "group_reliability",
    "icc",
    "icc_from_moments",
    "pairwise_covariance",
    "pairwise_moments",
]

#: Rows per block of the pairwise accumulation: the temporaries are one (block × 2J) float64
#: buffer and a few (block × J) arrays (under 6 MB each at 42 items) whatever the number of
#: respondents. Smaller blocks were not slower (measured 1,024 to 262,144 rows at 1M × 42).
PAIRWISE_BLOCK_ROWS = 8_192
#: Relative spread of unit means at or below which they count as tied (no between-unit variance).
_TIE_TOLERANCE = 1e-12


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
class PairwiseCovariance:
    """Pairwise-complete covariances of J items and the rows behind each entry.

    ``cov`` and ``n`` are (J, J); ``n[j, k]`` counts the rows that answered both items (its
    diagonal the answers per item). ``n_rows`` is the number of rows given, answered or not.
    """

    cov: FloatArray
    n: FloatArray
    n_rows: int


@dataclass(frozen=True)
class IccResult:
    """One-way ANOVA intraclass correlations of respondent scores on groups.

    ``n0`` is the unbalanced-ANOVA group size (N − Σn_g²/N)/(G − 1) used by ICC(1), ``k`` the
    average group size N/G (R ``multilevel::ICC1``'s; equal to n0 when groups are balanced),
    ``n`` the respondents with a score and ``n_groups`` the groups with at least one of them.
    """

    icc1: float
    icc2: float
    msb: float
    msw: float
    k: float
    n_groups: int
    n: int
    n0: float = float("nan")


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


def _check_block_rows(block_rows: int) -> int:
    if (
        isinstance(block_rows, bool)
        or not isinstance(block_rows, int | np.integer)
        or block_rows < 1
    ):
        raise ValueError(
            f"block_rows must be a positive integer (rows per block, e.g. {PAIRWISE_BLOCK_ROWS}), "
            f"got {block_rows!r}"
        )
    return int(block_rows)


def _answer_near_mean(block: FloatArray, answered: npt.NDArray[np.bool_]) -> FloatArray:
    """Per column of a block, the answer closest to the block's mean of that column (NaN when the
    column has no answer in the block)."""
    counts = answered.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(answered, block, 0.0).sum(axis=0) / counts
    distance = np.where(answered, np.abs(block - mean), np.inf)
    nearest = block[np.argmin(distance, axis=0), np.arange(block.shape[1])]
    return np.asarray(np.where(counts > 0, nearest, np.nan), dtype=np.float64)


def pairwise_moments(x: FloatArray, *, block_rows: int = PAIRWISE_BLOCK_ROWS) -> PairwiseCovariance:
    """Pairwise-complete covariance matrix and pairwise counts, accumulated over row blocks.

    Parameters
    ----------
    x : (N, J) float array
        Answers, one column per item, NaN for missing.
    block_rows : int
        Rows per block; bounds the temporary memory to a few (block_rows × J) arrays. The
        result does not depend on it beyond rounding.

    Returns
    -------
    PairwiseCovariance with ``cov`` NaN where fewer than two rows answered both items.

    Notes
    -----
    For items j, k with W the answered-indicator matrix and X₀ the answers shifted by a constant
    c_j per column, with missing set to 0:

        n_jk = (WᵀW)_jk,  S_jk = (X₀ᵀX₀)_jk,  s_{j|k} = (X₀ᵀW)_jk
        C_jk = (S_jk − s_{j|k} s_{k|j} / n_jk) / (n_jk − 1)

    The three sums are accumulated block by block. Covariances do not depend on the shifts; c_j is
    the answer closest to item j's mean in the first block where j has answers, so a constant item
    gives exactly 0, integer answers give integer sums (exact in float64, in any block order), and
    the shifted answers stay near zero (no cancellation for data far from 0). Each entry uses the
    rows where both items are answered, with means of those rows, as R
    ``cov(x, use = "pairwise")`` and pandas ``DataFrame.cov``.
    """
    arr = _as_matrix(x)
    rows = _check_block_rows(block_rows)
    sums = PairwiseSums(arr.shape[1])
    for start in range(0, arr.shape[0], rows):
        sums.add(arr[start : start + rows])
    return sums.result()


class PairwiseSums:
    """The running sums behind `pairwise_moments`, fed one block of rows at a time.

    For callers that produce the answers block by block (the pipeline recodes each block of
    answer codes once and feeds it here and to the dimension scores), so that no full float copy
    of the answers is ever made. ``add`` blocks in any order and of any size; ``result`` gives the
    `PairwiseCovariance` of all rows added (see `pairwise_moments` for the formula).
    """

    def __init__(self, n_items: int) -> None:
        self.n_items = int(n_items)
        # One buffer [X₀ | W] per block: its Gram matrix holds all three sums, and one symmetric
        # product (BLAS syrk) costs the same as the three separate ones with a third of the calls.
        self._gram = np.zeros((2 * self.n_items, 2 * self.n_items))
        self._shift = np.full(self.n_items, np.nan)
        self._buffer = np.empty((0, 2 * self.n_items))
        self._rows = 0

    @property
    def shift(self) -> FloatArray:
        """The per-item shifts c_j subtracted from the answers (NaN: item not answered yet)."""
        return self._shift.copy()

    def add(self, block: FloatArray) -> None:
        """Add a (rows, J) block of answers, NaN for missing."""
        arr = np.asarray(block, dtype=np.float64)
        self.add_masked(arr, ~np.isnan(arr))

    def add_masked(self, values: FloatArray, answered: npt.NDArray[np.bool_]) -> FloatArray:
        """Add a (rows, J) block given as values and an answered mask; the values of unanswered
        cells are never read into the sums (they may hold anything, e.g. negative codes).

        Returns the block's (rows, 2J) buffer [X₀ | W]: the answers minus `shift`, 0 where not
        answered, then the mask as 0/1. It is reused by the next call.
        """
        n_items = self.n_items
        if values.ndim != 2 or values.shape[1] != n_items or answered.shape != values.shape:
            raise ValueError(
                f"expected a block of answers with {n_items} columns and a mask of its shape; "
                f"got shapes {values.shape} and {answered.shape}"
            )
        if self._buffer.shape[0] < values.shape[0]:
            self._buffer = np.empty((values.shape[0], 2 * n_items))
        unset = np.isnan(self._shift)
        if unset.any():
            self._shift[unset] = _answer_near_mean(values[:, unset], answered[:, unset])
        part = self._buffer[: values.shape[0]]
        centred = part[:, :n_items]
        # Columns without a shift yet have no answer in this block: they give NaN, then 0.
        np.subtract(values, self._shift, out=centred)
        np.copyto(centred, 0.0, where=~answered)
        part[:, n_items:] = answered
        self._gram += part.T @ part
        self._rows += int(values.shape[0])
        return part

    def result(self) -> PairwiseCovariance:
        """Covariances and pair counts of every row added so far."""
        n_items = self.n_items
        gram = self._gram
        cross = gram[:n_items, :n_items]
        partial = gram[:n_items, n_items:]
        n_pair = gram[n_items:, n_items:].copy()
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = (cross - partial * partial.T / n_pair) / (n_pair - 1.0)
        return PairwiseCovariance(
            cov=np.asarray(np.where(n_pair >= 2, cov, np.nan), dtype=np.float64),
            n=n_pair,
            n_rows=self._rows,
        )


def pairwise_covariance(x: FloatArray, *, block_rows: int = PAIRWISE_BLOCK_ROWS) -> FloatArray:
    """Covariance matrix from pairwise-complete observations, shape (J, J).

    The ``cov`` of `pairwise_moments` (see there for the formula): each entry uses the rows where
    both items are answered, as R ``cov(x, use = "pairwise")`` and pandas ``DataFrame.cov``; NaN
    where fewer than two rows answered both items.
    """
    return pairwise_moments(x, block_rows=block_rows).cov


def _as_covariance(cov: FloatArray) -> FloatArray:
    arr = np.asarray(cov, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(
            f"cov must be a square (J × J) covariance matrix of the items, got shape {arr.shape}; "
            "take it from pairwise_covariance(x) or a sub-matrix cov[np.ix_(items, items)]"
        )
    return arr


#: Variances, and sums of covariances, at or below this count as zero. Where the exact value is 0
#: (an item everyone answered alike), the pairwise sums can leave a rounding residue of about
#: 1e-16, and the order of the rows decides which; answers on a scale never vary this little
#: (N respondents with a single differing answer give a variance of about 1/N).
ZERO_VARIANCE = 1e-12


def _items_with_variance(cov: FloatArray) -> npt.NDArray[np.bool_]:
    diag = np.diag(cov)
    return np.asarray(np.isfinite(diag) & (diag > ZERO_VARIANCE), dtype=np.bool_)


def _alpha_from_cov(cov: FloatArray) -> float:
    k = cov.shape[0]
    total = float(cov.sum())
    if k < 2 or not np.isfinite(total) or abs(total) <= ZERO_VARIANCE:
        return float("nan")
    return float(k / (k - 1.0) * (1.0 - float(np.trace(cov)) / total))


def cronbach_alpha_from_cov(cov: FloatArray, n: int, *, confidence: float = 0.95) -> AlphaResult:
    """Cronbach's alpha (raw) and its Feldt interval from the items' covariance matrix.

    Parameters
    ----------
    cov : (J, J) float array
        Pairwise-complete covariances of the scale's items (`pairwise_covariance`, or the
        sub-matrix of a larger item set: each entry depends on its two items only).
    n : int
        Rows (respondents) behind the matrix, answered or not, for the Feldt interval.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    AlphaResult; every number is NaN (no exception) when fewer than two items have variance or
    n < 2.

    Notes
    -----
    With C the covariance matrix of the k items that have variance (finite C_jj > `ZERO_VARIANCE`;
    alpha is NaN when |ΣC| is at most that):

        α = k/(k − 1) · (1 − tr C / Σ C)

    Feldt interval with p = 1 − confidence:

        [1 − (1 − α)·F_{1−p/2}(n − 1, (n − 1)(k − 1)),  1 − (1 − α)·F_{p/2}(n − 1, (n − 1)(k − 1))]

    `cronbach_alpha` is this function on ``pairwise_covariance(x)`` and ``n = len(x)``.
    """
    level = _check_confidence(confidence)
    matrix = _as_covariance(cov)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(
            f"n must be the number of rows (respondents) behind cov, a non-negative integer; "
            f"got {n!r}"
        )
    rows = int(n)
    nan = float("nan")
    if rows < 2 or matrix.shape[0] < 2:
        return AlphaResult(alpha=nan, ci_low=nan, ci_high=nan, n=rows, k=int(matrix.shape[0]))
    keep = _items_with_variance(matrix)
    k = int(keep.sum())
    alpha = _alpha_from_cov(matrix[np.ix_(keep, keep)])
    if k < 2 or not np.isfinite(alpha):
        return AlphaResult(alpha=nan, ci_low=nan, ci_high=nan, n=rows, k=k)
    p = 1.0 - level
    df1 = rows - 1.0
    df2 = (rows - 1.0) * (k - 1.0)
    ci_low = 1.0 - (1.0 - alpha) * float(special.fdtri(df1, df2, 1.0 - p / 2.0))
    ci_high = 1.0 - (1.0 - alpha) * float(special.fdtri(df1, df2, p / 2.0))
    return AlphaResult(alpha=alpha, ci_low=ci_low, ci_high=ci_high, n=rows, k=k)


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
    α can exceed 1, as in those packages. For several scales over one item set, compute
    `pairwise_covariance` once and call `cronbach_alpha_from_cov` on its sub-matrices.

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
        nan = float("nan")
        return AlphaResult(alpha=nan, ci_low=nan, ci_high=nan, n=n, k=int(arr.shape[1]))
    return cronbach_alpha_from_cov(pairwise_covariance(arr), n, confidence=level)


def alpha_item_statistics_from_cov(cov: FloatArray, *, item_ids: Sequence[str]) -> pd.DataFrame:
    """Alpha if an item is deleted and the item-rest correlation from the items' covariances.

    Parameters
    ----------
    cov : (J, J) float array
        Pairwise-complete covariances of the scale's items (`pairwise_covariance`, or a
        sub-matrix of a larger item set).
    item_ids : sequence of J str
        Item ids, in the order of cov's rows.

    Returns
    -------
    DataFrame with columns ``item``, ``alpha_if_deleted``, ``item_rest_r``, as
    `alpha_item_statistics` (see there for the formulas and the R function it matches).
    """
    matrix = _as_covariance(cov)
    ids = [str(item) for item in item_ids]
    if len(ids) != matrix.shape[0]:
        raise ValueError(
            f"item_ids must name every item of cov: got {len(ids)} ids for {matrix.shape[0]} items"
        )
    alpha_drop = np.full(matrix.shape[0], np.nan)
    rest_r = np.full(matrix.shape[0], np.nan)
    keep = _items_with_variance(matrix)
    sub = matrix[np.ix_(keep, keep)]
    k = sub.shape[0]
    if k >= 2:
        diag = np.diag(sub)
        row = sub.sum(axis=1)
        rest_total = sub.sum() - 2.0 * row + diag
        rest_total[np.abs(rest_total) <= ZERO_VARIANCE] = np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            rest_r[keep] = (row - diag) / np.sqrt(diag * rest_total)
            if k >= 3:
                alpha_drop[keep] = (
                    (k - 1.0) / (k - 2.0) * (1.0 - (np.trace(sub) - diag) / rest_total)
                )
    return pd.DataFrame({"item": ids, "alpha_if_deleted": alpha_drop, "item_rest_r": rest_r})


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

    Matches R ``psych::alpha(x)$alpha.drop$raw_alpha`` and ``$item.stats$r.drop``. The same
    numbers from a covariance matrix: `alpha_item_statistics_from_cov`.
    """
    arr = _as_matrix(x)
    ids = [str(item) for item in item_ids]
    if len(ids) != arr.shape[1]:
        raise ValueError(
            f"item_ids must name every column of x: got {len(ids)} ids for {arr.shape[1]} columns"
        )
    if arr.shape[0] < 2 or arr.shape[1] < 2:
        nan = np.full(arr.shape[1], np.nan)
        return pd.DataFrame({"item": ids, "alpha_if_deleted": nan, "item_rest_r": nan.copy()})
    return alpha_item_statistics_from_cov(pairwise_covariance(arr), item_ids=ids)


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
        n₀ = (N − Σ_g n_g² / N) / (G − 1)
        ICC(1) = (MSB − MSW) / (MSB + (n₀ − 1)·MSW)
        ICC(2) = (MSB − MSW) / MSB

    n₀ is the group size of the expected mean squares of the unbalanced one-way ANOVA,
    E[MSB] = σ² + n₀τ², so ICC(1) is the ANOVA estimator of τ²/(τ² + σ²) whatever the group sizes.
    With balanced groups n₀ = N/G, the k of R ``multilevel::ICC1(aov(y ~ factor(g)))``; with
    unbalanced groups multilevel's k = N/G is biased (one unit of 400 and eleven of 5-15: mean
    0.068 for a true 0.15, n₀ gives 0.143). ICC(1) may be negative. ICC(2) is the reliability of
    group means (``multilevel::ICC2``); it is NaN when the group means tie (MSB = 0).

    References
    ----------
    .. [1] Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability:
       Implications for data aggregation and analysis. In Klein & Kozlowski (Eds.), Multilevel
       theory, research, and methods in organizations (pp. 349-381).
    .. [2] Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing rater
       reliability. Psychological Bulletin, 86, 420-428.
    .. [3] Searle, S. R., Casella, G., & McCulloch, C. E. (1992). Variance components, §3.6
       (n₀ of the unbalanced one-way classification).
    """
    y = np.asarray(scores, dtype=np.float64)
    if y.ndim != 1 or y.shape[0] != groups.codes.shape[0]:
        raise ValueError(
            f"scores must be a 1-D array with one value per respondent of the group index "
            f"({groups.codes.shape[0]}), got shape {y.shape}"
        )
    moments = groups.moments(y)
    return icc_from_moments(moments.n, moments.mean, moments.var)


def icc_from_moments(n: npt.ArrayLike, mean: npt.ArrayLike, var: npt.ArrayLike) -> IccResult:
    """`icc` from per-group moments of the scores: counts n_g, means ȳ_g, variances s²_g (n − 1).

    The one-way ANOVA needs nothing else: with N = Σ n_g, ȳ = Σ n_g ȳ_g / N,

        SSB = Σ_g n_g(ȳ_g − ȳ)²,  SSW = Σ_g (n_g − 1)·s²_g

    so the pipeline gets every dimension's ICCs from the group moments it already has, without
    another pass over the respondents. Groups with n_g = 0 are ignored; a group with n_g = 1
    adds nothing to SSW (its s²_g may be NaN).
    """
    n_g = np.asarray(n, dtype=np.float64)
    present = n_g > 0
    n_g = n_g[present]
    means = np.asarray(mean, dtype=np.float64)[present]
    variances = np.asarray(var, dtype=np.float64)[present]
    total = float(n_g.sum())
    count = round(total)
    n_groups = int(n_g.size)
    nan = float("nan")
    k = total / n_groups if n_groups > 0 else nan
    if n_groups < 2 or count - n_groups < 1:
        return IccResult(
            icc1=nan, icc2=nan, msb=nan, msw=nan, k=k, n_groups=n_groups, n=count, n0=nan
        )
    n0 = (total - float((n_g * n_g).sum()) / total) / (n_groups - 1)
    grand = float((n_g * means).sum()) / total
    # Unit means that tie up to rounding have no between-unit spread: SSB is then a rounding
    # residue (~1e-31) and MSB/ICC(2) divide by it (−inf, −3e28); it is set to an exact 0.
    spread = float(np.max(np.abs(means - grand)))
    tied = spread <= _TIE_TOLERANCE * max(1.0, abs(grand))
    ssb = 0.0 if tied else float((n_g * (means - grand) ** 2).sum())
    ssw = float(np.where(n_g > 1, (n_g - 1.0) * np.nan_to_num(variances), 0.0).sum())
    msb = ssb / (n_groups - 1)
    msw = ssw / (count - n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        icc1 = float(np.float64(msb - msw) / np.float64(msb + (n0 - 1.0) * msw))
        icc2 = float(np.float64(msb - msw) / np.float64(msb)) if msb > 0 else nan
    return IccResult(icc1=icc1, icc2=icc2, msb=msb, msw=msw, k=k, n_groups=n_groups, n=count, n0=n0)


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
