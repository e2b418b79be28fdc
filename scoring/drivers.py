"""Driver analysis: Johnson's relative weights of correlated predictors of an outcome.

Answers "how much does each component relate to the completion outcome statements" when the
components correlate with each other, which makes regression coefficients unreadable.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.groups import FloatArray

__all__ = ["relative_weights"]

# Predictor correlation matrices with a smallest/largest eigenvalue ratio below this are treated
# as singular (a predictor is a linear combination of the others).
_SINGULAR = 1e-10


def _weights_from_data(data: FloatArray) -> tuple[FloatArray, float]:
    """Raw relative weights and R² from an (n, p + 1) matrix whose last column is the outcome."""
    p = data.shape[1] - 1
    nan = (np.full(p, np.nan), float("nan"))
    if data.shape[0] < p + 2:
        return nan
    centred = data - data.mean(axis=0)
    scale = np.sqrt((centred * centred).sum(axis=0))
    if not np.all(scale > 0):
        return nan
    z = centred / scale
    corr = z.T @ z
    rxx = corr[:p, :p]
    rxy = corr[:p, p]
    evals, evecs = np.linalg.eigh(rxx)
    if evals.min() <= _SINGULAR * evals.max():
        return nan
    root = evals**0.5
    lam = (evecs * root) @ evecs.T
    beta = (evecs / root) @ (evecs.T @ rxy)
    raw = (lam * lam) @ (beta * beta)
    return np.asarray(raw, dtype=np.float64), float(raw.sum())


def relative_weights(
    x: FloatArray,
    y: FloatArray,
    *,
    names: Sequence[str],
    confidence: float = 0.95,
    n_resamples: int = 500,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Johnson's relative weights of p predictors for one outcome, with bootstrap intervals.

    Parameters
    ----------
    x : (N, p) float array
        Predictor scores (e.g. respondents' component scores); NaN for missing.
    y : (N,) float array
        Outcome score (e.g. the mean of the completion outcome statements); NaN for missing.
    names : sequence of p str
        Predictor names, in column order.
    confidence : float
        Coverage of the percentile intervals.
    n_resamples : int
        Bootstrap resamples of respondents (0 gives no intervals).
    seed : int or None
        Seed of the random generator.

    Returns
    -------
    DataFrame with one row per predictor: ``name``, ``raw_weight`` (its part of R²),
    ``share`` (raw_weight / R²), ``ci_low``, ``ci_high`` (percentile interval of the raw weight).
    ``attrs`` holds ``r_squared``, ``n`` (complete rows used) and ``n_resamples`` (resamples that
    gave weights). Weights are NaN when there are fewer than p + 2 complete rows, a variable does
    not vary, or a predictor is a linear combination of the others.

    Notes
    -----
    Listwise complete rows. With R_xx = VΛVᵀ the predictors' correlation matrix and r_xy their
    correlations with y, Λ* = VΛ^{1/2}Vᵀ holds the correlations of the predictors with their
    closest orthonormal counterparts Z, β = Λ*⁻¹ r_xy the regression of y on Z, and

        ε_j = Σ_k (Λ*_jk)² β_k²,   Σ_j ε_j = R² = r_xyᵀ R_xx⁻¹ r_xy

    Each bootstrap resample draws N complete rows with replacement and recomputes ε; the interval
    is the α/2 and 1 − α/2 quantiles of the replicates (resamples with a degenerate correlation
    matrix are left out).

    References
    ----------
    .. [1] Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
       predictor variables in multiple regression. Multivariate Behavioral Research, 35, 1-19.
    .. [2] Tonidandel, S., LeBreton, J. M., & Johnson, J. W. (2009). Determining the statistical
       significance of relative weights. Psychological Methods, 14, 387-399.
    """
    if not (0.0 < float(confidence) < 1.0):
        raise ValueError(
            f"confidence must lie strictly between 0 and 1 (e.g. 0.95), got {confidence!r}"
        )
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 0:
        raise ValueError(f"n_resamples must be a non-negative integer, got {n_resamples!r}")
    predictors = np.asarray(x, dtype=np.float64)
    outcome = np.asarray(y, dtype=np.float64)
    if predictors.ndim != 2:
        raise ValueError(
            f"x must be a 2-D (respondents × predictors) array, got shape {predictors.shape}"
        )
    if outcome.shape != (predictors.shape[0],):
        raise ValueError(
            f"y must hold one value per row of x ({predictors.shape[0]}), got shape {outcome.shape}"
        )
    labels = [str(name) for name in names]
    if len(labels) != predictors.shape[1] or predictors.shape[1] < 1:
        raise ValueError(
            f"names must name every column of x (at least one): got {len(labels)} names for "
            f"{predictors.shape[1]} columns"
        )

    data = np.column_stack([predictors, outcome])
    data = data[np.isfinite(data).all(axis=1)]
    n = data.shape[0]
    raw, r_squared = _weights_from_data(data)

    p = predictors.shape[1]
    ci_low = np.full(p, np.nan)
    ci_high = np.full(p, np.nan)
    used = 0
    if n_resamples > 0 and np.isfinite(r_squared):
        rng = np.random.default_rng(seed)
        replicates = np.full((n_resamples, p), np.nan)
        for b in range(n_resamples):
            replicates[b], _ = _weights_from_data(data[rng.integers(0, n, size=n)])
        ok = np.isfinite(replicates).all(axis=1)
        used = int(ok.sum())
        if used > 0:
            tail = (1.0 - float(confidence)) / 2.0
            ci_low, ci_high = np.quantile(replicates[ok], [tail, 1.0 - tail], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = raw / r_squared
    frame = pd.DataFrame(
        {
            "name": labels,
            "raw_weight": raw,
            "share": share,
            "ci_low": ci_low,
            "ci_high": ci_high,
        }
    )
    frame.attrs.update({"r_squared": r_squared, "n": n, "n_resamples": used})
    return frame
