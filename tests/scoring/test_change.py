"""Change between waves: Welch difference and Hedges' g from summary statistics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scoring.change import hedges_g, welch_difference


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
