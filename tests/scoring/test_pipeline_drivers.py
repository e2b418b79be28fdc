"""The pipeline's driver analysis resamples units, the respondents' clusters, when it can."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from scoring.drivers import MIN_CLUSTERS, relative_weights
from scoring.pipeline import score
from scoring.spec import ScoringSpec


def test_driver_intervals_resample_units_with_enough_units(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec()
    rng = np.random.default_rng(30)
    n_units = MIN_CLUSTERS + 5
    units = rng.integers(0, n_units, size=400)
    codes = simulate(rng, 400, 9, unit_shift=rng.normal(0, 0.5, n_units)[units], missing=0.2)
    labels = np.array([f"unit {u:02d}" for u in units], dtype=object)
    result = score(codes, labels, spec, driver_resamples=150)
    assert result.drivers.attrs["resampling"] == "units"
    # The same analysis by hand: complete rows, the units' codes in label order.
    y = result.respondents[["a", "b", "out"]].to_numpy()
    complete = np.isfinite(y).all(axis=1)
    _, unit_codes = np.unique(labels, return_inverse=True)
    direct = relative_weights(
        y[complete, :2],
        y[complete, 2],
        names=["a", "b"],
        n_resamples=150,
        seed=0,
        groups=unit_codes[complete],
    )
    assert direct.attrs["n_units"] == n_units
    np.testing.assert_allclose(
        result.drivers[["raw_weight", "ci_low", "ci_high"]],
        direct[["raw_weight", "ci_low", "ci_high"]],
        rtol=0,
        atol=1e-14,
    )
    # Two units are too few clusters: the respondents are resampled.
    two = score(codes, np.where(units < n_units // 2, "x", "y"), spec, driver_resamples=150)
    assert two.drivers.attrs["resampling"] == "respondents"
    plain = relative_weights(
        y[complete, :2], y[complete, 2], names=["a", "b"], n_resamples=150, seed=0
    )
    pd.testing.assert_frame_equal(
        two.drivers[["raw_weight", "ci_low", "ci_high"]], plain[["raw_weight", "ci_low", "ci_high"]]
    )
