"""The dashboard's Units tab: the unit × component heatmap and the participation table."""

from __future__ import annotations

from typing import Literal

import streamlit as st

from assessment.i18n import text
from assessment.outputs import charts
from assessment.results import dashboard as dash
from assessment.results.rows import unit_rows
from assessment.ui.pages.dashboard.panels import (
    chart,
    levels,
    no_results,
)

#: With more units than twice this, the heatmap first shows the strongest and weakest this many.
HEATMAP_PER_SIDE = 12


def render(results: dash.CampaignResults, language: str) -> None:
    if results.by_unit is None:
        no_results(results, dash.View(), language)
        return
    q = results.questionnaire
    _, names = levels(results, language)
    st.subheader(text("dashboard.page.units", language))
    colour_by = st.segmented_control(
        text("dashboard.units.colour_by", language),
        ["mean", "level"],
        default="mean",
        format_func=lambda v: text(f"dashboard.chart.{v}", language),
        key="wmm_heatmap_colour",
    )
    cells = dash.heatmap(results.by_unit.result.scores, q, language=language)
    if cells.empty:
        st.info(text("dashboard.page.no_unit_results", language))
        return
    n_units = cells["group"].nunique()
    if n_units > 2 * HEATMAP_PER_SIDE:
        extremes = st.toggle(
            text("dashboard.units.extremes", language, k=HEATMAP_PER_SIDE, n=n_units),
            value=True,
            key="wmm_heatmap_extremes",
        )
        if extremes:
            cells = dash.heatmap_extremes(cells, per_side=HEATMAP_PER_SIDE)
    colour: Literal["mean", "level"] = "level" if colour_by == "level" else "mean"
    chart(
        f"units-{colour}",
        charts.heatmap_chart(
            cells,
            colour_by=colour,
            level_names=names,
            scale_min=q.scale.minimum,
            scale_max=q.scale.maximum,
            language=language,
        ),
        charts.caption(f"heatmap_{colour}", language, m=results.min_group_size),
        language=language,
    )
    table = results.participation(language)
    st.dataframe(
        unit_rows(table)[["unit", "head_count", "responses", "note"]].rename(
            columns={
                "unit": text("dashboard.chart.unit", language),
                "head_count": text("dashboard.chart.people", language),
                "responses": text("dashboard.chart.responses", language),
                "note": text("dashboard.chart.results", language),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    # Don't know beside coverage (issue 14): not knowing is a signal, not missing data.
    coverage = dash.coverage_table(results.by_unit.result.scores, q, language=language)
    if not coverage.empty:
        organisation = text("dashboard.view.organisation", language)
        st.markdown(text("dashboard.units.coverage", language))
        st.dataframe(
            dash.coverage_cells(
                coverage, language, organisation=organisation[:1].upper() + organisation[1:]
            ),
            width="stretch",
        )
        st.caption(text("dashboard.units.coverage_note", language))
