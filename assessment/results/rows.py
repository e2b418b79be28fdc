"""Rows of a released table by whom they describe: the whole organisation's row and the units' rows.

Tables of results (participation, scores) carry the organisation as one row among the units; pages
and writers pick them apart here instead of knowing the reserved label.
"""

from __future__ import annotations

import pandas as pd

from scoring.suppression import TOTAL_LABEL

#: The ``unit`` of the whole organisation's row (a reserved name no unit can take).
ORGANISATION_LABEL = TOTAL_LABEL


def organisation_row(table: pd.DataFrame, *, column: str = "unit") -> pd.Series:
    """The whole organisation's row of ``table``.

    Raises
    ------
    KeyError
        If ``table`` has no organisation row (a table of units only).
    """
    rows = table[table[column].astype(str) == ORGANISATION_LABEL]
    if rows.empty:
        raise KeyError(f"the table has no organisation row ({column} = {ORGANISATION_LABEL!r})")
    return rows.iloc[0]


def unit_rows(table: pd.DataFrame, *, column: str = "unit") -> pd.DataFrame:
    """The rows of ``table`` that describe units (or pooled groups of units), in their order."""
    return table[table[column].astype(str) != ORGANISATION_LABEL]
