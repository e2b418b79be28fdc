"""Empirical-Bayes shrinkage and ranking of units."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.shrinkage import eb_means, rank_units


@pytest.mark.parametrize(
    ("means", "n", "icc1", "expected"),
    [
        # λ = n·0.2/(1 + (n−1)·0.2): n = 1 → 0.2, n = 4 → 0.5, n = 16 → 0.8
        ([4.0, 2.0, 5.0], [1, 4, 16], 0.2, [3 + 0.2, 3 - 0.5, 3 + 0.8 * 2]),
        ([4.0, 2.0], [10, 10], 0.0, [3.0, 3.0]),
        ([4.0, 2.0], [10, 10], -0.05, [3.0, 3.0]),
        ([4.0, np.nan], [10, 10], 0.2, [3 + 1 * 2 / 2.8, np.nan]),
        ([4.0, 2.0], [10, 0], 0.2, [3 + 1 * 2 / 2.8, np.nan]),
        ([4.0, 2.0], [10, 10], np.nan, [np.nan, np.nan]),
        ([4.0, 2.0], [10, 10], 1.0, [4.0, 2.0]),
    ],
    ids=["formula", "zero-icc", "negative-icc", "nan-mean", "empty-group", "nan-icc", "icc-one"],
)
def test_eb_means(means: list[float], n: list[int], icc1: float, expected: list[float]) -> None:
    result = eb_means(np.array(means), np.array(n, dtype=float), grand_mean=3.0, icc1=icc1)
    np.testing.assert_allclose(result, expected, equal_nan=True, atol=1e-14)


def test_eb_means_keeps_shape() -> None:
    means = np.array([[4.0, 2.0], [3.5, 1.0]])
    result = eb_means(means, np.full((2, 2), 9.0), grand_mean=3.0, icc1=0.1)
    assert result.shape == (2, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"means": np.ones(3), "n": np.ones(2), "grand_mean": 3.0, "icc1": 0.1}, "same shape"),
        ({"means": np.ones(2), "n": np.ones(2), "grand_mean": np.nan, "icc1": 0.1}, "grand_mean"),
    ],
    ids=["shape", "grand-mean"],
)
def test_eb_means_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        eb_means(**kwargs)  # type: ignore[arg-type]


def test_small_enthusiastic_team_does_not_top_the_ranking() -> None:
    raw = np.array([4.9, 4.3, 3.0])
    n = np.array([3.0, 60.0, 40.0])
    shrunk = eb_means(raw, n, grand_mean=3.5, icc1=0.05)
    assert rank_units(raw).tolist() == [1.0, 2.0, 3.0]
    assert rank_units(shrunk).tolist() == [2.0, 1.0, 3.0]


@pytest.mark.parametrize(
    ("values", "descending", "expected"),
    [
        ([3.0, 5.0, 4.0], True, [3.0, 1.0, 2.0]),
        ([3.0, 5.0, 4.0], False, [1.0, 3.0, 2.0]),
        ([5.0, 4.0, 4.0, 3.0], True, [1.0, 2.0, 2.0, 4.0]),
        ([np.nan, 4.0, 5.0], True, [np.nan, 2.0, 1.0]),
        ([np.nan, np.nan], True, [np.nan, np.nan]),
    ],
    ids=["descending", "ascending", "ties", "nan", "all-nan"],
)
def test_rank_units(values: list[float], descending: bool, expected: list[float]) -> None:
    result = rank_units(np.array(values), descending=descending)
    np.testing.assert_array_equal(result, expected)


def test_rank_units_rejects_matrix() -> None:
    with pytest.raises(ValueError, match="1-D"):
        rank_units(np.ones((2, 2)))


@settings(max_examples=80, deadline=None)
@given(
    mean=st.floats(1, 5),
    n=st.integers(1, 500),
    icc1=st.floats(-0.5, 1.0),
    grand=st.floats(1, 5),
)
def test_shrunken_mean_lies_between_raw_and_grand_mean(
    mean: float, n: int, icc1: float, grand: float
) -> None:
    shrunk = eb_means(np.array([mean]), np.array([float(n)]), grand_mean=grand, icc1=icc1)[0]
    assert min(mean, grand) - 1e-12 <= shrunk <= max(mean, grand) + 1e-12
    # more respondents never pull the estimate further from the raw mean
    bigger = eb_means(np.array([mean]), np.array([n + 10.0]), grand_mean=grand, icc1=icc1)[0]
    assert abs(bigger - mean) <= abs(shrunk - mean) + 1e-12


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.sampled_from([1.0, 2.5, 2.5, 3.0, 4.2, float("nan")]) | st.floats(0, 5), max_size=30
    ),
    descending=st.booleans(),
)
def test_rank_units_gives_scipy_min_ranks(values: list[float], descending: bool) -> None:
    from scipy.stats import rankdata

    means = np.array(values, dtype=float)
    got = rank_units(means, descending=descending)
    present = ~np.isnan(means)
    assert np.isnan(got[~present]).all()
    keyed = -means[present] if descending else means[present]
    np.testing.assert_array_equal(got[present], rankdata(keyed, method="min"))
