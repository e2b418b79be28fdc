"""The flywheel view: the five components as the flywheel draws them (the cycle, what powers it,
what holds it up), with their estimates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from assessment.analysis.spec import dimension_names
from assessment.questionnaire import Questionnaire
from assessment.questionnaire.flywheel import flywheel as flywheel_of
from assessment.results.views.estimates import STAT_COLUMNS, dimension_estimates


def flywheel(
    rows: pd.DataFrame, questionnaire: Questionnaire, *, language: str | None = None
) -> pd.DataFrame:
    """The five components as the flywheel draws them: the cycle, what powers it, what holds it up.

    Returns
    -------
    One row per component of the questionnaire: ``dimension``, ``name``, ``role`` (``cycle`` for
    Clarity → Coordination → Completion in that order, ``power`` for Collaboration, ``base`` for
    Workflow Architecture, ``other`` for any further component), ``order`` (position in the cycle),
    ``shown`` (False when the group's row is suppressed) and the statistics of
    `dimension_estimates` (missing when not shown).
    """
    names = dimension_names(questionnaire, language)
    wheel = flywheel_of(questionnaire)
    shown = dimension_estimates(rows, questionnaire, "component", language=language)
    by_id = {r["dimension"]: r for r in shown.to_dict("records")}
    components = [c.id for c in questionnaire.components]
    cycle = list(wheel.cycle)
    records = []
    for component in components:
        if component in cycle:
            role, order = "cycle", cycle.index(component)
        elif component == wheel.power:
            role, order = "power", len(cycle)
        elif component == wheel.base:
            role, order = "base", len(cycle) + 1
        else:
            role, order = "other", len(cycle) + 2 + components.index(component)
        estimate = by_id.get(component)
        record: dict[str, Any] = {
            "dimension": component,
            "name": names.get(component, component),
            "role": role,
            "order": order,
            "shown": estimate is not None,
        }
        for column in (*STAT_COLUMNS, "level_text"):
            record[column] = estimate[column] if estimate is not None else None
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    for column in ("n", "level", "level_low", "level_high"):
        frame[column] = pd.array(pd.to_numeric(frame[column]), dtype="Int64")
    for column in ("mean", "sd", "ci_low", "ci_high", "level_probability"):
        frame[column] = pd.to_numeric(frame[column]).astype(np.float64)
    return frame.sort_values("order", kind="stable").reset_index(drop=True)
