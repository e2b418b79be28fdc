"""The dashboard's Reliability tab: alpha and ICCs, response quality, within-unit agreement, whether
statements read alike in each language and as their earlier wording did, and the scoring's notes.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from assessment.campaigns.store import Store
from assessment.i18n import format_interval, text
from assessment.outputs import charts
from assessment.results import dashboard as dash
from assessment.ui.markdown_text import as_text
from assessment.ui.pages.dashboard.panels import (
    chart,
    dif_panel,
    no_results,
    numbers,
    percent,
    percent_text,
)


def render(db: Store, results: dash.CampaignResults, language: str) -> None:
    st.subheader(text("dashboard.page.reliability", language))
    if results.by_unit is None:
        no_results(results, dash.View(), language)
        return
    view = results.reliability_view(language)
    if view is None:
        return
    table = view.table
    if table["alpha"].notna().any():
        chart(
            "reliability",
            charts.reliability_chart(table, language=language),
            charts.caption("reliability", language, p=percent(results)),
            language=language,
        )
    st.dataframe(
        pd.DataFrame(
            {
                text("dashboard.page.col_dimension", language): table["name"],
                text("dashboard.reliability.alpha", language): numbers(table["alpha"], language, 3),
                text("dashboard.reliability.alpha_interval", language, p=percent(results)): [
                    format_interval(lo, hi, language, 3) if not math.isnan(lo) else "–"
                    for lo, hi in zip(table["alpha_ci_low"], table["alpha_ci_high"], strict=True)
                ],
                "ICC(1)": numbers(table["icc1"], language, 3),
                "ICC(2)": numbers(table["icc2"], language, 3),
                text("dashboard.chart.respondents", language): table["n_respondents"],
                text("dashboard.reliability.units", language): table["n_units"],
                text("dashboard.reliability.statements", language): table["n_items"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(text("dashboard.reliability.icc_note", language))
    st.markdown(f"**{text('dashboard.reliability.quality', language)}**")
    quality = view.quality
    if quality.empty:
        st.info(text("dashboard.reliability.quality_too_few", language))
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    text("dashboard.reliability.flag", language): quality["description"],
                    text("dashboard.chart.respondents", language): quality["count"],
                    text("dashboard.chart.share", language): [
                        percent_text(s, language, 1) for s in quality["share"]
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(text("dashboard.reliability.quality_note", language))
    agreement = view.agreement
    if not agreement.empty:
        st.markdown(text("dashboard.reliability.agreement", language))
        st.dataframe(dash.agreement_cells(agreement, language), width="stretch")
        st.caption(text("dashboard.reliability.agreement_note", language))
    dif_panel(view.dif, results, language)
    rewording = dash.rewording_check(db, results, language=language)
    if rewording is not None:
        dif_panel(rewording.dif, results, language, versions=True, wording=rewording.wording)
    if view.notes:
        # One block: the scoring's notes, written in the page's language, under their heading.
        st.markdown(
            f"**{text('dashboard.reliability.notes', language)}**\n\n"
            + "\n".join(f"- {as_text(note)}" for note in view.notes)
        )
