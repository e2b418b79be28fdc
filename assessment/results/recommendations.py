"""Which component to work on first, the questionnaire's actions for its next level, and how much a
group disagrees on each statement (what to talk through).

Shared by the HTML report and the dashboard so both always give the same advice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from assessment.questionnaire.flywheel import flywheel
from assessment.questionnaire.model import Questionnaire
from scoring.agreement import disagreement_from_counts as disagreement_from_counts

Reason = Literal["weakest", "upstream", "close", "next", "reached"]


@dataclass(frozen=True)
class ComponentPriority:
    """One component in the order in which to work on the components.

    Attributes
    ----------
    component : the component id
    rank : 1 for the component to work on first
    mean, ci_low, ci_high : the component's organisation-level estimate (NaN ends: no interval)
    level : its maturity level
    reason : ``weakest`` (lowest mean), ``upstream`` (not clearly different from the weakest and
        further upstream in the flywheel, so it comes first), ``close`` (not clearly different from
        the weakest, not upstream of it), ``next`` (clearly above the weakest; ordered by mean) or
        ``reached`` (at or above its target while other components fall short of theirs)
    """

    component: str
    rank: int
    mean: float
    ci_low: float
    ci_high: float
    level: int
    reason: Reason


@dataclass(frozen=True)
class Recommendation:
    """The questionnaire's actions to move one component from its level to the next."""

    priority: ComponentPriority
    from_level: int
    to_level: int
    actions: tuple[str, ...]


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number


def prioritise_components(
    rows: pd.DataFrame, *, cycle: Sequence[str] = ()
) -> list[ComponentPriority]:
    """Order the components by where work should start.

    Parameters
    ----------
    rows : one row per component, with columns ``dimension`` (the component id), ``mean``,
        ``ci_low``, ``ci_high`` and ``level`` (e.g. the ``__all__`` component rows of the scores).
        Rows without a mean (suppressed) are left out.
    cycle : the flywheel's cycle, upstream first (`assessment.questionnaire.flywheel.flywheel`
        of the questionnaire: Clarity → Coordination → Completion); components outside it come
        after the cycle's

    Returns
    -------
    The components, first the one to work on first.

    Notes
    -----
    Let w be the component with the lowest mean. A component c is *not clearly different* from w
    when their intervals overlap, ``ci_low_c <= ci_high_w`` (a missing interval end counts as
    unbounded, since an unknown uncertainty cannot separate two components). Those components come
    first, ordered upstream-first along the flywheel Clarity → Coordination → Completion, then
    Collaboration and Workflow Architecture by mean. All other components follow, lowest mean first.
    Overlap of two intervals is a deliberately cautious test of a difference: the order only changes
    from "lowest mean first" when the data cannot tell the components apart.

    When the rows carry targets (a ``gap`` column, target − mean on the level scale), the components
    short of their target (gap > 0) are ordered this way first and the others follow, ordered the
    same way among themselves with the reason ``reached``: a component that met its target is not
    where work starts, however far upstream it is.
    """
    needed = ["dimension", "mean", "ci_low", "ci_high", "level"]
    missing = [c for c in needed if c not in rows.columns]
    if missing:
        raise ValueError(
            f"component rows need the columns {needed}; missing {missing}. Pass the component "
            "rows of a scores frame (dimension_type == 'component')."
        )
    entries = []
    for record in rows[needed].to_dict("records"):
        mean = _number(record["mean"])
        if math.isnan(mean):
            continue
        level = _number(record["level"])
        entries.append(
            (
                str(record["dimension"]),
                mean,
                _number(record["ci_low"]),
                _number(record["ci_high"]),
                0 if math.isnan(level) else int(level),
            )
        )
    if not entries:
        return []
    short = _short_of_target(rows)
    if short is None or not short & {e[0] for e in entries} or short >= {e[0] for e in entries}:
        return _ordered(entries, cycle)
    first = _ordered([e for e in entries if e[0] in short], cycle)
    reached = _ordered([e for e in entries if e[0] not in short], cycle, start=len(first) + 1)
    return [*first, *(replace(p, reason="reached") for p in reached)]


def _short_of_target(rows: pd.DataFrame) -> set[str] | None:
    """Components whose mean falls short of their target (gap > 0); None when no target is set."""
    if "gap" not in rows.columns:
        return None
    gaps = pd.to_numeric(rows["gap"], errors="coerce")
    if not gaps.notna().any():
        return None
    return set(rows.loc[gaps > 0, "dimension"].astype(str))


def _ordered(
    entries: list[tuple[str, float, float, float, int]], cycle: Sequence[str], *, start: int = 1
) -> list[ComponentPriority]:
    """The weakest-first, upstream-when-unclear order of `prioritise_components`, ranked from ``start``."""
    if not entries:
        return []

    def _flywheel_rank(component: str) -> int:
        return list(cycle).index(component) if component in cycle else len(cycle)

    weakest = min(entries, key=lambda e: (e[1], _flywheel_rank(e[0]), e[0]))
    weakest_high = math.inf if math.isnan(weakest[3]) else weakest[3]

    def close_to_weakest(entry: tuple[str, float, float, float, int]) -> bool:
        low = -math.inf if math.isnan(entry[2]) else entry[2]
        return low <= weakest_high

    close = [e for e in entries if close_to_weakest(e)]
    rest = [e for e in entries if not close_to_weakest(e)]
    close.sort(key=lambda e: (_flywheel_rank(e[0]), e[1], e[0]))
    rest.sort(key=lambda e: (e[1], _flywheel_rank(e[0]), e[0]))
    weakest_rank = _flywheel_rank(weakest[0])
    result = []
    for rank, entry in enumerate([*close, *rest], start=start):
        reason: Reason
        if entry is weakest:
            reason = "weakest"
        elif entry in rest:
            reason = "next"
        elif _flywheel_rank(entry[0]) < weakest_rank:
            reason = "upstream"
        else:
            reason = "close"
        result.append(
            ComponentPriority(entry[0], rank, entry[1], entry[2], entry[3], entry[4], reason)
        )
    return result


def next_actions(
    questionnaire: Questionnaire, component: str, level: int, *, language: str | None = None
) -> tuple[str, ...]:
    """The questionnaire's actions for moving ``component`` from ``level`` to ``level + 1``.

    Empty at the top level, or when the questionnaire has no recommendation for that transition.
    """
    for recommendation in questionnaire.recommendations:
        if recommendation.component == component and recommendation.from_level == level:
            return tuple(questionnaire.text(action, language) for action in recommendation.actions)
    return ()


def recommend(
    component_rows: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    language: str | None = None,
    limit: int | None = 1,
) -> list[Recommendation]:
    """The next-level actions for the components to work on first.

    Parameters
    ----------
    component_rows : as for `prioritise_components`
    questionnaire : the questionnaire whose ``recommendations`` hold the actions
    language : language of the action texts (default: the questionnaire's default language)
    limit : how many components to return (None: all that have actions)

    Returns
    -------
    One `Recommendation` per component in priority order; components already at the top level (no
    further transition) are skipped.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1 (or None for all); got {limit}")
    result: list[Recommendation] = []
    cycle = flywheel(questionnaire).cycle
    for priority in prioritise_components(component_rows, cycle=cycle):
        actions = next_actions(questionnaire, priority.component, priority.level, language=language)
        if not actions:
            continue
        result.append(Recommendation(priority, priority.level, priority.level + 1, actions))
        if limit is not None and len(result) >= limit:
            break
    return result


def priority_table(priorities: Sequence[ComponentPriority]) -> pd.DataFrame:
    """The priorities as a frame (for tables in the dashboard and the report)."""
    columns: Mapping[str, list[object]] = {
        "rank": [p.rank for p in priorities],
        "component": [p.component for p in priorities],
        "mean": [p.mean for p in priorities],
        "ci_low": [p.ci_low for p in priorities],
        "ci_high": [p.ci_high for p in priorities],
        "level": [p.level for p in priorities],
        "reason": [p.reason for p in priorities],
    }
    return pd.DataFrame(columns)


def statement_disagreement(items: pd.DataFrame, questionnaire: Questionnaire) -> np.ndarray:
    """The disagreement of each item row: the scoring's, else derived from the answer counts.

    Parameters
    ----------
    items : item rows of the scores (``ScoreResult.items``) with ``count_<value>`` columns for
        every answer value; a ``disagreement`` column is optional
    questionnaire : the questionnaire whose scale the counts are on

    Returns
    -------
    (len(items),) float array. Rows the scoring gave a disagreement (units) keep it; the others (the
    organisation rows, which carry none) get `disagreement_from_counts` of their answers.
    """
    values = list(range(questionnaire.scale.minimum, questionnaire.scale.maximum + 1))
    counts = items[[f"count_{v}" for v in values]].to_numpy(dtype=np.float64, na_value=0.0)
    given = (
        items["disagreement"].to_numpy(dtype=np.float64, na_value=np.nan)
        if "disagreement" in items.columns
        else np.full(len(items), np.nan)
    )
    return np.where(np.isnan(given), disagreement_from_counts(counts, values), given)
