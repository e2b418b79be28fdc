"""Johnson's relative weights: an independent SVD computation, invariants, degenerate data."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import scoring.drivers
from scoring.drivers import MIN_CLUSTERS, relative_weights

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


def clustered_data(
    n_units: int, size: int, *, icc: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Respondents in units of `size`: every predictor and the outcome's error share a unit
    effect that carries the share `icc` of their variance (intraclass correlation)."""
    rng = np.random.default_rng(seed)
    units = np.repeat(np.arange(n_units), size)

    def shared(columns: int) -> np.ndarray:
        unit = rng.normal(size=(n_units, columns))[units]
        return np.sqrt(icc) * unit + np.sqrt(1 - icc) * rng.normal(size=(units.size, columns))

    x = shared(3)
    x[:, 1] += 0.8 * x[:, 0]
    x[:, 2] += 0.5 * x[:, 1]
    y = x @ np.array([0.6, 0.3, 0.1]) + shared(1)[:, 0]
    return x, y, units


def unequal_units(
    n_units: int, *, seed: int, missing: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Units of 1 to 11 respondents in shuffled order, codes with gaps, a unit effect; with
    `missing`, scattered NaN and two units without any complete row."""
    rng = np.random.default_rng(seed)
    units = np.repeat(np.arange(n_units), rng.integers(1, 12, size=n_units))
    rng.shuffle(units)
    x, y = correlated_data(units.size, seed=seed)
    x += rng.normal(size=(n_units, 3))[units]
    y += rng.normal(size=n_units)[units]
    if missing:
        x[rng.random(units.size) < 0.05, 1] = np.nan
        y[(units == 3) | (units == n_units - 1)] = np.nan
    return x, y, 2 * units + 5  # codes need not be 0..G-1


def one_unit_indicator(n_units: int, *, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A predictor that is 1 in one unit only: resamples that miss the unit leave it constant."""
    x, y, units = unequal_units(n_units, seed=seed)
    x[:, 0] = (units == units[0]).astype(float)
    return x, y, units


def resampling_units(
    x: np.ndarray,
    y: np.ndarray,
    units: np.ndarray,
    *,
    n_resamples: int,
    seed: int,
    confidence: float,
) -> tuple[np.ndarray, int]:
    """The cluster bootstrap as a plain loop: draw units with replacement, concatenate their
    complete rows, recompute the weights by SVD; resamples where a variable is constant are left
    out."""
    complete = np.isfinite(x).all(axis=1) & np.isfinite(y)
    x, y, units = x[complete], y[complete], units[complete]
    members = [np.flatnonzero(units == unit) for unit in np.unique(units)]
    rng = np.random.default_rng(seed)
    replicates = []
    for _ in range(n_resamples):
        drawn = rng.integers(0, len(members), size=len(members))
        rows = np.concatenate([members[g] for g in drawn])
        xs, ys = x[rows], y[rows]
        if (np.ptp(xs, axis=0) == 0).any() or np.ptp(ys) == 0:
            continue
        replicates.append(johnson_by_svd(xs, ys))
    tail = (1 - confidence) / 2
    return np.quantile(replicates, [tail, 1 - tail], axis=0).T, len(replicates)


@pytest.mark.parametrize(
    ("data", "n_resamples", "confidence", "all_used"),
    [
        (lambda: unequal_units(40, seed=20), 200, 0.95, True),
        (lambda: unequal_units(MIN_CLUSTERS, seed=21), 150, 0.8, True),
        (lambda: clustered_data(50, 8, icc=0.3, seed=22), 200, 0.95, True),
        (lambda: unequal_units(45, seed=23, missing=True), 200, 0.9, True),
        (lambda: one_unit_indicator(MIN_CLUSTERS, seed=24), 200, 0.95, False),
    ],
    ids=[
        "40-unequal-units",
        "min-clusters-80pct",
        "50-units-of-8",
        "missing-rows-and-units",
        "degenerate-resamples",
    ],
)
def test_unit_bootstrap_gives_the_interval_of_resampling_units(
    data: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray]],
    n_resamples: int,
    confidence: float,
    all_used: bool,
) -> None:
    # Same seed, same unit draws: the per-unit moments reproduce the loop that concatenates the
    # drawn units' rows.
    x, y, units = data()
    expected, used = resampling_units(
        x, y, units, n_resamples=n_resamples, seed=4, confidence=confidence
    )
    frame = relative_weights(
        x, y, names=NAMES, n_resamples=n_resamples, seed=4, confidence=confidence, groups=units
    )
    assert frame.attrs["resampling"] == "units"
    assert frame.attrs["n_resamples"] == used
    assert (used == n_resamples) == all_used
    np.testing.assert_allclose(frame[["ci_low", "ci_high"]], expected, rtol=0, atol=1e-10)


def test_units_are_resampled_from_min_clusters_units_only() -> None:
    x, y, units = clustered_data(MIN_CLUSTERS, 6, icc=0.3, seed=24)
    plain = relative_weights(x, y, names=NAMES, n_resamples=100, seed=5)
    assert plain.attrs["resampling"] == "respondents"
    assert plain.attrs["n_units"] is None
    enough = relative_weights(x, y, names=NAMES, n_resamples=100, seed=5, groups=units)
    assert enough.attrs["resampling"] == "units"
    assert enough.attrs["n_units"] == MIN_CLUSTERS
    assert not np.allclose(enough[["ci_low", "ci_high"]], plain[["ci_low", "ci_high"]])
    # One unit fewer: today's respondent bootstrap, draw for draw.
    few = units < MIN_CLUSTERS - 1
    fewer = relative_weights(
        x[few], y[few], names=NAMES, n_resamples=100, seed=5, groups=units[few]
    )
    assert fewer.attrs["resampling"] == "respondents"
    assert fewer.attrs["n_units"] == MIN_CLUSTERS - 1
    without = relative_weights(x[few], y[few], names=NAMES, n_resamples=100, seed=5)
    assert fewer.equals(without)
    assert {**fewer.attrs, "n_units": None} == without.attrs


def test_units_without_a_complete_row_are_dropped_before_drawing() -> None:
    x, y, units = unequal_units(MIN_CLUSTERS + 1, seed=25, missing=True)
    frame = relative_weights(x, y, names=NAMES, n_resamples=100, seed=6, groups=units)
    # Two units have no complete row: MIN_CLUSTERS - 1 units are left, so respondents are
    # resampled, exactly as for the complete rows alone.
    assert frame.attrs["n_units"] == MIN_CLUSTERS - 1
    assert frame.attrs["resampling"] == "respondents"
    keep = np.isfinite(x).all(axis=1) & np.isfinite(y)
    alone = relative_weights(x[keep], y[keep], names=NAMES, n_resamples=100, seed=6)
    assert frame.equals(alone)
    # With more units the empty ones do not take part in the draws: G counts only units with
    # a complete row, as if they had never been there.
    x, y, units = unequal_units(45, seed=26, missing=True)
    keep = np.isfinite(x).all(axis=1) & np.isfinite(y)
    frame = relative_weights(x, y, names=NAMES, n_resamples=100, seed=6, groups=units)
    _, dense = np.unique(units[keep], return_inverse=True)
    alone = relative_weights(x[keep], y[keep], names=NAMES, n_resamples=100, seed=6, groups=dense)
    assert frame.attrs["n_units"] == 43 and frame.attrs["resampling"] == "units"
    np.testing.assert_allclose(
        frame[["ci_low", "ci_high"]], alone[["ci_low", "ci_high"]], rtol=0, atol=1e-13
    )


def test_weights_do_not_depend_on_the_unit_labels() -> None:
    x, y, units = unequal_units(40, seed=27)
    base = relative_weights(x, y, names=NAMES, n_resamples=0)
    relabelled = np.random.default_rng(7).permutation(1000)[units]
    for groups in (units, relabelled, np.zeros_like(units)):
        frame = relative_weights(x, y, names=NAMES, n_resamples=50, groups=groups)
        np.testing.assert_array_equal(frame["raw_weight"], base["raw_weight"])
        np.testing.assert_array_equal(frame["share"], base["share"])
        assert frame.attrs["r_squared"] == base.attrs["r_squared"]
    # Units are drawn in the order of their codes: codes in the same order give the same draws.
    first = relative_weights(x, y, names=NAMES, n_resamples=50, groups=units)
    second = relative_weights(x, y, names=NAMES, n_resamples=50, groups=3 * units + 11)
    assert first.equals(second)


def test_unit_intervals_follow_the_sampling_spread_of_clustered_respondents() -> None:
    # Strong unit effect (ICC 0.5, 60 units of 20): the weights vary between organisations
    # about as much as 60 units' worth of data allows, not 1200 respondents' worth. The unit
    # interval matches the spread of the weights across simulated organisations; the
    # respondent interval is far too narrow. Margins from 20 seeds: unit/respondent widths
    # 1.6-2.9 (ICC 0.5) and 0.74-1.25 (ICC 0); unit/simulated 0.74-1.29.
    names = NAMES
    simulated = np.array(
        [
            relative_weights(
                *clustered_data(60, 20, icc=0.5, seed=100 + s)[:2], names=names, n_resamples=0
            )["raw_weight"]
            for s in range(300)
        ]
    )
    spread = np.quantile(simulated, 0.975, axis=0) - np.quantile(simulated, 0.025, axis=0)
    x, y, units = clustered_data(60, 20, icc=0.5, seed=28)
    by_units = relative_weights(x, y, names=names, n_resamples=400, seed=1, groups=units)
    by_respondents = relative_weights(x, y, names=names, n_resamples=400, seed=1)
    unit_width = (by_units["ci_high"] - by_units["ci_low"]).to_numpy()
    respondent_width = (by_respondents["ci_high"] - by_respondents["ci_low"]).to_numpy()
    assert by_units.attrs["resampling"] == "units"
    assert (unit_width > 1.5 * respondent_width).all()
    assert ((unit_width > 0.6 * spread) & (unit_width < 1.6 * spread)).all()
    assert (respondent_width < 0.6 * spread).all()
    # Without a unit effect the two bootstraps agree about the width.
    x, y, units = clustered_data(60, 20, icc=0.0, seed=28)
    by_units = relative_weights(x, y, names=names, n_resamples=400, seed=1, groups=units)
    by_respondents = relative_weights(x, y, names=names, n_resamples=400, seed=1)
    ratio = (by_units["ci_high"] - by_units["ci_low"]) / (
        by_respondents["ci_high"] - by_respondents["ci_low"]
    )
    assert ((ratio > 2 / 3) & (ratio < 1.5)).all()


def test_unit_blocks_and_batches_do_not_change_the_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    x, y, units = unequal_units(50, seed=29)
    default = relative_weights(x, y, names=NAMES, n_resamples=60, seed=2, groups=units)
    # Blocks of 7 rows split most units between blocks; batches of 3 resamples.
    monkeypatch.setattr(scoring.drivers, "_UNIT_BLOCK_ROWS", 7)
    monkeypatch.setattr(scoring.drivers, "_BATCH_BYTES", 3 * 8 * 50)
    small = relative_weights(x, y, names=NAMES, n_resamples=60, seed=2, groups=units)
    np.testing.assert_allclose(
        small[["raw_weight", "ci_low", "ci_high"]],
        default[["raw_weight", "ci_low", "ci_high"]],
        rtol=0,
        atol=1e-13,
    )
    # Units in sorted order take the path without a sort: the same interval.
    order = np.argsort(units, kind="stable")
    ordered = relative_weights(
        x[order], y[order], names=NAMES, n_resamples=60, seed=2, groups=units[order]
    )
    np.testing.assert_allclose(
        ordered[["ci_low", "ci_high"]], default[["ci_low", "ci_high"]], rtol=0, atol=1e-12
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
        ({"groups": np.zeros(9, dtype=int)}, "unit code of every row"),
        ({"groups": np.zeros(10)}, "integer unit codes"),
        ({"groups": np.arange(10) - 1}, "give every row a unit"),
    ],
    ids=[
        "names",
        "y-length",
        "x-1d",
        "confidence",
        "resamples",
        "groups-length",
        "groups-float",
        "groups-negative",
    ],
)
def test_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    x, y = correlated_data(10, seed=7)
    arguments: dict[str, object] = {"x": x, "y": y, "names": NAMES}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        relative_weights(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("layout", ["sorted", "shuffled", "large-codes"])
def test_unit_moments_by_runs_or_by_bincount_equal_the_plain_sums(layout: str) -> None:
    rng = np.random.default_rng(11)
    rows = rng.normal(size=(4, 500))
    rows[0] = 1.0
    units = np.sort(rng.integers(0, 40, size=500)) * 3  # gaps between the codes
    if layout != "sorted":
        order = rng.permutation(500)
        rows, units = rows[:, order], units[order]
    if layout == "large-codes":
        units = units * 10_000
    got = scoring.drivers._unit_moments(rows, units)
    first, second = np.triu_indices(4)
    expected = np.array(
        [
            [
                (rows[a, units == u] * rows[b, units == u]).sum()
                for a, b in zip(first, second, strict=True)
            ]
            for u in np.unique(units)
        ]
    )
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
