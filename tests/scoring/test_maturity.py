"""Maturity levels: the level rule, level probability, interval levels and target gaps."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from scoring.maturity import assess_levels, level_of, readable_half_width, target_gap

THRESHOLDS = np.array([1.0, 2.0, 3.0, 3.5, 4.2])
nan = np.nan


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (1.0, 1),
        (1.99, 1),
        (2.0, 2),
        (3.49, 3),
        (3.5, 4),
        (4.2, 5),
        (5.0, 5),
        (0.3, 1),
        (nan, nan),
        (2.0 - 4e-16, 2),
        (3.5 - 2e-15, 4),
        (1.9999, 1),
    ],
    ids=[
        "floor",
        "below-2",
        "on-2",
        "below-3.5",
        "on-3.5",
        "on-top",
        "max",
        "below-scale",
        "nan",
        "rounding-step-below-2",
        "rounding-steps-below-3.5",
        "truly-below-2",
    ],
)
def test_level_is_the_highest_threshold_at_or_below_the_value(value: float, level: float) -> None:
    np.testing.assert_array_equal(level_of(np.array([value]), THRESHOLDS), [level])


@pytest.mark.parametrize(
    ("mean", "se", "df", "lo", "hi"),
    [
        (3.2, 0.1, 10, 3.0, 3.5),
        (1.4, 0.3, 4, -np.inf, 2.0),
        (4.6, 0.2, 30, 4.2, np.inf),
        (3.0, 0.25, 7, 3.0, 3.5),
    ],
    ids=["middle-band", "bottom-band", "top-band", "on-threshold"],
)
def test_level_probability_is_the_t_mass_of_the_band(
    mean: float, se: float, df: float, lo: float, hi: float
) -> None:
    result = assess_levels(
        np.array([mean]),
        np.array([se]),
        np.array([df]),
        np.array([nan]),
        np.array([nan]),
        thresholds=THRESHOLDS,
    )
    expected = stats.t.cdf((hi - mean) / se, df) - stats.t.cdf((lo - mean) / se, df)
    np.testing.assert_allclose(result.level_probability, [expected], rtol=1e-12)


def test_level_probability_by_hand() -> None:
    # mean 3.2, se 0.1, 10 df, band [3.0, 3.5): T10(3) - T10(-2)
    result = assess_levels(
        np.array([3.2]),
        np.array([0.1]),
        np.array([10.0]),
        np.array([3.0]),
        np.array([3.4]),
        thresholds=THRESHOLDS,
    )
    assert result.level[0] == 3
    np.testing.assert_allclose(result.level_probability[0], 0.9933281 - 0.0366940, atol=1e-6)
    assert (result.level_low[0], result.level_high[0]) == (3, 3)


def test_interval_ends_get_their_own_levels() -> None:
    result = assess_levels(
        np.array([3.4, 3.4]),
        np.array([0.2, 0.2]),
        np.array([9.0, 9.0]),
        np.array([2.9, 0.5]),
        np.array([3.9, 4.4]),
        thresholds=THRESHOLDS,
    )
    np.testing.assert_array_equal(result.level_low, [2, 1])
    np.testing.assert_array_equal(result.level_high, [4, 5])


def test_degenerate_cases_give_no_warning() -> None:
    mean = np.array([3.5, 2.7, 2.7, nan, 4.0, 3.5 - 4e-16])
    se = np.array([0.0, nan, 0.0, nan, 0.3, 0.0])
    df = np.array([4.0, nan, 0.0, nan, nan, 9.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = assess_levels(mean, se, df, mean, mean, thresholds=THRESHOLDS)
        gap = target_gap(mean, se, df, mean, mean, threshold=3.5)
    np.testing.assert_array_equal(result.level, [4, 2, 2, nan, 4, 4])
    # se = 0: all the mass at the mean, which lies in its own level (a mean on a threshold too)
    np.testing.assert_array_equal(result.level_probability, [1.0, nan, 1.0, nan, nan, 1.0])
    np.testing.assert_array_equal(gap.p_target, [1.0, nan, 0.0, nan, nan, 1.0])


def test_target_gap_by_hand() -> None:
    gap = target_gap(
        np.array([3.1]),
        np.array([0.2]),
        np.array([15.0]),
        np.array([2.7]),
        np.array([3.5]),
        threshold=np.array([3.5]),
    )
    np.testing.assert_allclose(gap.gap, [0.4])
    np.testing.assert_allclose(gap.gap_ci_low, [0.0], atol=1e-12)
    np.testing.assert_allclose(gap.gap_ci_high, [0.8])
    # P(true mean >= 3.5) = 1 - T15(2)
    np.testing.assert_allclose(gap.p_target, [1 - stats.t.cdf(2.0, 15)])


def test_probabilities_lie_in_zero_one_and_sum_to_one_over_levels() -> None:
    rng = np.random.default_rng(0)
    mean = rng.uniform(1, 5, 500)
    se = rng.uniform(0.01, 1.0, 500)
    df = rng.integers(1, 50, 500).astype(float)
    result = assess_levels(mean, se, df, mean, mean, thresholds=THRESHOLDS)
    assert ((result.level_probability >= 0) & (result.level_probability <= 1)).all()
    # the level's probability and the probabilities of reaching each threshold agree
    above = np.stack(
        [target_gap(mean, se, df, mean, mean, threshold=t).p_target for t in THRESHOLDS[1:]]
    )
    bands = np.vstack([1 - above[:1], above[:-1] - above[1:], above[-1:]])
    chosen = bands[result.level.astype(int) - 1, np.arange(500)]
    np.testing.assert_allclose(result.level_probability, chosen, atol=1e-12)


@pytest.mark.parametrize(
    "thresholds",
    [np.array([]), np.array([1.0, 1.0]), np.array([2.0, 1.0]), np.array([1.0, np.inf])],
    ids=["empty", "tied", "descending", "infinite"],
)
def test_bad_thresholds_are_refused(thresholds: np.ndarray) -> None:
    with pytest.raises(ValueError, match="strictly ascending"):
        level_of(np.array([1.0]), thresholds)


@pytest.mark.parametrize(
    ("thresholds", "expected"),
    [
        pytest.param([1.0, 1.8, 2.6, 3.4, 4.2], 0.4, id="five-even-levels"),
        pytest.param([1.0, 2.0, 2.5, 4.0], 0.25, id="narrowest-band-decides"),
    ],
)
def test_readable_half_width(thresholds: list[float], expected: float) -> None:
    assert readable_half_width(thresholds) == pytest.approx(expected)


def test_readable_half_width_needs_two_thresholds() -> None:
    with pytest.raises(ValueError, match="at least two level thresholds"):
        readable_half_width([1.0])
