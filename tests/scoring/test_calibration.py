"""Seeded simulations: interval coverage and the calibration of level_probability.

Each test simulates thousands of units with known true means and checks the frequency claims the
scores make: a 95% interval covers the truth 95% of the time, and a level reported with
probability p is right a share p of the time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scoring.estimates import group_estimates, organisation_estimates
from scoring.groups import GroupIndex
from scoring.maturity import assess_levels, level_of
from scoring.pipeline import score
from scoring.spec import Dimension, ScoringSpec

THRESHOLDS = (1.0, 2.0, 3.0, 3.5, 4.2)
SPEC = ScoringSpec(
    item_ids=("I0", "I1", "I2"),
    scale_min=1,
    scale_max=5,
    reverse=(False, False, True),
    weights=(1.0, 1.0, 1.0),
    dimensions=(Dimension("component", "a", (0, 1, 2)),),
    level_thresholds=THRESHOLDS,
    level_names=("L1", "L2", "L3", "L4", "L5"),
    min_group_size=2,
)


def likert_units(
    seed: int, n_units: int, per_unit: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Answers of units whose true dimension mean is known exactly.

    Each unit answers every item from its own discretised normal distribution on 1..5 (location
    uniform on the scale); the true mean of the dimension score is the mean of the items'
    expected scored values.
    """
    rng = np.random.default_rng(seed)
    location = rng.uniform(1.3, 4.9, n_units)
    edges = np.array([-np.inf, 1.5, 2.5, 3.5, 4.5, np.inf])
    probs = np.diff(stats.norm.cdf(edges[None, :] - location[:, None]), axis=1)
    values = np.arange(1, 6)
    unit = np.repeat(np.arange(n_units), per_unit)
    cumulative = probs.cumsum(axis=1)[unit]
    draws = rng.random((unit.size, 3))
    chosen = (draws[:, :, None] > cumulative[:, None, :]).sum(axis=2) + 1
    # item I2 is reverse-keyed: it is answered as 6 - x of the same latent opinion
    chosen[:, 2] = 6 - chosen[:, 2]
    truth = probs @ values  # the same for all three items once I2 is scored back
    labels = np.array([f"u{g:05d}" for g in range(n_units)], dtype=object)
    return chosen.astype(np.int8), labels[unit], truth


def unit_rows(seed: int, n_units: int, per_unit: int) -> tuple[pd.DataFrame, np.ndarray]:
    codes, groups, truth = likert_units(seed, n_units, per_unit)
    result = score(codes, groups, SPEC, n_resamples=10)
    rows = result.scores[result.scores["unit"] != "__all__"]
    # labels are zero-padded, so the sorted unit order is the simulation order
    return rows, truth


@pytest.mark.parametrize("seed", [11, 12])
def test_t_interval_of_a_unit_mean_covers_the_truth_95_percent(seed: int) -> None:
    rows, truth = unit_rows(seed, n_units=5000, per_unit=20)
    covered = (rows["ci_low"].to_numpy() <= truth) & (truth <= rows["ci_high"].to_numpy())
    assert abs(covered.mean() - 0.95) <= 0.015, covered.mean()


def test_cluster_robust_interval_of_the_organisation_covers_the_truth_95_percent() -> None:
    # 4000 simulated organisations at once: one column each, the same 30 units of 3-11 people
    rng = np.random.default_rng(21)
    n_orgs, n_units = 4000, 30
    codes = np.repeat(np.arange(n_units), rng.integers(3, 12, n_units))
    y = (
        3.0
        + rng.normal(0, 0.3, (n_units, n_orgs))[codes]
        + rng.normal(0, 0.8, (codes.size, n_orgs))
    )
    groups = GroupIndex.from_codes(codes, np.arange(n_units))
    org = organisation_estimates(groups.moments(y), confidence=0.95)
    covered = (org.ci_low[0] <= 3.0) & (org.ci_high[0] >= 3.0)
    assert abs(covered.mean() - 0.95) <= 0.015, covered.mean()


def calibration_table(probability: np.ndarray, hit: np.ndarray, min_count: int) -> pd.DataFrame:
    bins = np.clip((probability * 10).astype(int), 0, 9)
    table = (
        pd.DataFrame({"bin": bins, "p": probability, "hit": hit.astype(float)})
        .groupby("bin")
        .agg(predicted=("p", "mean"), observed=("hit", "mean"), count=("p", "size"))
    )
    table = table[table["count"] >= min_count]
    table["se"] = np.sqrt(table["predicted"] * (1 - table["predicted"]) / table["count"])
    return table


def test_level_probability_is_calibrated_where_the_t_posterior_is_exact() -> None:
    # Normal answers with unit means uniform over the scale and sds log-uniform (the reference
    # prior under which mean + se·t_{n-1} is the exact posterior of the true mean).
    rng = np.random.default_rng(31)
    n_units, per_unit = 20_000, 12
    mu = rng.uniform(0.0, 6.0, n_units)
    sigma = np.exp(rng.uniform(np.log(0.05), np.log(5.0), n_units))
    y = mu[:, None] + sigma[:, None] * rng.normal(size=(n_units, per_unit))
    groups = GroupIndex.from_codes(np.repeat(np.arange(n_units), per_unit), np.arange(n_units))
    est = group_estimates(groups.moments(y.reshape(-1, 1)), confidence=0.95)
    levels = assess_levels(
        est.mean, est.se, est.df, est.ci_low, est.ci_high, thresholds=np.array(THRESHOLDS)
    )
    hit = level_of(mu, np.array(THRESHOLDS)) == levels.level[:, 0]
    table = calibration_table(levels.level_probability[:, 0], hit, min_count=300)
    assert len(table) >= 6, table
    gap = (table["observed"] - table["predicted"]).abs()
    assert (gap <= 4 * table["se"]).all(), table
    weighted = (gap * table["count"]).sum() / table["count"].sum()
    assert weighted <= 0.02, table


def test_level_probability_of_likert_units_is_close_to_calibrated() -> None:
    rows, truth = unit_rows(41, n_units=6000, per_unit=12)
    probability = rows["level_probability"].to_numpy(dtype=float)
    hit = level_of(truth, np.array(THRESHOLDS)) == rows["level"].to_numpy(dtype=float)
    table = calibration_table(probability, hit, min_count=300)
    assert len(table) >= 3, table
    assert ((table["observed"] - table["predicted"]).abs() <= 0.06).all(), table
