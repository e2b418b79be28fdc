"""The recommendations view: the order in which to work on the components and the questionnaire's
actions for their next level.
"""

from __future__ import annotations

import pandas as pd

from assessment.outputs.exports import suppressed_rows
from assessment.questionnaire import Questionnaire
from assessment.questionnaire.flywheel import flywheel
from assessment.results.recommendations import (
    ComponentPriority,
    Recommendation,
    prioritise_components,
    recommend,
)


def recommendations(
    rows: pd.DataFrame, questionnaire: Questionnaire, *, language: str | None = None
) -> tuple[list[ComponentPriority], list[Recommendation]]:
    """The order in which to work on the components and their next-level actions.

    Both come from `assessment.results.recommendations` (the report uses the same functions): the weakest
    part of the flywheel first, upstream first when two components are not clearly different.
    """
    components = rows[(rows["dimension_type"].astype(str) == "component") & ~suppressed_rows(rows)]
    if components.empty:
        return [], []
    priorities = prioritise_components(components, cycle=flywheel(questionnaire).cycle)
    return priorities, recommend(components, questionnaire, language=language, limit=None)
