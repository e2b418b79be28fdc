"""The dashboard's Discussion tab: the statements to talk through, as diverging bars and a table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assessment.i18n import text
from assessment.outputs import charts
from assessment.results import dashboard as dash
from assessment.ui.pages.dashboard.panels import (
    chart,
    no_results,
    numbers,
)


def render(results: dash.CampaignResults, view: dash.View, language: str) -> None:
    if no_results(results, view, language):
        return
    q = results.questionnaire
    model = results.model(view, language)
    queue = model.queue
    st.subheader(text("dashboard.page.queue", language))
    st.write(text("dashboard.page.queue_intro", language))
    if queue.empty:
        st.info(text("dashboard.page.no_statement", language))
        return
    options = [q.text(o.label, language) for o in sorted(q.scale.options, key=lambda o: o.value)]
    chart(
        "discussion",
        charts.likert_chart(model.segments, queue, options=options, language=language),
        charts.caption("likert", language),
        language=language,
    )
    st.dataframe(
        pd.DataFrame(
            {
                "#": queue["rank"],
                text("dashboard.page.col_statement", language): queue["statement"],
                text("dashboard.page.col_component", language): queue["component_name"],
                text("dashboard.page.col_mean", language): numbers(queue["mean"], language),
                text("dashboard.page.col_disagreement", language): numbers(
                    queue["disagreement"], language
                ),
                text("dashboard.page.col_gap", language): numbers(queue["gap"], language),
                text("dashboard.page.col_priority", language): numbers(
                    queue["priority"], language, 3
                ),
                text("dashboard.page.col_answers", language): queue["n"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            text("dashboard.page.col_statement", language): st.column_config.TextColumn(
                width="large"
            )
        },
    )
    st.caption(text("dashboard.page.queue_note", language))
