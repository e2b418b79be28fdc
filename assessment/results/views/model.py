"""The results model of one group (the organisation, a unit or a role group): every view the
dashboard's tabs and the report's sections render, built once from the release's frames.

Both renderers read the same `ResultsModel`, so a workshop and its report show the same levels,
the same target gaps, the same order of components to work on and the same discussion queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from assessment.questionnaire import Questionnaire
from assessment.results.recommendations import ComponentPriority, Recommendation
from assessment.results.views.benchmark import BenchmarkView
from assessment.results.views.change import ChangeView
from assessment.results.views.discussion import discussion_queue, likert_segments
from assessment.results.views.estimates import dimension_estimates
from assessment.results.views.flywheel import flywheel
from assessment.results.views.groups import group_rows
from assessment.results.views.recommendations import recommendations
from assessment.results.views.reliability import ReliabilityView
from assessment.results.views.roles import RolesView
from assessment.results.views.targets import target_gaps

#: Statements the discussion queue lists, on the dashboard and in the report alike.
QUEUE_LENGTH = 10


@dataclass(frozen=True)
class ResultsModel:
    """The views of one group's results, as the dashboard and the report render them.

    Attributes
    ----------
    group_column, label : the breakdown and the group (`scoring.suppression.TOTAL_LABEL`: the
        organisation)
    language : the language of every name and text in the frames
    rows : the group's score rows (`assessment.results.views.groups.group_rows`)
    flywheel : `assessment.results.views.flywheel.flywheel` (every component, shown or not)
    components, principles, indices, overall : `dimension_estimates` of each dimension type
        (components and indices in questionnaire order, principles strongest first)
    targets : `assessment.results.views.targets.target_gaps` (empty without targets)
    queue : the discussion queue (`assessment.results.discussion.discussion_queue`, the first
        `QUEUE_LENGTH` statements) and ``segments`` its answers as diverging bars
    priorities, actions : the order in which to work on the components and their next-level
        actions (`assessment.results.views.recommendations.recommendations`)
    reliability : `assessment.results.views.reliability.ReliabilityView` (None: not built)
    roles : `assessment.results.views.roles.RolesView` (None: no role question, or not built)
    benchmark : `assessment.results.views.benchmark.BenchmarkView` (None: no benchmark stored)
    change : `assessment.results.views.change.ChangeView` since the earlier wave (None: none)
    """

    group_column: str
    label: str
    language: str | None
    rows: pd.DataFrame = field(repr=False)
    flywheel: pd.DataFrame = field(repr=False)
    components: pd.DataFrame = field(repr=False)
    principles: pd.DataFrame = field(repr=False)
    indices: pd.DataFrame = field(repr=False)
    overall: pd.DataFrame = field(repr=False)
    targets: pd.DataFrame = field(repr=False)
    queue: pd.DataFrame = field(repr=False)
    segments: pd.DataFrame = field(repr=False)
    priorities: tuple[ComponentPriority, ...]
    actions: tuple[Recommendation, ...]
    reliability: ReliabilityView | None = None
    roles: RolesView | None = None
    benchmark: BenchmarkView | None = None
    change: ChangeView | None = None

    @property
    def shown(self) -> bool:
        """Whether the group has any shown statistic (False: too few respondents to show any)."""
        return bool(self.rows["mean"].notna().any()) if "mean" in self.rows.columns else False


def results_model(
    scores: pd.DataFrame,
    items: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    group_column: str,
    label: str,
    language: str | None = None,
    queue_length: int = QUEUE_LENGTH,
    reliability: ReliabilityView | None = None,
    roles: RolesView | None = None,
    benchmark: BenchmarkView | None = None,
    change: ChangeView | None = None,
) -> ResultsModel:
    """Build the views of one group from a release's scores and item rows.

    Parameters
    ----------
    scores, items : ``ScoreResult.scores`` and ``ScoreResult.items`` of the release's breakdown
        that holds the group (privacy rules applied: suppressed rows carry no statistic)
    questionnaire : the questionnaire version the responses answered
    group_column, label : the breakdown (``unit``, ``role``) and the group
    language : language of the names and texts
    queue_length : how many statements the discussion queue keeps
    reliability, roles, benchmark, change : the views built from what lies beyond the group's
        scores (`reliability_view`, `roles_view`, `benchmark_view`, `change_view` of their modules)
    """
    rows = group_rows(scores, group_column, label)
    queue = (
        discussion_queue(
            items,
            rows,
            questionnaire,
            group_column=group_column,
            label=label,
            language=language,
            limit=queue_length,
        )
        if not items.empty
        else pd.DataFrame()
    )
    priorities, actions = recommendations(rows, questionnaire, language=language)

    def estimates(dimension_type: str) -> pd.DataFrame:
        return dimension_estimates(
            rows,
            questionnaire,
            dimension_type,
            language=language,
            sort="mean" if dimension_type == "principle" else "questionnaire",
        )

    return ResultsModel(
        group_column=group_column,
        label=label,
        language=language,
        rows=rows,
        flywheel=flywheel(rows, questionnaire, language=language),
        components=estimates("component"),
        principles=estimates("principle"),
        indices=estimates("index"),
        overall=estimates("overall"),
        targets=target_gaps(rows, questionnaire, language=language),
        queue=queue,
        segments=likert_segments(queue, questionnaire, language=language)
        if not queue.empty
        else pd.DataFrame(),
        priorities=tuple(priorities),
        actions=tuple(actions),
        reliability=reliability,
        roles=roles,
        benchmark=benchmark,
        change=change,
    )
