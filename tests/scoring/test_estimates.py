"""Group means with t-intervals, the finite-population correction and the CR1 organisation row."""

from __future__ import annotations

import re

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from scoring.estimates import (
    CLUSTER_ROBUST,
    ORDINARY_T,
    finite_population_correction,
    group_estimates,
    head_count_below_n,
    organisation_estimates,
    t_interval,
)
from scoring.groups import GroupIndex

# R: t.test(x)$conf.int for this x is [3.4356322086, 4.4643677914].
X20 = np.array([5, 5, 5, 5, 4, 4, 4, 4, 4, 3, 3, 2, 1, 5, 4, 4, 5, 5, 3, 4], dtype=np.float64)


def one_group(values: np.ndarray) -> GroupIndex:
    return GroupIndex.from_labels(["u"] * len(values))


def test_t_interval_matches_r_t_test() -> None:
    est = group_estimates(one_group(X20).moments(X20[:, None]), confidence=0.95)
    assert est.n[0, 0] == 20
    np.testing.assert_allclose(est.mean[0, 0], 3.95)
    np.testing.assert_allclose(est.sd[0, 0], np.std(X20, ddof=1))
    np.testing.assert_allclose(est.se[0, 0], np.std(X20, ddof=1) / np.sqrt(20))
    assert est.df[0, 0] == 19
    # R: t.test(x)$conf.int
    np.testing.assert_allclose(
        [est.ci_low[0, 0], est.ci_high[0, 0]], [3.4356322086, 4.4643677914], atol=1e-9
    )


def test_t_interval_other_confidence_uses_its_quantile() -> None:
    low, high = t_interval(np.array([2.0]), np.array([0.5]), np.array([4.0]), confidence=0.9)
    q = stats.t.ppf(0.95, 4)
    np.testing.assert_allclose([low[0], high[0]], [2.0 - 0.5 * q, 2.0 + 0.5 * q])


def test_small_groups_have_no_interval_and_empty_groups_no_mean() -> None:
    y = np.array([[3.0], [4.0], [5.0], [np.nan]])
    groups = GroupIndex.from_labels(["a", "a", "b", "c"])
    est = group_estimates(groups.moments(y), confidence=0.95)
    np.testing.assert_array_equal(est.n[:, 0], [2, 1, 0])
    np.testing.assert_allclose(est.mean[:, 0], [3.5, 5.0, np.nan])
    assert np.isnan(est.sd[1:, 0]).all() and np.isnan(est.ci_low[1:, 0]).all()
    assert np.isnan(est.df[1:, 0]).all()


@pytest.mark.parametrize(
    ("n", "population", "expected"),
    [
        (5, 10, np.sqrt(5 / 9)),
        (10, 10, 0.0),
        (3, 1000, np.sqrt(997 / 999)),
        (4, np.nan, 1.0),
    ],
    ids=["half", "census", "large-population", "unknown"],
)
def test_finite_population_correction(n: int, population: float, expected: float) -> None:
    fpc = finite_population_correction(np.array([[n]]), np.array([population]))
    np.testing.assert_allclose(fpc[0, 0], expected)


def test_fpc_shrinks_se_and_a_census_has_a_point_interval() -> None:
    y = np.concatenate([X20[:5], X20[:8]])[:, None]
    groups = GroupIndex.from_labels(["a"] * 5 + ["b"] * 8)
    plain = group_estimates(groups.moments(y), confidence=0.95)
    corrected = group_estimates(
        groups.moments(y), confidence=0.95, head_counts=np.array([10.0, 8.0]), labels=["a", "b"]
    )
    np.testing.assert_allclose(corrected.se[0, 0], plain.se[0, 0] * np.sqrt(5 / 9))
    assert corrected.se[1, 0] == 0.0
    assert corrected.ci_low[1, 0] == corrected.ci_high[1, 0] == corrected.mean[1, 0]


@pytest.mark.parametrize(
    ("head_counts", "message"),
    [
        (np.array([10.0, 0.0]), "unit 'b': the head-count must be a whole number >= 1"),
        (np.array([7.5, np.nan]), "unit 'a': the head-count must be a whole number >= 1"),
        (np.array([10.0]), "one value per group (2)"),
    ],
    ids=["zero", "fractional", "wrong-length"],
)
def test_bad_head_counts_are_refused_naming_the_unit(head_counts: np.ndarray, message: str) -> None:
    n = np.array([[5.0], [3.0]])
    with pytest.raises(ValueError, match=re.escape(message)):
        finite_population_correction(n, head_counts, labels=["a", "b"])


def test_a_head_count_below_n_is_flagged_and_gets_no_correction() -> None:
    # Issue 14: a stale head-count (more respondents than people) is one unit's warning, not a
    # failure of the whole organisation; the true head-count is unknown, so no correction.
    n = np.array([[5.0, 4.0], [3.0, 3.0], [2.0, 2.0]])
    population = np.array([4.0, 10.0, np.nan])
    np.testing.assert_array_equal(head_count_below_n(n, population), [True, False, False])
    fpc = finite_population_correction(n, population, labels=["a", "b", "c"])
    np.testing.assert_allclose(fpc[0], [1.0, 1.0])
    np.testing.assert_allclose(fpc[1], np.sqrt(7 / 9))
    np.testing.assert_allclose(fpc[2], [1.0, 1.0])


def clustered_sample(seed: int, n_groups: int = 12) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 15, size=n_groups)
    codes = np.repeat(np.arange(n_groups), sizes)
    y = 3 + rng.normal(0, 0.4, n_groups)[codes] + rng.normal(0, 0.8, codes.size)
    return y, codes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_organisation_row_matches_statsmodels_cluster_robust_ols(seed: int) -> None:
    y, codes = clustered_sample(seed)
    groups = GroupIndex.from_codes(codes, np.arange(codes.max() + 1))
    org = organisation_estimates(groups.moments(y[:, None]), confidence=0.95)
    fit = sm.OLS(y, np.ones_like(y)).fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
    np.testing.assert_allclose(org.mean[0, 0], fit.params[0])
    np.testing.assert_allclose(org.se[0, 0], fit.bse[0], rtol=1e-12)
    np.testing.assert_allclose([org.ci_low[0, 0], org.ci_high[0, 0]], fit.conf_int()[0])
    assert org.df[0, 0] == codes.max()
    np.testing.assert_allclose(org.sd[0, 0], np.std(y, ddof=1))
    assert org.method == (CLUSTER_ROBUST,)
    assert org.n_units[0, 0] == codes.max() + 1


def test_organisation_row_skips_missing_scores_and_empty_units() -> None:
    y, codes = clustered_sample(4)
    y[codes == 0] = np.nan  # unit 0 has no scores at all
    y[::7] = np.nan
    groups = GroupIndex.from_codes(codes, np.arange(codes.max() + 1))
    org = organisation_estimates(groups.moments(y[:, None]), confidence=0.95)
    keep = ~np.isnan(y)
    fit = sm.OLS(y[keep], np.ones(keep.sum())).fit(
        cov_type="cluster", cov_kwds={"groups": codes[keep]}
    )
    np.testing.assert_allclose(org.se[0, 0], fit.bse[0], rtol=1e-12)
    assert org.n[0, 0] == keep.sum()
    assert org.n_units[0, 0] == len(np.unique(codes[keep]))


def test_organisation_row_with_one_unit_falls_back_to_the_ordinary_t_interval() -> None:
    groups = one_group(X20)
    org = organisation_estimates(groups.moments(X20[:, None]), confidence=0.95)
    assert org.method == (ORDINARY_T,)
    assert org.df[0, 0] == 19
    np.testing.assert_allclose(
        [org.ci_low[0, 0], org.ci_high[0, 0]], [3.4356322086, 4.4643677914], atol=1e-9
    )


def test_organisation_row_handles_several_dimensions_at_once() -> None:
    y, codes = clustered_sample(8)
    stacked = np.column_stack([y, 2 * y, np.full_like(y, np.nan)])
    groups = GroupIndex.from_codes(codes, np.arange(codes.max() + 1))
    org = organisation_estimates(groups.moments(stacked), confidence=0.95)
    np.testing.assert_allclose(org.se[0, 1], 2 * org.se[0, 0])
    assert org.n[0, 2] == 0 and np.isnan(org.mean[0, 2]) and np.isnan(org.se[0, 2])


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5])
def test_confidence_outside_zero_one_is_refused(confidence: float) -> None:
    moments = one_group(X20).moments(X20[:, None])
    with pytest.raises(ValueError, match="confidence must lie strictly between 0 and 1"):
        group_estimates(moments, confidence=confidence)
