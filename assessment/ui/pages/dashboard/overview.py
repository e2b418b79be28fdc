"""The dashboard's Overview tab: the flywheel, the components and indices, the principles and
participation of the chosen group.
"""

from __future__ import annotations

import streamlit as st

from assessment.i18n import format_interval, format_number, text
from assessment.outputs import charts
from assessment.results import dashboard as dash
from assessment.ui.markdown_text import as_text
from assessment.ui.pages.dashboard.panels import (
    chart,
    flywheel_panel,
    levels,
    no_results,
    participation_panel,
    percent,
)


def render(results: dash.CampaignResults, view: dash.View, language: str) -> None:
    if no_results(results, view, language):
        participation_panel(results, language)
        return
    q = results.questionnaire
    model = results.model(view, language)
    thresholds, names = levels(results, language)
    who = view.describe(dash.role_names(q, language), language)
    st.subheader(text("dashboard.page.flywheel", language, who=as_text(who)))
    left, right = st.columns([3, 2])
    with left:
        flywheel_panel(results, model.flywheel, language)
    with right:
        components = model.components
        chart(
            "components",
            charts.estimate_chart(
                components,
                thresholds=thresholds,
                level_names=names,
                scale_min=q.scale.minimum,
                scale_max=q.scale.maximum,
                language=language,
            ),
            charts.caption("components", language, p=percent(results)),
            language=language,
        )
        indices = model.indices
        for record in indices.to_dict("records"):
            index = next(i for i in q.scoring.indices if i.id == record["dimension"])
            description = q.text(index.description, language) if index.description else ""
            st.metric(
                record["name"],
                f"{format_number(record['mean'], language)} · {record['level_name']}",
                help=description or None,
            )
            st.caption(
                text(
                    "dashboard.index_caption",
                    language,
                    p=percent(results),
                    interval=format_interval(record["ci_low"], record["ci_high"], language),
                    level=record["level_text"],
                    description=description,
                )
            )
    st.subheader(text("dashboard.page.principles", language))
    principles = model.principles
    if principles.empty:
        st.info(text("dashboard.page.no_principle", language))
    else:
        chart(
            "principles",
            charts.estimate_chart(
                principles,
                thresholds=thresholds,
                level_names=names,
                scale_min=q.scale.minimum,
                scale_max=q.scale.maximum,
                order="mean",
                show_target=False,
                language=language,
            ),
            charts.caption("principles", language, p=percent(results)),
            language=language,
        )
    participation_panel(results, language)
