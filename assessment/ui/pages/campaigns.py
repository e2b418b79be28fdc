"""The facilitator's Campaigns page: create campaigns, import responses, open/close, invitation links.

The page is thin: it reads widgets and calls `assessment.campaigns.management` (also for the invitation links
file), `assessment.campaigns.importing` and `assessment.results.dashboard` (unit lists, problem tables).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from assessment.analysis.spec import dimension_names
from assessment.campaigns.importing import import_responses
from assessment.campaigns.management import (
    CAMPAIGN_MODES,
    CampaignInfo,
    UnitSpec,
    check_require_role,
    close_campaign,
    create_campaign,
    create_invitations,
    dimension_ids,
    invitation_counts,
    invitation_links_csv,
    list_campaigns,
    read_units_csv,
    reopen_campaign,
    save_units,
    set_targets,
    survey_url,
    update_campaign,
)
from assessment.campaigns.store import Store
from assessment.errors import AssessmentError
from assessment.questionnaire import Questionnaire, default_registry
from assessment.results import dashboard as dash
from assessment.survey.qr import qr_svg
from assessment.ui.errors import guarded_page, page_errors
from assessment.ui.markdown_text import as_text
from assessment.ui.session import database, require_facilitator

LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}
MODE_TEXT = {
    "open": "Open link: anyone with the survey link can answer",
    "invitation": "Invitation only: single-use links",
}
NO_TARGET = 0
REQUIRE_ROLE_LABEL = "Respondents must answer the role question (“Other” is offered)"
REQUIRE_ROLE_HELP = (
    "A skipped role would pool the smallest role groups away; a required role question keeps "
    "every role group. Imported files then need a role in every row."
)
#: Session-state key of the invitation links just created (bytes of the CSV, shown once).
LINKS_KEY = "wmm_invitation_links"
MESSAGE_KEY = "wmm_campaigns_message"


@guarded_page
def render() -> None:
    """Draw the Campaigns page (facilitator login required)."""
    require_facilitator()
    db = database()
    st.title("Campaigns")
    if MESSAGE_KEY in st.session_state:
        # Messages name campaigns: user-provided text, shown as text.
        st.success(as_text(st.session_state.pop(MESSAGE_KEY)))
    campaigns = list_campaigns(db)
    manage, create, import_tab = st.tabs(
        ["Campaigns", "Create a campaign", "Import responses"],
        key="wmm_campaigns_tab",
        on_change="rerun",
    )
    if manage.open:
        with manage:
            _manage(db, campaigns)
    if create.open:
        with create:
            _create(db)
    if import_tab.open:
        with import_tab:
            _import(db, campaigns)


# -- the list ---------------------------------------------------------------------------------------


def _label(info: CampaignInfo) -> str:
    who = f" — {info.organisation}" if info.organisation else ""
    return f"{info.name}{who} ({info.code}, {info.status})"


def _manage(db: Store, campaigns: list[CampaignInfo]) -> None:
    if not campaigns:
        st.info("No campaign yet. Create one on the next tab.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Name": [c.name for c in campaigns],
                "Organisation": [c.organisation or "" for c in campaigns],
                "Code": [c.code for c in campaigns],
                "Questionnaire": [c.questionnaire for c in campaigns],
                "Status": [c.status for c in campaigns],
                "Mode": [c.mode for c in campaigns],
                "Responses": [c.responses for c in campaigns],
                "Drafts": [c.drafts for c in campaigns],
                "Created": [f"{c.created_at:%Y-%m-%d}" for c in campaigns],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    by_code = {c.code: c for c in campaigns}
    code = st.selectbox(
        "Campaign", list(by_code), format_func=lambda c: _label(by_code[c]), key="wmm_manage_code"
    )
    info = by_code[code]
    link = survey_url(info.code)
    left, right = st.columns([3, 1])
    with left:
        st.subheader(as_text(info.name))
        st.write(f"Survey link: {link}")
        st.caption(
            f"{info.questionnaire} · {MODE_TEXT.get(info.mode, info.mode)} · minimum group size "
            f"{info.min_group_size} · role question {_role_text(info)} · languages "
            f"{', '.join(info.languages)} · {info.responses} responses, {info.drafts} unfinished"
        )
        if info.status == "open":
            if st.button("Close the campaign", key="wmm_close", help="Stops accepting answers."):
                close_campaign(db, info.code)
                _done(f"{info.name} is closed; it accepts no more answers.")
        elif st.button("Reopen the campaign", key="wmm_reopen"):
            reopen_campaign(db, info.code)
            _done(f"{info.name} is open again.")
    with right:
        st.image(qr_svg(link), width=180, caption="Survey link")
    _invitations(db, info)
    _units_and_targets(db, info)
    _role_setting(db, info)


def _role_text(info: CampaignInfo) -> str:
    return "required" if info.require_role else "optional"


def _role_setting(db: Store, info: CampaignInfo) -> None:
    with st.expander("Role question"), st.form("wmm_edit_role"):
        required = st.checkbox(
            REQUIRE_ROLE_LABEL,
            value=info.require_role,
            help=REQUIRE_ROLE_HELP,
            key=f"wmm_edit_require_role_{info.code}",
        )
        st.caption(
            "Applies to what is answered or imported from now on; responses received before keep "
            "their answer, or none."
        )
        if st.form_submit_button("Save the role setting"):
            with page_errors():
                changed = update_campaign(db, info.code, require_role=bool(required))
                _done(f"The role question of {changed.name} is now {_role_text(changed)}.")


def _requirable_reason(q: Questionnaire) -> str | None:
    """Why a campaign on ``q`` cannot require the role question (None: it can)."""
    try:
        check_require_role(q)
    except AssessmentError as exc:
        return str(exc)
    return None


def _done(message: str) -> None:
    st.session_state[MESSAGE_KEY] = message
    st.rerun()


def _invitations(db: Store, info: CampaignInfo) -> None:
    st.markdown("**Invitation links**")
    # Filled in after the button below is handled, so the count includes links just created.
    counter = st.empty()
    cols = st.columns([1, 1, 2])
    count = cols[0].number_input(
        "How many links", min_value=1, max_value=10_000, value=20, step=1, key="wmm_invite_count"
    )
    if cols[1].button("Create links", key="wmm_invite_create"):
        with page_errors():
            tokens = create_invitations(db, info.code, int(count))
            st.session_state[LINKS_KEY] = (info.code, invitation_links_csv(info.code, tokens))
    total, used = invitation_counts(db, info.code)
    counter.caption(
        f"{total} single-use links created, {used} used. Only their hashes are stored: download "
        "the file when you create them, it is the only copy."
    )
    created = st.session_state.get(LINKS_KEY)
    if created and created[0] == info.code:
        st.download_button(
            "Download the links (CSV)",
            data=created[1],
            file_name=f"invitations-{info.code}.csv",
            mime="text/csv",
            key="wmm_invite_download",
            type="primary",
            on_click="ignore",
        )


def _units_and_targets(db: Store, info: CampaignInfo) -> None:
    q = default_registry().get(info.questionnaire)
    with st.expander("Units, head-counts and targets"), st.form("wmm_edit_campaign"):
        units = st.text_area(
            "Units (one per line: name, head-count[, parent unit])",
            value=dash.units_text(info.units),
            height=180,
            key=f"wmm_edit_units_{info.code}",
        )
        targets = _target_inputs(q, dict(info.targets), key=f"wmm_edit_target_{info.code}")
        if st.form_submit_button("Save units and targets"):
            with page_errors():
                specs = dash.parse_units_text(units)
                if specs:
                    save_units(db, info.code, specs)
                set_targets(db, info.code, targets)
                _done(f"Saved the units and targets of {info.name}.")


# -- creating ---------------------------------------------------------------------------------------


def _target_inputs(q: Questionnaire, current: dict[str, int], *, key: str) -> dict[str, int | None]:
    """One select per component, the overall score and each index: no target or a level."""
    names = dimension_names(q)
    levels = [NO_TARGET, *(lv.level for lv in sorted(q.levels, key=lambda lv: lv.level))]
    chosen: dict[str, int | None] = {}
    shown = [d for d in dimension_ids(q) if d not in {p.id for p in q.principles}]
    st.write("Target levels (optional)")
    cols = st.columns(4)
    for i, dimension in enumerate(shown):
        value = cols[i % 4].selectbox(
            names.get(dimension, dimension),
            levels,
            index=levels.index(current.get(dimension, NO_TARGET)),
            format_func=lambda lv: "no target" if lv == NO_TARGET else f"{lv} {q.level_name(lv)}",
            key=f"{key}_{dimension}",
        )
        chosen[dimension] = None if value == NO_TARGET else int(value)
    return chosen


def _create(db: Store) -> None:
    registry = default_registry()
    keys = registry.keys()
    if not keys:
        st.error(f"No questionnaire files found in {registry.root}.")
        return
    published = [k for k in keys if registry.is_published(k)] or keys
    key = st.selectbox(
        "Questionnaire version",
        keys,
        index=keys.index(published[-1]),
        format_func=lambda k: k + ("" if registry.is_published(k) else " (draft)"),
        key="wmm_create_questionnaire",
    )
    q = registry.get(key)
    with st.form("wmm_create_form"):
        name = st.text_input("Name", placeholder="Spring 2025", key="wmm_create_name")
        cols = st.columns(3)
        organisation = cols[0].text_input("Organisation", key="wmm_create_organisation")
        sector = cols[1].text_input("Sector (for benchmark files)", key="wmm_create_sector")
        size_band = cols[2].text_input("Size band (e.g. 250-999)", key="wmm_create_size")
        cols = st.columns(3)
        mode = cols[0].selectbox(
            "Mode", CAMPAIGN_MODES, format_func=lambda m: MODE_TEXT.get(m, m), key="wmm_create_mode"
        )
        minimum = cols[1].number_input(
            "Minimum group size",
            min_value=1,
            max_value=100,
            value=int(q.scoring.min_group_size),
            step=1,
            help="Groups with fewer respondents show no results (privacy).",
            key="wmm_create_minimum",
        )
        languages = cols[2].multiselect(
            "Languages",
            q.languages,
            default=q.languages,
            format_func=lambda c: LANGUAGE_NAMES.get(c, c),
            key="wmm_create_languages",
        )
        units = st.text_area(
            "Units (one per line: name, head-count[, parent unit]); leave empty to take the units "
            "from the first imported file",
            height=160,
            placeholder="Sales, 72\nOperations, 66\nFinance, 51",
            key="wmm_create_units",
        )
        units_file = st.file_uploader(
            "…or a units CSV (columns unit, parent, head_count)",
            type=["csv"],
            key="wmm_create_units_file",
        )
        targets = _target_inputs(q, {}, key="wmm_create_target")
        not_requirable = _requirable_reason(q)
        require_role = st.checkbox(
            REQUIRE_ROLE_LABEL,
            value=False,
            disabled=not_requirable is not None,
            help=REQUIRE_ROLE_HELP,
            key="wmm_create_require_role",
        )
        if not_requirable is not None:
            st.caption(f"Not available: {not_requirable}")
        submitted = st.form_submit_button("Create the campaign", type="primary")
    if not submitted:
        return
    with page_errors() as outcome:
        specs = (
            _units_from_upload(units_file.name, units_file.getvalue())
            if units_file is not None
            else dash.parse_units_text(units)
        )
        info = create_campaign(
            db,
            name=name,
            questionnaire=key,
            organisation=organisation or None,
            sector=sector or None,
            size_band=size_band or None,
            units=specs,
            min_group_size=int(minimum),
            mode=mode,
            languages=languages,
            targets={d: lv for d, lv in targets.items() if lv is not None},
            require_role=bool(require_role) and not_requirable is None,
        )
    if outcome.failed:
        return
    st.success(
        f"Created {as_text(info.name)}: code {info.code}. Survey link: {info.survey_url}"
        + (" · The role question is required." if info.require_role else "")
    )
    st.image(qr_svg(info.survey_url), width=200)


def _units_from_upload(name: str, content: bytes) -> list[UnitSpec]:
    return read_units_csv(content, name=Path(name).name)


# -- importing --------------------------------------------------------------------------------------


def _import(db: Store, campaigns: list[CampaignInfo]) -> None:
    open_campaigns = [c for c in campaigns if c.status == "open"]
    if not open_campaigns:
        st.info("No open campaign: create one, or reopen a closed one, to import responses.")
        return
    by_code = {c.code: c for c in open_campaigns}
    code = st.selectbox(
        "Into campaign",
        list(by_code),
        format_func=lambda c: _label(by_code[c]),
        key="wmm_import_code",
    )
    info = by_code[code]
    role = (
        "role (required: this campaign requires the role)" if info.require_role else "optional role"
    )
    st.caption(
        f"A responses CSV for {info.questionnaire}: columns respondent_id, unit, {role}, "
        "submitted_at, language, duration_seconds, then one column per statement id (a number on "
        "the scale, empty, DK or NA). The import is all or nothing."
    )
    upload = st.file_uploader("Responses CSV", type=["csv"], key="wmm_import_file")
    if upload is None or not st.button("Import", type="primary", key="wmm_import_run"):
        return
    with page_errors(before="Nothing was imported. ") as outcome:
        result = import_responses(db, info.code, upload.getvalue(), name=Path(upload.name).name)
    if outcome.failed:
        return
    st.success(result.summary)
