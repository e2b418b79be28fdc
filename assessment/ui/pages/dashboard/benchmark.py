"""The dashboard's Benchmark tab: where the organisation stands among the imported organisations."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assessment.campaigns.store import Store
from assessment.errors import AssessmentError
from assessment.i18n import format_interval, format_number, text
from assessment.outputs import charts
from assessment.results import dashboard as dash
from assessment.ui.markdown_text import as_text
from assessment.ui.pages.dashboard.panels import (
    chart,
    no_results,
    numbers,
    percent,
)


def render(db: Store, results: dash.CampaignResults, language: str) -> None:
    st.subheader(text("dashboard.page.benchmark", language))
    if results.by_unit is None:
        no_results(results, dash.View(), language)
        return
    try:
        view = dash.load_benchmark_view(db, results, language=language)
    except AssessmentError as exc:
        st.warning(as_text(exc, keep_lines=True))
        return
    if view is None:
        st.info(text("dashboard.benchmark.none", language))
        return
    position = view.position
    if position.empty:
        st.info(text("dashboard.benchmark.no_dimension", language))
        return
    st.write(
        text(
            "dashboard.benchmark.compared",
            language,
            n=view.n_organisations,
            versions=", ".join(view.versions),
        )
    )
    chart(
        "benchmark",
        charts.benchmark_chart(view.ranked, language=language),
        charts.caption("benchmark", language, p=percent(results)),
        language=language,
    )
    st.dataframe(
        pd.DataFrame(
            {
                text("dashboard.page.col_dimension", language): position["name"],
                text("dashboard.page.col_mean", language): numbers(position["mean"], language),
                text("dashboard.benchmark.percentile", language): numbers(
                    position["percentile"], language, 0
                ),
                text("dashboard.benchmark.range", language): [
                    f"{lo:.0f}–{hi:.0f}"
                    for lo, hi in zip(
                        position["percentile_low"], position["percentile_high"], strict=True
                    )
                ],
                text("dashboard.benchmark.organisations", language): position["n_orgs"],
                text("dashboard.benchmark.their_median", language): [
                    f"{format_number(m, language)} {format_interval(lo, hi, language)}"
                    for m, lo, hi in zip(
                        position["pooled_median"],
                        position["pooled_p25"],
                        position["pooled_p75"],
                        strict=True,
                    )
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(text("dashboard.benchmark.note", language))
