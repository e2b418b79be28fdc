"""The dashboard's Waves tab: the change since an earlier wave of the organisation, on the
statements both waves share.
"""

from __future__ import annotations

import streamlit as st

from assessment.campaigns.store import Store
from assessment.errors import AssessmentError
from assessment.i18n import text
from assessment.outputs import charts
from assessment.results import dashboard as dash
from assessment.ui.markdown_text import as_text
from assessment.ui.pages.dashboard.panels import (
    change_table,
    chart,
    dif_panel,
    no_results,
    percent,
)


def render(db: Store, results: dash.CampaignResults, view: dash.View, language: str) -> None:
    st.subheader(text("dashboard.page.waves", language))
    if view.by == "role":
        st.info(text("dashboard.waves.not_roles", language))
        return
    if no_results(results, view, language):
        return
    earlier = dash.other_campaigns(db, results.info)
    if not earlier:
        st.info(text("dashboard.waves.none_earlier", language))
        return
    by_code = {c.code: c for c in earlier}
    code = st.selectbox(
        text("dashboard.waves.compare_with", language),
        list(by_code),
        format_func=lambda c: text(
            "dashboard.waves.wave_label",
            language,
            name=by_code[c].name,
            questionnaire=by_code[c].questionnaire,
            n=by_code[c].responses,
        ),
        key="wmm_wave_previous",
    )
    try:
        change = dash.load_change(db, results, by_code[code], view=view, language=language)
    except (ValueError, AssessmentError) as exc:
        st.warning(text("dashboard.waves.cannot", language, error=as_text(exc, keep_lines=True)))
        return
    st.info(text("dashboard.waves.common_only", language, overlap=change.overlap))
    if change.chart_rows.empty:
        st.warning(text("dashboard.waves.nothing", language))
        return
    before, after = change.previous, results.info.name
    chart(
        "waves",
        charts.comparison_chart(change.chart_rows, before=before, after=after, language=language),
        charts.caption("waves", language, p=percent(results)),
        stretch=False,
        language=language,
        phone=charts.comparison_chart(
            change.chart_rows,
            before=before,
            after=after,
            width=charts.STACKED_WIDTH,
            stacked=True,
            language=language,
        ),
    )
    change_table(change.frame, before, after, results, language)
    st.caption(text("dashboard.waves.note", language))
    if change.same_only is not None and not change.same_only.empty:
        # Is the change an effect of the new wording? The same change on unchanged statements.
        st.markdown(
            text(
                "dashboard.waves.same_only",
                language,
                n=len(change.reworded),
                ids=", ".join(change.reworded),
            )
        )
        change_table(change.same_only, before, after, results, language)
    dif_panel(change.dif, results, language, versions=True, wording=change.wording)
