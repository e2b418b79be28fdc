"""The statements a group should talk through: one ranking, shown by the dashboard and the report.

`discussion_queue` ranks a published group's statements by disagreement × gap from the release's
item rows, so every page lists the same statements in the same order.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from assessment.analysis.spec import OVERALL, dimension_names
from assessment.outputs.exports import suppressed_rows
from assessment.questionnaire.model import Questionnaire
from assessment.results.recommendations import statement_disagreement


def number_or_nan(value: Any) -> float:
    """``value`` as a float; NaN when it is missing or not a number (a cell of a scores table)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def _reference_thresholds(
    rows: pd.DataFrame, questionnaire: Questionnaire
) -> dict[str, tuple[float, str]]:
    """Per component: the threshold its statements are measured against, and where it comes from."""
    thresholds = [level.threshold for level in questionnaire.levels]
    by_dimension = {str(r["dimension"]): r for r in rows.to_dict("records")}

    def target_of(dimension: str) -> float:
        record = by_dimension.get(dimension)
        if record is None or "target_threshold" not in record:
            return math.nan
        return number_or_nan(record["target_threshold"])

    overall_target = target_of(OVERALL)
    references: dict[str, tuple[float, str]] = {}
    for component in questionnaire.components:
        own = target_of(component.id)
        if not math.isnan(own):
            references[component.id] = (own, "target")
            continue
        if not math.isnan(overall_target):
            references[component.id] = (overall_target, "overall target")
            continue
        record = by_dimension.get(component.id, {})
        level = number_or_nan(record.get("level"))
        if math.isnan(level) or bool(record.get("suppressed", True)):
            level = number_or_nan(by_dimension.get(OVERALL, {}).get("level"))
        if math.isnan(level):
            references[component.id] = (thresholds[-1], "top level")
        else:
            next_level = min(int(level) + 1, len(thresholds))
            references[component.id] = (thresholds[next_level - 1], "next level")
    return references


def discussion_queue(
    items: pd.DataFrame,
    rows: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    group_column: str,
    label: str,
    language: str | None = None,
    limit: int | None = None,
    worth_discussing: bool = True,
) -> pd.DataFrame:
    """Statements to talk through, ranked by disagreement × gap.

    Parameters
    ----------
    items : the item rows of the scores (``ScoreResult.items``)
    rows : the group's score rows (`group_rows`), for the targets and levels
    group_column, label : the breakdown and the group whose statements are ranked
    limit : keep the first ``limit`` statements (None: all)
    worth_discussing : keep only statements with priority > 0 — those the group both disagrees on
        and falls short on (False: every shown statement, e.g. to choose vote candidates from)

    Returns
    -------
    One row per shown statement of the group, highest priority first: ``item``, ``statement``
    (text, ↺ when reverse-keyed), ``component``, ``component_name``, ``reverse``, ``n``, ``mean``
    (scored: higher is better), ``disagreement``, ``reference`` (threshold), ``reference_source``,
    ``gap``, ``priority``, ``rank``, and ``count_<value>`` for each answer option as chosen.

    Notes
    -----
    disagreement_j ∈ [0, 1] is the scaled average deviation of `scoring.agreement.item_disagreement`
    (0: everyone gave the same answer, 1: two equal camps at the ends of the scale).
    gap_j = max(r − mean_j, 0) is how far the statement's mean falls short of a reference r: the
    threshold of the target level of the statement's component, else of the overall target, else of
    the level above the component's current level. priority_j = disagreement_j × gap_j ranks
    statements the group both disagrees on and falls short on; ties (e.g. every statement at or
    above its reference) are broken by disagreement, then questionnaire order.
    """
    names = dimension_names(questionnaire, language)
    chosen = items[(items[group_column].astype(str) == label) & ~suppressed_rows(items)]
    known = {i.id: i for i in questionnaire.items}
    chosen = chosen[chosen["item"].astype(str).isin(known) & chosen["mean"].notna()]
    count_columns = [
        f"count_{v}" for v in range(questionnaire.scale.minimum, questionnaire.scale.maximum + 1)
    ]
    columns = [
        "item",
        "statement",
        "component",
        "component_name",
        "reverse",
        "n",
        "mean",
        "disagreement",
        "reference",
        "reference_source",
        "gap",
        "priority",
        "rank",
        *count_columns,
    ]
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    references = _reference_thresholds(rows, questionnaire)
    position = {item_id: j for j, item_id in enumerate(known)}
    frame = pd.DataFrame({"item": chosen["item"].astype(str).to_numpy()})
    questions = [known[i] for i in frame["item"]]
    frame["statement"] = [
        questionnaire.text(q.text, language) + (" ↺" if q.reverse else "") for q in questions
    ]
    frame["component"] = [q.component for q in questions]
    frame["component_name"] = [names.get(q.component, q.component) for q in questions]
    frame["reverse"] = [bool(q.reverse) for q in questions]
    frame["n"] = chosen["n"].to_numpy(dtype=np.int64)
    frame["mean"] = chosen["mean"].to_numpy(dtype=np.float64)
    # The organisation rows carry no disagreement; it comes from their answer counts, as in the
    # report, so the dashboard and the report rank the same statements.
    frame["disagreement"] = statement_disagreement(chosen, questionnaire)
    frame["reference"] = [references[q.component][0] for q in questions]
    frame["reference_source"] = [references[q.component][1] for q in questions]
    frame["gap"] = np.maximum(frame["reference"] - frame["mean"], 0.0)
    frame["priority"] = np.nan_to_num(frame["disagreement"]) * frame["gap"]
    frame["position"] = frame["item"].map(position)
    for column in count_columns:
        frame[column] = chosen[column].to_numpy(dtype=np.float64, na_value=0.0).astype(np.int64)
    frame = frame.sort_values(
        ["priority", "disagreement", "position"],
        ascending=[False, False, True],
        kind="stable",
        na_position="last",
    ).reset_index(drop=True)
    if worth_discussing:
        frame = frame[frame["priority"] > 0].reset_index(drop=True)
    frame["rank"] = np.arange(1, len(frame) + 1)
    if limit is not None:
        frame = frame.head(limit)
    return frame[columns].reset_index(drop=True)
