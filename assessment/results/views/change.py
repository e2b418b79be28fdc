"""The change view: how the organisation (or a unit) moved since an earlier wave, on the statements
both waves share, with and without the reworded ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from assessment.analysis.spec import CommonItemSpec
from assessment.analysis.waves import WaveScores, wave_change
from assessment.i18n import text
from assessment.questionnaire import Questionnaire
from assessment.results.views.dif import flagged
from scoring.suppression import TOTAL_LABEL

#: Dimension types the change lists, in display order (the report's table and the dashboard's).
CHANGE_TYPES = ("overall", "component", "principle", "index", "outcome")
#: Dimension types the change chart draws (the principles and outcomes stay in the table).
CHART_TYPES = ("overall", "component", "index")


@dataclass(frozen=True)
class ChangeView:
    """The change since an earlier wave.

    Attributes
    ----------
    previous : what the earlier wave is called (e.g. its campaign's name; "" when not known)
    overlap : which statements the change is computed on, in the view's language
    frame : `assessment.analysis.waves.wave_change` of every dimension type of `CHANGE_TYPES`
        shown in both waves, in display order
    same_only : the same change without the reworded statements (None when no statement was
        reworded, or when every shared one was): a change that holds there is not an effect of
        the new wording
    reworded : the reworded statements (newer ids)
    dif : whether each reworded statement reads as its earlier wording did
        (`assessment.analysis.dif.version_dif`; empty when nothing was reworded or a wave is too
        small to check)
    wording : the newer questionnaire version, whose wording the reworded statements have (None:
        the view's own questionnaire)
    """

    previous: str
    overlap: str
    frame: pd.DataFrame = field(repr=False)
    same_only: pd.DataFrame | None = field(default=None, repr=False)
    reworded: tuple[str, ...] = ()
    dif: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    wording: Questionnaire | None = None

    @property
    def dif_flagged(self) -> pd.DataFrame:
        """The reworded statements that may read differently from their earlier wording."""
        return flagged(self.dif)

    @property
    def chart_rows(self) -> pd.DataFrame:
        """The rows the change chart draws (`CHART_TYPES`)."""
        return self.frame[self.frame["dimension_type"].astype(str).isin(CHART_TYPES)].reset_index(
            drop=True
        )


def overlap_text(common: CommonItemSpec, language: str | None = None) -> str:
    """Which statements a change is computed on, in words (``report.overlap``)."""
    n = len(common.new_ids)
    if common.new_key == common.old_key:
        return text("report.overlap_same", language, n=n, new=common.new_key)

    def count(ids: Sequence[str]) -> str:
        return f"{len(ids)} ({', '.join(ids)})" if ids else "0"

    return text(
        "report.overlap",
        language,
        n=n,
        old=common.old_key,
        new=common.new_key,
        only_new=count(common.only_new),
        only_old=count(common.only_old),
    )


def change_view(
    waves: WaveScores,
    questionnaire: Questionnaire,
    *,
    label: str = TOTAL_LABEL,
    confidence: float = 0.95,
    previous: str = "",
    language: str | None = None,
) -> ChangeView:
    """The change of one group (default: the organisation) since the earlier wave.

    Parameters
    ----------
    waves : the two waves scored on their common statements (`assessment.analysis.waves.score_waves`)
    label : the unit compared (`TOTAL_LABEL`: the whole organisation)
    previous : what to call the earlier wave
    """

    def change(scored: WaveScores) -> pd.DataFrame:
        return wave_change(
            scored,
            questionnaire,
            label=label,
            confidence=confidence,
            dimension_types=CHANGE_TYPES,
            language=language,
        ).reset_index(drop=True)

    return ChangeView(
        previous=previous,
        overlap=overlap_text(waves.common, language),
        frame=change(waves),
        same_only=change(waves.same_only) if waves.same_only is not None else None,
        reworded=tuple(waves.common.reworded),
        dif=waves.reworded_dif,
        wording=waves.newer,
    )
