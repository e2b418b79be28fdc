"""The roles view: how two role groups see the organisation differently."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from assessment.analysis.waves import score_differences
from assessment.questionnaire import Questionnaire
from assessment.results.views.groups import group_rows, role_names, shown_groups


def role_gaps(
    role_scores: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    first: str,
    second: str,
    confidence: float = 0.95,
    dimension_types: Sequence[str] = ("component", "overall"),
    language: str | None = None,
) -> pd.DataFrame:
    """How two role groups see the organisation differently: second − first per dimension.

    Parameters
    ----------
    role_scores : the scores by role (``ScoreResult.scores`` with a ``role`` column)
    first, second : the two role ids (e.g. ``leader`` and ``staff``)

    Returns
    -------
    `assessment.analysis.waves.score_differences`, with ``_before`` meaning the first role: ``diff`` = mean(second) −
    mean(first) with Welch's interval, Hedges' g, and ``verdict`` (``up``: the second role rates it
    clearly higher; ``down``: clearly lower; ``unclear``). Only dimensions shown for both roles.

    Notes
    -----
    The two groups are different respondents, so Welch's interval for independent samples applies;
    like the waves' it ignores the grouping in units.
    """
    return score_differences(
        group_rows(role_scores, "role", first),
        group_rows(role_scores, "role", second),
        questionnaire,
        confidence=confidence,
        dimension_types=dimension_types,
        language=language,
    )


#: The pair of roles compared first when both are shown (leaders' view against staff's).
PREFERRED_PAIR = ("leader", "staff")


@dataclass(frozen=True)
class RolesView:
    """How the role groups see the organisation: the shown role groups and the gaps of the pair
    compared first.

    Attributes
    ----------
    shown : the role groups with a shown statistic (never a suppressed one), in name order
    names : role id -> label in the view's language
    first, second : the pair compared first (`default_pair`); None with fewer than two groups
    gaps : `role_gaps` of that pair (empty with fewer than two groups)
    """

    shown: tuple[str, ...]
    names: Mapping[str, str]
    first: str | None
    second: str | None
    gaps: pd.DataFrame = field(repr=False)


def default_pair(shown: Sequence[str]) -> tuple[str, str] | None:
    """The pair of role groups compared first: leaders and staff when both are shown, else the
    first two (None with fewer than two)."""
    if len(shown) < 2:
        return None
    if all(role in shown for role in PREFERRED_PAIR):
        return PREFERRED_PAIR
    first = shown[0]
    others = [r for r in shown if r != first]
    return first, ("staff" if "staff" in others else others[0])


def roles_view(
    role_scores: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    confidence: float = 0.95,
    language: str | None = None,
) -> RolesView:
    """The roles view of the scores by role (privacy rules applied)."""
    shown = tuple(shown_groups(role_scores, "role"))
    pair = default_pair(shown)
    gaps = (
        role_gaps(
            role_scores,
            questionnaire,
            first=pair[0],
            second=pair[1],
            confidence=confidence,
            language=language,
        )
        if pair is not None
        else pd.DataFrame()
    )
    return RolesView(
        shown=shown,
        names=role_names(questionnaire, language),
        first=pair[0] if pair else None,
        second=pair[1] if pair else None,
        gaps=gaps,
    )
