"""The dashboard's Reliability tab: alpha and ICCs, response quality, within-unit agreement and
the scoring's notes.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from assessment.i18n import text
from assessment.outputs import charts
from assessment.results import dashboard as dash
from assessment.ui.markdown_text import as_text
from assessment.ui.pages.dashboard.panels import (
    chart,
    no_results,
    percent,
)


def render(results: dash.CampaignResults, language: str) -> None:
    st.subheader(text("dashboard.page.reliability", language))
    if results.by_unit is None:
        no_results(results, dash.View())
        return
    q = results.questionnaire
    result = results.by_unit.result
    table = dash.reliability_table(result.stats, q, language=language)
    if table["alpha"].notna().any():
        chart(
            "reliability",
            charts.reliability_chart(table, language=language),
            charts.caption("reliability", language, p=percent(results)),
        )
    st.dataframe(
        pd.DataFrame(
            {
                "Dimension": table["name"],
                "Alpha": table["alpha"].round(3),
                f"Alpha {percent(results)}% interval": [
                    f"[{lo:.3f}, {hi:.3f}]" if not math.isnan(lo) else "–"
                    for lo, hi in zip(table["alpha_ci_low"], table["alpha_ci_high"], strict=True)
                ],
                "ICC(1)": table["icc1"].round(3),
                "ICC(2)": table["icc2"].round(3),
                "Respondents": table["n_respondents"],
                "Units": table["n_units"],
                "Statements": table["n_items"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "ICC(1): share of the variance that lies between units; ICC(2): reliability of the unit "
        "means (0.7 or more: units can be compared)."
    )
    st.markdown("**Response quality**")
    quality = dash.quality_summary(
        result.respondents, min_group_size=results.min_group_size, language=language
    )
    if quality.empty:
        st.info("Too few respondents to report response quality.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Flag": quality["description"],
                    "Respondents": quality["count"],
                    "Share": [f"{s:.1f}%" for s in quality["share"]],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(
            "Flagged answers are kept in the scores; a high share is a reason to look at how the "
            "survey was run, not to drop people."
        )
    agreement = dash.agreement_table(result.scores, q, language=language)
    if not agreement.empty:
        st.markdown("**Agreement within units** (r*wg(J) with LeBreton & Senter's bands)")
        st.dataframe(dash.agreement_cells(agreement, language), width="stretch")
        st.caption(
            "Bands: 0–.30 lack of agreement, .31–.50 weak, .51–.70 moderate, .71–.90 strong, "
            ".91–1 very strong. r*wg(J) compares the spread of answers with random answering; "
            "the statements the group disagrees on most are in the discussion queue."
        )
    if result.notes:
        st.markdown("**Notes from the scoring**")
        for note in result.notes:
            st.markdown(f"- {as_text(note)}")
