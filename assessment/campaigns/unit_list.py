"""The unit list as facilitators type or paste it on the Campaigns page: one unit a line,
``name, head-count[, parent]``, read into checked `UnitSpec` and written back for editing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assessment.campaigns.management import UnitSpec, check_units
from assessment.errors import DataError, InvalidHeadCount, Problem, WrongFieldCount


def parse_units_text(text: str) -> list[UnitSpec]:
    """Units typed or pasted one per line: ``name, head-count`` with an optional ``, parent``.

    Commas, semicolons and tabs separate the fields (so cells pasted from a spreadsheet work); the
    head-count may be left empty; blank lines are skipped.

    Raises
    ------
    DataError
        With one problem per bad line ("line 3: ..."), e.g. a head-count that is not a whole
        number >= 1, a duplicate unit or an unknown parent (`assessment.campaigns.management.check_units`).
    """
    problems: list[Problem] = []
    units: list[UnitSpec] = []
    lines: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        fields = [f.strip() for f in re.split(r"[,;\t]", line)]
        name = fields[0]
        count_text = fields[1] if len(fields) > 1 else ""
        parent = fields[2] if len(fields) > 2 and fields[2] else None
        head_count: int | None = None
        if count_text:
            try:
                head_count = int(count_text)
            except ValueError:
                head_count = 0
            if head_count < 1:
                problems.append(
                    InvalidHeadCount(f"line {number}", empty=" or empty", found=count_text)
                )
                continue
        if len(fields) > 3:
            problems.append(
                WrongFieldCount(
                    f"line {number}", expected="'name, head-count[, parent]'", found=len(fields)
                )
            )
            continue
        units.append(UnitSpec(name, parent, head_count))
        lines.append(number)
    if problems:
        raise DataError(f"the unit list has {len(problems)} problem(s)", problems)
    try:
        return check_units(units)
    except DataError as exc:
        renamed = []
        for problem in exc.problems:
            position = problem.path.partition("]")[0].removeprefix("units[")
            where = f"line {lines[int(position)]}" if position.isdigit() else problem.path
            renamed.append(problem.at(where))
        raise DataError(str(exc.message), renamed) from None


def units_text(units: Iterable[UnitSpec]) -> str:
    """Units as `parse_units_text` reads them (for editing an existing list)."""
    lines = []
    for unit in units:
        count = "" if unit.head_count is None else str(unit.head_count)
        fields = [unit.name, count, unit.parent] if unit.parent else [unit.name, count]
        lines.append(", ".join(fields).removesuffix(", "))
    return "\n".join(lines)
