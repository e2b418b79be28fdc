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
    by_role = results.by_role
    if by_role is None:
        st.info(text("dashboard.roles.no_role", language))
        return
    shown = dash.shown_groups(by_role.result.scores, "role")
    if len(shown) < 2:
        st.info(text("dashboard.roles.too_few", language, m=results.min_group_size))
        return
    preferred = [r for r in ("leader", "staff") if r in shown]
    cols = st.columns(2)
    first = cols[0].selectbox(
        text("dashboard.roles.compare", language),
        shown,
        index=shown.index(preferred[0]) if len(preferred) == 2 else 0,
        format_func=lambda r: roles.get(r, r),
        key="wmm_role_first",
    )
    others = [r for r in shown if r != first]
    second = cols[1].selectbox(
        text("dashboard.roles.with", language),
        others,
        index=others.index("staff") if "staff" in others else 0,
        format_func=lambda r: roles.get(r, r),
        key="wmm_role_second",
    )
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
    )
    change_table(gaps, a, b, results, language)
