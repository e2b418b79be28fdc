"""Within-group agreement: rwg(J), r*wg(J), awg, AD_M and per-item disagreement.

Every function takes per-group, per-item moments of one dimension's items (`ItemMoments`, (G, J))
and returns one value per group (G,) or per group and item (G, J), vectorised across groups.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from scoring.groups import FloatArray, ItemMoments

__all__ = [
    "ad_m",
    "awg",
    "disagreement_from_counts",
    "item_disagreement",
    "item_rwg",
    "rwg_j",
    "rwg_j_lindell",
    "uniform_null_variance",
]


def uniform_null_variance(n_options: int) -> float:
    """Variance of the uniform ("no agreement") null distribution over A answer options.

    Notes
    -----
    σ²_EU = (A² − 1) / 12 for A equally spaced options one unit apart; A = 5 gives 2.0.
    This is ``ranvar`` in R ``multilevel``.

    References
    ----------
    .. [1] James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
       reliability with and without response bias. Journal of Applied Psychology, 69(1), 85-98.
    """
    if isinstance(n_options, bool) or not isinstance(n_options, int | np.integer) or n_options < 2:
        raise ValueError(
            f"n_options must be an integer >= 2 (the number of answer options on the scale), "
            f"got {n_options!r}"
        )
    return (float(n_options) ** 2 - 1.0) / 12.0


def _null_variance(n_options: int, null_variance: float | None) -> float:
    if null_variance is None:
        return uniform_null_variance(n_options)
    if not np.isfinite(null_variance) or null_variance <= 0:
        raise ValueError(
            f"null_variance must be a positive finite number (the expected variance under no "
            f"agreement), got {null_variance!r}; leave it out to use the uniform null (A²−1)/12"
        )
    return float(null_variance)


def _mean_item_variance(moments: ItemMoments) -> tuple[FloatArray, FloatArray]:
    """Mean of the item variances that exist (n ≥ 2) and how many items entered it, per group."""
    var = np.asarray(moments.var, dtype=np.float64)
    if var.ndim != 2:
        raise ValueError(
            f"moments must hold (G, J) arrays (groups × items), got variance of shape {var.shape}; "
            "build them with GroupIndex.moments on an (N, J) answer matrix"
        )
    present = ~np.isnan(var)
    n_items = present.sum(axis=1).astype(np.float64)
    total = np.where(present, var, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_var = np.where(n_items > 0, total / np.where(n_items > 0, n_items, 1.0), np.nan)
    return mean_var, n_items


def rwg_j(
    moments: ItemMoments, *, n_options: int, null_variance: float | None = None
) -> FloatArray:
    """Multi-item within-group agreement rwg(J) of James, Demaree & Wolf, one value per group.

    Parameters
    ----------
    moments : ItemMoments
        Per-group moments of one dimension's items, shape (G, J).
    n_options : int
        Number of answer options A of the scale (5 for a 1..5 scale).
    null_variance : float, optional
        Expected variance under no agreement; default the uniform null (A² − 1)/12.

    Returns
    -------
    (G,) float array; NaN where no item has at least two answers in the group (so n = 1 gives NaN).

    Notes
    -----
    With s̄² the mean of the item variances (divisor n − 1) that exist in the group, truncated at
    σ²_EU, and J' the number of items that entered that mean:

        rwg(J) = J'(1 − s̄²/σ²_EU) / [J'(1 − s̄²/σ²_EU) + s̄²/σ²_EU]

    Item variances use each item's available answers. On complete data this equals R
    ``multilevel::rwg.j(x, grpid, ranvar)``, which drops incomplete rows instead.

    References
    ----------
    .. [1] James, L. R., Demaree, R. G., & Wolf, G. (1984). Journal of Applied Psychology, 69,
       85-98.
    .. [2] Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability.
    """
    sigma2 = _null_variance(n_options, null_variance)
    mean_var, n_items = _mean_item_variance(moments)
    ratio = np.minimum(mean_var, sigma2) / sigma2
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement = n_items * (1.0 - ratio)
        return np.asarray(agreement / (agreement + ratio), dtype=np.float64)


def rwg_j_lindell(
    moments: ItemMoments, *, n_options: int, null_variance: float | None = None
) -> FloatArray:
    """Lindell's r*wg(J) = 1 − s̄²/σ²_EU, one value per group; may be negative.

    Notes
    -----
    s̄² is the mean of the item variances (divisor n − 1) that exist in the group; there is no
    truncation and no Spearman-Brown step, so the value does not grow with the number of items.
    NaN where no item has two answers. Matches R ``multilevel::rwg.j.lindell`` on complete data.

    References
    ----------
    .. [1] Lindell, M. K., & Brandt, C. J. (1999). Assessing interrater agreement on the job
       relevance of a test. Journal of Applied Psychology, 84, 640-647.
    """
    sigma2 = _null_variance(n_options, null_variance)
    mean_var, _ = _mean_item_variance(moments)
    return np.asarray(1.0 - mean_var / sigma2, dtype=np.float64)


def item_rwg(
    moments: ItemMoments, *, n_options: int, null_variance: float | None = None
) -> FloatArray:
    """Single-item rwg = 1 − s²/σ²_EU per group and item, shape (G, J).

    Notes
    -----
    s² (divisor n − 1) is truncated at σ²_EU, so the value lies in [0, 1]; NaN where the item has
    fewer than two answers in the group. Matches R ``multilevel::rwg(x, grpid, ranvar)``.
    """
    sigma2 = _null_variance(n_options, null_variance)
    var = np.asarray(moments.var, dtype=np.float64)
    return np.asarray(1.0 - np.minimum(var, sigma2) / sigma2, dtype=np.float64)


def _item_awg(moments: ItemMoments, scale_min: float, scale_max: float) -> FloatArray:
    low, high = float(scale_min), float(scale_max)
    if not (np.isfinite(low) and np.isfinite(high)) or high <= low:
        raise ValueError(
            f"scale_min must be below scale_max (the lowest and highest answer values), "
            f"got scale_min={scale_min!r}, scale_max={scale_max!r}"
        )
    n = np.asarray(moments.n, dtype=np.float64)
    total = np.asarray(moments.sum, dtype=np.float64)
    mean = np.asarray(moments.mean, dtype=np.float64)
    var = np.asarray(moments.var, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        max_var = ((high + low) * mean - mean**2 - high * low) * (n / (n - 1.0))
        value = 1.0 - 2.0 * var / max_var
        # The bounds compare sums with integers-times-n, the exact form of M < (L(n−1)+H)/n.
        too_extreme = (total < low * (n - 1.0) + high) | (total > high * (n - 1.0) + low)
        value = np.where(too_extreme, np.nan, value)
        at_end = (total == high * n) | (total == low * n)
        value = np.where(at_end, 1.0, value)
    return np.asarray(np.where(n >= 2, value, np.nan), dtype=np.float64)


def awg(moments: ItemMoments, *, scale_min: float, scale_max: float) -> FloatArray:
    """Brown & Hauenstein's awg agreement index, averaged over items, one value per group.

    Parameters
    ----------
    moments : ItemMoments
        Per-group moments of one dimension's items, shape (G, J).
    scale_min, scale_max : float
        Lowest (L) and highest (H) answer value.

    Returns
    -------
    (G,) float array in [−1, 1]; NaN where no item has a defined awg.

    Notes
    -----
    Per item, with group mean M, variance s² (divisor n − 1) and n answers:

        awg = 1 − 2s² / ([(H + L)M − M² − HL] · n/(n − 1))

    The denominator is the largest variance possible for that mean, so awg compares the observed
    spread with its maximum given M. Conventions of R ``multilevel::awg(x, grpid, range=c(L, H))``:
    awg = 1 when M = L or M = H; missing when M is too extreme for n
    (M < (L(n−1)+H)/n or M > (H(n−1)+L)/n); missing for n < 2. The group value is the mean over
    items, skipping missing ones.

    References
    ----------
    .. [1] Brown, R. D., & Hauenstein, N. M. A. (2005). Interrater agreement reconsidered: An
       alternative to the rwg indices. Organizational Research Methods, 8, 165-184.
    """
    per_item = _item_awg(moments, scale_min, scale_max)
    return _nanmean_rows(per_item)


def _nanmean_rows(values: FloatArray) -> FloatArray:
    present = ~np.isnan(values)
    count = present.sum(axis=1)
    total = np.where(present, values, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(count > 0, total / np.maximum(count, 1), np.nan))


def ad_m(abs_dev: FloatArray, *, n: FloatArray | None = None) -> FloatArray:
    """Average deviation AD_M, averaged over items, one value per group.

    Parameters
    ----------
    abs_dev : (G, J) float array
        Per-group, per-item mean absolute deviation from the item mean, divisor n
        (``GroupIndex.mean_abs_deviation``).
    n : (G, J) float array, optional
        Answers per group and item (``ItemMoments.n``). When given, items with fewer than two
        answers count as missing, so a group of one gets NaN as in R; without it a lone answer
        counts as perfect agreement (AD = 0).

    Returns
    -------
    (G,) float array; NaN where no item has a value.

    Notes
    -----
    AD_M = (1/J) Σ_j (1/n) Σ_i |x_ij − x̄_j|, skipping missing items. Smaller is more agreement;
    Burke & Dunlap's practical cut-off is A/6 (0.83 for five options). Matches R
    ``multilevel::ad.m(x, grpid, type = "mean")`` on complete data.

    References
    ----------
    .. [1] Burke, M. J., Finkelstein, L. M., & Dusig, M. S. (1999). On average deviation indices
       for estimating interrater agreement. Organizational Research Methods, 2, 49-68.
    """
    dev = np.asarray(abs_dev, dtype=np.float64)
    if dev.ndim != 2:
        raise ValueError(
            f"abs_dev must be a (G, J) array (groups × items), got shape {dev.shape}; "
            "use GroupIndex.mean_abs_deviation on an (N, J) answer matrix"
        )
    if n is not None:
        counts = np.asarray(n, dtype=np.float64)
        if counts.shape != dev.shape:
            raise ValueError(
                f"n must have the shape of abs_dev {dev.shape}, got {counts.shape}; "
                "pass ItemMoments.n of the same items"
            )
        dev = np.where(counts >= 2, dev, np.nan)
    return _nanmean_rows(dev)


def item_disagreement(
    moments: ItemMoments,
    abs_dev: FloatArray,
    *,
    n_options: int,
    scale_range: float | None = None,
) -> FloatArray:
    """Per-item disagreement in [0, 1] for the discussion queue, shape (G, J).

    Parameters
    ----------
    moments : ItemMoments
        Per-group moments of the items (for the answer counts).
    abs_dev : (G, J) float array
        Mean absolute deviations from ``GroupIndex.mean_abs_deviation`` (divisor n).
    n_options : int
        Number of answer options A.
    scale_range : float, optional
        H − L of the answer values; default A − 1 (options one unit apart).

    Returns
    -------
    (G, J) float array; 0 = everyone gave the same answer, 1 = the group split in two equal camps
    at the two ends of the scale; NaN where the item has fewer than two answers.

    Notes
    -----
    disagreement = AD / ((H − L)/2), the average deviation divided by its largest possible value
    (half the answers at L, half at H), clipped to [0, 1].

    Why AD and not 1 − rwg: rwg compares the variance with the uniform "random answers" variance
    and is truncated there, so a polarised group (half "strongly agree", half "strongly
    disagree"), the case a facilitator most needs to discuss, scores the same as a group that
    answered at random. Scaled AD keeps rising up to the polarised split (uniform answers on five
    options give 0.6), is in the scale's own units, and does not depend on a null distribution.
    Burke's A/6 cut-off corresponds to A / (3(A − 1)), 0.42 for five options.
    """
    dev = np.asarray(abs_dev, dtype=np.float64)
    counts = np.asarray(moments.n, dtype=np.float64)
    if dev.shape != counts.shape:
        raise ValueError(
            f"abs_dev must have the shape of the moments {counts.shape}, got {dev.shape}; "
            "compute both on the same items"
        )
    uniform_null_variance(n_options)  # validates n_options
    span = float(n_options - 1) if scale_range is None else float(scale_range)
    if not np.isfinite(span) or span <= 0:
        raise ValueError(f"scale_range must be positive (H − L), got {scale_range!r}")
    scaled = np.clip(dev / (span / 2.0), 0.0, 1.0)
    return np.asarray(np.where(counts >= 2, scaled, np.nan), dtype=np.float64)


def disagreement_from_counts(counts: npt.ArrayLike, values: Sequence[int]) -> FloatArray:
    """Disagreement in [0, 1] of answer distributions given as counts per answer value.

    Parameters
    ----------
    counts : (I, A) array; per statement, how many chose each answer value (no DK, NA or skipped)
    values : the A answer values, lowest first (``range(L, H + 1)``)

    Returns
    -------
    (I,) float array: `scoring.agreement.item_disagreement` of each distribution (NaN for a
    statement with fewer than two answers).

    Notes
    -----
    With c_a answers of value v_a: n = Σ c_a, mean = Σ c_a v_a / n and the average deviation
    AD = Σ c_a |v_a − mean| / n (divisor n, as `scoring.groups.GroupIndex.mean_abs_deviation`
    computes it from the answers); disagreement = AD / ((H − L)/2), clipped to [0, 1]. The scores'
    organisation rows carry answer counts but no disagreement, so the report and the dashboard derive
    it from those (Burke, Finkelstein & Dusig 1999).
    """
    c = np.asarray(counts, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if c.ndim != 2 or c.shape[1] != v.size or v.size < 2:
        raise ValueError(
            f"counts must be (statements, {v.size}) to match the answer values {list(values)}; "
            f"got shape {c.shape}. Pass one column per answer value, lowest first."
        )
    n = c.sum(axis=1)
    total = c @ v
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        abs_dev = (c * np.abs(v[None, :] - mean[:, None])).sum(axis=1) / n
        var = (c * (v[None, :] - mean[:, None]) ** 2).sum(axis=1) / (n - 1)
    moments = ItemMoments(n=n[None, :], sum=total[None, :], mean=mean[None, :], var=var[None, :])
    disagreement = item_disagreement(
        moments, abs_dev[None, :], n_options=v.size, scale_range=float(v[-1] - v[0])
    )
    return np.asarray(disagreement[0], dtype=np.float64)
