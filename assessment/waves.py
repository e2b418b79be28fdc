"""Waves of an organisation: which earlier campaigns count as its waves, two waves scored on the
statements both questionnaire versions share, and the change per dimension between two groups.

Pure functions on response tables and scores; the dashboard's waves panel and the HTML report's
change section both use them, so they always show the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from assessment.exports import suppressed_rows
from assessment.questionnaire.model import Questionnaire
from assessment.responses_csv import ResponseTable
from assessment.scoring_setup import (
    CommonItemSpec,
    common_item_spec,
    dimension_names,
    dimension_order,
)
from assessment.threads import single_threaded_blas
from scoring.change import hedges_g, welch_difference
from scoring.pipeline import ScoreResult, score
from scoring.suppression import TOTAL_LABEL

if TYPE_CHECKING:
    from assessment.campaigns import CampaignInfo

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
    """Two waves scored on the statements both versions share."""

    current: ScoreResult
    previous: ScoreResult
    common: CommonItemSpec

    @property
    def overlap(self) -> str:
        return self.common.overlap

    @property
    def n_common(self) -> int:
        return len(self.common.new_ids)


def _version_key(key: str) -> tuple[int, ...]:
    return tuple(int(p) for p in key.partition("@")[2].split("."))


def score_waves(
    current: ResponseTable,
    previous: ResponseTable,
    *,
    current_questionnaire: Questionnaire,
    previous_questionnaire: Questionnaire,
    min_group_size: int,
    current_head_counts: Mapping[str, int] | None = None,
    previous_head_counts: Mapping[str, int] | None = None,
) -> WaveScores:
    """Score two waves on their common statements (`common_item_spec`) with the same rules.

    The newer questionnaire version's crosswalk decides which statements are common; settings come
    from the newer version and ``min_group_size`` (the current campaign's).

    Raises
    ------
    ValueError
        When the versions share no statement (no crosswalk between them).
    """
    newer_is_current = _version_key(current_questionnaire.key) >= _version_key(
        previous_questionnaire.key
    )
    new, old = (
        (current_questionnaire, previous_questionnaire)
        if newer_is_current
        else (previous_questionnaire, current_questionnaire)
    )
    common = common_item_spec(new, old, min_group_size=min_group_size)

    def run(table: ResponseTable, head_counts: Mapping[str, int] | None) -> ScoreResult:
        with single_threaded_blas():
            return score(
                common.codes(table),
                table.unit,
                common.spec,
                head_counts=dict(head_counts) if head_counts else None,
                duration_seconds=table.duration_seconds,
            )

    return WaveScores(
        current=run(current, current_head_counts),
        previous=run(previous, previous_head_counts),
        common=common,
    )


def score_differences(
    before: pd.DataFrame,
    after: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    confidence: float,
    dimension_types: Sequence[str] = CHANGE_DIMENSION_TYPES,
    language: str | None = None,
) -> pd.DataFrame:
    """Difference after − before per dimension, for the dimensions shown in both groups.

    Parameters
    ----------
    before, after : the score rows of one group each (every dimension; e.g. the organisation rows
        of two waves, or two role groups)
    questionnaire : names the dimensions and gives their order (`dimension_order`)
    confidence : level of the intervals
    dimension_types : which dimension types to compare

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
    `score_differences` of the earlier wave's rows (``_before``) and the current wave's.

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
    )
