"""The release: everything a facilitator can see of a campaign, built once per campaign version.

`build_release` reads the stored answers (`assessment.results.campaign_answers.load_responses`), coarsens
every breakdown (`assessment.results.coarsening`) and scores the coarsened partitions; the dashboard,
the report, the CSV exports, the benchmark file and the CLI tables all render a `Release`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from assessment.analysis.scoring import ScoredTable
from assessment.campaigns.management import CampaignInfo, get_campaign, role_options
from assessment.campaigns.store import Store
from assessment.errors import NoResponsesError
from assessment.questionnaire import Questionnaire, default_registry
from assessment.responses.wide_csv import ResponseTable
from assessment.results.campaign_answers import (
    CampaignVersion,
    LRUCache,
    campaign_version,
    load_responses,
    score_campaign,
)
from assessment.results.coarsening import (
    OverCount,
    Pooling,
    coarsen_table,
    pooling_notes,
    published_head_counts,
)
from scoring.notes import Note


def _counts(values: npt.ArrayLike) -> dict[str, int]:
    labels, counts = np.unique(np.asarray(values, dtype=str), return_counts=True)
    return {str(label): int(n) for label, n in zip(labels, counts, strict=True)}


@dataclass(frozen=True)
class Release:
    """A campaign's privacy-checked results as of one version (DESIGN §7).

    Attributes
    ----------
    info, questionnaire, version : the campaign, its questionnaire version and its version
    table : the submitted responses with coarsened unit, role and language labels (None before the
        first response): groups under the minimum appear only as ``(other units)`` and the like
    poolings : what each breakdown's coarsening pooled and why
    by_unit : the scores on the coarsened units (None before the first response)
    unit_counts, role_counts, language_counts : respondents per published group
    head_counts : people per published unit (a pooled group's is its units' sum when all are known;
        never fewer than the group's respondents)
    over_counts : published units with more responses than their head-count (`OverCount`)
        (`assessment.results.coarsening.published_head_counts`): they are treated as a census

    Notes
    -----
    Every number here comes from the coarsened partitions: moving respondents between two groups
    that are pooled changes nothing in a release. The scores by role (`by_role`) are computed when
    first asked for, on the role groups of ``table``.
    """

    db: Store = field(repr=False, compare=False)
    info: CampaignInfo
    questionnaire: Questionnaire
    version: CampaignVersion
    table: ResponseTable | None
    poolings: tuple[Pooling, ...]
    by_unit: ScoredTable | None
    unit_counts: Mapping[str, int]
    role_counts: Mapping[str, int]
    language_counts: Mapping[str, int]
    head_counts: Mapping[str, int]
    over_counts: tuple[OverCount, ...] = ()

    @property
    def code(self) -> str:
        return self.info.code

    @property
    def min_group_size(self) -> int:
        return self.info.min_group_size

    @property
    def notes(self) -> tuple[Note, ...]:
        """Head-counts treated as a census, then what was pooled and why (each a
        `scoring.notes.Note`: ``str()`` is English, `assessment.i18n.notes.note_text` any language)."""
        return (*(o.note for o in self.over_counts), *pooling_notes(self.poolings))

    @cached_property
    def by_role(self) -> ScoredTable | None:
        """The scores on the coarsened role groups (None without a role question or responses)."""
        if self.by_unit is None or not role_options(self.questionnaire) or not self.role_counts:
            return None
        return self.scores("role")

    def scores(
        self,
        by: str = "unit",
        *,
        confidence: float | None = None,
        method: Literal["t", "bca"] = "t",
    ) -> ScoredTable:
        """The scores of one breakdown on its coarsened groups.

        `assessment.results.campaign_answers.score_campaign` (cached per campaign version), whose
        `assessment.analysis.scoring.score_table` coarsens with the same functions as ``table``, so
        its groups are exactly the published groups of this release.

        Raises
        ------
        NoResponsesError
            Before the first response.
        """
        if by == "unit" and confidence is None and method == "t" and self.by_unit is not None:
            return self.by_unit
        if self.table is None:
            raise NoResponsesError(
                f"campaign {self.code} has no submitted responses yet; nothing to score"
            )
        return score_campaign(self.db, self.code, by=by, confidence=confidence, method=method)


_releases = LRUCache(16)


def clear_caches() -> None:
    """Forget every cached release (tests)."""
    _releases.clear()


def build_release(db: Store, code: str) -> Release:
    """The campaign's release, cached until the campaign changes (a new response or setting).

    A warm call costs the two small queries of `assessment.results.campaign_answers.campaign_version`.

    Raises
    ------
    UnknownCampaignError
        When no campaign has this code.
    """
    version = campaign_version(db, code)

    def compute() -> Release:
        info = get_campaign(db, code)
        questionnaire = default_registry().get(info.questionnaire)
        if version.responses == 0:
            return Release(
                db, info, questionnaire, version, None, (), None, {}, {}, {}, info.head_counts
            )
        raw = load_responses(db, code)
        coarse = coarsen_table(raw, questionnaire, min_group_size=info.min_group_size)
        table = coarse.table
        roles: dict[str, int] = {}
        if role_options(questionnaire) and "role" in table.demographics:
            roles = _counts(table.demographics["role"])
        published = published_head_counts(raw.unit, table.unit, info.head_counts)
        try:
            by_unit: ScoredTable | None = score_campaign(db, code)
        except NoResponsesError:
            by_unit = None
        return Release(
            db,
            info,
            questionnaire,
            version,
            table,
            coarse.poolings,
            by_unit,
            _counts(table.unit),
            roles,
            _counts(table.language),
            published.counts or {},
            published.over_counts,
        )

    # Keyed by what changes the results (a new release or setting), not by every submission.
    return _releases.get((db.key, code, version.results), compute)


def published_groups(release: Release, by: str) -> list[str]:
    """The published groups of a breakdown, in name order (pooled group included)."""
    counts = {"unit": release.unit_counts, "role": release.role_counts}.get(by)
    if counts is None:
        if release.table is None or by not in release.table.demographics:
            return []
        counts = _counts(pd.Series(release.table.demographics[by]).astype(str))
    return sorted(counts)
