"""The Dashboard page itself: choosing the campaign and the group, the header metrics, live mode,
and the routing to the tabs (one module per tab in this package).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd
import streamlit as st

from assessment import i18n
from assessment.campaigns.management import CampaignInfo, list_campaigns, survey_url
from assessment.campaigns.store import Store
from assessment.results import dashboard as dash
from assessment.results.campaign_answers import campaign_version
from assessment.results.rows import organisation_row, unit_rows
from assessment.survey.qr import qr_svg
from assessment.survey.site_address import unreachable_hint
from assessment.ui.errors import guarded_page, page_errors
from assessment.ui.markdown_text import as_text
from assessment.ui.pages.dashboard import (
    actions,
    benchmark,
    discussion,
    downloads,
    overview,
    reliability,
    roles,
    targets,
    units,
    waves,
)
from assessment.ui.pages.dashboard.panels import flywheel_panel, participation_panel
from assessment.ui.session import database, require_facilitator

#: Seconds between two looks at the database in live mode.
LIVE_SECONDS = 5
#: Statements shown in the discussion queue (the report lists as many).
QUEUE_LENGTH = dash.QUEUE_LENGTH
TABS = (
    "Overview",
    "Units",
    "Targets",
    "Discussion",
    "Actions",
    "Waves",
    "Roles",
    "Benchmark",
    "Reliability",
    "Downloads",
)
CAMPAIGN_KEY = "wmm_campaign"
LIVE_VERSION_KEY = "wmm_live_version"


@guarded_page
def render() -> None:
    """Draw the Dashboard page (facilitator login required)."""
    require_facilitator()
    db = database()
    st.title("Dashboard")
    campaigns = list_campaigns(db)
    if not campaigns:
        st.info(
            "There is no campaign yet. Create one on the Campaigns page (or run `wmm demo` for "
            "the demo organisation)."
        )
        return
    info = _choose_campaign(campaigns)
    with page_errors() as outcome:
        results = dash.load_results(db, info.code)
    if outcome.failed:
        return
    q = results.questionnaire
    controls = st.columns([2, 1, 1])
    views = results.views()
    roles = dash.role_names(q)
    view = controls[0].selectbox(
        "Show results of",
        views,
        format_func=lambda v: _sentence(v.describe(roles)),
        key=f"wmm_view_{info.code}",
        help="Only units and role groups large enough to be shown can be chosen.",
    )
    language = controls[1].selectbox(
        "Language",
        list(results.info.languages) or q.languages,
        format_func=lambda c: i18n.language_names().get(c, c),
        key="wmm_dashboard_language",
    )
    live = controls[2].toggle(
        "Live mode",
        key="wmm_live",
        help=f"For a workshop: shows the survey link as a QR code and refreshes every "
        f"{LIVE_SECONDS} seconds as answers arrive.",
    )
    if not live:
        # Turning live mode on later starts from what is there then: nothing counts as new.
        st.session_state.pop(f"{LIVE_VERSION_KEY}_{info.code}", None)
    if live:
        # Only this part reruns every few seconds; it re-scores only when answers arrived.
        st.fragment(_live_panel, run_every=LIVE_SECONDS)(db, info.code, language)
        return
    _header(results, language)
    _panels(db, results, view, language)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- choosing ---------------------------------------------------------------------------------------


def _campaign_label(info: CampaignInfo) -> str:
    who = f" — {info.organisation}" if info.organisation else ""
    closed = " (closed)" if info.status != "open" else ""
    return f"{info.name}{who}{closed} · {info.responses} responses · {info.code}"


def _choose_campaign(campaigns: list[CampaignInfo]) -> CampaignInfo:
    codes = [c.code for c in campaigns]
    wanted = st.query_params.get("campaign") or st.session_state.get(CAMPAIGN_KEY)
    index = codes.index(wanted) if wanted in codes else 0
    by_code = {c.code: c for c in campaigns}
    code = st.selectbox(
        "Campaign",
        codes,
        index=index,
        format_func=lambda c: _campaign_label(by_code[c]),
        key="wmm_dashboard_campaign",
    )
    st.session_state[CAMPAIGN_KEY] = code
    return by_code[code]


def _header(results: dash.CampaignResults, language: str) -> None:
    info, q = results.info, results.questionnaire
    frame = results.participation(language)
    total = organisation_row(frame)
    units = unit_rows(frame)
    cols = st.columns(4)
    head = total["head_count"]
    cols[0].metric(
        "Responses",
        f"{int(total['responses'])}" + (f" of {int(head)}" if pd.notna(head) else ""),
    )
    cols[1].metric(
        "Response rate",
        f"{100 * total['response_rate']:.0f}%" if pd.notna(total["response_rate"]) else "–",
        help="Responses divided by the people in the listed units (head-counts).",
    )
    cols[2].metric(
        "Units reliable enough to read",
        f"{int(units['readable'].sum())} of {len(units)}",
        help="Shown (at least the minimum group size) and the interval of the overall score "
        "no wider than half a level band.",
    )
    overall = results.rows(dash.View())
    overall = (
        overall[(overall["dimension"].astype(str) == "overall") & overall["mean"].notna()]
        if not overall.empty
        else overall
    )
    if len(overall):
        row = overall.iloc[0]
        cols[3].metric(
            "Overall level",
            f"{row['level_name']}",
            help=f"Mean {row['mean']:.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]; "
            f"{100 * row['level_probability']:.0f}% likely this level.",
        )
    else:
        cols[3].metric("Overall level", "–")
    for line in results.over_counts:
        st.warning(
            f"{as_text(line)}. Fix it on the Campaigns page (Units) or with "
            f'`wmm campaign units {info.code} --set "UNIT=HEAD-COUNT"`.',
            icon=":material/groups:",
        )
    st.caption(
        f"Survey code {info.code} · {q.text(q.title)} ({q.key}) · minimum group size "
        f"{info.min_group_size} · "
        f"{results.confidence * 100:g}% intervals · status {info.status} · "
        f"last change {results.version.settings_changed:%Y-%m-%d %H:%M} UTC"
    )


# -- live mode --------------------------------------------------------------------------------------


def _live_panel(db: Store, code: str, language: str) -> None:
    version = campaign_version(db, code)
    key = f"{LIVE_VERSION_KEY}_{code}"
    update = dash.live_update(st.session_state.get(key), version)
    st.session_state[key] = version
    # Cached per campaign version: nothing is scored again while no answer arrives.
    results = dash.load_results(db, code)
    _header(results, language)
    link = survey_url(code)
    left, right = st.columns([1, 2])
    with left:
        st.subheader("Scan to answer")
        st.image(qr_svg(link), width=300)
        st.code(link, language=None)
        hint = unreachable_hint(link)
        if hint:
            st.warning(hint, icon=":material/wifi_off:")
        st.metric(
            "Responses so far",
            results.version.submitted,
            delta=f"+{update.new_responses} new" if update.new_responses else None,
        )
        st.caption(
            f"Checked {datetime.now():%H:%M:%S}; "
            + (
                "new answers arrived."
                if update.new_responses
                else "nothing new since the last look."
            )
        )
    with right:
        participation_panel(results, language)
        if results.by_unit is not None:
            wheel = results.model(dash.View(), language).flywheel
            flywheel_panel(results, wheel, language, width=520)


# -- the panels -------------------------------------------------------------------------------------


def _panels(db: Store, results: dash.CampaignResults, view: dash.View, language: str) -> None:
    tabs = st.tabs(list(TABS), key="wmm_dashboard_tab", on_change="rerun")
    panel: dict[str, Callable[[], None]] = {
        "Overview": lambda: overview.render(results, view, language),
        "Units": lambda: units.render(results, language),
        "Targets": lambda: targets.render(results, view, language),
        "Discussion": lambda: discussion.render(results, view, language),
        "Actions": lambda: actions.render(db, results, view, language),
        "Waves": lambda: waves.render(db, results, view, language),
        "Roles": lambda: roles.render(results, language),
        "Benchmark": lambda: benchmark.render(db, results, language),
        "Reliability": lambda: reliability.render(results, language),
        "Downloads": lambda: downloads.render(db, results, language),
    }
    for name, tab in zip(TABS, tabs, strict=True):
        if tab.open:
            with tab:
                panel[name]()
