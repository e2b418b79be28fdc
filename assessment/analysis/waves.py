"""Waves of an organisation: which earlier campaigns count as its waves, two waves scored on the
statements both questionnaire versions share, and the change per dimension between two groups.

Pure functions on response tables and scores; the dashboard's waves panel and the HTML report's
change section both use them, so they always show the same numbers. Each wave keeps its own
minimum group size; a comparison uses the larger of the two and each wave's coarsened units
(DESIGN §7).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from assessment.analysis.dif import version_dif
from assessment.analysis.spec import (
    CommonItemSpec,
    common_item_spec,
    dimension_names,
    dimension_order,
)
from assessment.outputs.exports import suppressed_rows
from assessment.questionnaire.model import Questionnaire
from assessment.responses.wide_csv import ResponseTable
from assessment.results.coarsening import published_head_counts
from assessment.runtime import single_threaded_blas
from scoring.change import hedges_g, paired_unit_change, stratified_change, welch_difference
from scoring.partitions import OTHER_UNITS, coarsen
from scoring.pipeline import ScoreResult, score
from scoring.suppression import TOTAL_LABEL

if TYPE_CHECKING:
    from assessment.campaigns.management import CampaignInfo

#: The dimension types a change is computed for by default.
CHANGE_DIMENSION_TYPES: tuple[str, ...] = ("component", "overall", "index", "principle")

#: The columns of `score_differences` (and so of `wave_change`).
DIFFERENCE_COLUMNS: tuple[str, ...] = (
    "dimension_type",
    "dimension",
    "name",
    "n_before",
    "mean_before",
    "ci_low_before",
    "ci_high_before",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "p_value",
    "g",
    "g_ci_low",
    "g_ci_high",
    "verdict",
    "method",
)

#: How a difference's interval was computed (the ``method`` column of `score_differences`).
CHANGE_METHODS: dict[str, str] = {
    "welch": "independent groups: Welch's t interval",
    "stratified": "the organisation as surveyed: difference of two stratified means",
    "paired-units": "a wider pool of units: unit differences paired by unit (CR1, units − 1 df)",
}
#: What the organisation row of a wave change estimates (as the scores' ``org_interval``).
ChangeEstimand = Literal["as-surveyed", "wider-pool"]


def earlier_waves(campaigns: Iterable[CampaignInfo], current: CampaignInfo) -> list[CampaignInfo]:
    """Earlier campaigns of the same organisation on the same questionnaire, newest first.

    A wave counts when it has the same (non-empty) organisation and questionnaire id, was created
    before ``current`` and has submitted responses. The first one is the previous wave that the
    dashboard and the report compare with by default.
    """
    if not current.organisation:
        return []
    qid = current.questionnaire.partition("@")[0]
    found = [
        c
        for c in campaigns
        if c.code != current.code
        and c.organisation == current.organisation
        and c.questionnaire.partition("@")[0] == qid
        and c.created_at < current.created_at
        and c.responses > 0
    ]
    return sorted(found, key=lambda c: c.created_at, reverse=True)


@dataclass(frozen=True)
class WaveScores:
    """Two waves scored on the statements both versions share.

    Attributes
    ----------
    current, previous : each wave scored on its own coarsened units (`score_waves`)
    common : the shared statements and the settings both were scored with
    min_group_size : the minimum both waves were coarsened and suppressed with: the larger of
        the two campaigns' minimums
    pooled : per wave (current, previous), why units were pooled, "" when none was
    head_counts : per wave (current, previous), the head-count of each published unit the wave
        was scored with (empty when none was known)
    same_only : the same two waves scored without the reworded statements, when some shared
        statements were reworded and others were not (else None): a change that holds there is
        not an effect of the new wording
    reworded_dif : whether each reworded statement reads as its earlier wording did
        (`assessment.analysis.dif.version_dif`, the older version as reference); empty
        when nothing was reworded or a wave has fewer respondents than ``min_group_size``
    newer : the newer of the two questionnaire versions (the wording of the shared statements)
    """

    current: ScoreResult
    previous: ScoreResult
    common: CommonItemSpec
    min_group_size: int
    pooled: tuple[str, str] = ("", "")
    head_counts: tuple[Mapping[str, int], Mapping[str, int]] = ({}, {})
    same_only: WaveScores | None = None
    reworded_dif: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    newer: Questionnaire | None = None

    @property
    def overlap(self) -> str:
        return self.common.overlap

    @property
    def n_common(self) -> int:
        return len(self.common.new_ids)


def _version_key(key: str) -> tuple[int, ...]:
    return tuple(int(p) for p in key.partition("@")[2].split("."))


def comparison_minimum(current: int, previous: int | None = None) -> int:
    """The minimum group size of a comparison of two waves: the larger of their own (DESIGN §7).

    A wave keeps the promise made to its respondents: a later campaign created with a smaller
    minimum must not show a group the earlier wave hid.
    """
    sizes = [current] if previous is None else [current, previous]
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
            raise ValueError(f"a minimum group size must be an integer >= 1; got {size!r}")
    return int(max(sizes))


def score_waves(
    current: ResponseTable,
    previous: ResponseTable,
    *,
    current_questionnaire: Questionnaire,
    previous_questionnaire: Questionnaire,
    min_group_size: int,
    previous_min_group_size: int | None = None,
    current_head_counts: Mapping[str, int] | None = None,
    previous_head_counts: Mapping[str, int] | None = None,
    include_reworded: bool = True,
) -> WaveScores:
    """Score two waves on their common statements (`common_item_spec`) with the same rules.

    Parameters
    ----------
    min_group_size : the current campaign's minimum group size
    previous_min_group_size : the earlier campaign's (None: the same)

    Notes
    -----
    The newer questionnaire version's crosswalk decides which statements are common; settings
    come from the newer version, except the minimum group size k: the larger of the two
    campaigns' (`comparison_minimum`). Each wave's units are coarsened with that k before anything
    is computed (`scoring.partitions.coarsen`: units under k pooled into ``(other units)``, and
    the next-smallest while the pool is under k), so a unit hidden in either wave's own results
    is never shown with a number here, and no statistic depends on how respondents are divided
    among hidden units.

    With ``include_reworded=False`` only statements marked ``same`` are compared; with the default,
    `WaveScores.same_only` holds that scoring too when some shared statements were reworded.

    Raises
    ------
    ValueError
        When the versions share no statement (no crosswalk between them), or a minimum is not an
        integer >= 1.
    """
    k = comparison_minimum(min_group_size, previous_min_group_size)
    newer_is_current = _version_key(current_questionnaire.key) >= _version_key(
        previous_questionnaire.key
    )
    new, old = (
        (current_questionnaire, previous_questionnaire)
        if newer_is_current
        else (previous_questionnaire, current_questionnaire)
    )
    common = common_item_spec(new, old, min_group_size=k, include_reworded=include_reworded)

    def run(
        table: ResponseTable, head_counts: Mapping[str, int] | None
    ) -> tuple[ScoreResult, str, Mapping[str, int]]:
        units = np.asarray(table.unit, dtype=object)
        coarse = coarsen(units, min_group_size=k, other_label=OTHER_UNITS)
        # A published unit with more respondents than its head-count is scored as a census.
        published = published_head_counts(units, coarse.labels, head_counts)
        with single_threaded_blas():
            result = score(
                common.codes(table),
                coarse.labels,
                common.spec,
                head_counts=published.counts,
                duration_seconds=table.duration_seconds,
            )
        if published.over_counts:
            result = replace(
                result, notes=(*(o.note for o in published.over_counts), *result.notes)
            )
        return result, coarse.reason, dict(published.counts or {})

    (now, now_pooled, now_counts), (before, before_pooled, before_counts) = (
        run(current, current_head_counts),
        run(previous, previous_head_counts),
    )
    newer, older = (current, previous) if newer_is_current else (previous, current)
    return WaveScores(
        current=now,
        previous=before,
        common=common,
        min_group_size=k,
        pooled=(now_pooled, before_pooled),
        head_counts=(now_counts, before_counts),
        same_only=_same_only(
            common,
            current,
            previous,
            current_questionnaire=current_questionnaire,
            previous_questionnaire=previous_questionnaire,
            min_group_size=min_group_size,
            previous_min_group_size=previous_min_group_size,
            current_head_counts=current_head_counts,
            previous_head_counts=previous_head_counts,
        )
        if include_reworded
        else None,
        reworded_dif=version_dif(
            newer, older, common, new, min_group_size=k, confidence=common.spec.confidence
        )
        if include_reworded
        else pd.DataFrame(),
        newer=new,
    )


def _same_only(
    common: CommonItemSpec, current: ResponseTable, previous: ResponseTable, **settings: Any
) -> WaveScores | None:
    """The waves scored on the unchanged statements only, when some shared ones were reworded."""
    if not common.reworded or len(common.reworded) == len(common.new_ids):
        return None
    try:
        return score_waves(current, previous, include_reworded=False, **settings)
    except ValueError:  # every statement of a dimension was reworded: nothing to compare there
        return None


def score_differences(
    before: pd.DataFrame,
    after: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    confidence: float,
    dimension_types: Sequence[str] = CHANGE_DIMENSION_TYPES,
    language: str | None = None,
    min_group_size: int = 1,
) -> pd.DataFrame:
    """Difference after − before per dimension, for the dimensions shown in both groups.

    Parameters
    ----------
    before, after : the score rows of one group each (every dimension; e.g. the organisation rows
        of two waves, or two role groups)
    questionnaire : names the dimensions and gives their order (`dimension_order`)
    confidence : level of the intervals
    dimension_types : which dimension types to compare
    min_group_size : a row with fewer respondents counts as not shown, whatever its flag (the
        comparison's minimum, so a row scored under a smaller one can never be compared)

    Returns
    -------
    One row per dimension shown (not suppressed, with a mean) in both: the columns of
    `DIFFERENCE_COLUMNS`: ``name``, the first group's ``n_before``, ``mean_before``,
    ``ci_low_before``, ``ci_high_before``, the second's ``n``, ``mean``, ``ci_low``, ``ci_high``,
    the difference ``diff`` with ``diff_ci_low``/``diff_ci_high`` and ``p_value``, Hedges' ``g``
    with ``g_ci_low``/``g_ci_high``, and ``verdict`` (``up``/``down`` when the interval of the
    difference excludes 0, else ``unclear``), in display order.

    Notes
    -----
    diff = mean_after − mean_before with Welch's t interval; g = J·(mean_after − mean_before)/s_pooled
    with J = 1 − 3/(4(n₁ + n₂) − 9) and a normal-approximation interval (`scoring.change`). The
    groups are different respondents, so the intervals for independent samples apply; they ignore
    the respondents' grouping in units, so they are somewhat too narrow for an organisation row.
    """
    names = dimension_names(questionnaire, language)
    order = {d: i for i, d in enumerate(dimension_order(questionnaire))}
    keep = ["dimension_type", "dimension", "n", "mean", "sd", "ci_low", "ci_high", "level"]

    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        rows = frame[
            frame["dimension_type"].astype(str).isin(list(dimension_types))
            & ~suppressed_rows(frame)
            & frame["mean"].notna()
            & (pd.to_numeric(frame["n"], errors="coerce").fillna(0) >= min_group_size)
        ][keep].copy()
        rows["dimension_type"] = rows["dimension_type"].astype(str)
        rows["dimension"] = rows["dimension"].astype(str)
        return rows

    merged = shown(before).merge(
        shown(after), on=["dimension_type", "dimension"], suffixes=("_before", "")
    )
    columns = list(DIFFERENCE_COLUMNS)
    if merged.empty:
        return pd.DataFrame(columns=columns)
    args = [
        merged[c].to_numpy(dtype=np.float64)
        for c in ("n_before", "mean_before", "sd_before", "n", "mean", "sd")
    ]
    diff = welch_difference(*args, confidence=confidence)
    g = hedges_g(*args, confidence=confidence)
    merged["name"] = merged["dimension"].map(lambda d: names.get(d, d)).astype(str)
    merged["diff"] = diff["diff"].to_numpy()
    merged["diff_ci_low"] = diff["ci_low"].to_numpy()
    merged["diff_ci_high"] = diff["ci_high"].to_numpy()
    merged["p_value"] = diff["p_value"].to_numpy()
    merged["g"] = g["g"].to_numpy()
    merged["g_ci_low"] = g["ci_low"].to_numpy()
    merged["g_ci_high"] = g["ci_high"].to_numpy()
    low = merged["diff_ci_low"].to_numpy(dtype=np.float64)
    high = merged["diff_ci_high"].to_numpy(dtype=np.float64)
    merged["verdict"] = np.where(low > 0, "up", np.where(high < 0, "down", "unclear"))
    merged["method"] = "welch"
    merged = merged.sort_values(
        "dimension", key=lambda s: s.map(lambda d: order.get(d, len(order))), kind="stable"
    )
    for column in ("n_before", "n"):
        merged[column] = merged[column].astype(np.int64)
    return merged[columns].reset_index(drop=True)


def _group_rows(scores: pd.DataFrame, label: str) -> pd.DataFrame:
    return scores[scores["unit"].astype(str) == label].reset_index(drop=True)


def wave_change(
    waves: WaveScores,
    questionnaire: Questionnaire,
    *,
    label: str = TOTAL_LABEL,
    confidence: float = 0.95,
    dimension_types: Sequence[str] = CHANGE_DIMENSION_TYPES,
    language: str | None = None,
    estimand: ChangeEstimand = "as-surveyed",
) -> pd.DataFrame:
    """Change since the earlier wave, per dimension, on the common statements.

    Parameters
    ----------
    waves : the two waves scored on their common statements (`score_waves`)
    label : the unit to compare (default: the whole organisation)
    estimand : for the organisation row, what the change is of: ``"as-surveyed"`` (default; the
        organisation's people as asked in each wave) or ``"wider-pool"`` (a wider pool of units
        the surveyed ones stand for)

    Returns
    -------
    `score_differences` of the earlier wave's rows (``_before``) and the current wave's, each
    shown only with at least the comparison's minimum (``waves.min_group_size``) respondents; the
    ``method`` column says how each interval was computed (`CHANGE_METHODS`).

    Notes
    -----
    A unit's change compares two groups of different (anonymous) people: Welch's interval. The
    organisation row's change follows its estimand:

    - as surveyed: the difference of the two waves' stratified means with both waves' design
      variances (`scoring.change.stratified_change`); units are strata, so the spread between
      units does not widen the interval;
    - wider pool: when the same units are published in both waves, the unit differences are
      paired (`scoring.change.paired_unit_change`, weights: the mean of the two waves'
      head-counts where known, else respondents), which stays valid when units keep their level
      between waves; otherwise Welch's interval on the organisation rows (``method`` "welch").

    Hedges' g is always the standardised difference of the two rows.
    """
    change = score_differences(
        _group_rows(waves.previous.scores, label),
        _group_rows(waves.current.scores, label),
        questionnaire,
        confidence=confidence,
        dimension_types=dimension_types,
        language=language,
        min_group_size=waves.min_group_size,
    )
    if label != TOTAL_LABEL or change.empty:
        return change
    if estimand not in ("as-surveyed", "wider-pool"):
        raise ValueError(f"estimand must be 'as-surveyed' or 'wider-pool'; got {estimand!r}")
    units = _paired_units(waves)
    if estimand == "wider-pool" and units is None:
        return change
    unit_list = units or sorted(
        set(_unit_labels(waves.previous.scores)) | set(_unit_labels(waves.current.scores))
    )
    before = _unit_matrix(waves.previous.scores, unit_list, change)
    after = _unit_matrix(waves.current.scores, unit_list, change)
    if estimand == "as-surveyed":
        counts = [
            np.array([waves.head_counts[i].get(u, np.nan) for u in unit_list], dtype=np.float64)
            for i in (1, 0)
        ]
        result = stratified_change(*before, counts[0], *after, counts[1], confidence=confidence)
        method = "stratified"
    else:
        weights = _pair_weights(waves, unit_list, before[0], after[0])
        result = paired_unit_change(before[1], after[1], weights, confidence=confidence)
        method = "paired-units"
    change["diff"] = result["diff"].to_numpy()
    change["diff_ci_low"] = result["ci_low"].to_numpy()
    change["diff_ci_high"] = result["ci_high"].to_numpy()
    change["p_value"] = result["p_value"].to_numpy()
    low = change["diff_ci_low"].to_numpy(dtype=np.float64)
    high = change["diff_ci_high"].to_numpy(dtype=np.float64)
    change["verdict"] = np.where(low > 0, "up", np.where(high < 0, "down", "unclear"))
    change["method"] = method
    return change


def _unit_labels(scores: pd.DataFrame) -> list[str]:
    labels = scores["unit"].astype(str)
    return sorted(set(labels[labels != TOTAL_LABEL]))


def _paired_units(waves: WaveScores) -> list[str] | None:
    """The published units when both waves publish the same ones (none pooled), else None."""
    before, after = _unit_labels(waves.previous.scores), _unit_labels(waves.current.scores)
    if before != after or len(before) < 2 or OTHER_UNITS in before:
        return None
    return before


def _unit_matrix(
    scores: pd.DataFrame, units: Sequence[str], change: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(G, D) n, mean and sd of the units for the dimensions of ``change``; n = 0 where not shown."""
    rows = scores[scores["unit"].astype(str) != TOTAL_LABEL]
    keyed = rows.assign(
        key=rows["dimension_type"].astype(str) + "\x1f" + rows["dimension"].astype(str),
        unit_label=rows["unit"].astype(str),
    )
    keys = (
        change["dimension_type"].astype(str) + "\x1f" + change["dimension"].astype(str)
    ).tolist()
    shape = (len(units), len(keys))
    out = [np.zeros(shape), np.full(shape, np.nan), np.full(shape, np.nan)]
    unit_pos = {u: i for i, u in enumerate(units)}
    key_pos = {k: j for j, k in enumerate(keys)}
    picked = keyed[keyed["key"].isin(key_pos) & keyed["unit_label"].isin(unit_pos)]
    i = picked["unit_label"].map(unit_pos).to_numpy(dtype=np.intp)
    j = picked["key"].map(key_pos).to_numpy(dtype=np.intp)
    mean = pd.to_numeric(picked["mean"], errors="coerce").to_numpy(dtype=np.float64)
    shown = np.isfinite(mean)
    out[0][i, j] = np.where(shown, pd.to_numeric(picked["n"]).to_numpy(dtype=np.float64), 0.0)
    out[1][i, j] = mean
    out[2][i, j] = pd.to_numeric(picked["sd"], errors="coerce").to_numpy(dtype=np.float64)
    return out[0], out[1], out[2]


def _pair_weights(
    waves: WaveScores, units: Sequence[str], n_before: np.ndarray, n_after: np.ndarray
) -> np.ndarray:
    """Mean of the two waves' head-counts when every unit has one in both, else mean respondents."""
    counts = np.array(
        [[waves.head_counts[w].get(u, np.nan) for u in units] for w in (0, 1)], dtype=np.float64
    )
    if np.isfinite(counts).all():
        return np.asarray(counts.mean(axis=0), dtype=np.float64)
    return np.asarray((n_before + n_after) / 2.0, dtype=np.float64)


def change_without_reworded(
    waves: WaveScores,
    questionnaire: Questionnaire,
    *,
    label: str = TOTAL_LABEL,
    confidence: float = 0.95,
    dimension_types: Sequence[str] = CHANGE_DIMENSION_TYPES,
    language: str | None = None,
    estimand: ChangeEstimand = "as-surveyed",
) -> pd.DataFrame:
    """The change with and without the reworded statements, side by side, per dimension.

    Returns
    -------
    One row per dimension compared both ways: ``dimension_type``, ``dimension``, ``name``,
    ``diff``, ``diff_ci_low``, ``diff_ci_high``, ``verdict`` (all statements) and the same with the
    suffix ``_same_only`` (unchanged statements only), and ``robust``: True when the verdicts
    agree. Empty when no shared statement was reworded (`WaveScores.same_only` is None).

    Notes
    -----
    A change seen with the reworded statements but not without them may be an effect of the new
    wording rather than of the organisation (measurement non-invariance); the dashboard and the
    report say so.
    """
    columns = [
        "dimension_type",
        "dimension",
        "name",
        "diff",
        "diff_ci_low",
        "diff_ci_high",
        "verdict",
        "diff_same_only",
        "diff_ci_low_same_only",
        "diff_ci_high_same_only",
        "verdict_same_only",
        "robust",
    ]
    if waves.same_only is None:
        return pd.DataFrame(columns=columns)
    settings: dict[str, Any] = {
        "label": label,
        "confidence": confidence,
        "dimension_types": dimension_types,
        "language": language,
        "estimand": estimand,
    }
    everything = wave_change(waves, questionnaire, **settings)
    same = wave_change(waves.same_only, questionnaire, **settings)
    keep = ["dimension_type", "dimension", "diff", "diff_ci_low", "diff_ci_high", "verdict"]
    merged = everything[[*keep[:2], "name", *keep[2:]]].merge(
        same[keep], on=["dimension_type", "dimension"], suffixes=("", "_same_only")
    )
    merged["robust"] = merged["verdict"] == merged["verdict_same_only"]
    return merged[columns].reset_index(drop=True)
