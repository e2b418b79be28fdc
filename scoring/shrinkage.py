"""Empirical-Bayes shrinkage of group means and the ranking of units on the shrunken means.

Small groups are pulled towards the grand mean in proportion to how unreliable their mean is, so a
team of three with one enthusiast does not top the league table.
"""

from __future__ import annotations

import numpy as np

from scoring.groups import FloatArray
from scoring.reliability import group_reliability

__all__ = ["eb_means", "rank_units"]


def eb_means(means: FloatArray, n: FloatArray, *, grand_mean: float, icc1: float) -> FloatArray:
    """Empirical-Bayes (shrunken) group means.

    Parameters
    ----------
    means : float array
        Raw group means ȳ_g (any shape); NaN stays NaN.
    n : float array
        Respondents behind each mean, same shape.
    grand_mean : float
        The mean the groups are shrunk towards (usually the mean over all respondents).
    icc1 : float
        ICC(1) of the score (``reliability.icc``).

    Returns
    -------
    Array of the shape of ``means``; NaN where the mean or ICC(1) is NaN or n < 1.

    Notes
    -----
    With λ_g = n_g·ICC1 / (1 + (n_g − 1)·ICC1) (``reliability.group_reliability``):

        ȳ_g^EB = λ_g·ȳ_g + (1 − λ_g)·ȳ

    This is the posterior mean of the group's true mean in the one-way random-effects model with
    between-group variance τ² and within-group variance σ², since λ_g = τ²/(τ² + σ²/n_g) and
    ICC1 = τ²/(τ² + σ²). When ICC(1) ≤ 0 the groups do not differ beyond chance and every mean
    shrinks to the grand mean.

    References
    ----------
    .. [1] Raudenbush, S. W., & Bryk, A. S. (2002). Hierarchical linear models (2nd ed.), ch. 3.
    .. [2] Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability.
    """
    raw = np.asarray(means, dtype=np.float64)
    sizes = np.asarray(n, dtype=np.float64)
    if raw.shape != sizes.shape:
        raise ValueError(
            f"means and n must have the same shape (one size per mean), got {raw.shape} and "
            f"{sizes.shape}"
        )
    centre = float(grand_mean)
    if not np.isfinite(centre):
        raise ValueError(
            "grand_mean must be a finite number (the mean over all respondents), "
            f"got {grand_mean!r}"
        )
    lam = group_reliability(sizes, icc1)
    return np.asarray(lam * raw + (1.0 - lam) * centre, dtype=np.float64)


def rank_units(shrunk_means: FloatArray, *, descending: bool = True) -> FloatArray:
    """Rank units on their (shrunken) means: 1 = best, ties share the best rank ("1, 2, 2, 4").

    Parameters
    ----------
    shrunk_means : (G,) float array
        Means to rank, normally the output of `eb_means`.
    descending : bool
        True ranks the highest mean first.

    Returns
    -------
    (G,) float array of ranks; NaN means get a NaN rank and do not take a place.
    """
    values = np.asarray(shrunk_means, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"shrunk_means must be 1-D (one mean per unit), got shape {values.shape}")
    ranks = np.full(values.shape, np.nan)
    present = ~np.isnan(values)
    if present.any():
        keyed = -values[present] if descending else values[present]
        # Competition ("min") ranks, as scipy.stats.rankdata(method="min"): one plus the number
        # of values strictly before.
        ranks[present] = np.searchsorted(np.sort(keyed), keyed, side="left") + 1.0
    return ranks
