"""Change between waves: Welch difference and Hedges' g from summary statistics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scoring.change import hedges_g, paired_unit_change, stratified_change, welch_difference
from scoring.estimates import organisation_as_surveyed
from scoring.groups import GroupIndex, ItemMoments


@pytest.mark.parametrize(
    ("wave1", "wave2"),
    [
        ((30, 3.1, 0.8), (45, 3.4, 1.1)),
        ((8, 4.0, 0.5), (5, 3.2, 1.4)),
        ((200, 2.5, 0.9), (200, 2.5, 0.9)),
    ],
    ids=["rise", "fall-small-waves", "no-change"],
)
def test_welch_matches_scipy(
    wave1: tuple[float, float, float], wave2: tuple[float, float, float]
) -> None:
    (n1, m1, s1), (n2, m2, s2) = wave1, wave2
    row = welch_difference(n1, m1, s1, n2, m2, s2, confidence=0.9).iloc[0]
    reference = stats.ttest_ind_from_stats(m2, s2, n2, m1, s1, n1, equal_var=False)
    assert row["diff"] == pytest.approx(m2 - m1, abs=1e-15)
    assert row["p_value"] == pytest.approx(reference.pvalue, abs=1e-13)
    if m1 != m2:
        assert row["diff"] / row["se"] == pytest.approx(reference.statistic, abs=1e-12)
    crit = stats.t.ppf(0.95, row["df"])
    assert row["ci_low"] == pytest.approx(row["diff"] - crit * row["se"], abs=1e-14)
    assert row["ci_high"] == pytest.approx(row["diff"] + crit * row["se"], abs=1e-14)


def test_welch_on_raw_data_matches_scipy_interval() -> None:
    rng = np.random.default_rng(1)
    one, two = rng.normal(3, 1, 25), rng.normal(3.5, 0.6, 40)
    row = welch_difference(
        one.size, one.mean(), one.std(ddof=1), two.size, two.mean(), two.std(ddof=1)
    ).iloc[0]
    ci = stats.ttest_ind(two, one, equal_var=False).confidence_interval(0.95)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_welch_broadcasts_and_flattens_in_c_order() -> None:
    means2 = np.array([[3.0, 3.5, 4.0, 4.5]])  # (1, 4)
    n1 = np.array([[10], [20], [40]])  # (3, 1)
    frame = welch_difference(n1, 3.0, 1.0, 25, means2, 1.0)
    assert frame.shape == (12, 6)
    assert list(frame.columns) == ["diff", "se", "df", "ci_low", "ci_high", "p_value"]
    np.testing.assert_allclose(frame["diff"], np.tile([0.0, 0.5, 1.0, 1.5], 3))
    np.testing.assert_allclose(frame["se"][:4], np.sqrt(1 / 10 + 1 / 25))
    np.testing.assert_allclose(frame["se"][8:], np.sqrt(1 / 40 + 1 / 25))


@pytest.mark.parametrize(
    ("n1", "sd1", "n2", "sd2"),
    [(1, 0.5, 10, 1.0), (10, 1.0, 1, np.nan), (10, 0.0, 12, 0.0)],
    ids=["one-respondent", "nan-sd", "no-spread"],
)
def test_welch_undefined_gives_nan_but_keeps_the_difference(
    n1: int, sd1: float, n2: int, sd2: float
) -> None:
    row = welch_difference(n1, 3.0, sd1, n2, 3.5, sd2).iloc[0]
    assert row["diff"] == 0.5
    assert row[["se", "df", "ci_low", "ci_high", "p_value"]].isna().all()


def test_welch_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="broadcastable"):
        welch_difference(np.ones(2), 1, 1, np.ones(3), 1, 1)
    with pytest.raises(ValueError, match="confidence"):
        welch_difference(10, 1, 1, 10, 1, 1, confidence=0)


def test_hedges_g_reproduces_borenstein_example() -> None:
    # Borenstein et al. (2009), Introduction to Meta-Analysis, ch. 4: treated 103 (sd 5.5, n 50),
    # control 100 (sd 4.5, n 50): d = 0.5970, J = 0.9923, g = 0.5924.
    row = hedges_g(50, 100.0, 4.5, 50, 103.0, 5.5).iloc[0]
    assert row["g"] == pytest.approx(0.5924, abs=5e-5)
    assert row["g"] / (1 - 3 / (4 * 100 - 9)) == pytest.approx(0.5970, abs=5e-5)
    # R: metafor::escalc("SMD", m1i=103, sd1i=5.5, n1i=50, m2i=100, sd2i=4.5, n2i=50)
    #    yi 0.592439623034787 (exact J), vi 0.041754923534708
    assert row["g"] == pytest.approx(0.592439623034787, abs=1e-5)
    assert row["g_se"] == pytest.approx(np.sqrt(0.041754923534708), abs=1e-7)


def test_hedges_g_interval_matches_metafor_for_small_waves() -> None:
    row = hedges_g(9, 3.4, 1.1, 12, 3.9, 0.8).iloc[0]
    # R: e <- metafor::escalc("SMD", m1i=3.9, sd1i=0.8, n1i=12, m2i=3.4, sd2i=1.1, n2i=9)
    #    e$yi 0.511633937201544, e$vi 0.200677046484834;
    #    summary(e)$ci.lb -0.366370966161763, summary(e)$ci.ub 1.38963884056485
    # metafor's exact J differs from 1 − 3/(4N − 9) by ~4e-4 here.
    assert row["g"] == pytest.approx(0.511633937201544, abs=5e-4)
    assert row["g_se"] == pytest.approx(np.sqrt(0.200677046484834), abs=1e-4)
    assert row["ci_low"] == pytest.approx(-0.366370966161763, abs=1e-3)
    assert row["ci_high"] == pytest.approx(1.38963884056485, abs=1e-3)


def test_hedges_g_formula() -> None:
    n1, m1, s1, n2, m2, s2 = 14, 3.0, 0.9, 22, 3.6, 1.2
    pooled = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2))
    g = (m2 - m1) / pooled * (1 - 3 / (4 * (n1 + n2) - 9))
    se = np.sqrt((n1 + n2) / (n1 * n2) + g**2 / (2 * (n1 + n2)))
    z = stats.norm.ppf(0.975)
    row = hedges_g(n1, m1, s1, n2, m2, s2).iloc[0]
    expected = pd.Series({"g": g, "g_se": se, "ci_low": g - z * se, "ci_high": g + z * se})
    pd.testing.assert_series_equal(row, expected, check_names=False, atol=1e-14, rtol=0)


def test_hedges_g_standard_error_matches_pingouin() -> None:
    import pingouin  # the test extra declares it: this comparison runs wherever the tests do

    rng = np.random.default_rng(2)
    one, two = rng.normal(3, 1, 30), rng.normal(3.4, 1, 26)
    row = hedges_g(
        one.size, one.mean(), one.std(ddof=1), two.size, two.mean(), two.std(ddof=1)
    ).iloc[0]
    theirs = pingouin.compute_effsize(two, one, eftype="hedges")
    assert row["g"] == pytest.approx(theirs, abs=1e-12)
    # pingouin's interval is g ± t_{0.975, n1+n2−2}·se with the same se
    low, high = pingouin.compute_esci(
        stat=theirs, nx=two.size, ny=one.size, eftype="hedges", decimals=15
    )
    se = (high - low) / (2 * stats.t.ppf(0.975, one.size + two.size - 2))
    assert row["g_se"] == pytest.approx(se, abs=1e-12)


@pytest.mark.parametrize(
    ("n1", "sd1", "n2", "sd2"),
    [(1, 1.0, 10, 1.0), (10, 0.0, 10, 0.0)],
    ids=["one-respondent", "no-spread"],
)
def test_hedges_g_undefined_is_nan(n1: int, sd1: float, n2: int, sd2: float) -> None:
    row = hedges_g(n1, 3.0, sd1, n2, 3.5, sd2).iloc[0]
    assert row.isna().all()


def test_hedges_g_is_vectorised() -> None:
    frame = hedges_g(np.array([10, 20, 30]), 3.0, 1.0, 25, np.array([3.0, 3.5, 4.0]), 1.0)
    assert frame.shape == (3, 4)
    assert frame["g"].iloc[0] == 0.0
    assert (np.diff(frame["g"]) > 0).all()


def _unit_moments(rng: np.random.Generator, sizes: list[int], shift: float) -> ItemMoments:
    """Moments of two dimensions in units of the given sizes (unit effects + noise, answers 1..5)."""
    groups = np.repeat(np.arange(len(sizes)), sizes)
    effects = rng.normal(0, 0.4, (len(sizes), 2))
    scores = np.clip(3 + shift + effects[groups] + rng.normal(0, 0.8, (groups.size, 2)), 1, 5)
    return GroupIndex.from_labels(groups.astype(str)).moments(scores)


@pytest.mark.parametrize(
    "head_counts", [None, (12.0, 40.0, 9.0, 25.0)], ids=["by-n", "head-counts"]
)
def test_stratified_change_adds_the_two_waves_as_surveyed_variances(
    head_counts: tuple[float, ...] | None,
) -> None:
    rng = np.random.default_rng(7)
    sizes1, sizes2 = [6, 30, 8, 20], [9, 25, 5, 22]
    first, second = _unit_moments(rng, sizes1, 0.0), _unit_moments(rng, sizes2, 0.3)
    pop = np.full(4, np.nan) if head_counts is None else np.asarray(head_counts)
    org1 = organisation_as_surveyed(first, confidence=0.95, head_counts=pop)
    org2 = organisation_as_surveyed(second, confidence=0.95, head_counts=pop)
    change = stratified_change(
        first.n, first.mean, np.sqrt(first.var), pop,
        second.n, second.mean, np.sqrt(second.var), pop,
    )  # fmt: skip
    np.testing.assert_allclose(change["diff"], org2.mean[0] - org1.mean[0], atol=1e-14)
    np.testing.assert_allclose(change["se"] ** 2, org1.se[0] ** 2 + org2.se[0] ** 2, rtol=1e-12)
    # Satterthwaite over both waves' terms: between the smaller wave df and their sum.
    assert np.all(change["df"] >= np.minimum(org1.df[0], org2.df[0]) - 1e-9)
    assert np.all(change["df"] <= org1.df[0] + org2.df[0] + 1e-9)
    crit = stats.t.ppf(0.975, change["df"])
    np.testing.assert_allclose(change["ci_high"], change["diff"] + crit * change["se"], atol=1e-12)


def test_stratified_change_of_two_censuses_is_known_exactly() -> None:
    rng = np.random.default_rng(3)
    first, second = _unit_moments(rng, [5, 7], 0.0), _unit_moments(rng, [5, 7], 0.2)
    census = np.array([5.0, 7.0])
    change = stratified_change(
        first.n, first.mean, np.sqrt(first.var), census,
        second.n, second.mean, np.sqrt(second.var), census,
    )  # fmt: skip
    assert np.all(change["se"] == 0)
    np.testing.assert_allclose(change["ci_low"], change["diff"])


def test_stratified_change_refuses_mismatched_shapes_naming_them() -> None:
    with pytest.raises(ValueError, match="one shape"):
        stratified_change(
            [[5]], [[3.0]], [[1.0]], [np.nan], [[5, 6]], [[3.0, 3]], [[1.0, 1]], [np.nan]
        )
    with pytest.raises(ValueError, match="one value per unit"):
        stratified_change([[5]], [[3.0]], [[1.0]], [1, 2], [[5]], [[3.0]], [[1.0]], [np.nan])


def test_paired_change_with_equal_weights_is_the_paired_t_test() -> None:
    rng = np.random.default_rng(11)
    before = rng.normal(3.2, 0.5, 8)
    after = before + rng.normal(0.25, 0.2, 8)
    row = paired_unit_change(before[:, None], after[:, None], np.ones(8), confidence=0.9).iloc[0]
    reference = stats.ttest_rel(after, before)
    assert row["diff"] == pytest.approx(float(np.mean(after - before)), abs=1e-14)
    assert row["diff"] / row["se"] == pytest.approx(reference.statistic, rel=1e-12)
    assert row["p_value"] == pytest.approx(reference.pvalue, rel=1e-10)
    assert row["df"] == 7 and row["units"] == 8
    crit = stats.t.ppf(0.95, 7)
    assert row["ci_low"] == pytest.approx(row["diff"] - crit * row["se"], abs=1e-14)


def test_paired_change_uses_only_units_in_both_waves_and_weights_them() -> None:
    before = np.array([[3.0], [3.5], [np.nan], [2.0]])
    after = np.array([[3.4], [3.6], [4.0], [2.9]])
    row = paired_unit_change(before, after, np.array([10.0, 30.0, 50.0, 10.0])).iloc[0]
    d, w = np.array([0.4, 0.1, 0.9]), np.array([10.0, 30.0, 10.0]) / 50.0
    mean = float(np.sum(w * d))
    assert row["units"] == 3 and row["df"] == 2
    assert row["diff"] == pytest.approx(mean, abs=1e-14)
    assert row["se"] == pytest.approx(np.sqrt(1.5 * np.sum(w**2 * (d - mean) ** 2)), rel=1e-12)


def test_paired_change_of_one_unit_has_no_interval() -> None:
    row = paired_unit_change([[3.0]], [[3.5]], [4.0]).iloc[0]
    assert row["diff"] == pytest.approx(0.5)
    assert np.isnan(row["se"]) and np.isnan(row["ci_low"])


def test_paired_change_covers_when_unit_effects_persist_between_waves() -> None:
    """Simulated: persistent unit effects; the paired interval covers the pool's true change."""
    rng = np.random.default_rng(2026)
    hits, welch_hits, reps = 0, 0, 400
    for _ in range(reps):
        effects = rng.normal(0, 0.5, 10)
        n = rng.integers(5, 15, 10)
        means = [effects + rng.normal(0, 0.8, 10) / np.sqrt(n) + shift for shift in (0.0, 0.2)]
        row = paired_unit_change(means[0][:, None], means[1][:, None], np.ones(10)).iloc[0]
        hits += row["ci_low"] <= 0.2 <= row["ci_high"]
        sd = [np.std(m, ddof=1) for m in means]
        welch = welch_difference(10, means[0].mean(), sd[0], 10, means[1].mean(), sd[1]).iloc[0]
        welch_hits += welch["ci_low"] <= 0.2 <= welch["ci_high"]
    assert 0.92 <= hits / reps <= 0.98
    # Welch's interval on independent samples carries the stable unit spread twice: too wide here.
    assert welch_hits / reps > 0.99
