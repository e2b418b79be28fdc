"""Driver analysis: Johnson's relative weights of correlated predictors of an outcome.

Answers "how much does each component relate to the completion outcome statements" when the
components correlate with each other, which makes regression coefficients unreadable.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.groups import FloatArray, IntArray

__all__ = ["MIN_CLUSTERS", "relative_weights"]

#: Fewest units (with at least one complete row) for the intervals to resample units rather than
#: respondents: cluster bootstrap intervals need many clusters and are too narrow with few
#: (Cameron & Miller 2015, "A Practitioner's Guide to Cluster-Robust Inference", J. Human
#: Resources 50(2)); 30 is a common rule of thumb there.
MIN_CLUSTERS = 30

# Predictor correlation matrices with a smallest/largest eigenvalue ratio below this are treated
# as singular (a predictor is a linear combination of the others).
_SINGULAR = 1e-10
# A variable whose resample variance is below this share of its resample mean square about the
# full-sample mean is constant in that resample: rounding leaves ~1e-16 where exact arithmetic
# gives 0.
_CONSTANT = 1e-10
# Rows per block and resamples per batch of the weighted sums: many small (8 × 2048) @
# (2048 × 28) products were faster than fewer large ones on a busy 2-core machine (1M rows,
# blocks of 512 to 32,768 rows and batches of 8 to 64 measured; batches of 16 were ~10% faster
# than 8 but hold twice the counts at the pipeline's memory peak).
_BLOCK_ROWS = 2048
_MAX_BATCH = 16
# Budget in bytes of the (resamples × rows) count matrix of one batch (8 × 1M float32 = 32 MB),
# and of the (resamples × units) float64 counts of one batch of the unit bootstrap.
_BATCH_BYTES = 32 * 2**20
# Rows per block of the per-unit moments: the block's products (k(k + 1)/2 × rows) take 14 MB
# with 28 products (k = 7: the constant, 5 components, the outcome), against 224 MB for 1M rows
# at once.
_UNIT_BLOCK_ROWS = 65_536


def _weights_from_corr(corr: FloatArray) -> FloatArray:
    """Raw relative weights of a stack of (p + 1, p + 1) correlation matrices whose last variable
    is the outcome, shape (B, p); NaN rows where the predictors' matrix is singular or not
    finite."""
    p = corr.shape[-1] - 1
    rxx = corr[:, :p, :p]
    rxy = corr[:, :p, p]
    finite = np.asarray(np.isfinite(corr).all(axis=(1, 2)), dtype=np.bool_)
    # Singular or NaN matrices are decomposed as the identity and blanked afterwards.
    safe = np.where(finite[:, None, None], rxx, np.eye(p))
    evals, evecs = np.linalg.eigh(safe)
    ok = finite & (evals.min(axis=1) > _SINGULAR * evals.max(axis=1))
    root = np.sqrt(np.where(ok[:, None], evals, 1.0))
    lam = (evecs * root[:, None, :]) @ np.swapaxes(evecs, 1, 2)
    rhs = np.where(ok[:, None], rxy, 0.0)
    beta = (evecs / root[:, None, :]) @ (np.swapaxes(evecs, 1, 2) @ rhs[:, :, None])
    raw = ((lam * lam) @ (beta * beta))[:, :, 0]
    return np.asarray(np.where(ok[:, None], raw, np.nan), dtype=np.float64)


def _complete_rows(
    predictors: FloatArray, outcome: FloatArray
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """The complete rows as a (p + 2, n) array: a row of ones, the predictors, then the outcome;
    and the (N,) mask of the complete rows."""
    p = predictors.shape[1]
    finite = np.isfinite(outcome)
    for j in range(p):
        finite &= np.isfinite(predictors[:, j])
    rows = np.empty((p + 2, int(finite.sum())))
    rows[0] = 1.0
    if rows.shape[1] == outcome.shape[0]:
        rows[1 : p + 1] = predictors.T
        rows[p + 1] = outcome
    else:
        rows[1 : p + 1] = predictors[finite].T
        rows[p + 1] = outcome[finite]
    return rows, finite


def _standardise(rows: FloatArray) -> bool:
    """Centre and scale every variable of `_complete_rows` in place by its mean and (population)
    standard deviation; False, leaving them centred only, when one of them is constant."""
    variables = rows[1:]
    variables -= variables.mean(axis=1, keepdims=True)
    spread = np.sqrt(np.einsum("ij,ij->i", variables, variables) / rows.shape[1])
    if not np.all(spread > 0):
        return False
    variables /= spread[:, None]
    return True


def _symmetric(sums: FloatArray, k: int) -> FloatArray:
    """(B, k, k) symmetric matrices from their (B, k(k + 1)/2) upper triangles, row by row."""
    first, second = np.triu_indices(k)
    moments = np.empty((sums.shape[0], k, k))
    moments[:, first, second] = sums
    moments[:, second, first] = sums
    return moments


def _weighted_moments(rows: FloatArray, counts: FloatArray) -> FloatArray:
    """Σ_i c_bi a_i a_iᵀ for each row b of the (B, n) counts, with a_i the columns of the
    (k, n) `rows`; shape (B, k, k). Block by block: one small product per block."""
    first, second = np.triu_indices(rows.shape[0])
    sums = np.zeros((counts.shape[0], first.size))
    for start in range(0, rows.shape[1], _BLOCK_ROWS):
        block = slice(start, start + _BLOCK_ROWS)
        products = rows[first, block] * rows[second, block]
        sums += counts[:, block].astype(np.float64) @ products.T
    return _symmetric(sums, rows.shape[0])


def _unit_moments(rows: FloatArray, units: IntArray) -> FloatArray:
    """Upper triangles of the per-unit moment matrices M_g = Σ_{i in g} a_i a_iᵀ, (G, k(k + 1)/2),
    with a_i the columns of the (k, n) `rows` and `units` their non-negative unit codes; the G
    distinct codes in ascending order.

    Codes in ascending order (rows grouped by unit): one pass block by block, each block's
    products summed per unit by `np.add.reduceat` over the runs of equal codes. Otherwise one
    weighted `np.bincount` per product, which needs neither a sort nor a gather of the rows
    (at 1M rows in 10,000 units about 4× faster than sorting first).
    """
    k = rows.shape[0]
    first, second = np.triu_indices(k)
    if not bool(np.all(units[1:] >= units[:-1])):
        if int(units.max()) >= 4 * units.size:
            _, units = np.unique(units, return_inverse=True)
        size = int(units.max()) + 1
        present = np.bincount(units, minlength=size) > 0
        sums = np.empty((int(present.sum()), first.size))
        product = np.empty(units.size)
        for t in range(first.size):
            np.multiply(rows[first[t]], rows[second[t]], out=product)
            sums[:, t] = np.bincount(units, weights=product, minlength=size)[present]
        return sums
    changes = np.empty(units.size, dtype=np.int64)
    changes[0] = 0
    np.not_equal(units[1:], units[:-1], out=changes[1:])
    dense = np.cumsum(changes)
    sums = np.zeros((int(dense[-1]) + 1, first.size))
    products = np.empty((first.size, min(_UNIT_BLOCK_ROWS, units.size)))
    for start in range(0, units.size, _UNIT_BLOCK_ROWS):
        stop = min(start + _UNIT_BLOCK_ROWS, units.size)
        codes = dense[start:stop]
        taken = rows[:, start:stop]
        block = products[:, : stop - start]
        for t in range(first.size):
            np.multiply(taken[first[t]], taken[second[t]], out=block[t])
        runs = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        # A unit split between two blocks gets one partial sum from each.
        sums[codes[runs]] += np.add.reduceat(block, runs, axis=1).T
    return sums


def _weights_from_moments(moments: FloatArray) -> FloatArray:
    """Raw relative weights from a stack of moment matrices Σ_i c_i a_i a_iᵀ of standardised rows
    a_i = (1, x_i, y_i), shape (B, p); NaN rows where a variable is constant in the weighted
    sample or the predictors' correlation matrix is singular."""
    rows = moments[:, 0, 0]
    mean = moments[:, 0, 1:] / rows[:, None]
    square = moments[:, 1:, 1:] / rows[:, None, None]
    cov = square - mean[:, :, None] * mean[:, None, :]
    var = np.einsum("bii->bi", cov)
    constant = (var <= _CONSTANT * np.einsum("bii->bi", square)).any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.sqrt(np.where(constant[:, None], np.nan, var))
        corr = cov / root[:, :, None] / root[:, None, :]
    return _weights_from_corr(corr)


def _bootstrap_weights(rows: FloatArray, n_resamples: int, rng: np.random.Generator) -> FloatArray:
    """Raw relative weights of `n_resamples` resamples of the standardised complete rows, (B, p).

    Resample b draws the same row indices as ``data[rng.integers(0, n, size=n)]`` would, but only
    the number of times it drew each row enters: a batch of count vectors times the rows'
    products a_i a_iᵀ gives the batch's moments.
    """
    n = rows.shape[1]
    batch = int(min(max(_BATCH_BYTES // (4 * n), 1), _MAX_BATCH, n_resamples))
    moments = np.empty((n_resamples, rows.shape[0], rows.shape[0]))
    for start in range(0, n_resamples, batch):
        size = min(batch, n_resamples - start)
        # Counts are at most n, exact in float32 for n < 2**24.
        counts = np.empty((size, n), dtype=np.float32 if n < 2**24 else np.float64)
        for b in range(size):
            counts[b] = np.bincount(rng.integers(0, n, size=n), minlength=n)
        moments[start : start + size] = _weighted_moments(rows, counts)
    return _weights_from_moments(moments)


def _unit_bootstrap_weights(
    rows: FloatArray, units: IntArray, n_resamples: int, rng: np.random.Generator
) -> FloatArray:
    """Raw relative weights of `n_resamples` resamples of the units, (B, p).

    Resample b draws G units with replacement (``rng.integers(0, G, size=G)``) and takes every
    complete row of each unit drawn, as often as it was drawn: with c_bg those counts its moments
    are Σ_g c_bg M_g, one (B × G) @ (G × k(k + 1)/2) product per batch of resamples.
    """
    per_unit = _unit_moments(rows, units)
    n_units = per_unit.shape[0]
    batch = int(min(max(_BATCH_BYTES // (8 * n_units), 1), n_resamples))
    moments = np.empty((n_resamples, rows.shape[0], rows.shape[0]))
    for start in range(0, n_resamples, batch):
        size = min(batch, n_resamples - start)
        counts = np.empty((size, n_units))
        for b in range(size):
            counts[b] = np.bincount(rng.integers(0, n_units, size=n_units), minlength=n_units)
        moments[start : start + size] = _symmetric(counts @ per_unit, rows.shape[0])
    return _weights_from_moments(moments)


def _count_units(units: IntArray) -> int:
    """Number of distinct (non-negative) unit codes."""
    if units.size == 0:
        return 0
    if int(units.max()) < 4 * units.size:
        return int(np.count_nonzero(np.bincount(units)))
    return int(np.unique(units).size)


def _unit_numbers(groups: npt.ArrayLike | None, n_rows: int) -> IntArray | None:
    """The checked (N,) integer unit codes of the rows, or None when not given."""
    if groups is None:
        return None
    codes = np.asarray(groups)
    if codes.shape != (n_rows,):
        raise ValueError(
            f"groups must give the unit code of every row of x ({n_rows}), got shape {codes.shape}"
        )
    if not np.issubdtype(codes.dtype, np.integer):
        raise ValueError(
            f"groups must be integer unit codes 0..G-1 (e.g. GroupIndex.codes), got dtype "
            f"{codes.dtype}; factorise the unit labels first"
        )
    if codes.size and int(codes.min()) < 0:
        raise ValueError(
            f"groups must be unit codes 0..G-1, got {int(codes.min())}; give every row a unit"
        )
    return np.asarray(codes, dtype=np.int64)


def relative_weights(
    x: FloatArray,
    y: FloatArray,
    *,
    names: Sequence[str],
    confidence: float = 0.95,
    n_resamples: int = 500,
    seed: int | None = 0,
    groups: npt.ArrayLike | None = None,
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
        Bootstrap resamples (0 gives no intervals).
    seed : int or None
        Seed of the random generator.
    groups : (N,) int array, optional
        Unit (cluster) code 0..G-1 of each row, e.g. ``GroupIndex.codes``. With at least
        `MIN_CLUSTERS` units among the complete rows the bootstrap resamples units; otherwise,
        and without groups, it resamples rows (respondents). The weights themselves do not
        depend on it.

    Returns
    -------
    DataFrame with one row per predictor: ``name``, ``raw_weight`` (its part of R²),
    ``share`` (raw_weight / R²), ``ci_low``, ``ci_high`` (percentile interval of the raw weight).
    ``attrs`` holds ``r_squared``, ``n`` (complete rows used), ``n_resamples`` (resamples that
    gave weights), ``resampling`` (``"units"`` or ``"respondents"``: what the bootstrap draws)
    and ``n_units`` (units with a complete row; None without groups). Weights are NaN when there
    are fewer than p + 2 complete rows, a variable does not vary, or a predictor is a linear
    combination of the others.

    Notes
    -----
    Listwise complete rows. With R_xx = VΛVᵀ the predictors' correlation matrix and r_xy their
    correlations with y, Λ* = VΛ^{1/2}Vᵀ holds the correlations of the predictors with their
    closest orthonormal counterparts Z, β = Λ*⁻¹ r_xy the regression of y on Z, and

        ε_j = Σ_k (Λ*_jk)² β_k²,   Σ_j ε_j = R² = r_xyᵀ R_xx⁻¹ r_xy

    The interval is the α/2 and 1 − α/2 quantiles of the bootstrap replicates of ε (resamples
    with a degenerate correlation matrix are left out). A resample enters only through the
    moments Σ_i c_i a_i a_iᵀ of its rows, with a_i = (1, z_i) the row standardised by the full
    sample's means and standard deviations and c_i the number of times the resample holds row i;
    the resample's means, variances and correlations follow from them.

    *Units* (``groups`` with G ≥ `MIN_CLUSTERS` units that have a complete row; units without
    one are dropped before drawing): respondents of a unit are not independent, so each resample
    draws G units with replacement (``rng.integers(0, G, size=G)``, units numbered in the order
    of their codes) and keeps all complete rows of every unit drawn, the "pairs cluster"
    bootstrap [3]_, [4]_. With c_bg the number of times resample b drew unit g and
    M_g = Σ_{i in g} a_i a_iᵀ the unit's moment matrix, computed once,

        Σ_i c_bi a_i a_iᵀ = Σ_g c_bg M_g,

    one (B × G) @ (G × k(k + 1)/2) product for a batch of resamples (k = p + 2): O(G) work per
    resample instead of O(N). A seed gives the replicates of the plain loop that concatenates
    the rows of the drawn units (up to rounding). With few clusters the cluster bootstrap's
    intervals are unreliable [5]_; below `MIN_CLUSTERS` units the rows are resampled instead.

    *Respondents* (otherwise): each resample draws N complete rows with replacement. Its
    moments are computed for a batch of resamples by one matrix product of the row counts with
    the rows' products a_i a_iᵀ. The draws are those of indexing the rows with
    ``rng.integers(0, N, size=N)``, so a seed gives the replicates of that plain loop (up to
    rounding) at a fraction of its cost and memory.

    References
    ----------
    .. [1] Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
       predictor variables in multiple regression. Multivariate Behavioral Research, 35, 1-19.
    .. [2] Tonidandel, S., LeBreton, J. M., & Johnson, J. W. (2009). Determining the statistical
       significance of relative weights. Psychological Methods, 14, 387-399.
    .. [3] Field, C. A., & Welsh, A. H. (2007). Bootstrapping clustered data. Journal of the
       Royal Statistical Society: Series B, 69(3), 369-390.
    .. [4] Cameron, A. C., Gelbach, J. B., & Miller, D. L. (2008). Bootstrap-based improvements
       for inference with clustered errors. The Review of Economics and Statistics, 90(3),
       414-427.
    .. [5] Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust
       inference. Journal of Human Resources, 50(2), 317-372.
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

    units = _unit_numbers(groups, predictors.shape[0])

    p = predictors.shape[1]
    rows, complete = _complete_rows(predictors, outcome)
    n = rows.shape[1]
    n_units: int | None = None
    if units is not None:
        if n < units.shape[0]:
            units = units[complete]
        n_units = _count_units(units)
    by_units = n_units is not None and n_units >= MIN_CLUSTERS
    raw = np.full(p, np.nan)
    r_squared = float("nan")
    if n >= p + 2 and _standardise(rows):
        # Σ_i a_i a_iᵀ of all rows: one (k × n) @ (n × k) product.
        raw = _weights_from_moments((rows @ rows.T)[None])[0]
        r_squared = float(raw.sum())

    ci_low = np.full(p, np.nan)
    ci_high = np.full(p, np.nan)
    used = 0
    if n_resamples > 0 and np.isfinite(r_squared):
        rng = np.random.default_rng(seed)
        if by_units and units is not None:
            replicates = _unit_bootstrap_weights(rows, units, n_resamples, rng)
        else:
            replicates = _bootstrap_weights(rows, n_resamples, rng)
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
    frame.attrs.update(
        {
            "r_squared": r_squared,
            "n": n,
            "n_resamples": used,
            "resampling": "units" if by_units else "respondents",
            "n_units": n_units,
        }
    )
    return frame
