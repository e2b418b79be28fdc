"""Respondents' dimension scores: weighted means of answered items and the item-coverage rule."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from scoring.dimensions import (
    dimension_scores,
    dimension_scores_from_codes,
    membership_matrix,
    weight_matrix,
)
from scoring.recoding import recode
from scoring.spec import ScoringSpec

nan = np.nan


@pytest.fixture
def spec(make_spec: Callable[..., ScoringSpec]) -> ScoringSpec:
    """Four items; a = items 0-3 (weights 1, 1, 2, 1), b = items 2-3."""
    return make_spec(
        n_items=4,
        dimensions=[("component", "a", (0, 1, 2, 3)), ("principle", "b", (2, 3))],
        weights=(1.0, 1.0, 2.0, 1.0),
    )


def test_membership_and_weight_matrices(spec: ScoringSpec) -> None:
    np.testing.assert_array_equal(membership_matrix(spec), [[1, 0], [1, 0], [1, 1], [1, 1]])
    np.testing.assert_array_equal(weight_matrix(spec), [[1, 0], [1, 0], [2, 2], [1, 1]])


@pytest.mark.parametrize(
    ("row", "score_a", "score_b", "coverage_a", "coverage_b"),
    [
        ([4, 2, 5, 1], (4 + 2 + 2 * 5 + 1) / 5, (2 * 5 + 1) / 3, 1.0, 1.0),
        ([4, nan, 5, nan], (4 + 2 * 5) / 3, 5.0, 0.5, 0.5),
        ([4, nan, nan, nan], nan, nan, 0.25, 0.0),
        ([nan, nan, nan, 3], nan, 3.0, 0.25, 0.5),
        ([nan, nan, nan, nan], nan, nan, 0.0, 0.0),
    ],
    ids=["complete", "half-answered-kept", "quarter-dropped", "one-of-two-kept", "nothing"],
)
def test_weighted_mean_of_answered_items_with_coverage_rule(
    spec: ScoringSpec,
    row: list[float],
    score_a: float,
    score_b: float,
    coverage_a: float,
    coverage_b: float,
) -> None:
    result = dimension_scores(np.array([row]), spec)
    np.testing.assert_allclose(result.scores[0], [score_a, score_b], equal_nan=True)
    np.testing.assert_allclose(result.coverage[0], [coverage_a, coverage_b])
    assert result.ids == ("a", "b")
    assert result.column("b") == 1


def test_stricter_coverage_drops_partly_answered_respondents(
    make_spec: Callable[..., ScoringSpec],
) -> None:
    strict = make_spec(
        n_items=4, dimensions=[("component", "a", (0, 1, 2, 3))], min_item_coverage=0.75
    )
    result = dimension_scores(np.array([[4, nan, 5, 3], [4, nan, 5, nan]]), strict)
    np.testing.assert_allclose(result.scores[:, 0], [4.0, nan], equal_nan=True)


def test_block_size_does_not_change_the_result(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec(reverse=(2, 7))
    codes = simulate(np.random.default_rng(5), 1001, 9, missing=0.25)
    x = recode(codes, spec)
    whole = dimension_scores(x, spec, block_rows=10_000)
    for block_rows in (1, 7, 250):
        part = dimension_scores(x, spec, block_rows=block_rows)
        np.testing.assert_array_equal(part.scores, whole.scores)
        np.testing.assert_array_equal(part.coverage, whole.coverage)


def test_scores_from_codes_equal_scores_from_the_recoded_matrix(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec(reverse=(0, 5))
    codes = simulate(np.random.default_rng(6), 500, 9, missing=0.3)
    direct = dimension_scores(recode(codes, spec), spec)
    blocked = dimension_scores_from_codes(codes, spec, block_rows=64)
    np.testing.assert_array_equal(blocked.scores, direct.scores)
    np.testing.assert_array_equal(blocked.coverage, direct.coverage)


def test_scores_match_a_per_respondent_loop(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec(weights=(1, 2, 1, 1, 3, 1, 1, 1, 0.5))
    x = recode(simulate(np.random.default_rng(7), 60, 9, missing=0.3), spec)
    result = dimension_scores(x, spec)
    for d, dimension in enumerate(spec.dimensions):
        items = list(dimension.items)
        w = np.asarray(spec.weights)[items]
        for i in range(x.shape[0]):
            answered = ~np.isnan(x[i, items])
            share = answered.mean()
            expected = (
                np.average(x[i, items][answered], weights=w[answered])
                if share >= spec.min_item_coverage
                else nan
            )
            np.testing.assert_allclose(result.scores[i, d], expected, equal_nan=True)
            np.testing.assert_allclose(result.coverage[i, d], share)


@pytest.mark.parametrize(
    ("x", "kwargs", "message"),
    [
        (np.ones((2, 3)), {}, "shape (respondents, 4)"),
        (np.ones((2, 4)), {"block_rows": 0}, "block_rows must be >= 1"),
    ],
    ids=["wrong-width", "zero-block"],
)
def test_bad_input_is_refused(
    spec: ScoringSpec, x: np.ndarray, kwargs: dict[str, int], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        dimension_scores(x, spec, **kwargs)


def test_unknown_dimension_column_is_refused(spec: ScoringSpec) -> None:
    with pytest.raises(ValueError, match="unknown dimension 'zz'"):
        dimension_scores(np.ones((1, 4)), spec).column("zz")
