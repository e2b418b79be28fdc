"""Privacy: minimum group size and complementary suppression (docs/formats.md "Privacy rules")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.suppression import TOTAL_LABEL, blank_statistics, suppress_frame, suppression_mask


@pytest.mark.parametrize(
    ("n", "total", "forced", "expected"),
    [
        ([10, 12, 8], 30, None, [False, False, False]),
        ([10, 3, 8, 12], 33, None, [False, True, True, False]),
        ([2, 3, 9, 9], 23, None, [True, True, False, False]),
        ([1, 1, 9, 6], 17, None, [True, True, False, True]),
        ([3, 20, 30], None, None, [True, False, False]),
        ([10, 12, 8], 30, [False, True, False], [False, True, False]),
        ([10, 6, 8, 3], 27, [False, False, False, True], [False, True, False, True]),
        ([2, 2], 4, None, [True, True]),
        ([0, 7, 9], 16, None, [True, False, False]),
        ([4, 6, 6, 9], 25, None, [True, True, False, False]),
    ],
    ids=[
        "nothing-small",
        "one-small-needs-a-complement",
        "small-cells-pool-to-the-minimum",
        "pool-of-two-needs-the-next-smallest",
        "no-total-shown-no-complement",
        "forced-cell-large-enough-alone",
        "forced-small-cell-needs-a-complement",
        "total-below-minimum",
        "empty-cell-reveals-nothing",
        "ties-take-the-first",
    ],
)
def test_suppression_mask(
    n: list[int], total: int | None, forced: list[bool] | None, expected: list[bool]
) -> None:
    mask = suppression_mask(np.array(n), min_group_size=5, total_n=total, forced=forced)
    np.testing.assert_array_equal(mask, expected)


def test_suppression_mask_treats_columns_as_separate_breakdowns() -> None:
    n = np.array([[10, 10], [3, 10], [8, 2], [12, 12]])
    mask = suppression_mask(n, min_group_size=5, total_n=n.sum(axis=0))
    np.testing.assert_array_equal(
        mask, [[False, True], [True, False], [True, True], [False, False]]
    )


def test_suppressed_cells_cannot_be_recovered_from_the_total() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = rng.integers(0, 12, size=(rng.integers(1, 9), 3))
        mask = suppression_mask(n, min_group_size=5, total_n=n.sum(axis=0))
        pooled = np.where(mask, n, 0).sum(axis=0)
        total_shown = n.sum(axis=0) >= 5
        assert ((pooled == 0) | (pooled >= 5) | ~total_shown).all()
        assert not (~mask & (n < 5)).any()


def scores_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": ["a", "b", "c", TOTAL_LABEL] * 2,
            "dimension": ["x"] * 4 + ["y"] * 4,
            "n": [10, 3, 8, 21, 10, 9, 8, 27],
            "mean": [3.1, 2.0, 3.3, 3.0, 4.0, 3.9, 3.8, 3.9],
            "level": pd.array([3, 2, 3, 3, 4, 4, 4, 4], dtype="Int64"),
            "level_name": pd.array(["c", "b", "c", "c", "d", "d", "d", "d"], dtype="str"),
        }
    )


def test_suppress_frame_blanks_statistics_within_each_breakdown() -> None:
    out = suppress_frame(
        scores_frame(),
        group_column="unit",
        stat_columns=["mean", "level", "level_name"],
        min_group_size=5,
        within=["dimension"],
    )
    np.testing.assert_array_equal(
        out["suppressed"], [False, True, True, False, False, False, False, False]
    )
    assert out["n"].tolist() == [10, 3, 8, 21, 10, 9, 8, 27]
    assert out["mean"].isna().tolist() == out["suppressed"].tolist()
    assert out["level"].isna().tolist() == out["suppressed"].tolist()
    assert out["level_name"].isna().tolist() == out["suppressed"].tolist()
    assert out["level"].dtype == "Int64"


def test_suppress_frame_with_forced_groups_suppresses_them_everywhere() -> None:
    out = suppress_frame(
        scores_frame(),
        group_column="unit",
        stat_columns=["mean"],
        min_group_size=5,
        within=["dimension"],
        forced_groups=["a"],
    )
    # x: a forced + b small (pool 13) -> enough; y: a forced (pool 10) -> enough
    np.testing.assert_array_equal(
        out["suppressed"], [True, True, False, False, True, False, False, False]
    )


def test_suppress_frame_with_per_breakdown_forcing() -> None:
    forced = pd.DataFrame({"unit": ["c"], "dimension": ["y"], "suppressed": [True]})
    out = suppress_frame(
        scores_frame(),
        group_column="unit",
        stat_columns=["mean"],
        min_group_size=5,
        within=["dimension"],
        forced_groups=forced,
    )
    np.testing.assert_array_equal(
        out["suppressed"], [False, True, True, False, False, False, True, False]
    )


def test_small_total_is_suppressed_and_so_are_all_its_cells() -> None:
    frame = pd.DataFrame({"unit": ["a", "b", TOTAL_LABEL], "n": [2, 1, 3], "mean": [1.0, 2.0, 1.3]})
    out = suppress_frame(frame, group_column="unit", stat_columns=["mean"], min_group_size=5)
    assert out["suppressed"].tolist() == [True, True, True]
    assert out["mean"].isna().all()


def test_frame_without_total_applies_only_the_minimum() -> None:
    frame = pd.DataFrame({"role": ["lead", "staff"], "n": [3, 40], "mean": [1.0, 2.0]})
    out = suppress_frame(frame, group_column="role", stat_columns=["mean"], min_group_size=5)
    assert out["suppressed"].tolist() == [True, False]


def test_suppress_frame_does_not_change_its_input() -> None:
    frame = scores_frame()
    before = frame.copy()
    suppress_frame(
        frame, group_column="unit", stat_columns=["mean"], min_group_size=5, within=["dimension"]
    )
    pd.testing.assert_frame_equal(frame, before)


def test_suppress_frame_on_an_empty_frame() -> None:
    empty = scores_frame().iloc[:0]
    out = suppress_frame(empty, group_column="unit", stat_columns=["mean"], min_group_size=5)
    assert out.empty and "suppressed" in out


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stat_columns": ["nope"]}, r"lacks the columns \['nope'\]"),
        ({"stat_columns": ["mean"], "n_column": "count"}, r"lacks the columns \['count'\]"),
        (
            {"stat_columns": ["mean"], "forced_groups": pd.DataFrame({"unit": ["a"]})},
            "forced_groups lacks the columns",
        ),
    ],
    ids=["stat-column", "n-column", "forced-frame"],
)
def test_missing_columns_are_named(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        suppress_frame(
            scores_frame(),
            group_column="unit",
            min_group_size=5,
            within=["dimension"],
            **kwargs,  # type: ignore[arg-type]
        )


def test_blank_statistics_needs_one_mask_entry_per_row() -> None:
    with pytest.raises(ValueError, match="one entry per row"):
        blank_statistics(scores_frame(), np.array([True]), ["mean"])


def test_blank_statistics_makes_integer_and_boolean_columns_nullable() -> None:
    frame = pd.DataFrame({"k": np.array([1, 2], dtype=np.int64), "b": [True, False]})
    blank_statistics(frame, np.array([True, False]), ["k", "b"], flag_column=None)
    assert frame["k"].dtype == "Int64" and frame["k"].isna().tolist() == [True, False]
    assert frame["b"].dtype == "boolean" and frame["b"].isna().tolist() == [True, False]
    assert "suppressed" not in frame


def test_suppress_frame_refuses_duplicate_cells() -> None:
    frame = pd.DataFrame({"unit": ["a", "a"], "n": [6, 7], "mean": [1.0, 2.0]})
    with pytest.raises(ValueError, match="one row per unit; aggregate duplicate rows"):
        suppress_frame(frame, group_column="unit", stat_columns=["mean"], min_group_size=5)
