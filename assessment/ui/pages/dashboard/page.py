"""The Dashboard page itself: choosing the campaign and the group, the header metrics, live mode,
and the routing to the tabs (one module per tab in this package).

Texts before the results' language is chosen (title, campaign picker) follow the facilitator's
language (`assessment.ui.language`); everything after follows the dashboard's language picker, which
starts at the facilitator's language when the campaign has it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd
import streamlit as st

from assessment import i18n
from assessment.campaigns.management import CampaignInfo, list_campaigns, survey_url
from assessment.campaigns.store import Store
from assessment.i18n import format_interval, format_number, text
from assessment.results import dashboard as dash
from assessment.results.campaign_answers import campaign_version
from assessment.results.rows import organisation_row, unit_rows
from assessment.survey.qr import qr_svg
from assessment.survey.site_address import unreachable_hint
from assessment.ui.errors import guarded_page, page_errors
from assessment.ui.language import t, ui_language
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
from assessment.ui.pages.dashboard.panels import flywheel_panel, participation_panel, percent_text
from assessment.ui.session import database, require_facilitator

#: Seconds between two looks at the database in live mode.
LIVE_SECONDS = 5
#: Statements shown in the discussion queue (the report lists as many).
QUEUE_LENGTH = dash.QUEUE_LENGTH
#: The tabs in order, by id; their labels are the catalogue's ``dashboard.tab.<id>``.
TAB_IDS = (
    "overview",
    "units",
    "targets",
    "discussion",
    "actions",
    "waves",
    "roles",
    "benchmark",
    "reliability",
    "downloads",
)
#: The tabs' English labels (what a browser test clicks on an English dashboard).
TABS = tuple(text(f"dashboard.tab.{tab}", "en") for tab in TAB_IDS)
TAB_KEY = "wmm_dashboard_tab"
CAMPAIGN_KEY = "wmm_campaign"
LIVE_VERSION_KEY = "wmm_live_version"


def tab_labels(language: str | None) -> tuple[str, ...]:
    """The tabs' labels in ``language``, in `TAB_IDS` order."""
    return tuple(text(f"dashboard.tab.{tab}", language) for tab in TAB_IDS)


def tab_id(label: object) -> str | None:
    """The id of the tab labelled ``label`` in any language (None: no tab has that label)."""
    for language in i18n.languages():
        for tab, shown in zip(TAB_IDS, tab_labels(language), strict=True):
            if shown == label:
                return tab
    return None


@guarded_page
def render() -> None:
    """Draw the Dashboard page (facilitator login required)."""
    require_facilitator()
    db = database()
    st.title(t("common.nav.dashboard"))
    campaigns = list_campaigns(db)
    if not campaigns:
        st.info(t("dashboard.header.no_campaign"))
        return
    info = _choose_campaign(campaigns)
    with page_errors() as outcome:
        results = dash.load_results(db, info.code)
    if outcome.failed:
        return
    q = results.questionnaire
    controls = st.columns([2, 1, 1])
    offered = list(results.info.languages) or list(q.languages)
    facilitator = ui_language()
    # The language first (drawn in the middle column), so the group picker speaks it.
    language = controls[1].selectbox(
        t("dashboard.header.language"),
        offered,
        index=offered.index(facilitator) if facilitator in offered else 0,
        format_func=lambda c: i18n.language_names().get(c, c),
        key="wmm_dashboard_language",
    )
    views = results.views()
    roles_named = dash.role_names(q, language)
    view = controls[0].selectbox(
        text("dashboard.header.show_results_of", language),
        views,
        format_func=lambda v: _sentence(v.describe(roles_named, language)),
        key=f"wmm_view_{info.code}",
        help=text("dashboard.header.show_help", language),
    )
    live = controls[2].toggle(
        text("dashboard.header.live", language),
        key="wmm_live",
        help=text("dashboard.header.live_help", language, seconds=LIVE_SECONDS),
    )
    if not live:
        # Turning live mode on later starts from what is there then: nothing counts as new.
        st.session_state.pop(f"{LIVE_VERSION_KEY}_{info.code}", None)
    if live:
        # Only this part reruns every few seconds; it re-scores only when answers arrived.
        st.fragment(_live_panel, run_every=LIVE_SECONDS)(db, info.code, language)
        return
    _header(results, language, view)
    _panels(db, results, view, language)


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:]


# -- choosing ---------------------------------------------------------------------------------------


def _campaign_label(info: CampaignInfo, language: str) -> str:
    return text(
        "dashboard.header.campaign_label",
        language,
        name=info.name,
        who=f" — {info.organisation}" if info.organisation else "",
        closed=text("dashboard.header.closed", language) if info.status != "open" else "",
        n=info.responses,
        code=info.code,
    )


def _choose_campaign(campaigns: list[CampaignInfo]) -> CampaignInfo:
    codes = [c.code for c in campaigns]
    wanted = st.query_params.get("campaign") or st.session_state.get(CAMPAIGN_KEY)
    index = codes.index(wanted) if wanted in codes else 0
    by_code = {c.code: c for c in campaigns}
    # Labels fixed for this run: a change of language relabels the options on the next run.
    labels = {c.code: _campaign_label(c, ui_language()) for c in campaigns}
    code = st.selectbox(
        t("dashboard.header.campaign"),
        codes,
        index=index,
        format_func=labels.__getitem__,
        key="wmm_dashboard_campaign",
    )
    st.session_state[CAMPAIGN_KEY] = code
    return by_code[code]


# -- the header -------------------------------------------------------------------------------------


def _header(results: dash.CampaignResults, language: str, view: dash.View | None = None) -> None:
    """Responses, response rate, readable units and the overall level of the chosen group: the
    organisation's, a unit's own, or a role group's (a role group has no head-count)."""
    view = view or dash.View()
    info, q = results.info, results.questionnaire
    frame = results.participation(language)
    units_frame = unit_rows(frame)
    chosen = units_frame[units_frame["unit"].astype(str) == view.label]
    readable_units = text(
        "dashboard.header.n_of",
        language,
        n=int(units_frame["readable"].sum()),
        total=len(units_frame),
    )
    readable: tuple[str, str, str | None] = (
        text("dashboard.header.readable_units", language),
        readable_units,
        text("dashboard.header.readable_units_help", language),
    )
    if view.by == "role":
        responses, head, rate = int(results.role_counts.get(view.label, 0)), None, None
    else:
        row = organisation_row(frame) if view.is_organisation or chosen.empty else chosen.iloc[0]
        responses = int(row["responses"])
        head = int(row["head_count"]) if pd.notna(row["head_count"]) else None
        rate = float(row["response_rate"]) if pd.notna(row["response_rate"]) else None
        if not view.is_organisation and not chosen.empty:
            answer = "yes" if bool(row["readable"]) else "no"
            readable = (
                text("dashboard.header.readable_unit", language),
                text(f"dashboard.header.{answer}", language),
                str(row["note"]) or None,
            )
    cols = st.columns(4)
    cols[0].metric(
        text("dashboard.header.responses", language),
        text("dashboard.header.n_of", language, n=responses, total=head)
        if head is not None
        else str(responses),
    )
    cols[1].metric(
        text("dashboard.header.response_rate", language),
        percent_text(100 * rate, language) if rate is not None else "–",
        help=text("dashboard.header.response_rate_help", language),
    )
    cols[2].metric(readable[0], readable[1], help=readable[2])
    overall = results.rows(view)
    overall = (
        overall[(overall["dimension"].astype(str) == "overall") & overall["mean"].notna()]
        if not overall.empty
        else overall
    )
    level_label = text("dashboard.header.overall_level", language)
    if len(overall):
        record = overall.iloc[0]
        cols[3].metric(
            level_label,
            q.level_name(int(record["level"]), language)
            if pd.notna(record["level"])
            else str(record["level_name"]),
            help=text(
                "dashboard.header.overall_help",
                language,
                mean=format_number(float(record["mean"]), language),
                interval=format_interval(
                    float(record["ci_low"]), float(record["ci_high"]), language
                ),
                p=percent_text(100 * float(record["level_probability"]), language),
            ),
        )
    else:
        cols[3].metric(level_label, "–")
    for over in results.over_counts:
        st.warning(
            text(
                "dashboard.header.over_count",
                language,
                line=as_text(over.text(language)),
                code=info.code,
            ),
            icon=":material/groups:",
        )
    status_key = f"campaigns.status.{info.status}"
    st.caption(
        text(
            "dashboard.header.facts",
            language,
            code=info.code,
            title=q.text(q.title, language),
            key=q.key,
            m=info.min_group_size,
            p=f"{results.confidence * 100:g}",
            status=text(status_key, language)
            if status_key in i18n.keys(i18n.DEFAULT_LANGUAGE)
            else info.status,
            changed=f"{results.version.settings_changed:%Y-%m-%d %H:%M}",
        )
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
        st.subheader(text("dashboard.live.scan", language))
        st.image(qr_svg(link), width=300)
        st.code(link, language=None)
        hint = unreachable_hint(link)
        if hint:
            st.warning(hint, icon=":material/wifi_off:")
        st.metric(
            text("dashboard.live.so_far", language),
            results.version.submitted,
            delta=text("dashboard.live.new", language, n=update.new_responses)
            if update.new_responses
            else None,
        )
        st.caption(
            text(
                "dashboard.live.checked_new" if update.new_responses else "dashboard.live.checked",
                language,
                time=f"{datetime.now():%H:%M:%S}",
            )
        )
    with right:
        participation_panel(results, language)
        if results.by_unit is not None:
            wheel = results.model(dash.View(), language).flywheel
            flywheel_panel(results, wheel, language, width=520)


# -- the tabs ---------------------------------------------------------------------------------------


def _panels(db: Store, results: dash.CampaignResults, view: dash.View, language: str) -> None:
    labels = tab_labels(language)
    # The open tab is remembered by its label: after a change of language, the same tab in the
    # new language (tests and links may name a tab in any language).
    chosen = tab_id(st.session_state.get(TAB_KEY))
    if chosen is not None:
        st.session_state[TAB_KEY] = labels[TAB_IDS.index(chosen)]
    tabs = st.tabs(list(labels), key=TAB_KEY, on_change="rerun")
    panel: dict[str, Callable[[], None]] = {
        "overview": lambda: overview.render(results, view, language),
        "units": lambda: units.render(results, language),
        "targets": lambda: targets.render(results, view, language),
        "discussion": lambda: discussion.render(results, view, language),
        "actions": lambda: actions.render(db, results, view, language),
        "waves": lambda: waves.render(db, results, view, language),
        "roles": lambda: roles.render(results, language),
        "benchmark": lambda: benchmark.render(db, results, language),
        "reliability": lambda: reliability.render(db, results, language),
        "downloads": lambda: downloads.render(db, results, language),
    }
    for name, tab in zip(TAB_IDS, tabs, strict=True):
        if tab.open:
            with tab:
                panel[name]()
