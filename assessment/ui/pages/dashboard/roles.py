"""The dashboard's Roles tab: how two role groups see the organisation differently."""

from __future__ import annotations

import streamlit as st

from assessment.i18n import text
from assessment.outputs import charts
from assessment.results import dashboard as dash
from assessment.ui.pages.dashboard.panels import (
    change_table,
    chart,
    no_results,
    percent,
)


def render(results: dash.CampaignResults, language: str) -> None:
    st.subheader(text("dashboard.page.roles", language))
    q = results.questionnaire
    roles = dash.role_names(q, language)
    if results.by_unit is None:
        no_results(results, dash.View(), language)
        return
    model = results.roles_view(language)
    if model is None:
        st.info(text("dashboard.roles.no_role", language))
        return
    shown = list(model.shown)
    if model.first is None or model.second is None:
        st.info(text("dashboard.roles.too_few", language, m=results.min_group_size))
        return
    cols = st.columns(2)
    first = cols[0].selectbox(
        text("dashboard.roles.compare", language),
        shown,
        index=shown.index(model.first),
        format_func=lambda r: roles.get(r, r),
        key="wmm_role_first",
    )
    others = [r for r in shown if r != first]
    second = cols[1].selectbox(
        text("dashboard.roles.with", language),
        others,
        index=others.index(model.second) if model.second in others else 0,
        format_func=lambda r: roles.get(r, r),
        key="wmm_role_second",
    )
    # The pair compared first is the view's (the report shows the same); another pair is
    # computed the same way (`views.roles.role_gaps`).
    by_role = results.by_role
    if (first, second) == (model.first, model.second) or by_role is None:
        gaps = model.gaps
    else:
        gaps = dash.role_gaps(
            by_role.result.scores,
            q,
            first=first,
            second=second,
            confidence=results.confidence,
            language=language,
        )
    if gaps.empty:
        st.info(text("dashboard.roles.nothing", language))
        return
    a, b = roles.get(first, first), roles.get(second, second)
    chart(
        "roles",
        charts.comparison_chart(gaps, before=a, after=b, direction=False, language=language),
        charts.caption("roles", language, p=percent(results), first=a, second=b),
        stretch=False,
        language=language,
        phone=charts.comparison_chart(
            gaps,
            before=a,
            after=b,
            direction=False,
            width=charts.STACKED_WIDTH,
            stacked=True,
            language=language,
        ),
    )
    change_table(gaps, a, b, results, language)
