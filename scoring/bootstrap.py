"""Bias-corrected and accelerated (BCa) bootstrap intervals for group means.

Resampling happens within each group and for all groups at once: one random draw per respondent
slot picks a position inside that respondent's group of the group-sorted values, and replicate
sums are contiguous segment sums, so the cost is O(N · resamples) with no loop over groups.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

from scoring.groups import FloatArray, GroupIndex

__all__ = ["bca_group_means", "bca_limits", "mean_acceleration"]

# Elements (respondent slots × resamples) drawn per batch: 16 MB per float64 buffer.
_BATCH_ELEMENTS = 1 << 21
_TIE_TOLERANCE = 1e-12


def _check_confidence(confidence: float) -> float:
    if not (0.0 < float(confidence) < 1.0):
        raise ValueError(
            f"confidence must lie strictly between 0 and 1 (e.g. 0.95), got {confidence!r}"
        )
    return float(confidence)


def mean_acceleration(y: FloatArray, groups: GroupIndex) -> FloatArray:
    """Jackknife acceleration â of the BCa interval for each group's mean, shape (G,).

    Notes
    -----
    For the mean the leave-one-out estimates are θ̂₍ᵢ₎ = (Σy − yᵢ)/(n − 1), so
    θ̂₍.₎ − θ̂₍ᵢ₎ = (yᵢ − ȳ)/(n − 1) and the jackknife formula reduces to

        â = Σ(yᵢ − ȳ)³ / (6 · [Σ(yᵢ − ȳ)²]^{3/2})

    (Efron & Tibshirani 1993, eq. 14.15), the value ``scipy.stats.bootstrap(method='BCa')``
    computes by jackknifing. NaN values of y are dropped; NaN where a group has no spread.
    """
    values, codes, sub = _present(y, groups)
    return _acceleration(values, codes, sub)


def _acceleration(values: FloatArray, codes: npt.NDArray[np.int64], sub: GroupIndex) -> FloatArray:
    n = sub.counts.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sub.sum(values) / n
        dev = values - mean[codes]
        m2 = sub.sum(dev * dev)
        m3 = sub.sum(dev * dev * dev)
        return np.asarray(m3 / (6.0 * m2**1.5), dtype=np.float64)


def _present(
    y: FloatArray, groups: GroupIndex
) -> tuple[FloatArray, npt.NDArray[np.int64], GroupIndex]:
    arr = np.asarray(y, dtype=np.float64)
    if arr.ndim != 1 or arr.shape[0] != groups.codes.shape[0]:
        raise ValueError(
            f"y must be a 1-D array with one value per respondent of the group index "
            f"({groups.codes.shape[0]}), got shape {arr.shape}"
        )
    keep = ~np.isnan(arr)
    codes = groups.codes[keep]
    sub = GroupIndex.from_codes(codes, groups.labels)
    return arr[keep], codes, sub


def bca_limits(
    theta_hat: FloatArray,
    theta_star: FloatArray,
    acceleration: FloatArray,
    *,
    confidence: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """BCa interval limits from a bootstrap distribution, per row, with a percentile fallback.

    Parameters
    ----------
    theta_hat : (G,) float array
        The statistic on the data.
    theta_star : (G, B) float array
        Its bootstrap replicates.
    acceleration : (G,) float array
        Jackknife acceleration â.
    confidence : float
        Coverage of the two-sided interval.

    Returns
    -------
    (low, high), each (G,). Where â, ẑ₀ or the adjusted levels are not finite (a degenerate
    distribution, e.g. all values equal) the plain percentile interval is returned instead;
    rows with a NaN θ̂ give NaN.

    Notes
    -----
    ẑ₀ = Φ⁻¹(p) with p = (#{θ* < θ̂} + #{θ* ≤ θ̂}) / (2B), i.e. ties count as half, as SciPy
    (replicates within 1e-12·max(1, |θ̂|) of θ̂ count as ties, so summation order cannot matter);
    with z_α = Φ⁻¹(α/2) and α = 1 − confidence the levels are

        α₁ = Φ(ẑ₀ + (ẑ₀ + z_α)/(1 − â(ẑ₀ + z_α))),  α₂ = Φ(ẑ₀ + (ẑ₀ − z_α)/(1 − â(ẑ₀ − z_α)))

    and the limits are the α₁ and α₂ quantiles of θ* (linear interpolation, as
    ``numpy.quantile``). Matches ``scipy.stats.bootstrap(..., method='BCa')`` given the same
    replicates.

    References
    ----------
    .. [1] Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap, ch. 14.
    """
    level = _check_confidence(confidence)
    hat = np.asarray(theta_hat, dtype=np.float64)
    star = np.asarray(theta_star, dtype=np.float64)
    accel = np.asarray(acceleration, dtype=np.float64)
    if star.ndim != 2 or hat.shape != (star.shape[0],) or accel.shape != hat.shape:
        raise ValueError(
            f"expected theta_hat (G,), theta_star (G, B) and acceleration (G,), got "
            f"{hat.shape}, {star.shape} and {accel.shape}"
        )
    n_resamples = star.shape[1]
    if n_resamples < 1:
        raise ValueError("theta_star must hold at least one bootstrap replicate per row")
    alpha = (1.0 - level) / 2.0
    # Replicates within rounding of θ̂ are ties: a mean of non-integer scores summed in another
    # order can differ from θ̂ in the last bits.
    tol = _TIE_TOLERANCE * np.maximum(1.0, np.abs(hat))[:, None]
    below = (star < hat[:, None] - tol).sum(axis=1)
    at_or_below = (star <= hat[:, None] + tol).sum(axis=1)
    z0 = special.ndtri((below + at_or_below) / (2.0 * n_resamples))
    z_alpha = float(special.ndtri(alpha))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        num1 = z0 + z_alpha
        alpha1 = special.ndtr(z0 + num1 / (1.0 - accel * num1))
        num2 = z0 - z_alpha
        alpha2 = special.ndtr(z0 + num2 / (1.0 - accel * num2))
    usable = np.isfinite(alpha1) & np.isfinite(alpha2)
    alpha1 = np.where(usable, alpha1, alpha)
    alpha2 = np.where(usable, alpha2, 1.0 - alpha)
    ordered = np.sort(star, axis=1)
    low = _row_quantile(ordered, alpha1)
    high = _row_quantile(ordered, alpha2)
    missing = np.isnan(hat)
    return np.where(missing, np.nan, low), np.where(missing, np.nan, high)


def _row_quantile(ordered: FloatArray, q: FloatArray) -> FloatArray:
    """Quantile q[g] of each sorted row, linear interpolation between order statistics."""
    last = ordered.shape[1] - 1
    position = np.clip(q, 0.0, 1.0) * last
    lower = np.floor(position).astype(np.intp)
    upper = np.minimum(lower + 1, last)
    frac = position - lower
    rows = np.arange(ordered.shape[0])
    lo_val = ordered[rows, lower]
    hi_val = ordered[rows, upper]
    return np.asarray(lo_val + frac * (hi_val - lo_val), dtype=np.float64)


def bca_group_means(
    y: FloatArray,
    groups: GroupIndex,
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int | None = 0,
) -> tuple[FloatArray, FloatArray]:
    """BCa bootstrap confidence interval of each group's mean, resampling within groups.

    Parameters
    ----------
    y : (N,) float array
        One value per respondent; NaN values are dropped.
    groups : GroupIndex
        Group of each respondent.
    confidence : float
        Coverage of the two-sided interval.
    n_resamples : int
        Bootstrap resamples B.
    seed : int or None
        Seed of the random generator; the same seed gives the same interval.

    Returns
    -------
    (low, high), each (G,); NaN for groups with fewer than two values. Groups whose bootstrap
    distribution is degenerate (all values equal, or ẑ₀/â not finite) get the percentile
    interval.

    Notes
    -----
    Each resample draws n_g values with replacement inside every group g at once: the values are
    sorted by group, every respondent slot of group g draws position start_g + ⌊u·n_g⌋ with u
    uniform on [0, 1), and the replicate means are segment sums (``np.add.reduceat``) over the
    slots. The acceleration is the analytic jackknife value of the mean (`mean_acceleration`),
    ẑ₀ counts ties as half and the limits are interpolated quantiles (`bca_limits`), as
    ``scipy.stats.bootstrap(method='BCa')``.
    Work and time grow with N × B; Likert means tie heavily, so R ``boot`` may differ from SciPy
    by one grid step 1/n.

    References
    ----------
    .. [1] Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap, ch. 14.
    .. [2] Efron, B. (1987). Better bootstrap confidence intervals. JASA, 82, 171-185.
    """
    level = _check_confidence(confidence)
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples!r}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples!r}")
    values, codes, sub = _present(y, groups)
    counts = sub.counts
    n = counts.astype(np.float64)
    n_values = values.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        theta_hat = np.where(counts >= 2, sub.sum(values) / n, np.nan)
    accel = _acceleration(values, codes, sub)

    # Values sorted by group: group g occupies positions start_g .. start_g + n_g − 1, and so do
    # its respondent slots, so replicate sums are contiguous segments (reduceat along a row).
    order = np.argsort(codes, kind="stable")
    by_group = values[order]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    sorted_codes = codes[order]
    slot_start = starts[sorted_codes].astype(np.intp)
    slot_size = counts[sorted_codes].astype(np.float64)
    filled = np.flatnonzero(counts > 0)

    rng = np.random.default_rng(seed)
    total = int(n_resamples)
    theta_star = np.full((sub.n_groups, total), np.nan)
    batch = max(1, min(total, _BATCH_ELEMENTS // max(n_values, 1)))
    # Reused buffers: the draws dominate the cost, fresh allocations would add page faults.
    uniform = np.empty((batch, n_values))
    position = np.empty((batch, n_values), dtype=np.intp)
    draws = np.empty((batch, n_values))
    for first in range(0, total if n_values else 0, batch):
        size = min(batch, total - first)
        u, pos, drawn = uniform[:size], position[:size], draws[:size]
        rng.random(out=u)
        # ⌊u·n⌋ is uniform on 0..n − 1: u ≤ 1 − 2⁻⁵³ makes u·n < n in float64. The start is
        # added as an integer, since start + u·n in floating point could round up to start + n.
        np.multiply(u, slot_size, out=u)
        np.copyto(pos, u, casting="unsafe")
        pos += slot_start
        np.take(by_group, pos, out=drawn)
        sums = np.add.reduceat(drawn, starts[filled], axis=1)
        theta_star[filled, first : first + size] = (sums / n[filled]).T
    low, high = bca_limits(theta_hat, theta_star, accel, confidence=level)
    return low, high
