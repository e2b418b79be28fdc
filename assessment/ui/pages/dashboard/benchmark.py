"""The dashboard's Benchmark tab: where the organisation stands among the imported organisations."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assessment.campaigns.store import Store
from assessment.errors import AssessmentError
from assessment.i18n import text
from assessment.outputs import charts
from assessment.results import dashboard as dash
from assessment.ui.markdown_text import as_text
from assessment.ui.pages.dashboard.panels import (
    chart,
    no_results,
    percent,
)


def render(db: Store, results: dash.CampaignResults, language: str) -> None:
    st.subheader(text("dashboard.page.benchmark", language))
    if results.by_unit is None:
        no_results(results, dash.View())
        return
    q = results.questionnaire
    try:
        comparison = dash.load_benchmark(db, results)
    except AssessmentError as exc:
        st.warning(as_text(exc, keep_lines=True))
        return
    if comparison is None:
        st.info(
            "No benchmark files are imported yet. Import other organisations' `wmm-benchmark/1` "
            "files with `wmm benchmark import FILE...`; this campaign's own file is on the "
            "Downloads tab."
        )
        return
    position = dash.benchmark_table(comparison.rows, q, language=language)
    if position.empty:
        st.info("No imported organisation answered the dimensions this campaign can show.")
        return
    st.write(
        f"Compared with **{comparison.n_organisations}** other organisations "
        f"(questionnaire versions {', '.join(sorted(set(position['versions'])))})."
    )
    chart(
        "benchmark",
        charts.benchmark_chart(position, language=language),
        charts.caption("benchmark", language, p=percent(results)),
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Dimension": position["name"],
                "Mean": position["mean"].round(2),
                "Percentile": position["percentile"].round(0),
                "Range": [
                    f"{lo:.0f}–{hi:.0f}"
                    for lo, hi in zip(
                        position["percentile_low"], position["percentile_high"], strict=True
                    )
                ],
                "Organisations": position["n_orgs"],
                "Their median [p25, p75]": [
                    f"{m:.2f} [{lo:.2f}, {hi:.2f}]"
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
    st.caption("The benchmark position is the whole organisation's, whatever view is chosen above.")
