"""The facilitator dashboard's results: the campaign's release as the dashboard reads it
(`CampaignResults`), its loaders and its downloads.

The view models live in `assessment.results.views` (one module per view; the report renders the
same ones); this module re-exports them so the page reads one namespace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from assessment.analysis.dif import language_dif
from assessment.analysis.scoring import ScoredTable
from assessment.analysis.spec import dimension_names as dimension_names
from assessment.analysis.waves import WaveScores, earlier_waves
from assessment.campaigns.management import CampaignInfo, list_campaigns
from assessment.campaigns.store import Store
from assessment.campaigns.unit_list import parse_units_text as parse_units_text
from assessment.campaigns.unit_list import units_text as units_text
from assessment.errors import AssessmentError
from assessment.outputs.benchmark_rows import load_benchmark_rows
from assessment.outputs.campaign_exports import (
    BenchmarkComparison,
    campaign_benchmark_csv,
    campaign_report,
    campaign_scores_csv,
    compare_with_benchmarks,
)
from assessment.questionnaire import Questionnaire
from assessment.questionnaire.flywheel import BASE_COMPONENT as BASE_COMPONENT
from assessment.questionnaire.flywheel import POWER_COMPONENT as POWER_COMPONENT
from assessment.results.campaign_answers import (
    CampaignVersion,
    ReleaseSummary,
    release_summary,
    score_campaign_waves,
)
from assessment.results.coarsening import OverCount
from assessment.results.release import Release, build_release
from assessment.results.release import clear_caches as clear_release_caches
from assessment.results.views.actions import ACTION_COLUMNS as ACTION_COLUMNS
from assessment.results.views.actions import action_changes as action_changes
from assessment.results.views.actions import actions_csv as actions_csv
from assessment.results.views.actions import actions_frame as actions_frame
from assessment.results.views.benchmark import BenchmarkView as BenchmarkView
from assessment.results.views.benchmark import benchmark_table as benchmark_table
from assessment.results.views.benchmark import benchmark_view
from assessment.results.views.change import ChangeView as ChangeView
from assessment.results.views.change import change_view
from assessment.results.views.coverage import coverage_cells as coverage_cells
from assessment.results.views.coverage import coverage_table as coverage_table
from assessment.results.views.dif import dif_rows as dif_rows
from assessment.results.views.dif import dif_summary as dif_summary
from assessment.results.views.dif import flagged as flagged
from assessment.results.views.discussion import discussion_queue as discussion_queue
from assessment.results.views.discussion import likert_segments as likert_segments
from assessment.results.views.estimates import dimension_estimates as dimension_estimates
from assessment.results.views.estimates import level_text as level_text
from assessment.results.views.flywheel import flywheel as flywheel
from assessment.results.views.groups import View as View
from assessment.results.views.groups import group_rows as group_rows
from assessment.results.views.groups import role_names as role_names
from assessment.results.views.groups import shown_groups as shown_groups
from assessment.results.views.heatmap import heatmap as heatmap
from assessment.results.views.heatmap import heatmap_extremes as heatmap_extremes
from assessment.results.views.live import LiveUpdate as LiveUpdate
from assessment.results.views.live import live_update as live_update
from assessment.results.views.model import QUEUE_LENGTH as QUEUE_LENGTH
from assessment.results.views.model import ResultsModel, results_model
from assessment.results.views.participation import ParticipationStatus as ParticipationStatus
from assessment.results.views.participation import participation
from assessment.results.views.recommendations import recommendations as recommendations
from assessment.results.views.reliability import QUALITY_FLAGS as QUALITY_FLAGS
from assessment.results.views.reliability import ReliabilityView as ReliabilityView
from assessment.results.views.reliability import agreement_cells as agreement_cells
from assessment.results.views.reliability import agreement_table as agreement_table
from assessment.results.views.reliability import quality_summary as quality_summary
from assessment.results.views.reliability import reliability_table as reliability_table
from assessment.results.views.reliability import reliability_view
from assessment.results.views.roles import RolesView as RolesView
from assessment.results.views.roles import role_gaps as role_gaps
from assessment.results.views.roles import roles_view
from assessment.results.views.targets import GAP_TEXT as GAP_TEXT
from assessment.results.views.targets import GapVerdict as GapVerdict
from assessment.results.views.targets import gap_text as gap_text
from assessment.results.views.targets import target_gaps as target_gaps
from scoring.maturity import readable_half_width as readable_half_width
from scoring.notes import Note
from scoring.partitions import OTHER_UNITS
from scoring.suppression import TOTAL_LABEL

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
    def notes(self) -> tuple[Note, ...]:
        """What the release pooled and why ("pooled to protect 1 respondent"), as notes
        (`assessment.i18n.notes.note_text` writes one in a language)."""
        return self.release.notes

    @property
    def over_counts(self) -> tuple[OverCount, ...]:
        """Published units with more responses than their head-count (each written in a language
        by ``.text(language)``): the results treat them as a census until it is corrected."""
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

    def participation(self, language: str | None = None) -> pd.DataFrame:
        """Responses per published unit against its head-count (`views.participation`)."""
        thresholds = [level.threshold for level in self.questionnaire.levels]
        return participation(
            self.responses,
            self.release.head_counts,
            self.by_unit.result.scores if self.by_unit is not None else None,
            min_group_size=self.min_group_size,
            max_half_width=readable_half_width(thresholds),
            waiting=self.waiting_texts(),
            language=language,
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

    def model(self, view: View, language: str | None = None) -> ResultsModel:
        """The view's results model (`assessment.results.views.model.results_model`), the one the
        report renders for the organisation."""
        scored = self.scored(view)
        if scored is None:
            raise ValueError("no results yet: the campaign has no released scores")
        return results_model(
            scored.result.scores,
            scored.result.items,
            self.questionnaire,
            group_column=view.by,
            label=view.label,
            language=language,
        )

    def reliability_view(self, language: str | None = None) -> ReliabilityView | None:
        """The organisation's reliability view (`views.reliability.reliability_view`), as the
        report renders it; None before the first release."""
        if self.by_unit is None:
            return None
        result = self.by_unit.result
        return reliability_view(
            result.stats,
            result.respondents,
            result.scores,
            self.questionnaire,
            min_group_size=self.min_group_size,
            notes=result.notes,
            language=language,
            dif=self.language_dif(),
        )

    def language_dif(self) -> pd.DataFrame | None:
        """Whether each statement reads alike in the campaign's languages
        (`assessment.analysis.dif.language_dif` on the release's answers; None before the first
        release)."""
        table = self.release.table
        if table is None:
            return None
        return language_dif(
            table,
            self.questionnaire,
            language_counts=self.release.language_counts,
            min_group_size=self.min_group_size,
            confidence=self.confidence,
        )

    def roles_view(self, language: str | None = None) -> RolesView | None:
        """The role groups' view (`views.roles.roles_view`), as the report renders it; None when
        the questionnaire asks no role or nothing is released yet."""
        if self.by_unit is None:
            return None
        by_role = self.by_role
        if by_role is None:
            return None
        return roles_view(
            by_role.result.scores,
            self.questionnaire,
            confidence=self.confidence,
            language=language,
        )

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


def load_change(
    db: Store,
    current: CampaignResults,
    previous: CampaignInfo,
    *,
    view: View | None = None,
    language: str | None = None,
) -> ChangeView:
    """The change of the view's group (default: the organisation) since ``previous``
    (`views.change.change_view` on `load_waves`), as the report renders it.

    Raises
    ------
    DataError, NoResponsesError
        As `load_waves`.
    """
    chosen = view or View()
    return change_view(
        load_waves(db, current, previous.code),
        current.questionnaire,
        label=chosen.label,
        confidence=current.confidence,
        previous=previous.name,
        language=language,
    )


def rewording_check(
    db: Store, current: CampaignResults, *, language: str | None = None
) -> ChangeView | None:
    """The change since the previous wave (the newest earlier one) when its questionnaire version
    differs from the campaign's, for the reliability panel's check of the reworded statements
    (`ChangeView.dif`); None when there is no earlier wave, both answered the same version, or the
    two cannot be compared (the Waves tab says why)."""
    earlier = other_campaigns(db, current.info)
    if not earlier or earlier[0].questionnaire == current.info.questionnaire:
        return None
    try:
        return load_change(db, current, earlier[0], language=language)
    except (ValueError, AssessmentError):
        return None


def load_benchmark_view(
    db: Store, results: CampaignResults, *, language: str | None = None
) -> BenchmarkView | None:
    """The benchmark view (`views.benchmark.benchmark_view`) of `load_benchmark`, as the report
    renders it; None when no benchmark is stored."""
    comparison = load_benchmark(db, results)
    if comparison is None:
        return None
    return benchmark_view(
        comparison.rows,
        results.questionnaire,
        n_organisations=comparison.n_organisations,
        language=language,
    )


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
