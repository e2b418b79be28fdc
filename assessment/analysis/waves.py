"""Waves of an organisation: which earlier campaigns count as its waves, two waves scored on the
statements both questionnaire versions share, and the change per dimension between two groups.

Pure functions on response tables and scores; the dashboard's waves panel and the HTML report's
change section both use them, so they always show the same numbers. Each wave keeps its own
minimum group size; a comparison uses the larger of the two and each wave's coarsened units
(DESIGN §7).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

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
from scoring.change import hedges_g, welch_difference
from scoring.partitions import OTHER_UNITS, coarsen
from scoring.pipeline import ScoreResult, score
from scoring.suppression import TOTAL_LABEL

if TYPE_CHECKING:
    from assessment.campaigns.management import CampaignInfo

#: The dimension types a change is computed for by default.
CHANGE_DIMENSION_TYPES: tuple[str, ...] = ("component", "overall", "index", "principle")

#: What each verdict of `score_differences` means.
CHANGE_TEXT: dict[str, str] = {
    "up": "clearly higher",
    "down": "clearly lower",
    "unclear": "no clear change",
}

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
)


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
    """

    current: ScoreResult
    previous: ScoreResult
    common: CommonItemSpec
    min_group_size: int
    pooled: tuple[str, str] = ("", "")

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
    common = common_item_spec(new, old, min_group_size=k)

    def run(table: ResponseTable, head_counts: Mapping[str, int] | None) -> tuple[ScoreResult, str]:
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
            result = replace(result, notes=(*published.over_counts, *result.notes))
        return result, coarse.reason

    (now, now_pooled), (before, before_pooled) = (
        run(current, current_head_counts),
        run(previous, previous_head_counts),
    )
    return WaveScores(
        current=now,
        previous=before,
        common=common,
        min_group_size=k,
        pooled=(now_pooled, before_pooled),
    )


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
) -> pd.DataFrame:
    """Change since the earlier wave, per dimension, on the common statements.

    Parameters
    ----------
    waves : the two waves scored on their common statements (`score_waves`)
    label : the unit to compare (default: the whole organisation)

    Returns
    -------
    `score_differences` of the earlier wave's rows (``_before``) and the current wave's, each
    shown only with at least the comparison's minimum (``waves.min_group_size``) respondents.

    Notes
    -----
    The two waves are different people (anonymous), so no pairing is possible: Welch's interval
    for independent samples and Hedges' g (`score_differences`).
    """
    return score_differences(
        _group_rows(waves.previous.scores, label),
        _group_rows(waves.current.scores, label),
        questionnaire,
        confidence=confidence,
        dimension_types=dimension_types,
        language=language,
        min_group_size=waves.min_group_size,
    )
