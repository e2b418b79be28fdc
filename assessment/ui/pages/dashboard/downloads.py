"""The dashboard's Downloads tab: scores, benchmark file, report and action items."""

from __future__ import annotations

import streamlit as st

from assessment.campaigns.actions import (
    list_actions,
)
from assessment.campaigns.store import Store
from assessment.i18n import text
from assessment.results import dashboard as dash


def render(db: Store, results: dash.CampaignResults, language: str) -> None:
    st.subheader(text("dashboard.page.downloads", language))
    info, q = results.info, results.questionnaire
    st.caption("Every file applies the privacy rules: groups below the minimum size never appear.")
    cols = st.columns(4)
    overall = results.rows(dash.View())
    shown = not overall.empty and bool(overall["mean"].notna().any())
    if shown:
        cols[0].download_button(
            "Scores (CSV)",
            data=lambda: dash.scores_csv(db, info.code),
            file_name=f"scores-{info.code}.csv",
            mime="text/csv",
            key="wmm_download_scores",
            on_click="ignore",
            help="The same file as `wmm export scores`.",
        )
        named = cols[1].checkbox(
            "Name the organisation in the benchmark file",
            key="wmm_benchmark_named",
            help="Off: a random pseudonym, as `wmm export benchmark` writes by default.",
        )
        cols[1].download_button(
            "Benchmark file (CSV)",
            data=lambda: dash.benchmark_csv(
                db, info.code, org=(info.organisation or info.name) if named else None
            ),
            file_name=f"benchmark-{info.code}.csv",
            mime="text/csv",
            key="wmm_download_benchmark",
            on_click="ignore",
            help="This organisation's wmm-benchmark/1 rows, to pool with other organisations.",
        )
        cols[3].download_button(
            "Report (HTML)",
            data=lambda: dash.report_html(db, info.code, language=language),
            file_name=f"report-{info.code}.html",
            mime="text/html",
            key="wmm_download_report",
            on_click="ignore",
            help="The same report as `wmm report`: one self-contained page to send round.",
        )
    else:
        st.info(
            f"Scores, the benchmark file and the report need at least {results.min_group_size} "
            "respondents with scores."
        )
    cols[2].download_button(
        "Action items (CSV)",
        data=dash.actions_csv(list_actions(db, info.code), q, language=language),
        file_name=f"actions-{info.code}.csv",
        mime="text/csv",
        key="wmm_download_actions",
        on_click="ignore",
    )
    st.caption(
        "Chart images: each chart has an Image button (PNG for slides, SVG for print). "
        f"Questionnaire {q.key}, sha256 {info.questionnaire_sha256[:12]}…"
    )
