"""Johnson's relative weights: an independent SVD computation, invariants, degenerate data."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import scoring.drivers
from scoring.drivers import relative_weights

NAMES = ["clarity", "coordination", "collaboration"]


def correlated_data(n: int, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    x[:, 1] += 0.8 * x[:, 0]
    x[:, 2] += 0.5 * x[:, 1]
    y = x @ np.array([0.6, 0.3, 0.1]) + rng.normal(size=n)
    return x, y


def johnson_by_svd(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson (2000) as published: orthogonal counterparts Z = UVᵀ of the standardised X."""
    xs = (x - x.mean(axis=0)) / np.linalg.norm(x - x.mean(axis=0), axis=0)
    ys = (y - y.mean()) / np.linalg.norm(y - y.mean())
    u, _, vt = np.linalg.svd(xs, full_matrices=False)
    z = u @ vt
    beta = z.T @ ys  # regression of y on the orthonormal Z
    lam = z.T @ xs  # regression of each X on Z
    return (lam**2).T @ beta**2


def test_matches_the_published_svd_construction_and_sums_to_r_squared() -> None:
    x, y = correlated_data(400, seed=1)
    frame = relative_weights(x, y, names=NAMES, n_resamples=0)
    np.testing.assert_allclose(frame["raw_weight"], johnson_by_svd(x, y), atol=1e-12)
    design = np.column_stack([np.ones(len(y)), x])
    fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    r_squared = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert frame.attrs["r_squared"] == pytest.approx(r_squared, abs=1e-12)
    assert frame["raw_weight"].sum() == pytest.approx(r_squared, abs=1e-12)
    assert frame["share"].sum() == pytest.approx(1.0, abs=1e-12)
    assert list(frame.columns) == ["name", "raw_weight", "share", "ci_low", "ci_high"]
    assert frame["name"].tolist() == NAMES


def test_uncorrelated_predictors_get_their_squared_correlations() -> None:
    rng = np.random.default_rng(2)
    centred = rng.normal(size=(200, 3))
    centred -= centred.mean(axis=0)
    x, _ = np.linalg.qr(centred)  # orthonormal combinations of centred columns: r = 0 exactly
    y = x @ np.array([3.0, 1.0, 0.0]) + rng.normal(scale=0.1, size=200)
    frame = relative_weights(x, y, names=NAMES, n_resamples=0)
    squared = [np.corrcoef(x[:, j], y)[0, 1] ** 2 for j in range(3)]
    np.testing.assert_allclose(frame["raw_weight"], squared, atol=1e-12)


def test_weights_do_not_depend_on_units_or_order() -> None:
    x, y = correlated_data(300, seed=3)
    base = relative_weights(x, y, names=NAMES, n_resamples=0)
    rescaled = relative_weights(x * [10.0, 0.5, 2.0] + 3.0, 4.0 * y - 1, names=NAMES, n_resamples=0)
    np.testing.assert_allclose(rescaled["raw_weight"], base["raw_weight"], atol=1e-12)
    order = [2, 0, 1]
    shuffled = relative_weights(x[:, order], y, names=[NAMES[i] for i in order], n_resamples=0)
    np.testing.assert_allclose(
        shuffled.set_index("name").loc[NAMES, "raw_weight"], base["raw_weight"], atol=1e-12
    )


def test_listwise_complete_rows() -> None:
    x, y = correlated_data(150, seed=4)
    x_missing, y_missing = x.copy(), y.copy()
    x_missing[::7, 1] = np.nan
    y_missing[::11] = np.nan
    keep = ~(np.isnan(x_missing).any(axis=1) | np.isnan(y_missing))
    frame = relative_weights(x_missing, y_missing, names=NAMES, n_resamples=0)
    np.testing.assert_allclose(frame["raw_weight"], johnson_by_svd(x[keep], y[keep]), atol=1e-12)
    assert frame.attrs["n"] == int(keep.sum())


def test_bootstrap_interval_is_reproducible_and_brackets_the_weight() -> None:
    x, y = correlated_data(500, seed=5)
    first = relative_weights(x, y, names=NAMES, n_resamples=200, seed=1)
    again = relative_weights(x, y, names=NAMES, n_resamples=200, seed=1)
    assert first.equals(again)
    assert (first["ci_low"] < first["raw_weight"]).all()
    assert (first["raw_weight"] < first["ci_high"]).all()
    assert first.attrs["n_resamples"] == 200
    narrow = relative_weights(x, y, names=NAMES, n_resamples=200, seed=1, confidence=0.5)
    assert ((narrow["ci_high"] - narrow["ci_low"]) < (first["ci_high"] - first["ci_low"])).all()


def resampling_rows(
    x: np.ndarray, y: np.ndarray, *, n_resamples: int, seed: int, confidence: float
) -> tuple[np.ndarray, int]:
    """The percentile bootstrap as first written: index the rows, recompute the weights by SVD,
    leave out resamples where a variable is constant."""
    rng = np.random.default_rng(seed)
    n = len(y)
    replicates = []
    for _ in range(n_resamples):
        rows = rng.integers(0, n, size=n)
        xs, ys = x[rows], y[rows]
        if (np.ptp(xs, axis=0) == 0).any() or np.ptp(ys) == 0:
            continue
        replicates.append(johnson_by_svd(xs, ys))
    tail = (1 - confidence) / 2
    return np.quantile(replicates, [tail, 1 - tail], axis=0).T, len(replicates)


def sparse_binary_data(n: int, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A predictor that is 1 on two rows only: many resamples leave it constant."""
    x, y = correlated_data(n, seed=seed)
    x[:, 0] = 0.0
    x[:2, 0] = 1.0
    return x, y


@pytest.mark.parametrize(
    ("data", "n_resamples", "confidence", "all_used"),
    [
        (lambda: correlated_data(300, seed=8), 200, 0.95, True),
        (lambda: correlated_data(60, seed=9), 150, 0.8, True),
        (lambda: sparse_binary_data(40, seed=10), 300, 0.95, False),
    ],
    ids=["n300", "n60-80pct", "degenerate-resamples"],
)
def test_bootstrap_gives_the_interval_of_resampling_rows(
    data: Callable[[], tuple[np.ndarray, np.ndarray]],
    n_resamples: int,
    confidence: float,
    all_used: bool,
) -> None:
    # Same seed, same draws: the counts-based bootstrap reproduces the row-indexing loop,
    # including which resamples it leaves out.
    x, y = data()
    expected, used = resampling_rows(x, y, n_resamples=n_resamples, seed=3, confidence=confidence)
    frame = relative_weights(
        x, y, names=NAMES, n_resamples=n_resamples, seed=3, confidence=confidence
    )
    assert frame.attrs["n_resamples"] == used
    assert (used == n_resamples) == all_used
    np.testing.assert_allclose(frame[["ci_low", "ci_high"]], expected, rtol=0, atol=1e-12)


def test_batches_and_blocks_do_not_change_the_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    x, y = correlated_data(500, seed=11)
    default = relative_weights(x, y, names=NAMES, n_resamples=50, seed=2)
    monkeypatch.setattr(scoring.drivers, "_MAX_BATCH", 3)
    monkeypatch.setattr(scoring.drivers, "_BLOCK_ROWS", 7)
    small = relative_weights(x, y, names=NAMES, n_resamples=50, seed=2)
    np.testing.assert_allclose(
        small[["raw_weight", "ci_low", "ci_high"]],
        default[["raw_weight", "ci_low", "ci_high"]],
        rtol=0,
        atol=1e-13,
    )


@pytest.mark.parametrize(
    "case",
    ["constant-predictor", "collinear", "constant-outcome", "too-few-rows"],
)
def test_degenerate_data_gives_nan_weights(case: str) -> None:
    x, y = correlated_data(60, seed=6)
    if case == "constant-predictor":
        x[:, 0] = 2.0
    elif case == "collinear":
        x[:, 2] = x[:, 0] - 2 * x[:, 1]
    elif case == "constant-outcome":
        y[:] = 3.0
    else:
        x, y = x[:4], y[:4]
    frame = relative_weights(x, y, names=NAMES, n_resamples=20)
    assert frame[["raw_weight", "share", "ci_low", "ci_high"]].isna().all().all()
    assert np.isnan(frame.attrs["r_squared"])
    assert frame.attrs["n_resamples"] == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"names": ["a", "b"]}, "names must name every column"),
        ({"y": np.ones(5)}, "one value per row of x"),
        ({"x": np.ones(10)}, "2-D"),
        ({"confidence": 0.0}, "confidence"),
        ({"n_resamples": -1}, "n_resamples"),
    ],
    ids=["names", "y-length", "x-1d", "confidence", "resamples"],
)
def test_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    x, y = correlated_data(10, seed=7)
    arguments: dict[str, object] = {"x": x, "y": y, "names": NAMES}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        relative_weights(**arguments)  # type: ignore[arg-type]
