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
    st.caption(text("dashboard.downloads.privacy", language))
    cols = st.columns(4)
    overall = results.rows(dash.View())
    shown = not overall.empty and bool(overall["mean"].notna().any())
    if shown:
        cols[0].download_button(
            text("dashboard.downloads.scores", language),
            data=lambda: dash.scores_csv(db, info.code),
            file_name=f"scores-{info.code}.csv",
            mime="text/csv",
            key="wmm_download_scores",
            on_click="ignore",
            help=text("dashboard.downloads.scores_help", language),
        )
        named = cols[1].checkbox(
            text("dashboard.downloads.name_org", language),
            key="wmm_benchmark_named",
            help=text("dashboard.downloads.name_org_help", language),
        )
        cols[1].download_button(
            text("dashboard.downloads.benchmark", language),
            data=lambda: dash.benchmark_csv(
                db, info.code, org=(info.organisation or info.name) if named else None
            ),
            file_name=f"benchmark-{info.code}.csv",
            mime="text/csv",
            key="wmm_download_benchmark",
            on_click="ignore",
            help=text("dashboard.downloads.benchmark_help", language),
        )
        cols[3].download_button(
            text("dashboard.downloads.report", language),
            data=lambda: dash.report_html(db, info.code, language=language),
            file_name=f"report-{info.code}.html",
            mime="text/html",
            key="wmm_download_report",
            on_click="ignore",
            help=text("dashboard.downloads.report_help", language),
        )
    else:
        st.info(text("dashboard.downloads.too_few", language, m=results.min_group_size))
    cols[2].download_button(
        text("dashboard.downloads.actions", language),
        data=dash.actions_csv(list_actions(db, info.code), q, language=language),
        file_name=f"actions-{info.code}.csv",
        mime="text/csv",
        key="wmm_download_actions",
        on_click="ignore",
    )
    st.caption(
        text(
            "dashboard.downloads.images",
            language,
            key=q.key,
            sha=info.questionnaire_sha256[:12],
        )
    )
