"""Recoding of answer codes: reverse-keying, missing codes, coverage and per-group answer counts."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import numpy as np
import pytest

from scoring.groups import GroupIndex
from scoring.recoding import (
    DONT_KNOW,
    NOT_APPLICABLE,
    SKIPPED,
    apply_reverse,
    check_codes,
    count_answers,
    coverage,
    recode,
)
from scoring.spec import ScoringSpec

CODES = np.array(
    [
        [1, 5, 3],
        [2, -1, 4],
        [-2, 4, -3],
        [5, 1, -1],
    ],
    dtype=np.int8,
)


@pytest.fixture
def spec(make_spec: Callable[..., ScoringSpec]) -> ScoringSpec:
    """Three items on 1..5, the second reverse-keyed."""
    return make_spec(n_items=3, dimensions=[("component", "a", (0, 1, 2))], reverse=(1,))


def test_special_codes_are_the_documented_values() -> None:
    assert (SKIPPED, DONT_KNOW, NOT_APPLICABLE) == (-1, -2, -3)


def test_recode_reverses_reverse_keyed_items_and_blanks_special_codes(spec: ScoringSpec) -> None:
    nan = np.nan
    expected = np.array(
        [
            [1.0, 1.0, 3.0],  # item 1 reverse-keyed: 1 + 5 - 5 = 1
            [2.0, nan, 4.0],
            [nan, 2.0, nan],
            [5.0, 5.0, nan],
        ]
    )
    x = recode(CODES, spec)
    assert x.dtype == np.float64
    np.testing.assert_array_equal(x, expected)


def test_recode_without_reverse_keying_gives_answers_as_chosen(spec: ScoringSpec) -> None:
    x = recode(CODES, spec, reverse_keyed=False)
    np.testing.assert_array_equal(x[:, 1], [5.0, np.nan, 4.0, 1.0])


def test_apply_reverse_twice_is_the_identity(spec: ScoringSpec) -> None:
    x = recode(CODES, spec)
    before = x.copy()
    apply_reverse(x, spec)
    apply_reverse(x, spec)
    np.testing.assert_array_equal(x, before)


def test_reverse_keying_uses_the_scale_ends(make_spec: Callable[..., ScoringSpec]) -> None:
    spec = make_spec(n_items=2, dimensions=[("component", "a", (0, 1))], reverse=(0,))
    zero_based = dataclasses.replace(
        spec,
        scale_min=0,
        scale_max=6,
        level_thresholds=(0.0, 2.0, 4.0),
        level_names=("x", "y", "z"),
    )
    x = recode(np.array([[0, 6], [6, 2]], dtype=np.int8), zero_based)
    np.testing.assert_array_equal(x, [[6.0, 6.0], [0.0, 2.0]])


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (np.zeros((2, 4), dtype=np.int8), "shape (respondents, 3)"),
        (np.zeros(3, dtype=np.int8), "shape (respondents, 3)"),
        (np.ones((2, 3), dtype=np.float64), "must be integers"),
        (np.array([[1, 2, 3], [1, 0, 3]], dtype=np.int8), "row 1, item 'I01': code 0"),
        (np.array([[1, 2, 6], [1, 2, 3]], dtype=np.int8), "row 0, item 'I02': code 6"),
        (np.array([[1, 2, 3], [-4, 2, 3]], dtype=np.int8), "row 1, item 'I00': code -4"),
    ],
    ids=["too-many-columns", "one-dimensional", "float-dtype", "zero-below-scale", "above", "-4"],
)
def test_invalid_codes_are_refused_naming_row_and_item(
    codes: np.ndarray, message: str, spec: ScoringSpec
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        check_codes(codes, spec)


def test_check_codes_returns_int8_without_copying_int8_input(spec: ScoringSpec) -> None:
    assert check_codes(CODES, spec) is CODES
    wide = CODES.astype(np.int64)
    narrowed = check_codes(wide, spec)
    assert narrowed.dtype == np.int8
    np.testing.assert_array_equal(narrowed, CODES)


def test_coverage_counts_each_kind_of_answer(spec: ScoringSpec) -> None:
    cov = coverage(CODES, spec)
    np.testing.assert_array_equal(cov.by_item_answered, [3, 3, 2])
    np.testing.assert_array_equal(cov.by_item_dont_know, [1, 0, 0])
    np.testing.assert_array_equal(cov.by_item_not_applicable, [0, 0, 1])
    np.testing.assert_array_equal(cov.by_item_skipped, [0, 1, 1])
    np.testing.assert_array_equal(cov.by_respondent_answered, [3, 2, 1, 2])
    np.testing.assert_array_equal(cov.by_respondent_dont_know, [0, 0, 1, 0])
    np.testing.assert_array_equal(cov.by_respondent_not_applicable, [0, 0, 1, 0])
    np.testing.assert_array_equal(cov.by_respondent_skipped, [0, 1, 0, 1])
    np.testing.assert_allclose(cov.by_item_share, [0.75, 0.75, 0.5])


def test_count_answers_by_hand(spec: ScoringSpec) -> None:
    groups = GroupIndex.from_labels(["u", "u", "v", "v"])
    counts = count_answers(CODES, groups, spec)
    # item 0: u answered 1 and 2, v answered DK and 5
    np.testing.assert_array_equal(counts.values[0, 0], [1, 1, 0, 0, 0])
    np.testing.assert_array_equal(counts.values[1, 0], [0, 0, 0, 0, 1])
    np.testing.assert_array_equal(counts.dont_know, [[0, 0, 0], [1, 0, 0]])
    np.testing.assert_array_equal(counts.not_applicable, [[0, 0, 0], [0, 0, 1]])
    np.testing.assert_array_equal(counts.skipped, [[0, 1, 0], [0, 0, 1]])
    # item 1 is reverse-keyed: counts stay as chosen, moments use the scored values
    np.testing.assert_array_equal(counts.values[1, 1], [1, 0, 0, 1, 0])
    moments = counts.moments()
    np.testing.assert_allclose(moments.mean[1, 1], (2.0 + 5.0) / 2)
    np.testing.assert_allclose(moments.var[1, 1], 4.5)
    np.testing.assert_array_equal(moments.n, [[2, 1, 2], [1, 2, 0]])
    assert np.isnan(moments.mean[1, 2]) and np.isnan(moments.var[0, 1])
    np.testing.assert_allclose(counts.mean_abs_deviation()[1, 1], 1.5)
    total = counts.total()
    np.testing.assert_array_equal(total.n, [[3, 3, 2]])
    np.testing.assert_array_equal(total.skipped, [[0, 1, 1]])


def test_count_answers_matches_group_index_on_the_recoded_matrix(
    make_spec: Callable[..., ScoringSpec],
    simulate: Callable[..., np.ndarray],
) -> None:
    rng = np.random.default_rng(3)
    spec = make_spec(reverse=(1, 4, 8))
    codes = simulate(rng, 400, 9, missing=0.2)
    groups = GroupIndex.from_labels(rng.choice(list("abcdefg"), size=400))
    counts = count_answers(codes, groups, spec)
    x = recode(codes, spec)
    expected = groups.moments(x)
    got = counts.moments()
    np.testing.assert_array_equal(got.n, expected.n)
    np.testing.assert_allclose(got.sum, expected.sum)
    np.testing.assert_allclose(got.mean, expected.mean, equal_nan=True)
    np.testing.assert_allclose(got.var, expected.var, equal_nan=True, rtol=1e-12)
    np.testing.assert_allclose(
        counts.mean_abs_deviation(), groups.mean_abs_deviation(x), equal_nan=True, rtol=1e-12
    )
    raw = recode(codes, spec, reverse_keyed=False)
    for value in range(1, 6):
        np.testing.assert_array_equal(
            counts.values[:, :, value - 1], groups.sum((raw == value).astype(float))
        )
    np.testing.assert_array_equal(counts.dont_know, groups.sum((codes == DONT_KNOW).astype(float)))


def test_count_answers_refuses_a_group_index_of_another_length(spec: ScoringSpec) -> None:
    with pytest.raises(ValueError, match="group index has 3 respondents"):
        count_answers(CODES, GroupIndex.from_labels(["a", "b", "c"]), spec)
