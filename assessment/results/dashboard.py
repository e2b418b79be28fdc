"""The facilitator dashboard's logic: participation, the flywheel, principles, heatmap, target gaps,
discussion queue, waves, role gaps, benchmark position, reliability and live-mode change detection.

Pure functions turn privacy-filtered `ScoreResult` frames into the small tables the charts draw; the
loaders at the end fetch them per campaign version, so a warm dashboard never scores again.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd

from assessment.analysis.scoring import ScoredTable
from assessment.analysis.spec import OVERALL, dimension_names, dimension_order
from assessment.analysis.waves import WaveScores, earlier_waves, score_differences
from assessment.campaigns.actions import Action
from assessment.campaigns.management import (
    CampaignInfo,
    UnitSpec,
    check_units,
    list_campaigns,
)
from assessment.campaigns.store import Store
from assessment.errors import (
    AssessmentError,
    DataError,
    InvalidHeadCount,
    Problem,
    WrongFieldCount,
    problem_table,
)
from assessment.outputs.benchmark_rows import load_benchmark_rows
from assessment.outputs.campaign_exports import (
    BenchmarkComparison,
    campaign_benchmark_csv,
    campaign_report,
    campaign_scores_csv,
    compare_with_benchmarks,
)
from assessment.outputs.exports import suppressed_rows
from assessment.questionnaire import Questionnaire
from assessment.responses.csv_safety import neutralise_frame
from assessment.results.campaign_answers import (
    CampaignVersion,
    ReleaseSummary,
    release_summary,
    score_campaign_waves,
)
from assessment.results.discussion import discussion_queue as discussion_queue
from assessment.results.discussion import number_or_nan
from assessment.results.recommendations import (
    FLYWHEEL_ORDER,
    ComponentPriority,
    Recommendation,
    prioritise_components,
    recommend,
)
from assessment.results.release import Release, build_release
from assessment.results.release import clear_caches as clear_release_caches
from scoring.partitions import OTHER_UNITS
from scoring.suppression import TOTAL_LABEL

#: The component that powers the flywheel and the one that holds it up (the framework in the README).
POWER_COMPONENT = "collaboration"
BASE_COMPONENT = "workflow-architecture"

#: Quality flags of `scoring.quality.response_quality` shown in the reliability panel.
QUALITY_FLAGS: dict[str, str] = {
    "straight_lining": "Same answer everywhere, reverse-keyed statements included",
    "too_fast": "Answered faster than 2 seconds per statement",
    "flagged": "Flagged for review (either of the above)",
}

ParticipationStatus = Literal["none", "suppressed", "protecting", "imprecise", "readable"]

#: What each participation status means, for the table under the chart.
STATUS_TEXT: dict[str, str] = {
    "none": "no responses yet",
    "suppressed": "hidden: fewer than {m} respondents",
    "protecting": "hidden: protects a smaller unit",
    "imprecise": "too few to read (±{half:.2f})",
    "readable": "reliable enough to read (±{half:.2f})",
}

_STAT_COLUMNS = (
    "n",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "level",
    "level_name",
    "level_probability",
    "level_low",
    "level_high",
)


# -- names and views ------------------------------------------------------------------------------


def role_names(questionnaire: Questionnaire, language: str | None = None) -> dict[str, str]:
    """Role id -> label in ``language`` (empty when the questionnaire asks no role)."""
    for demographic in questionnaire.demographics:
        if demographic.id == "role":
            return {o.id: questionnaire.text(o.label, language) for o in demographic.options}
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
        return self.label == TOTAL_LABEL

    def describe(self, roles: Mapping[str, str] | None = None) -> str:
        if self.is_organisation:
            return "the whole organisation"
        if self.by == "role":
            return f"role: {(roles or {}).get(self.label, self.label)}"
        return f"unit: {self.label}"


def group_rows(scores: pd.DataFrame, group_column: str, label: str) -> pd.DataFrame:
    """The score rows of one group (every dimension), as the scoring left them."""
    return scores[scores[group_column].astype(str) == label].reset_index(drop=True)


def shown_groups(scores: pd.DataFrame, group_column: str) -> list[str]:
    """The groups of a breakdown with at least one statistic shown (never a suppressed group)."""
    rows = scores[(scores[group_column].astype(str) != TOTAL_LABEL) & ~suppressed_rows(scores)]
    return sorted(pd.unique(rows[group_column].astype(str)))


# -- participation --------------------------------------------------------------------------------


def readable_half_width(thresholds: Sequence[float]) -> float:
    """The widest interval half-width at which a mean counts as reliable enough to read.

    Notes
    -----
    Half the narrowest level band, min_k (t_{k+1} − t_k)/2 over the level thresholds t_k (0.4 on a
    1–5 scale with thresholds 1.0, 1.8, 2.6, 3.4, 4.2): an interval that narrow covers at most two
    neighbouring levels, so the level it shows is worth discussing.
    """
    t = np.asarray(thresholds, dtype=np.float64)
    if t.size < 2:
        raise ValueError(
            f"readable_half_width needs at least two level thresholds; got {list(thresholds)}"
        )
    return float(np.min(np.diff(t)) / 2.0)


def participation(
    responses: Mapping[str, int],
    head_counts: Mapping[str, int],
    scores: pd.DataFrame | None,
    *,
    min_group_size: int,
    max_half_width: float,
    group_column: str = "unit",
    waiting: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Responses per unit against its head-count, and whether its results can be read.

    Parameters
    ----------
    responses : unit -> submitted responses (units without responses may be left out)
    head_counts : unit -> people in the unit (the campaign's unit list; may be partial)
    scores : the campaign's scores by unit (None before the first response)
    min_group_size : the campaign's minimum group size m
    max_half_width : the widest interval half-width that still counts as readable
        (`readable_half_width`)
    waiting : unit (or `TOTAL_LABEL`) -> e.g. "updates after 4 more answers", for groups whose
        newest answers wait for the next release (added to the note)

    Returns
    -------
    One row per unit (listed units first in name order, then units only seen in responses), then
    the organisation row (`TOTAL_LABEL`): ``unit``, ``head_count``, ``responses``,
    ``response_rate`` (responses / head-count, NaN when the head-count is unknown),
    ``half_width`` (half the width of the overall score's interval; NaN when hidden),
    ``status`` (`ParticipationStatus`), ``readable`` and ``note`` (the status in words).

    Notes
    -----
    A unit is *readable* when its overall score is shown (not suppressed, docs/formats.md "Privacy rules") and its
    interval half-width (ci_high − ci_low)/2 is at most ``max_half_width``. The interval already
    carries the finite-population correction, so a small team in which everyone answered can be
    readable. Only n and the head-count are shown for hidden units, which docs/formats.md "Privacy rules" allows.
    """
    units = list(dict.fromkeys([*sorted(head_counts), *sorted(responses)]))
    overall: dict[str, tuple[bool, float]] = {}
    if scores is not None and not scores.empty:
        rows = scores[scores["dimension"].astype(str) == OVERALL]
        for record in rows.to_dict("records"):
            hidden = bool(pd.isna(record["suppressed"]) or record["suppressed"])
            half = (number_or_nan(record["ci_high"]) - number_or_nan(record["ci_low"])) / 2.0
            overall[str(record[group_column])] = (hidden, math.nan if hidden else half)
    records = []
    for unit in [*units, TOTAL_LABEL]:
        if unit == TOTAL_LABEL:
            n = int(sum(responses.values()))
            known = [head_counts[u] for u in units if u in head_counts]
            head = int(sum(known)) if known and len(known) == len(units) else None
        else:
            n = int(responses.get(unit, 0))
            head = head_counts.get(unit)
        hidden, half = overall.get(unit, (True, math.nan))
        status: ParticipationStatus
        if n == 0:
            status = "none"
        elif hidden:
            status = "suppressed" if n < min_group_size else "protecting"
        elif not math.isnan(half) and half <= max_half_width:
            status = "readable"
        else:
            status = "imprecise"
        records.append(
            {
                group_column: unit,
                "head_count": head,
                "responses": n,
                "response_rate": n / head if head else math.nan,
                "half_width": half,
                "status": status,
                "readable": status == "readable",
                "note": "; ".join(
                    text
                    for text in (
                        STATUS_TEXT[status].format(m=min_group_size, half=half),
                        (waiting or {}).get(unit, ""),
                    )
                    if text
                ),
            }
        )
    frame = pd.DataFrame.from_records(
        records,
        columns=[
            group_column,
            "head_count",
            "responses",
            "response_rate",
            "half_width",
            "status",
            "readable",
            "note",
        ],
    )
    frame["head_count"] = pd.array(frame["head_count"], dtype="Int64")
    frame["responses"] = frame["responses"].astype(np.int64)
    frame["response_rate"] = frame["response_rate"].astype(np.float64)
    frame["half_width"] = frame["half_width"].astype(np.float64)
    frame["readable"] = frame["readable"].astype(bool)
    return frame


# -- estimates of one group -----------------------------------------------------------------------


def dimension_estimates(
    rows: pd.DataFrame,
    questionnaire: Questionnaire,
    dimension_type: str,
    *,
    language: str | None = None,
    sort: Literal["questionnaire", "mean"] = "questionnaire",
) -> pd.DataFrame:
    """The shown estimates of one group for one dimension type (component, principle, index ...).

    Parameters
    ----------
    rows : the group's score rows (`group_rows`)
    dimension_type : ``component``, ``principle``, ``index``, ``overall`` or ``outcome``
    sort : ``questionnaire`` order (components: the flywheel order) or highest ``mean`` first

    Returns
    -------
    ``dimension``, ``name`` and the docs/formats.md "Scores" statistics (n, mean, sd, ci_low, ci_high, level,
    level_name, level_probability, level_low, level_high), plus ``target`` and
    ``target_threshold`` when targets are set. Suppressed rows are left out.
    """
    names = dimension_names(questionnaire, language)
    chosen = rows[(rows["dimension_type"].astype(str) == dimension_type) & ~suppressed_rows(rows)]
    chosen = chosen[chosen["mean"].notna()]
    columns = ["dimension", *_STAT_COLUMNS]
    columns += [c for c in ("target", "target_threshold") if c in rows.columns]
    frame = chosen[columns].copy().reset_index(drop=True)
    frame["dimension"] = frame["dimension"].astype(str)
    frame.insert(1, "name", frame["dimension"].map(lambda d: names.get(d, d)).astype(str))
    frame["level_text"] = _level_texts(chosen, questionnaire, language)
    if sort == "mean":
        frame = frame.sort_values(["mean", "dimension"], ascending=[False, True], kind="stable")
    else:
        order = {d: i for i, d in enumerate(dimension_order(questionnaire))}
        frame = frame.sort_values(
            "dimension", key=lambda s: s.map(lambda d: order.get(d, len(order))), kind="stable"
        )
    return frame.reset_index(drop=True)


def _level_texts(
    rows: pd.DataFrame, questionnaire: Questionnaire, language: str | None
) -> list[str]:
    """`level_text` of each row (borderline where the scores say so)."""

    def name(level: object) -> str:
        return questionnaire.level_name(int(level), language) if pd.notna(level) else ""

    borderline = (
        rows["level_borderline"].fillna(False).astype(bool)
        if "level_borderline" in rows.columns
        else pd.Series(False, index=rows.index)
    )
    return [
        level_text(name(level), float(p), borderline=bool(b), low=name(low), high=name(high))
        if pd.notna(p) and pd.notna(level)
        else ""
        for level, p, b, low, high in zip(
            rows["level"],
            rows["level_probability"],
            borderline,
            rows["level_low"],
            rows["level_high"],
            strict=True,
        )
    ]


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
    shown = dimension_estimates(rows, questionnaire, "component", language=language)
    by_id = {r["dimension"]: r for r in shown.to_dict("records")}
    components = [c.id for c in questionnaire.components]
    cycle = [c for c in FLYWHEEL_ORDER if c in components]
    records = []
    for component in components:
        if component in cycle:
            role, order = "cycle", cycle.index(component)
        elif component == POWER_COMPONENT:
            role, order = "power", len(cycle)
        elif component == BASE_COMPONENT:
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
        for column in (*_STAT_COLUMNS, "level_text"):
            record[column] = estimate[column] if estimate is not None else None
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    for column in ("n", "level", "level_low", "level_high"):
        frame[column] = pd.array(pd.to_numeric(frame[column]), dtype="Int64")
    for column in ("mean", "sd", "ci_low", "ci_high", "level_probability"):
        frame[column] = pd.to_numeric(frame[column]).astype(np.float64)
    return frame.sort_values("order", kind="stable").reset_index(drop=True)


def heatmap(
    scores: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    group_column: str = "unit",
    dimension_types: Sequence[str] = ("component", "overall"),
    language: str | None = None,
) -> pd.DataFrame:
    """Unit × dimension cells for the heatmap; suppressed cells carry no statistic at all.

    Returns
    -------
    One row per group (not the organisation) × dimension: ``group``, ``dimension``, ``name``,
    ``n``, ``mean``, ``level``, ``level_name``, ``suppressed``, ``label`` (the mean with two
    decimals, or ``hidden`` for a suppressed cell), ``group_rank`` and ``dimension_rank`` (drawing
    order).

    Notes
    -----
    Groups are ordered by their empirical-Bayes overall mean, highest first (docs/formats.md "Scores": units are
    ranked on shrunken means, never on raw means of tiny groups); groups without a shown overall
    mean follow in name order. Mean and level of a suppressed cell are set missing here as well, so
    a chart can never colour it.
    """
    names = dimension_names(questionnaire, language)
    order = {d: i for i, d in enumerate(dimension_order(questionnaire))}
    frame = scores[
        (scores[group_column].astype(str) != TOTAL_LABEL)
        & scores["dimension_type"].astype(str).isin(list(dimension_types))
    ]
    suppressed = suppressed_rows(frame)
    cells = pd.DataFrame(
        {
            "group": frame[group_column].astype(str).to_numpy(),
            "dimension": frame["dimension"].astype(str).to_numpy(),
            "n": frame["n"].to_numpy(dtype=np.int64),
            "mean": np.where(suppressed, np.nan, frame["mean"].to_numpy(dtype=np.float64)),
            "level": pd.array(
                np.where(
                    suppressed, np.nan, frame["level"].to_numpy(dtype=np.float64, na_value=np.nan)
                ),
                dtype="Int64",
            ),
            "level_name": pd.array(
                np.where(suppressed, None, frame["level_name"].to_numpy(dtype=object)),
                dtype="str",
            ),
            "suppressed": suppressed,
        }
    )
    cells.insert(2, "name", cells["dimension"].map(lambda d: names.get(d, d)).astype(str))
    cells["label"] = [
        "hidden" if hidden else f"{mean:.2f}"
        for hidden, mean in zip(cells["suppressed"], cells["mean"], strict=True)
    ]
    overall = scores[
        (scores[group_column].astype(str) != TOTAL_LABEL)
        & (scores["dimension"].astype(str) == OVERALL)
        & ~suppressed_rows(scores)
    ]
    shrunk = dict(
        zip(
            overall[group_column].astype(str),
            overall["eb_mean"].to_numpy(dtype=np.float64),
            strict=True,
        )
    )
    groups = sorted(
        pd.unique(cells["group"]),
        key=lambda g: (math.isnan(shrunk.get(g, math.nan)), -shrunk.get(g, 0.0), g),
    )
    rank = {g: i for i, g in enumerate(groups)}
    cells["group_rank"] = cells["group"].map(rank).astype(np.int64)
    cells["dimension_rank"] = (
        cells["dimension"].map(lambda d: order.get(d, len(order))).astype(np.int64)
    )
    return cells.sort_values(["group_rank", "dimension_rank"], kind="stable").reset_index(drop=True)


def heatmap_extremes(cells: pd.DataFrame, *, per_side: int) -> pd.DataFrame:
    """The heatmap cells of the ``per_side`` strongest and weakest shown units only.

    For organisations with more units than a screen can show: units ranked by their shrunken overall
    mean (`heatmap`); hidden units are left out here (the full heatmap marks them).
    """
    if per_side < 1:
        raise ValueError(f"per_side must be at least 1; got {per_side}")
    shown = cells[~cells["suppressed"].to_numpy(dtype=bool)]
    ranks = sorted(pd.unique(shown.loc[shown["dimension"] == OVERALL, "group_rank"]))
    if len(ranks) <= 2 * per_side:
        keep = set(ranks)
    else:
        keep = set(ranks[:per_side]) | set(ranks[-per_side:])
    return cells[cells["group_rank"].isin(keep)].reset_index(drop=True)


# -- targets --------------------------------------------------------------------------------------

GapVerdict = Literal["below", "reached", "unclear"]

GAP_TEXT: dict[str, str] = {
    "below": "clearly short of the target",
    "reached": "clearly at or above the target",
    "unclear": "not clear yet",
}


def target_gaps(
    rows: pd.DataFrame, questionnaire: Questionnaire, *, language: str | None = None
) -> pd.DataFrame:
    """Gaps to the campaign's target levels, with their intervals and whether they are clearly real.

    Returns
    -------
    One row per shown dimension with a target: ``dimension_type``, ``dimension``, ``name``,
    ``target`` (level), ``target_name``, ``target_threshold``, ``mean``, ``ci_low``, ``ci_high``,
    ``gap``, ``gap_ci_low``, ``gap_ci_high``, ``p_target`` and ``verdict`` (`GapVerdict`), in
    questionnaire order. Empty when no target is set.

    Notes
    -----
    gap = threshold − mean with interval [threshold − ci_high, threshold − ci_low] (docs/formats.md "Scores",
    `scoring.maturity.target_gap`): positive means short of the target. A gap is *clearly real*
    when its interval excludes 0: ``below`` when gap_ci_low > 0, ``reached`` when gap_ci_high < 0
    (the whole interval of the mean lies at or above the threshold), else ``unclear``.
    ``p_target`` is the probability that the true mean has reached the threshold.
    """
    columns = [
        "dimension_type",
        "dimension",
        "name",
        "target",
        "target_name",
        "target_threshold",
        "mean",
        "ci_low",
        "ci_high",
        "gap",
        "gap_ci_low",
        "gap_ci_high",
        "p_target",
        "verdict",
    ]
    if "target" not in rows.columns:
        return pd.DataFrame(columns=columns)
    names = dimension_names(questionnaire, language)
    order = {d: i for i, d in enumerate(dimension_order(questionnaire))}
    chosen = rows[rows["target"].notna() & ~suppressed_rows(rows) & rows["mean"].notna()].copy()
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    chosen["dimension"] = chosen["dimension"].astype(str)
    chosen["dimension_type"] = chosen["dimension_type"].astype(str)
    chosen["name"] = chosen["dimension"].map(lambda d: names.get(d, d)).astype(str)
    chosen["target_name"] = [
        questionnaire.level_name(int(level), language) for level in chosen["target"]
    ]
    low = chosen["gap_ci_low"].to_numpy(dtype=np.float64)
    high = chosen["gap_ci_high"].to_numpy(dtype=np.float64)
    chosen["verdict"] = np.where(low > 0, "below", np.where(high < 0, "reached", "unclear"))
    chosen = chosen.sort_values(
        "dimension", key=lambda s: s.map(lambda d: order.get(d, len(order))), kind="stable"
    )
    return chosen[columns].reset_index(drop=True)


def likert_segments(
    queue: pd.DataFrame, questionnaire: Questionnaire, *, language: str | None = None
) -> pd.DataFrame:
    """The answer distribution of each statement as segments of a diverging stacked bar.

    Returns
    -------
    One row per statement × answer option: ``item``, ``rank``, ``option`` (label), ``value``,
    ``count``, ``share`` (of the statement's answers on the scale, in %), ``start`` and ``end``
    (the segment's ends in %, disagreeing answers left of 0).

    Notes
    -----
    With shares p_1..p_A of the options as chosen and the midpoint c = (L + H)/2, the bar starts at
    −(Σ_{v<c} p_v + ½·p_c) and the segments follow in scale order, so the neutral option (if any)
    straddles 0 and every bar has length 100. Don't know, not applicable and skipped answers are
    not on the scale and not drawn.
    """
    values = list(range(questionnaire.scale.minimum, questionnaire.scale.maximum + 1))
    labels = {o.value: questionnaire.text(o.label, language) for o in questionnaire.scale.options}
    columns = ["item", "rank", "option", "value", "count", "share", "start", "end"]
    if queue.empty:
        return pd.DataFrame(columns=columns)
    counts = queue[[f"count_{v}" for v in values]].to_numpy(dtype=np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(totals > 0, 100.0 * counts / totals, 0.0)
    v = np.asarray(values, dtype=np.float64)
    centre = (v[0] + v[-1]) / 2.0
    weight = np.where(v < centre, 1.0, np.where(v == centre, 0.5, 0.0))
    left = -(shares * weight).sum(axis=1, keepdims=True)
    ends = left + np.cumsum(shares, axis=1)
    starts = ends - shares
    n_items, n_values = counts.shape
    return pd.DataFrame(
        {
            "item": np.repeat(queue["item"].astype(str).to_numpy(), n_values),
            "rank": np.repeat(queue["rank"].to_numpy(dtype=np.int64), n_values),
            "option": [labels.get(value, str(value)) for value in values] * n_items,
            "value": np.tile(np.asarray(values, dtype=np.int64), n_items),
            "count": counts.ravel().astype(np.int64),
            "share": shares.ravel(),
            "start": starts.ravel(),
            "end": ends.ravel(),
        },
        columns=columns,
    )


# -- recommendations and actions ------------------------------------------------------------------


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
    priorities = prioritise_components(components)
    return priorities, recommend(components, questionnaire, language=language, limit=None)


ACTION_COLUMNS: tuple[str, ...] = (
    "id",
    "dimension",
    "dimension_name",
    "title",
    "owner",
    "due_date",
    "status",
    "created_at",
    "updated_at",
)


def actions_frame(
    actions: Iterable[Action], questionnaire: Questionnaire, *, language: str | None = None
) -> pd.DataFrame:
    """Action items as a table: one row per action, dates as ISO 8601 text."""
    names = dimension_names(questionnaire, language)
    records = [
        {
            "id": a.id,
            "dimension": a.dimension,
            "dimension_name": names.get(a.dimension, a.dimension),
            "title": a.title,
            "owner": a.owner or "",
            "due_date": a.due_date.isoformat() if a.due_date else "",
            "status": a.status,
            "created_at": _iso(a.created_at),
            "updated_at": _iso(a.updated_at),
        }
        for a in actions
    ]
    frame = pd.DataFrame.from_records(records, columns=list(ACTION_COLUMNS))
    frame["id"] = frame["id"].astype(np.int64)
    for column in ACTION_COLUMNS[1:]:
        frame[column] = frame[column].astype("str")
    return frame


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def action_changes(
    status: str, owner: str, due: object, *, keep: str = "(keep)"
) -> dict[str, object]:
    """The fields an action-item form changes: only those given (``keep``, an empty owner and no
    due date leave the stored value), so an edit never resets the status."""
    changes: dict[str, object] = {}
    if status != keep:
        changes["status"] = status
    if owner.strip():
        changes["owner"] = owner
    if isinstance(due, date):
        changes["due_date"] = due
    return changes


def actions_csv(
    actions: Iterable[Action], questionnaire: Questionnaire, *, language: str | None = None
) -> bytes:
    """The action items CSV (UTF-8, text cells guarded against spreadsheet formulas)."""
    frame = neutralise_frame(actions_frame(actions, questionnaire, language=language))
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


# -- role gaps ------------------------------------------------------------------------------------


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


# -- benchmark ------------------------------------------------------------------------------------


def benchmark_table(
    comparison: pd.DataFrame, questionnaire: Questionnaire, *, language: str | None = None
) -> pd.DataFrame:
    """The benchmark comparison (`assessment.outputs.benchmark.COMPARE_COLUMNS`) with dimension names,
    in questionnaire order, without dimensions no other organisation answered."""
    if comparison.empty:
        return comparison
    names = dimension_names(questionnaire, language)
    order = {d: i for i, d in enumerate(dimension_order(questionnaire))}
    frame = comparison[comparison["n_orgs"] > 0].copy()
    frame.insert(2, "name", frame["dimension"].astype(str).map(lambda d: names.get(d, d)))
    frame["name"] = frame["name"].astype(str)
    frame = frame.sort_values(
        "dimension",
        key=lambda s: s.astype(str).map(lambda d: order.get(d, len(order))),
        kind="stable",
    )
    return frame.reset_index(drop=True)


# -- reliability ----------------------------------------------------------------------------------


def reliability_table(
    stats: pd.DataFrame, questionnaire: Questionnaire, *, language: str | None = None
) -> pd.DataFrame:
    """Alpha with its Feldt interval, ICC(1) and ICC(2) per dimension, with names."""
    names = dimension_names(questionnaire, language)
    order = {d: i for i, d in enumerate(dimension_order(questionnaire))}
    frame = stats.copy()
    frame["dimension"] = frame["dimension"].astype(str)
    frame.insert(2, "name", frame["dimension"].map(lambda d: names.get(d, d)).astype(str))
    frame = frame.sort_values(
        "dimension", key=lambda s: s.map(lambda d: order.get(d, len(order))), kind="stable"
    )
    return frame.reset_index(drop=True)


def quality_summary(respondents: pd.DataFrame, *, min_group_size: int) -> pd.DataFrame:
    """How many respondents each response-quality flag marks (organisation level only).

    Returns
    -------
    One row per flag of `QUALITY_FLAGS`: ``flag``, ``description``, ``count``, ``share`` (of all
    respondents, in %). Empty when the organisation has fewer than ``min_group_size``
    respondents (docs/formats.md "Privacy rules": nothing but n is shown for such a group).
    """
    columns = ["flag", "description", "count", "share"]
    n = len(respondents)
    if n < min_group_size or n == 0:
        return pd.DataFrame(columns=columns)
    records = []
    for flag, description in QUALITY_FLAGS.items():
        if flag not in respondents.columns:
            continue
        count = int(respondents[flag].astype("boolean").fillna(False).sum())
        records.append(
            {"flag": flag, "description": description, "count": count, "share": 100.0 * count / n}
        )
    return pd.DataFrame.from_records(records, columns=columns)


def agreement_table(
    scores: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    group_column: str = "unit",
    language: str | None = None,
) -> pd.DataFrame:
    """Within-unit agreement on each component, of the shown units: r*wg(J) (Lindell) with
    LeBreton & Senter's (2008) graded band, AD_M, and rwg(J) (which the Spearman–Brown step
    inflates with the number of statements, so it is not used to label a unit)."""
    names = dimension_names(questionnaire, language)
    rows = scores[
        (scores[group_column].astype(str) != TOTAL_LABEL)
        & (scores["dimension_type"].astype(str) == "component")
        & ~suppressed_rows(scores)
    ]
    frame = pd.DataFrame(
        {
            group_column: rows[group_column].astype(str).to_numpy(),
            "dimension": rows["dimension"].astype(str).to_numpy(),
            "name": [names.get(str(d), str(d)) for d in rows["dimension"]],
            "n": rows["n"].to_numpy(dtype=np.int64),
            "rwg_j": rows["rwg_j"].to_numpy(dtype=np.float64),
            "rwg_j_lindell": rows["rwg_j_lindell"].to_numpy(dtype=np.float64),
            "agreement_band": rows["agreement_band"].to_numpy(dtype=object),
            "ad_m": rows["ad_m"].to_numpy(dtype=np.float64),
        }
    )
    return frame.reset_index(drop=True)


def agreement_cells(agreement: pd.DataFrame) -> pd.DataFrame:
    """The agreement panel's unit × component table: r*wg(J) and its band in words, e.g.
    "0.46 · weak agreement" (empty where the unit's statistic is missing)."""
    text = [
        f"{r:.2f} · {band}" if pd.notna(r) and isinstance(band, str) else ""
        for r, band in zip(agreement["rwg_j_lindell"], agreement["agreement_band"], strict=True)
    ]
    table = agreement.assign(cell=text).pivot(index="unit", columns="name", values="cell")
    return table.reindex(columns=list(pd.unique(agreement["name"]))).rename_axis(
        index="Unit", columns=None
    )


def level_text(
    name: object, probability: float, *, borderline: bool, low: object, high: object
) -> str:
    """How a level reads next to its probability: "Managed · 86% likely", or, below the
    borderline probability, both levels the interval spans: "Defined/Managed, borderline"."""
    if borderline:
        span = f"{low}/{high}" if str(low) != str(high) else str(name)
        return f"{span}, borderline ({100 * probability:.0f}% {name})"
    return f"{name} · {100 * probability:.0f}% likely"


# -- live mode ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveUpdate:
    """What changed since the live view last looked."""

    changed: bool
    new_responses: int
    responses: int


def live_update(previous: CampaignVersion | None, current: CampaignVersion) -> LiveUpdate:
    """Compare two campaign versions: did anything arrive that changes the results?

    The first look (``previous`` None) counts as a change with no new responses: the answers
    already there when live mode is turned on are not news ("+339 new" would be). A change of
    settings (units, targets) is a change with no new responses; a new submission or import
    changes the submitted count (counted as it arrives; the scores change only with a release,
    DESIGN §7 "Time").
    """
    if previous is None:
        return LiveUpdate(True, 0, current.submitted)
    return LiveUpdate(
        changed=previous != current,
        new_responses=max(current.submitted - previous.submitted, 0),
        responses=current.submitted,
    )


# -- loading (cached per campaign version) --------------------------------------------------------


@dataclass(frozen=True)
class CampaignResults:
    """The dashboard's view of a campaign's release (`assessment.results.release.Release`).

    Every number comes from the release: the scores by unit and by role on the coarsened groups,
    participation per published unit, and the notes on what was pooled. The scores by role are
    computed when first needed (`by_role`), so a dashboard that shows no role scores once.
    """

    release: Release = field(repr=False)
    #: Where the release cuts stand (held-back answers, groups that update after N more answers).
    summary: ReleaseSummary | None = None

    @property
    def db(self) -> Store:
        return self.release.db

    @property
    def info(self) -> CampaignInfo:
        return self.release.info

    @property
    def questionnaire(self) -> Questionnaire:
        return self.release.questionnaire

    @property
    def version(self) -> CampaignVersion:
        return self.release.version

    @property
    def responses(self) -> Mapping[str, int]:
        """Respondents per published unit (small units only inside the pooled group's count).

        A unit published on its own counts every submitted answer as it arrives (participation
        updates live); the pooled group shows its released count. The scores stay on the release.
        """
        live = self.summary.submitted_by_unit if self.summary is not None else {}
        return {
            unit: n if unit == OTHER_UNITS else max(n, live.get(unit, n))
            for unit, n in self.release.unit_counts.items()
        }

    @property
    def role_counts(self) -> Mapping[str, int]:
        """Respondents per published role group."""
        return self.release.role_counts

    @property
    def by_unit(self) -> ScoredTable | None:
        return self.release.by_unit

    @property
    def notes(self) -> tuple[str, ...]:
        """What the release pooled and why ("pooled to protect 1 respondent")."""
        return self.release.notes

    @property
    def over_counts(self) -> tuple[str, ...]:
        """Published units with more responses than their head-count, one line each: the results
        treat them as a census until the head-count is corrected."""
        return self.release.over_counts

    @property
    def min_group_size(self) -> int:
        return self.info.min_group_size

    @property
    def confidence(self) -> float:
        if self.by_unit is not None:
            return float(self.by_unit.metadata["confidence"])
        return float(self.questionnaire.scoring.confidence)

    @property
    def by_role(self) -> ScoredTable | None:
        """The scores on the release's role groups (computed once per campaign version)."""
        return self.release.by_role

    def participation(self) -> pd.DataFrame:
        thresholds = [level.threshold for level in self.questionnaire.levels]
        return participation(
            self.responses,
            self.release.head_counts,
            self.by_unit.result.scores if self.by_unit is not None else None,
            min_group_size=self.min_group_size,
            max_half_width=readable_half_width(thresholds),
            waiting=self.waiting_texts(),
        )

    def waiting_texts(self) -> dict[str, str]:
        """Unit (or `TOTAL_LABEL`) -> "updates after N more answers" where answers are held back."""
        if self.summary is None:
            return {}
        texts: dict[str, str] = {}
        for w in self.summary.waiting:
            if w.breakdown in ("unit", "total"):
                texts[w.group if w.breakdown == "unit" else TOTAL_LABEL] = w.text
        return texts

    def scored(self, view: View) -> ScoredTable | None:
        """The scoring whose breakdown holds the view's group."""
        return self.by_role if view.by == "role" else self.by_unit

    def rows(self, view: View) -> pd.DataFrame:
        """The view's score rows (empty before any response)."""
        scored = self.scored(view)
        if scored is None:
            return pd.DataFrame(columns=["dimension_type", "dimension", "suppressed", "mean"])
        return group_rows(scored.result.scores, view.by, view.label)

    def views(self) -> list[View]:
        """The organisation, then every shown unit and role group (suppressed ones never).

        Role groups are the release's published (coarsened) role groups, each with at least the
        minimum of respondents, so listing them needs no scoring by role.
        """
        views = [View()]
        if self.by_unit is None:
            return views
        views += [View("unit", u) for u in shown_groups(self.by_unit.result.scores, "unit")]
        views += [View("role", r) for r in sorted(self.role_counts)]
        return views


def load_results(db: Store, code: str) -> CampaignResults:
    """The campaign's release as the dashboard reads it, cached until the campaign changes.

    A warm call costs a few small queries (the campaign's version and where its releases stand);
    scoring runs only when a new release was cut or a setting changed since
    (`assessment.results.release.build_release`). Participation counts of units published on their
    own count every submitted answer as it arrives.
    """
    release = build_release(db, code)
    summary = release_summary(db, code)
    return CampaignResults(release, summary)


def load_waves(db: Store, current: CampaignResults, previous_code: str) -> WaveScores:
    """The current campaign and an earlier one scored on their common statements, cached until
    either changes (`assessment.results.campaign_answers.score_campaign_waves`, as the report does).

    Raises
    ------
    DataError
        When the two questionnaire versions share no statement.
    NoResponsesError
        When either campaign has no responses.
    """
    return score_campaign_waves(db, current.info.code, previous_code)


def clear_caches() -> None:
    """Forget the cached results (tests)."""
    clear_release_caches()


def other_campaigns(db: Store, current: CampaignInfo) -> list[CampaignInfo]:
    """The earlier waves of the current campaign's organisation (`earlier_waves`)."""
    return earlier_waves(list_campaigns(db), current)


def load_benchmark(db: Store, results: CampaignResults) -> BenchmarkComparison | None:
    """Where the campaign stands among the stored benchmark organisations (None: none stored).

    `assessment.outputs.campaign_exports.compare_with_benchmarks`, as `wmm benchmark compare` runs it.
    """
    pooled = load_benchmark_rows(db, questionnaire_id=results.questionnaire.id)
    if pooled.empty or results.by_unit is None:
        return None
    return compare_with_benchmarks(db, results.info.code)


# -- downloads ------------------------------------------------------------------------------------


def scores_csv(db: Store, code: str) -> bytes:
    """The scores CSV, byte for byte as `wmm export scores` writes it
    (`assessment.outputs.campaign_exports.campaign_scores_csv`)."""
    return campaign_scores_csv(db, code).data


def benchmark_csv(db: Store, code: str, *, org: str | None = None) -> bytes:
    """The campaign's benchmark file (`assessment.outputs.campaign_exports.campaign_benchmark_csv`);
    ``org`` None names the organisation by a random pseudonym, as `wmm export benchmark` does."""
    return campaign_benchmark_csv(db, code, org=org).data


def report_html(db: Store, code: str, *, language: str | None = None) -> bytes:
    """The campaign's self-contained HTML report (`assessment.outputs.campaign_exports.campaign_report`),
    with the change since the organisation's previous wave when it has one, as `wmm report` writes it."""
    return campaign_report(db, code, language=language).data


# -- campaign administration (the Campaigns page) -------------------------------------------------


def parse_units_text(text: str) -> list[UnitSpec]:
    """Units typed or pasted one per line: ``name, head-count`` with an optional ``, parent``.

    Commas, semicolons and tabs separate the fields (so cells pasted from a spreadsheet work); the
    head-count may be left empty; blank lines are skipped.

    Raises
    ------
    DataError
        With one problem per bad line ("line 3: ..."), e.g. a head-count that is not a whole
        number >= 1, a duplicate unit or an unknown parent (`assessment.campaigns.management.check_units`).
    """
    problems: list[Problem] = []
    units: list[UnitSpec] = []
    lines: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        fields = [f.strip() for f in re.split(r"[,;\t]", line)]
        name = fields[0]
        count_text = fields[1] if len(fields) > 1 else ""
        parent = fields[2] if len(fields) > 2 and fields[2] else None
        head_count: int | None = None
        if count_text:
            try:
                head_count = int(count_text)
            except ValueError:
                head_count = 0
            if head_count < 1:
                problems.append(
                    InvalidHeadCount(f"line {number}", empty=" or empty", found=count_text)
                )
                continue
        if len(fields) > 3:
            problems.append(
                WrongFieldCount(
                    f"line {number}", expected="'name, head-count[, parent]'", found=len(fields)
                )
            )
            continue
        units.append(UnitSpec(name, parent, head_count))
        lines.append(number)
    if problems:
        raise DataError(f"the unit list has {len(problems)} problem(s)", problems)
    try:
        return check_units(units)
    except DataError as exc:
        renamed = []
        for problem in exc.problems:
            position = problem.path.partition("]")[0].removeprefix("units[")
            where = f"line {lines[int(position)]}" if position.isdigit() else problem.path
            renamed.append(problem.at(where))
        raise DataError(str(exc.message), renamed) from None


def units_text(units: Iterable[UnitSpec]) -> str:
    """Units as `parse_units_text` reads them (for editing an existing list)."""
    lines = []
    for unit in units:
        count = "" if unit.head_count is None else str(unit.head_count)
        fields = [unit.name, count, unit.parent] if unit.parent else [unit.name, count]
        lines.append(", ".join(fields).removesuffix(", "))
    return "\n".join(lines)


def problems_frame(error: AssessmentError) -> pd.DataFrame:
    """The problems of an error as a table: where (file, row, column), what, and its type."""
    return pd.DataFrame(problem_table(error))
