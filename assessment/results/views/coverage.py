"""The coverage view: how much of each component a unit answered, and how often it said "don't
know" (a unit that does not know its priorities has a Clarity problem, issue 14)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from assessment.analysis.spec import dimension_names, dimension_order
from assessment.i18n import format_number, text
from assessment.i18n.notes import group_name
from assessment.outputs.exports import suppressed_rows
from assessment.questionnaire import Questionnaire
from scoring.suppression import TOTAL_LABEL


def coverage_table(
    scores: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    group_column: str = "unit",
    language: str | None = None,
) -> pd.DataFrame:
    """Coverage and the share of "don't know" per shown group (organisation first) and component.

    Returns
    -------
    One row per shown group × component: ``group``, ``dimension``, ``name``, ``coverage`` (the
    mean share of the component's statements the group's respondents answered on the scale) and
    ``dk_share`` (the share of "don't know" among the possible answers), in questionnaire order.
    Suppressed rows are left out (their counts could reveal a small group).
    """
    columns = ["group", "dimension", "name", "coverage", "dk_share"]
    if scores.empty or "coverage" not in scores.columns:
        return pd.DataFrame(columns=columns)
    names = dimension_names(questionnaire, language)
    order = {d: i for i, d in enumerate(dimension_order(questionnaire))}
    rows = scores[(scores["dimension_type"].astype(str) == "component") & ~suppressed_rows(scores)]
    dk = (
        rows["dk_share"].to_numpy(dtype=np.float64)
        if "dk_share" in rows.columns
        else np.full(len(rows), np.nan)
    )
    frame = pd.DataFrame(
        {
            "group": rows[group_column].astype(str).to_numpy(),
            "dimension": rows["dimension"].astype(str).to_numpy(),
            "name": [names.get(str(d), str(d)) for d in rows["dimension"]],
            "coverage": rows["coverage"].to_numpy(dtype=np.float64),
            "dk_share": dk,
        }
    )
    frame["organisation_first"] = frame["group"] != TOTAL_LABEL
    frame["position"] = frame["dimension"].map(lambda d: order.get(d, len(order)))
    frame = frame.sort_values(["organisation_first", "group", "position"], kind="stable")
    return frame[columns].reset_index(drop=True)


def coverage_cells(
    coverage: pd.DataFrame, language: str | None = None, *, organisation: str | None = None
) -> pd.DataFrame:
    """The coverage view as a group × component table of "92% · don't know 4%" cells."""
    if coverage.empty:
        return pd.DataFrame()

    def percent(value: float) -> str:
        return text("dashboard.panel.percent", language, p=format_number(100 * value, language, 0))

    cells = [
        text(
            "dashboard.units.coverage_cell",
            language,
            answered=percent(c),
            dk=percent(d) if np.isfinite(d) else "–",
        )
        if np.isfinite(c)
        else "–"
        for c, d in zip(coverage["coverage"], coverage["dk_share"], strict=True)
    ]
    groups = [
        (organisation or g) if g == TOTAL_LABEL else group_name(g, language)
        for g in coverage["group"].astype(str)
    ]
    table = coverage.assign(cell=cells, group=groups).pivot(
        index="group", columns="name", values="cell"
    )
    ordered = list(dict.fromkeys(groups))
    return table.reindex(index=ordered, columns=list(pd.unique(coverage["name"]))).rename_axis(
        index=text("dashboard.chart.unit", language), columns=None
    )
