"""ScoringSpec and Dimension: validation, derived properties and restriction to common items."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import numpy as np
import pytest

from scoring.spec import Dimension, ScoringSpec

BASE: dict[str, Any] = {
    "item_ids": ("A1", "A2", "A3", "B1", "B2"),
    "scale_min": 1,
    "scale_max": 5,
    "reverse": (False, True, False, False, False),
    "weights": (1.0, 1.0, 2.0, 1.0, 1.0),
    "dimensions": (
        Dimension("component", "a", (0, 1, 2)),
        Dimension("component", "b", (3, 4)),
        Dimension("overall", "overall", (0, 1, 2, 3, 4)),
        Dimension("index", "ai", (2, 3)),
    ),
    "level_thresholds": (1.0, 2.0, 3.0, 3.5, 4.2),
    "level_names": ("L1", "L2", "L3", "L4", "L5"),
}


def spec(**changes: Any) -> ScoringSpec:
    return ScoringSpec(**{**BASE, **changes})


def test_valid_spec_has_its_derived_properties() -> None:
    s = spec()
    assert s.n_items == 5
    assert s.n_options == 5
    assert s.n_levels == 5
    assert s.dimension_ids == ("a", "b", "overall", "ai")
    assert s.dimension("b").items == (3, 4)
    assert (s.min_item_coverage, s.min_group_size, s.confidence) == (0.5, 5, 0.95)


def test_numpy_scalars_are_accepted_and_normalised() -> None:
    s = spec(
        scale_min=np.int64(0),
        scale_max=np.int8(4),
        reverse=np.array([False, True, False, False, False]),
        weights=np.ones(5),
        level_thresholds=np.array([0.0, 1.0, 2.0, 2.5, 3.2]),
        min_group_size=np.int32(3),
    )
    assert type(s.scale_min) is int and type(s.scale_max) is int
    assert s.n_options == 5
    assert all(type(flag) is bool for flag in s.reverse)
    assert all(type(w) is float for w in s.weights)
    assert type(s.min_group_size) is int


def test_spec_is_frozen_and_hashable() -> None:
    s = spec()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.scale_min = 0  # type: ignore[misc]
    assert hash(s) == hash(spec())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"item_ids": ()}, "at least one item"),
        ({"item_ids": ("A1", "A1", "A3", "B1", "B2")}, "repeated: A1"),
        ({"item_ids": ("A1", "", "A3", "B1", "B2")}, "non-empty strings"),
        ({"reverse": (False, True)}, "one flag per item"),
        ({"reverse": (0, 1, 0, 0, 0)}, "True or False"),
        ({"weights": (1.0, 1.0)}, "one value per item"),
        ({"weights": (1.0, 0.0, 1.0, 1.0, 1.0)}, "'A2': weight must be a finite number > 0"),
        ({"weights": (1.0, float("nan"), 1.0, 1.0, 1.0)}, "finite number > 0"),
        ({"scale_min": -1}, "0 <= scale_min < scale_max"),
        ({"scale_min": 5}, "0 <= scale_min < scale_max"),
        ({"scale_max": 200}, "<= 127"),
        ({"scale_min": 1.5}, "scale_min must be an integer"),
        ({"dimensions": ()}, "at least one dimension"),
        (
            {"dimensions": (Dimension("component", "a", (0,)), Dimension("index", "a", (1,)))},
            "'a' appears twice",
        ),
        ({"dimensions": (Dimension("component", "a", (0, 7)),)}, "positions [7]"),
        ({"level_thresholds": ()}, "at least one level"),
        ({"level_thresholds": (1.0, 3.0, 2.0, 3.5, 4.2)}, "strictly ascending"),
        ({"level_thresholds": (1.0, 2.0, 2.0, 3.5, 4.2)}, "strictly ascending"),
        ({"level_thresholds": (1.5, 2.0, 3.0, 3.5, 4.2)}, "must equal the scale minimum 1"),
        ({"level_thresholds": (1.0, 2.0, 3.0, 3.5, 5.5)}, "must lie on the scale 1..5"),
        ({"level_thresholds": (1.0, 2.0, 3.0, 3.5, float("inf"))}, "finite numbers"),
        ({"level_names": ("L1", "L2")}, "one level name per threshold"),
        ({"min_item_coverage": 0.0}, "min_item_coverage must lie in (0, 1]"),
        ({"min_item_coverage": 1.5}, "min_item_coverage must lie in (0, 1]"),
        ({"min_group_size": 0}, "min_group_size must be an integer >= 1"),
        ({"min_group_size": 2.5}, "min_group_size must be an integer >= 1"),
        ({"confidence": 1.0}, "confidence must lie strictly between 0 and 1"),
    ],
    ids=[
        "no-items",
        "duplicate-item",
        "empty-item-id",
        "reverse-length",
        "reverse-not-bool",
        "weights-length",
        "zero-weight",
        "nan-weight",
        "negative-scale-min",
        "min-equals-max",
        "scale-too-large",
        "fractional-scale",
        "no-dimensions",
        "duplicate-dimension-id",
        "item-out-of-range",
        "no-levels",
        "thresholds-descending",
        "thresholds-tied",
        "first-threshold-off-scale-min",
        "threshold-above-scale",
        "threshold-infinite",
        "level-names-length",
        "coverage-zero",
        "coverage-above-one",
        "group-size-zero",
        "group-size-fractional",
        "confidence-one",
    ],
)
def test_invalid_spec_is_refused_with_a_clear_message(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        spec(**changes)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("team", "a", (0,)), "dimension type must be one of"),
        (("component", "", (0,)), "non-empty string"),
        (("component", "a", ()), "has no items"),
        (("component", "a", (0, 0)), "more than once"),
        (("component", "a", (-1,)), "integers >= 0"),
        (("component", "a", (True,)), "integers >= 0"),
    ],
    ids=["bad-type", "empty-id", "no-items", "repeated-item", "negative-position", "bool-position"],
)
def test_invalid_dimension_is_refused(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Dimension(*args)


def test_unknown_dimension_lookup_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: a, b, overall, ai"):
        spec().dimension("nope")


def test_item_positions_follow_the_order_given() -> None:
    assert spec().item_positions(["B2", "A1"]) == (4, 0)
    with pytest.raises(ValueError, match="unknown item ids: X"):
        spec().item_positions(["A1", "X"])


def test_restricted_to_keeps_common_items_in_spec_order_and_drops_empty_dimensions() -> None:
    restricted = spec().restricted_to(["B2", "A2", "A3"])
    assert restricted.item_ids == ("A2", "A3", "B2")
    assert restricted.reverse == (True, False, False)
    assert restricted.weights == (1.0, 2.0, 1.0)
    assert [(d.type, d.id, d.items) for d in restricted.dimensions] == [
        ("component", "a", (0, 1)),
        ("component", "b", (2,)),
        ("overall", "overall", (0, 1, 2)),
        ("index", "ai", (1,)),
    ]
    dropped = spec().restricted_to(["A1", "A2"])
    assert dropped.dimension_ids == ("a", "overall")
    assert dropped.level_thresholds == spec().level_thresholds


def test_restricted_to_answer_columns_line_up() -> None:
    full = spec()
    restricted = full.restricted_to(["B1", "A1"])
    columns = full.item_positions(restricted.item_ids)
    assert [full.item_ids[j] for j in columns] == list(restricted.item_ids)


@pytest.mark.parametrize(
    ("items", "message"),
    [(["A1", "Z9"], "unknown item ids: Z9"), ([], "empty set of items")],
    ids=["unknown", "empty"],
)
def test_restricted_to_refuses_bad_item_sets(items: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        spec().restricted_to(items)
