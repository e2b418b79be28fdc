"""Maturity levels with statistical confidence: the level of a mean, its probability, target gaps.

Levels 1..K have ascending lower thresholds on the answer scale; level 1 also takes anything below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from scoring.groups import FloatArray

#: Relative distance below a threshold within which a value counts as on the threshold.
THRESHOLD_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Levels:
    """Level assessment; every array has the shape of the means, NaN where undefined.

    Attributes
    ----------
    level : the highest level whose threshold ≤ mean
    level_probability : probability that the true mean lies in that level's band
    level_low, level_high : levels of the interval's lower and upper end
    """

    level: FloatArray
    level_probability: FloatArray
    level_low: FloatArray
    level_high: FloatArray


@dataclass(frozen=True)
class TargetGap:
    """Distance to a target level's threshold; arrays have the shape of the means.

    Attributes
    ----------
    gap : threshold − mean (positive: still below the target)
    gap_ci_low, gap_ci_high : threshold − ci_high, threshold − ci_low
    p_target : probability that the true mean is at or above the threshold
    """

    gap: FloatArray
    gap_ci_low: FloatArray
    gap_ci_high: FloatArray
    p_target: FloatArray


def level_of(values: npt.ArrayLike, thresholds: npt.ArrayLike) -> FloatArray:
    """The level (1..K) of each value: the highest level whose threshold ≤ value; NaN stays NaN.

    Values below the first threshold get level 1 (the floor). A value within `THRESHOLD_TOLERANCE`
    (relative) below a threshold counts as on it: a mean that is mathematically equal to a
    threshold (e.g. 2.0 from answers 1, 3, 2) must not drop a level because summation in another
    order left it one rounding step below.
    """
    v = np.asarray(values, dtype=np.float64)
    t = _check_thresholds(thresholds)
    level = np.searchsorted(t, _nudge(v), side="right").astype(np.float64)
    level = np.maximum(level, 1.0)
    return np.where(np.isnan(v), np.nan, level)


def assess_levels(
    mean: npt.ArrayLike,
    se: npt.ArrayLike,
    df: npt.ArrayLike,
    ci_low: npt.ArrayLike,
    ci_high: npt.ArrayLike,
    *,
    thresholds: npt.ArrayLike,
) -> Levels:
    """Level, level probability and the levels of the interval's ends.

    Parameters
    ----------
    mean, se, df : estimate, standard error and degrees of freedom of its t distribution
    ci_low, ci_high : the interval (t or bootstrap); its ends' levels are reported
    thresholds : (K,) lower thresholds of levels 1..K, strictly ascending

    Notes
    -----
    With the level's band [lo, hi) (lo = −∞ for level 1, hi = +∞ for level K),

        level_probability = T_df((hi − mean)/se) − T_df((lo − mean)/se),

    the probability that the true mean lies in the band under the t sampling distribution
    (the posterior of a normal mean under the reference prior). Degenerate cases, without
    warnings: se = 0 (identical answers, or a census) gives probability 1 for the level containing
    the mean; se or df undefined (n = 1) gives NaN; a NaN mean gives NaN everywhere.
    """
    m = np.asarray(mean, dtype=np.float64)
    t = _check_thresholds(thresholds)
    level = level_of(m, t)
    known = ~np.isnan(level)
    index = np.where(known, level, 1.0).astype(np.intp) - 1
    lower = np.concatenate(([-np.inf], t[1:]))[index]
    upper = np.concatenate((t[1:], [np.inf]))[index]
    low_cdf = _t_cdf(lower, m, se, df)
    high_cdf = _t_cdf(upper, m, se, df)
    probability = np.clip(high_cdf - low_cdf, 0.0, 1.0)
    return Levels(
        level=level,
        level_probability=np.where(known, probability, np.nan),
        level_low=level_of(ci_low, t),
        level_high=level_of(ci_high, t),
    )


def target_gap(
    mean: npt.ArrayLike,
    se: npt.ArrayLike,
    df: npt.ArrayLike,
    ci_low: npt.ArrayLike,
    ci_high: npt.ArrayLike,
    *,
    threshold: npt.ArrayLike,
) -> TargetGap:
    """Gap to a target threshold with its interval and the probability of having reached it.

    Notes
    -----
    gap = thr − mean with interval [thr − ci_high, thr − ci_low];
    p_target = P(true mean ≥ thr) = 1 − T_df((thr − mean)/se). se = 0 gives 1 when mean ≥ thr,
    else 0; undefined se or df (n = 1) gives NaN.
    """
    m = np.asarray(mean, dtype=np.float64)
    thr = np.asarray(threshold, dtype=np.float64)
    p_target = 1.0 - _t_cdf(thr, m, se, df)
    return TargetGap(
        gap=thr - m,
        gap_ci_low=thr - np.asarray(ci_high, dtype=np.float64),
        gap_ci_high=thr - np.asarray(ci_low, dtype=np.float64),
        p_target=np.clip(p_target, 0.0, 1.0),
    )


def _t_cdf(
    x: npt.ArrayLike, mean: npt.ArrayLike, se: npt.ArrayLike, df: npt.ArrayLike
) -> FloatArray:
    """P(T < x) for T = mean + se·t_df; a point mass at the mean when se = 0; NaN if undefined.

    The strict inequality matters only for the point mass: bands are half-open [lo, hi), so a mean
    on a threshold (within `THRESHOLD_TOLERANCE`, as in `level_of`) belongs to the upper level.
    """
    xs, m, s, d = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64),
        np.asarray(mean, dtype=np.float64),
        np.asarray(se, dtype=np.float64),
        np.asarray(df, dtype=np.float64),
    )
    out = np.full(xs.shape, np.nan)
    finite_mean = np.isfinite(m)
    point = finite_mean & (s == 0)
    out[point] = (_nudge(m[point]) < xs[point]).astype(np.float64)
    regular = finite_mean & np.isfinite(s) & (s > 0) & np.isfinite(d) & (d >= 1)
    if regular.any():
        z = (xs[regular] - m[regular]) / s[regular]
        out[regular] = special.stdtr(d[regular], z)
    return out


def _nudge(values: FloatArray) -> FloatArray:
    """Values moved up by `THRESHOLD_TOLERANCE` (relative), for comparisons with thresholds."""
    with np.errstate(invalid="ignore"):
        return np.asarray(values + THRESHOLD_TOLERANCE * np.maximum(1.0, np.abs(values)))


def _check_thresholds(thresholds: npt.ArrayLike) -> FloatArray:
    t = np.asarray(thresholds, dtype=np.float64)
    if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
        raise ValueError(
            f"level thresholds must be a non-empty, strictly ascending list of numbers; got {t}"
        )
    return t


def readable_half_width(thresholds: Sequence[float]) -> float:
    """The widest interval half-width at which a mean counts as reliable enough to read.

    Notes
    -----
    Half the narrowest level band, min_k (t_{k+1} − t_k)/2 over the level thresholds t_k (0.4 on a
    1–5 scale with thresholds 1.0, 1.8, 2.6, 3.4, 4.2): an interval that narrow covers at most two
    neighbouring levels, so the level it shows is worth discussing.
    """
    t = np.asarray(thresholds, dtype=np.float64)
    if t.size < 2:
        raise ValueError(
            f"readable_half_width needs at least two level thresholds; got {list(thresholds)}"
        )
    return float(np.min(np.diff(t)) / 2.0)
