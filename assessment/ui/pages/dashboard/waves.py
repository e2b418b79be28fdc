"""The dashboard's Waves tab: the change since an earlier wave of the organisation, on the
statements both waves share.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assessment.analysis.waves import wave_change
from assessment.campaigns.store import Store
from assessment.errors import AssessmentError
from assessment.i18n import text
from assessment.outputs import charts
from assessment.results import dashboard as dash
from assessment.ui.markdown_text import as_text
from assessment.ui.pages.dashboard.panels import (
    change_table,
    chart,
    no_results,
    percent,
)


def render(db: Store, results: dash.CampaignResults, view: dash.View, language: str) -> None:
    st.subheader(text("dashboard.page.waves", language))
    if view.by == "role":
        st.info("Waves are compared for the organisation or a unit; choose one above.")
        return
    if no_results(results, view):
        return
    earlier = dash.other_campaigns(db, results.info)
    if not earlier:
        st.info(
            "No earlier campaign of this organisation on this questionnaire has responses, so "
            "there is nothing to compare with yet."
        )
        return
    by_code = {c.code: c for c in earlier}
    code = st.selectbox(
        "Compare with",
        list(by_code),
        format_func=lambda c: (
            f"{by_code[c].name} ({by_code[c].questionnaire}, {by_code[c].responses} responses)"
        ),
        key="wmm_wave_previous",
    )
    try:
        waves = dash.load_waves(db, results, code)
    except (ValueError, AssessmentError) as exc:
        st.warning(f"These two waves cannot be compared: {as_text(exc, keep_lines=True)}")
        return
    st.info(f"Compared on the common statements only: {waves.overlap}.")
    q = results.questionnaire
    change = wave_change(
        waves,
        q,
        label=view.label,
        confidence=results.confidence,
        dimension_types=("component", "overall", "index"),
        language=language,
    )
    if change.empty:
        st.warning("No dimension can be shown for both waves (too few respondents).")
        return
    before, after = by_code[code].name, results.info.name
    chart(
        "waves",
        charts.comparison_chart(change, before=before, after=after, language=language),
        charts.caption("waves", language, p=percent(results)),
        stretch=False,
    )
    principles = wave_change(
        waves,
        q,
        label=view.label,
        confidence=results.confidence,
        dimension_types=("principle",),
        language=language,
    )
    change_table(pd.concat([change, principles], ignore_index=True), before, after, results)
    st.caption(
        "Welch's interval for the difference and a normal-approximation interval for Hedges' g. "
        "Respondents are treated as independent (their grouping in units is ignored), so the "
        "intervals are somewhat too narrow."
    )
