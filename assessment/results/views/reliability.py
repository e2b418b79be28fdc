"""The reliability view: alpha and ICCs per dimension, response-quality flags, and within-unit
agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assessment.analysis.spec import dimension_names, dimension_order
from assessment.i18n import format_number, text
from assessment.i18n.notes import notes_text
from assessment.outputs.exports import suppressed_rows
from assessment.questionnaire import Questionnaire
from assessment.results.views.dif import flagged
from scoring.notes import Note
from scoring.suppression import TOTAL_LABEL

#: Quality flags of `scoring.quality.response_quality` shown in the reliability panel, with
#: their English description (``dashboard.quality`` holds every language's).
QUALITY_FLAGS: dict[str, str] = {
    flag: text(f"dashboard.quality.{flag}", "en")
    for flag in ("straight_lining", "too_fast", "flagged")
}


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


def quality_summary(
    respondents: pd.DataFrame, *, min_group_size: int, language: str | None = None
) -> pd.DataFrame:
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
    for flag in QUALITY_FLAGS:
        if flag not in respondents.columns:
            continue
        description = text(f"dashboard.quality.{flag}", language)
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


def agreement_cells(agreement: pd.DataFrame, language: str | None = None) -> pd.DataFrame:
    """The agreement panel's unit × component table: r*wg(J) and its band in words, e.g.
    "0.46 · weak agreement" (empty where the unit's statistic is missing)."""
    cells = [
        f"{format_number(r, language)} · {text(f'dashboard.agreement_band.{band}', language)}"
        if pd.notna(r) and isinstance(band, str)
        else ""
        for r, band in zip(agreement["rwg_j_lindell"], agreement["agreement_band"], strict=True)
    ]
    table = agreement.assign(cell=cells).pivot(index="unit", columns="name", values="cell")
    return table.reindex(columns=list(pd.unique(agreement["name"]))).rename_axis(
        index=text("dashboard.chart.unit", language), columns=None
    )


@dataclass(frozen=True)
class ReliabilityView:
    """How far the scores can be trusted: alpha and ICCs per dimension, response-quality flags,
    within-unit agreement and the scoring's notes (organisation level, whatever group is viewed).

    Attributes
    ----------
    table : `reliability_table`
    quality : `quality_summary` (empty below the minimum group size)
    agreement : `agreement_table` of the shown units
    notes : the scoring's notes (what was pooled, what could not be computed), written in the
        view's language with the dimensions' names (`assessment.i18n.notes.note_text`)
    dif : whether each statement reads alike in the questionnaire's languages
        (`assessment.analysis.dif.language_dif`; empty when not checked)
    """

    table: pd.DataFrame = field(repr=False)
    quality: pd.DataFrame = field(repr=False)
    agreement: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()
    dif: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def dif_flagged(self) -> pd.DataFrame:
        """The statements that do not read alike (ETS class B or C), largest |Δ_MH| first."""
        return flagged(self.dif)


def reliability_view(
    stats: pd.DataFrame,
    respondents: pd.DataFrame,
    scores: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    min_group_size: int,
    notes: Sequence[Note] = (),
    group_column: str = "unit",
    language: str | None = None,
    dif: pd.DataFrame | None = None,
) -> ReliabilityView:
    """The reliability view of a scoring by unit (``ScoreResult.stats``, ``.respondents``,
    ``.scores`` and ``.notes``, privacy rules applied), with the language check ``dif``
    (`assessment.analysis.dif.language_dif`) when given."""
    agreement = (
        agreement_table(scores, questionnaire, group_column=group_column, language=language)
        if group_column in scores.columns and "rwg_j_lindell" in scores.columns
        else pd.DataFrame()
    )
    return ReliabilityView(
        table=reliability_table(stats, questionnaire, language=language),
        quality=quality_summary(respondents, min_group_size=min_group_size, language=language),
        agreement=agreement,
        notes=notes_text(notes, language, names=dimension_names(questionnaire, language)),
        dif=dif if dif is not None else pd.DataFrame(),
    )
