"""Exports of a stored campaign: anonymised responses, scores, the benchmark file, the HTML report
(with the change since the previous wave), and the benchmark pool (import files, compare with it).

This module wires the database to the pure export functions (`assessment.outputs.exports`,
`assessment.outputs.benchmark`, `assessment.outputs.report`), which apply the privacy rules of
docs/formats.md "Privacy rules". Each export returns the file's bytes (and what the user should be
told): the dashboard offers them for download, the CLI writes them whole (`assessment.cli.files`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select

from assessment.analysis.dif import language_dif
from assessment.analysis.waves import WaveScores, earlier_waves
from assessment.campaigns.actions import list_actions
from assessment.campaigns.management import (
    CampaignInfo,
    campaign_row,
    get_campaign,
    list_campaigns,
    questionnaire_of,
)
from assessment.campaigns.store import Store
from assessment.errors import DataError, NoResponsesError
from assessment.outputs.benchmark import (
    BENCHMARK_COLUMNS,
    benchmark_csv,
    benchmark_rows,
    compare,
    read_benchmark_files,
)
from assessment.outputs.benchmark_rows import (
    SavedBenchmark,
    load_benchmark_rows,
    save_benchmark_rows,
)
from assessment.outputs.exports import (
    anonymised_responses,
    assert_responses_anonymised,
    scores_csv,
)
from assessment.outputs.report import render_report
from assessment.questionnaire import Questionnaire
from assessment.responses.wide_csv import read_responses_csv, responses_csv
from assessment.results.campaign_answers import load_responses, score_campaign_waves
from assessment.results.release import build_release
from assessment.results.views.benchmark import benchmark_view
from assessment.storage.models import Response


def _questionnaire(db: Store, code: str) -> Questionnaire:
    with db.read() as session:
        return questionnaire_of(campaign_row(session, code))


@dataclass(frozen=True)
class ResponsesFile:
    """A responses export: the CSV's bytes and the warnings to show with it."""

    data: bytes
    warnings: list[str]


def campaign_responses_csv(db: Store, code: str, *, raw: bool = False) -> ResponsesFile:
    """The campaign's submitted responses in the format of docs/formats.md "Responses CSV".

    By default the file is k-anonymous on its quasi-identifiers, k = the campaign's minimum group
    size (`assessment.outputs.exports.anonymised_responses`: units, roles and languages pooled, durations
    rounded and shared, submission times left out); the bytes are read back and checked
    again (`assert_responses_anonymised`), so what is checked is what is written, and that it
    imports again. ``raw`` keeps everything as stored (the file then imports again unchanged) and
    warns.
    """
    info = get_campaign(db, code)
    # The default export is of the latest release; ``raw`` (a backup) also has held-back answers.
    table = load_responses(db, code, include_pending=raw)
    exported, warnings = anonymised_responses(table, min_group_size=info.min_group_size, raw=raw)
    data = responses_csv(exported)
    if not raw:
        written = read_responses_csv(
            data, _questionnaire(db, code), name="the responses export", max_bytes=max(len(data), 1)
        )
        assert_responses_anonymised(written, info.min_group_size)
    return ResponsesFile(data, warnings)


@dataclass(frozen=True)
class ScoresFile:
    """A scores export: the CSV's bytes and its number of rows."""

    data: bytes
    rows: int


def campaign_scores_csv(db: Store, code: str, *, by: str = "unit") -> ScoresFile:
    """The campaign's scores CSV (docs/formats.md "Scores" columns plus questionnaire and settings),
    of the latest release, written by the writer `wmm score` uses (`assessment.outputs.exports.scores_csv`)."""
    scored = build_release(db, code).scores(by)
    return ScoresFile(scores_csv(scored.result, scored.metadata), len(scored.result.scores))


def survey_period(db: Store, code: str) -> str:
    """The month (YYYY-MM) of the campaign's latest submission, else of its creation."""
    with db.read() as session:
        campaign = campaign_row(session, code)
        latest: datetime | None = session.scalar(
            select(func.max(Response.submitted_at)).where(
                Response.campaign_id == campaign.id, Response.status == "submitted"
            )
        )
        return f"{(latest or campaign.created_at):%Y-%m}"


def campaign_benchmark_rows(
    db: Store,
    code: str,
    *,
    org: str | None = None,
    sector: str | None = None,
    size_band: str | None = None,
    period: str | None = None,
) -> pd.DataFrame:
    """The campaign's benchmark rows (docs/formats.md "Benchmark CSV"): only dimensions that pass the privacy rules.

    Parameters
    ----------
    org : the organisation's name in the file; None writes a random pseudonym
    sector, size_band : default: the campaign's
    period : YYYY-MM; default: `survey_period`
    """
    release = build_release(db, code)
    info = release.info
    scored = release.scores("unit")
    try:
        return benchmark_rows(
            scored.result,
            scored.metadata,
            org=org,
            sector=sector if sector is not None else info.sector or "",
            size_band=size_band if size_band is not None else info.size_band or "",
            period=period or survey_period(db, code),
        )
    except ValueError as exc:  # a bad org, sector, size band or period given by the user
        raise DataError(f"campaign {code}: {exc}") from None


@dataclass(frozen=True)
class BenchmarkFile:
    """A benchmark export: the CSV's bytes and its rows (`assessment.outputs.benchmark.BENCHMARK_COLUMNS`)."""

    data: bytes
    rows: pd.DataFrame


def campaign_benchmark_csv(
    db: Store,
    code: str,
    *,
    org: str | None = None,
    sector: str | None = None,
    size_band: str | None = None,
    period: str | None = None,
) -> BenchmarkFile:
    """The campaign's benchmark file (format ``wmm-benchmark/1``); options as `campaign_benchmark_rows`."""
    info = get_campaign(db, code)
    rows = campaign_benchmark_rows(
        db, code, org=org, sector=sector, size_band=size_band, period=period
    )
    return BenchmarkFile(benchmark_csv(rows, min_group_size=info.min_group_size), rows)


def import_benchmarks(db: Store, paths: Iterable[Path]) -> SavedBenchmark:
    """Validate benchmark files together and store their rows in one transaction (all or none).

    A row stored before with the same numbers is skipped; with other numbers it is an error.
    """
    frame = read_benchmark_files(list(paths))
    return save_benchmark_rows(db, frame.loc[:, [*BENCHMARK_COLUMNS, "source"]])


@dataclass(frozen=True)
class BenchmarkComparison:
    """Where a campaign stands among the stored benchmark organisations."""

    campaign: CampaignInfo
    rows: pd.DataFrame  # `assessment.outputs.benchmark.COMPARE_COLUMNS`
    n_organisations: int


def compare_with_benchmarks(db: Store, code: str) -> BenchmarkComparison:
    """The campaign's percentile rank per dimension among the stored benchmark organisations.

    Organisations are compared on the dimensions of the campaign's questionnaire, across the
    versions of that questionnaire in the pool. The campaign's own benchmark file, if it was
    imported, is left out of the pool: it is recognised by its numbers (same questionnaire,
    period, dimension, respondents and mean), since its organisation name is usually a pseudonym.
    """
    info = get_campaign(db, code)
    questionnaire_id = info.questionnaire.partition("@")[0]
    own = campaign_benchmark_rows(db, code, org=info.organisation or f"campaign {info.code}")
    pooled = load_benchmark_rows(db, questionnaire_id=questionnaire_id)
    fingerprint = ["questionnaire", "period", "dimension_type", "dimension", "n_respondents"]
    if len(pooled) and len(own):
        matches = pooled.merge(own[[*fingerprint, "mean"]], on=fingerprint, suffixes=("", "_own"))
        same = (matches["mean"] - matches["mean_own"]).abs() < 1e-9
        pooled = pooled[~pooled["org"].isin(set(matches.loc[same, "org"]))]
    rows = compare(own, pooled)
    peers = pooled[~pooled["org"].astype(str).isin(set(own["org"].astype(str)))]
    return BenchmarkComparison(info, rows, int(peers["org"].nunique()))


@dataclass(frozen=True)
class CampaignReport:
    """A campaign's HTML report, and the wave its change section compares with.

    ``previous`` is None when the report has no change section; ``not_compared`` then says why the
    organisation's previous wave could not be compared (None when it has no earlier wave).
    """

    html: str
    previous: CampaignInfo | None = None
    waves: WaveScores | None = None
    not_compared: str | None = None

    @property
    def data(self) -> bytes:
        """The report as the bytes of an ``.html`` file (UTF-8)."""
        return self.html.encode("utf-8")


def report_waves(
    db: Store, code: str, previous: str | None = None
) -> tuple[CampaignInfo | None, WaveScores | None, str | None]:
    """The wave a campaign's report compares with, and both scored on their common statements.

    Parameters
    ----------
    previous : the earlier campaign's code; None: the organisation's newest earlier wave on the
        same questionnaire (`assessment.analysis.waves.earlier_waves`, the dashboard's default), if any

    Returns
    -------
    (the previous campaign, the two waves, why the automatic previous wave was not compared): the
    first two are None when there is nothing to compare with.

    Raises
    ------
    UnknownCampaignError, DataError, NoResponsesError
        When an explicitly named ``previous`` campaign cannot be compared (`score_campaign_waves`).
    """
    if previous is not None:
        chosen = get_campaign(db, previous)
        return chosen, score_campaign_waves(db, code, chosen.code), None
    earlier = earlier_waves(list_campaigns(db), get_campaign(db, code))
    if not earlier:
        return None, None, None
    try:
        return earlier[0], score_campaign_waves(db, code, earlier[0].code), None
    except (DataError, NoResponsesError) as exc:
        return None, None, f"not compared with {earlier[0].name} ({earlier[0].code}): {exc}"


def campaign_report(
    db: Store,
    code: str,
    *,
    language: str | None = None,
    title: str | None = None,
    previous: str | None = None,
) -> CampaignReport:
    """The campaign's self-contained HTML report (scores, levels, gaps, disagreements,
    recommendations, the change since the previous wave, action items and, when benchmark rows are
    stored, the benchmark position).

    ``previous`` names the earlier campaign the change section compares with; None takes the
    organisation's previous wave, as the dashboard does (`report_waves`).
    """
    release = build_release(db, code)
    info = release.info
    questionnaire = _questionnaire(db, code)
    compared, waves, not_compared = report_waves(db, code, previous)
    scored = release.scores("unit")
    benchmark = None
    pooled = load_benchmark_rows(db, questionnaire_id=questionnaire.id)
    language = language or questionnaire.default_language
    if not pooled.empty:
        comparison = compare_with_benchmarks(db, code)
        benchmark = benchmark_view(
            comparison.rows,
            questionnaire,
            n_organisations=comparison.n_organisations,
            language=language,
        )
    by_role = release.by_role
    metadata = {
        **scored.metadata,
        "organisation": info.organisation or "",
        "period": survey_period(db, code),
    }
    if compared is not None:
        metadata["previous_campaign"] = compared.code
    html = render_report(
        scored.result,
        questionnaire,
        metadata,
        language=language,
        title=title or f"{info.name} · {info.organisation or questionnaire.key}",
        waves=waves,
        previous_name=f"{compared.name} ({compared.code})" if compared is not None else None,
        actions=list_actions(db, code),
        benchmark=benchmark,
        role_scores=by_role.result.scores if by_role is not None else None,
        dif=language_dif(
            release.table,
            questionnaire,
            language_counts=release.language_counts,
            min_group_size=info.min_group_size,
            confidence=float(scored.metadata["confidence"]),
        )
        if release.table is not None
        else None,
    )
    return CampaignReport(html, compared, waves, not_compared)
