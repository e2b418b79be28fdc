"""Whose results a view shows: the organisation, a unit or a role group, and the score rows of
one group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from assessment.i18n import text
from assessment.i18n.notes import group_name
from assessment.outputs.exports import suppressed_rows
from assessment.questionnaire import Questionnaire
from scoring.partitions import OTHER_ROLES
from scoring.suppression import TOTAL_LABEL


def role_names(questionnaire: Questionnaire, language: str | None = None) -> dict[str, str]:
    """Role id -> label in ``language``, and the pooled role group's name (empty when the
    questionnaire asks no role)."""
    for demographic in questionnaire.demographics:
        if demographic.id == "role":
            names = {o.id: questionnaire.text(o.label, language) for o in demographic.options}
            return {**names, OTHER_ROLES: group_name(OTHER_ROLES, language)}
    return {}


@dataclass(frozen=True)
class View:
    """Whose results the panels show: the organisation, one unit, or one role group.

    ``by`` is the breakdown the group comes from (``unit`` or ``role``), ``label`` the group
    (`TOTAL_LABEL` for the whole organisation).
    """

    by: str = "unit"
    label: str = TOTAL_LABEL

    @property
    def is_organisation(self) -> bool:
        """Whether the view is the whole organisation."""
        return self.label == TOTAL_LABEL

    def describe(self, roles: Mapping[str, str] | None = None, language: str | None = None) -> str:
        """Whose results these are, in words ("the whole organisation", "unit: Sales")."""
        if self.is_organisation:
            return text("dashboard.view.organisation", language)
        if self.by == "role":
            name = (roles or {}).get(self.label, group_name(self.label, language))
            return text("dashboard.view.role", language, name=name)
        return text("dashboard.view.unit", language, name=group_name(self.label, language))


def group_rows(scores: pd.DataFrame, group_column: str, label: str) -> pd.DataFrame:
    """The score rows of one group (every dimension), as the scoring left them."""
    return scores[scores[group_column].astype(str) == label].reset_index(drop=True)


def shown_groups(scores: pd.DataFrame, group_column: str) -> list[str]:
    """The groups of a breakdown with at least one statistic shown (never a suppressed group)."""
    rows = scores[(scores[group_column].astype(str) != TOTAL_LABEL) & ~suppressed_rows(scores)]
    return sorted(pd.unique(rows[group_column].astype(str)))
