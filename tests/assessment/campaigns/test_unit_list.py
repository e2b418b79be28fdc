"""The unit list as typed or pasted on the Campaigns page: read, checked, and written back."""

from __future__ import annotations

import pytest

from assessment.campaigns.unit_list import parse_units_text, units_text
from assessment.errors import DataError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Sales, 72\nOps;10", [("Sales", None, 72), ("Ops", None, 10)], id="comma-semicolon"
        ),
        pytest.param(
            "Sales\t72\n\n  \nOps",
            [("Sales", None, 72), ("Ops", None, None)],
            id="tabs-blank-lines",
        ),
        pytest.param(
            "Ops, 10\nSupport, , Ops", [("Ops", None, 10), ("Support", "Ops", None)], id="parent"
        ),
        pytest.param("", [], id="empty"),
    ],
)
def test_parse_units_text(text: str, expected: list[tuple]) -> None:
    units = parse_units_text(text)
    assert [(u.name, u.parent, u.head_count) for u in units] == expected
    assert parse_units_text(units_text(units)) == units


@pytest.mark.parametrize(
    ("text", "where", "kind"),
    [
        pytest.param("A, 3\nB, x", "line 2", "invalid-head-count", id="not-a-number"),
        pytest.param("A, 0", "line 1", "invalid-head-count", id="zero"),
        pytest.param("A, 3\nA, 4", "line 2", "duplicate-unit", id="duplicate"),
        pytest.param("A, 3, B, C", "line 1", "wrong-field-count", id="too-many-fields"),
        pytest.param("A, 3, Nowhere", "line 1", "unknown-parent", id="unknown-parent"),
    ],
)
def test_parse_units_text_errors(text: str, where: str, kind: str) -> None:
    with pytest.raises(DataError) as caught:
        parse_units_text(text)
    assert [(p.path, p.type) for p in caught.value.problems] == [(where, kind)]
