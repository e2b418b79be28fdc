"""The roles view: how two role groups see the organisation differently."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from assessment.analysis.waves import score_differences
from assessment.questionnaire import Questionnaire
from assessment.results.views.groups import group_rows


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
