"""The dashboard's Targets tab: how far each dimension is from its target, shortfalls and
surpluses apart.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assessment.i18n import format_interval, text
from assessment.outputs import charts
from assessment.results import dashboard as dash
from assessment.ui.pages.dashboard.panels import (
    chart,
    no_results,
    numbers,
    percent,
    percent_text,
)


def render(results: dash.CampaignResults, view: dash.View, language: str) -> None:
    if no_results(results, view, language):
        return
    gaps = results.model(view, language).targets
    st.subheader(text("dashboard.page.targets", language))
    if gaps.empty:
        st.info(text("dashboard.page.no_targets", language))
        return
    chart(
        "targets",
        charts.gap_chart(gaps, language=language),
        charts.caption("gaps", language, p=percent(results)),
        language=language,
    )

    # Shortfalls and surpluses apart: a surplus is good news, not a gap to close (issue 15).
    def listed(verdict: str) -> str:
        names = [str(n) for n in gaps.loc[gaps["verdict"] == verdict, "name"]]
        return ", ".join(names) or text("dashboard.page.none_listed", language)

    st.write(
        text(
            "dashboard.page.clear_gaps",
            language,
            short=listed("below"),
            reached=listed("reached"),
            unclear=listed("unclear"),
        )
    )
    gap = pd.to_numeric(gaps["gap"], errors="coerce")
    st.dataframe(
        pd.DataFrame(
            {
                text("dashboard.page.col_dimension", language): gaps["name"],
                text("dashboard.page.col_target", language): gaps["target_name"],
                text("dashboard.page.col_mean", language): numbers(gaps["mean"], language),
                text("dashboard.page.col_short_by", language): numbers(
                    gap.where(gap > 0), language, missing=""
                ),
                text("dashboard.page.col_above_by", language): numbers(
                    (-gap).where(gap < 0), language, missing=""
                ),
                text("dashboard.page.col_interval", language, p=percent(results)): [
                    format_interval(lo, hi, language)
                    for lo, hi in zip(gaps["gap_ci_low"], gaps["gap_ci_high"], strict=True)
                ],
                text("dashboard.page.col_chance", language): [
                    percent_text(100 * p, language) for p in gaps["p_target"]
                ],
                text("dashboard.page.col_verdict", language): [
                    dash.gap_text(v, language) for v in gaps["verdict"]
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
