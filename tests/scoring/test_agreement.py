"""Within-group agreement: hand-computed cases, R's conventions, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scoring.agreement import (
    ad_m,
    awg,
    disagreement_from_counts,
    item_disagreement,
    item_rwg,
    rwg_j,
    rwg_j_lindell,
    uniform_null_variance,
)
from scoring.groups import GroupIndex, ItemMoments

NAN = np.nan


def one_group(*items: list[float]) -> tuple[GroupIndex, np.ndarray, ItemMoments]:
    """One group whose item columns are the given answer lists (NaN = missing)."""
    x = np.column_stack([np.asarray(item, dtype=np.float64) for item in items])
    groups = GroupIndex.from_labels(["g"] * x.shape[0])
    return groups, x, groups.moments(x)


@pytest.mark.parametrize(
    ("n_options", "expected"),
    [(5, 2.0), (7, 4.0), (2, 0.25), (11, 10.0)],
    ids=["five", "seven", "two", "eleven"],
)
def test_uniform_null_variance(n_options: int, expected: float) -> None:
    assert uniform_null_variance(n_options) == expected


@pytest.mark.parametrize(
    "bad", [1, 0, -3, 5.0, True], ids=["one", "zero", "negative", "float", "bool"]
)
def test_uniform_null_variance_rejects_bad_option_counts(bad: object) -> None:
    with pytest.raises(ValueError, match="n_options must be an integer >= 2"):
        uniform_null_variance(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("items", "expected_rwg_j", "expected_lindell"),
    [
        # s² = (1, 0), s̄² = 0.5, ratio 0.25: 2·0.75 / (2·0.75 + 0.25)
        (([1, 2, 3], [2, 2, 2]), 1.5 / 1.75, 0.75),
        # everyone agrees on every item
        (([4, 4, 4], [2, 2, 2]), 1.0, 1.0),
        # s² = 4.8 > 2: truncated to 0 (Lindell's version is not truncated)
        (([1, 1, 1, 5, 5, 5], [1, 1, 1, 5, 5, 5]), 0.0, 1 - 4.8 / 2),
        # one respondent: no variance anywhere
        (([3], [4]), NAN, NAN),
        # an item nobody answered does not count in J: s̄² = 1 from the first item only
        (([1, 2, 3], [NAN, NAN, NAN]), 0.5 / 1.0, 0.5),
        # an item with one answer has no variance and is skipped too
        (([1, 2, 3], [NAN, 4, NAN]), 0.5 / 1.0, 0.5),
        # available answers per item: s² = (var(1,2,3), var(3,5)) = (1, 2) → s̄² = 1.5
        (([1, 2, 3], [3, NAN, 5]), 2 * 0.25 / (2 * 0.25 + 0.75), 0.25),
    ],
    ids=[
        "basic",
        "unanimous",
        "truncated",
        "single-respondent",
        "empty-item",
        "item-one-answer",
        "available-answers",
    ],
)
def test_rwg_j_and_lindell(
    items: tuple[list[float], ...], expected_rwg_j: float, expected_lindell: float
) -> None:
    _, _, moments = one_group(*items)
    np.testing.assert_allclose(rwg_j(moments, n_options=5), [expected_rwg_j], equal_nan=True)
    np.testing.assert_allclose(
        rwg_j_lindell(moments, n_options=5), [expected_lindell], equal_nan=True
    )


def test_rwg_j_null_variance_override() -> None:
    _, _, moments = one_group([1, 2, 3], [2, 2, 2])
    # R: multilevel::rwg.j(x, grp, ranvar = 1.5); s̄² = 0.5 → ratio 1/3
    expected = 2 * (2 / 3) / (2 * (2 / 3) + 1 / 3)
    np.testing.assert_allclose(rwg_j(moments, n_options=5, null_variance=1.5), [expected])
    with pytest.raises(ValueError, match="null_variance must be a positive"):
        rwg_j(moments, n_options=5, null_variance=0.0)


def test_item_rwg_truncates_and_needs_two_answers() -> None:
    _, _, moments = one_group([1, 2, 3], [1, 5, 1], [NAN, 4, NAN])
    # s² = 1, 16/3 (truncated at 2), none
    np.testing.assert_allclose(item_rwg(moments, n_options=5), [[0.5, 0.0, NAN]], equal_nan=True)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # M = 3, s² = 1, max variance (3−1)(5−3)·3/2 = 6: 1 − 2/6
        ([2, 3, 4], 1 - 2 * 1 / 6),
        # M = H: defined as 1 although the bound check alone would say "too extreme"
        ([5, 5, 5], 1.0),
        ([1, 1, 1, 1], 1.0),
        # M = 4.8 > (5·4 + 1)/5 = 4.2: missing
        ([5, 5, 5, 5, 4], NAN),
        # M = 1.2 < (1·4 + 5)/5 = 1.8: missing
        ([1, 1, 1, 1, 2], NAN),
        # M exactly on the bound (1·2 + 5)/3: defined, the largest variance possible → −1
        ([1, 1, 5], -1.0),
        # n = 1
        ([3], NAN),
        # all answers at the midpoint: no variance, awg = 1
        ([3, 3, 3, 3], 1.0),
    ],
    ids=["basic", "all-high", "all-low", "too-high", "too-low", "on-bound", "single", "midpoint"],
)
def test_awg_single_item_conventions(answers: list[float], expected: float) -> None:
    _, _, moments = one_group(answers)
    np.testing.assert_allclose(awg(moments, scale_min=1, scale_max=5), [expected], equal_nan=True)


def test_awg_averages_items_skipping_missing() -> None:
    _, _, moments = one_group([2, 3, 4], [5, 5, 5], [5, 5, 4])
    # items: 2/3, 1, missing (M = 14/3 > 13/3) → mean of the two defined values
    np.testing.assert_allclose(awg(moments, scale_min=1, scale_max=5), [(2 / 3 + 1) / 2])


@pytest.mark.parametrize(
    ("low", "high"),
    [(5, 1), (3, 3), (np.nan, 5)],
    ids=["reversed", "equal", "nan"],
)
def test_awg_rejects_bad_scale(low: float, high: float) -> None:
    _, _, moments = one_group([2, 3, 4])
    with pytest.raises(ValueError, match="scale_min must be below scale_max"):
        awg(moments, scale_min=low, scale_max=high)


def test_ad_m_averages_item_deviations_with_divisor_n() -> None:
    groups, x, moments = one_group([1, 2, 3, 4], [2, 2, 2, 4])
    # item 1: mean 2.5, |dev| = 1.5, .5, .5, 1.5 → 1.0; item 2: mean 2.5 → (.5·3 + 1.5)/4 = 0.75
    np.testing.assert_allclose(ad_m(groups.mean_abs_deviation(x), n=moments.n), [0.875])


def test_ad_m_single_respondent_is_missing_only_when_counts_are_given() -> None:
    groups, x, moments = one_group([3], [4])
    dev = groups.mean_abs_deviation(x)
    np.testing.assert_allclose(ad_m(dev), [0.0])
    np.testing.assert_allclose(ad_m(dev, n=moments.n), [NAN], equal_nan=True)


def test_ad_m_rejects_mismatched_counts() -> None:
    with pytest.raises(ValueError, match="n must have the shape of abs_dev"):
        ad_m(np.zeros((2, 3)), n=np.ones((3, 2)))


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([4, 4, 4, 4], 0.0),
        ([1, 1, 5, 5], 1.0),  # two camps at the ends
        ([1, 2, 3, 4, 5], 1.2 / 2.0),  # uniform: AD = 1.2 of a maximum of 2
        ([4, NAN, NAN], NAN),  # one answer
    ],
    ids=["unanimous", "polarised", "uniform", "one-answer"],
)
def test_item_disagreement(answers: list[float], expected: float) -> None:
    groups, x, moments = one_group(answers)
    result = item_disagreement(moments, groups.mean_abs_deviation(x), n_options=5)
    np.testing.assert_allclose(result, [[expected]], equal_nan=True)


def test_item_disagreement_separates_polarised_from_random_where_rwg_cannot() -> None:
    groups, x, moments = one_group([1, 1, 1, 5, 5, 5], [1, 2, 3, 4, 5, 3])
    rwg = item_rwg(moments, n_options=5)[0]
    disagreement = item_disagreement(moments, groups.mean_abs_deviation(x), n_options=5)[0]
    assert rwg[0] == rwg[1] == 0.0
    assert disagreement[0] > disagreement[1]


def test_item_disagreement_rejects_shape_mismatch() -> None:
    _, _, moments = one_group([1, 2, 3])
    with pytest.raises(ValueError, match="abs_dev must have the shape"):
        item_disagreement(moments, np.zeros((1, 2)), n_options=5)


def test_functions_are_vectorised_over_groups() -> None:
    x = np.array([[1, 2], [2, 2], [3, 2], [5, 5], [5, 4], [4, 4], [4, 5]], dtype=float)
    groups = GroupIndex.from_labels(["a", "a", "a", "b", "b", "b", "b"])
    moments = groups.moments(x)
    both = rwg_j(moments, n_options=5)
    for code, label in enumerate(groups.labels):
        part = x[groups.codes == code]
        alone = GroupIndex.from_labels([label] * len(part)).moments(part)
        np.testing.assert_allclose(both[code], rwg_j(alone, n_options=5)[0])
    assert both.shape == (2,)


answer_matrices = hnp.arrays(
    np.float64,
    st.tuples(st.integers(2, 12), st.integers(1, 5)),
    elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, np.nan]),
)


@settings(max_examples=60, deadline=None)
@given(x=answer_matrices, data=st.data())
def test_invariants(x: np.ndarray, data: st.DataObject) -> None:
    groups = GroupIndex.from_labels(["g"] * x.shape[0])
    moments = groups.moments(x)
    r = rwg_j(moments, n_options=5)[0]
    lindell = rwg_j_lindell(moments, n_options=5)[0]
    a = awg(moments, scale_min=1, scale_max=5)[0]
    disagreement = item_disagreement(moments, groups.mean_abs_deviation(x), n_options=5)
    if not np.isnan(r):
        assert 0.0 <= r <= 1.0
        assert lindell <= 1.0
        # the Spearman-Brown step never lowers agreement below the truncated Lindell value
        assert r >= max(lindell, 0.0) - 1e-12
    if not np.isnan(a):
        assert -1.0 - 1e-12 <= a <= 1.0 + 1e-12
    present = disagreement[~np.isnan(disagreement)]
    assert ((present >= 0) & (present <= 1)).all()
    # item order does not matter
    order = data.draw(st.permutations(range(x.shape[1])))
    shuffled = groups.moments(x[:, list(order)])
    np.testing.assert_allclose(rwg_j(shuffled, n_options=5), [r], equal_nan=True)
    np.testing.assert_allclose(awg(shuffled, scale_min=1, scale_max=5), [a], equal_nan=True)


# -- disagreement from answer counts ------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        pytest.param([[0, 0, 6, 0, 0]], 0.0, id="everyone-the-same"),
        pytest.param([[3, 0, 0, 0, 3]], 1.0, id="two-camps-at-the-ends"),
        # AD of 1..5 once each = 1.2, over (5 - 1)/2 = 0.6
        pytest.param([[1, 1, 1, 1, 1]], 0.6, id="uniform"),
        # values 4, 4, 5: mean 13/3, AD = (1/3 + 1/3 + 2/3)/3 = 4/9, over 2
        pytest.param([[0, 0, 0, 2, 1]], 2.0 / 9.0, id="hand-computed"),
    ],
)
def test_disagreement_from_counts(counts: list[list[int]], expected: float) -> None:
    assert disagreement_from_counts(counts, range(1, 6))[0] == pytest.approx(expected)


def test_disagreement_from_counts_equals_the_answers_own() -> None:
    # The same statistic from the answers themselves: AD / ((H - L)/2) per statement.
    rng = np.random.default_rng(3)
    answers = rng.integers(1, 6, size=(40, 7))
    counts = np.stack([(answers == v).sum(axis=0) for v in range(1, 6)], axis=1)
    expected = np.abs(answers - answers.mean(axis=0)).mean(axis=0) / 2.0
    np.testing.assert_allclose(disagreement_from_counts(counts, range(1, 6)), expected, rtol=1e-12)


def test_disagreement_from_counts_needs_two_answers() -> None:
    assert np.isnan(disagreement_from_counts([[0, 1, 0, 0, 0]], range(1, 6))[0])


def test_disagreement_from_counts_needs_a_column_per_answer_value() -> None:
    with pytest.raises(ValueError, match=r"must be \(statements, 5\).*got shape \(1, 4\)"):
        disagreement_from_counts(np.ones((1, 4)), range(1, 6))
