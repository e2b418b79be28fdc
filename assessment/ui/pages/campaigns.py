"""The facilitator's Campaigns page: create campaigns, import responses, open/close, invitation links.

The page is thin: it reads widgets and calls `assessment.campaigns.management` (also for the invitation links
file), `assessment.campaigns.importing` and `assessment.results.dashboard` (unit lists, problem tables).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from assessment import i18n
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
from assessment.ui.language import t
from assessment.ui.markdown_text import as_text
from assessment.ui.session import database, require_facilitator

NO_TARGET = 0
#: Session-state key of the invitation links just created (bytes of the CSV, shown once).
LINKS_KEY = "wmm_invitation_links"
MESSAGE_KEY = "wmm_campaigns_message"


@guarded_page
def render() -> None:
    """Draw the Campaigns page (facilitator login required)."""
    require_facilitator()
    db = database()
    st.title(t("campaigns.title"))
    if MESSAGE_KEY in st.session_state:
        # Messages name campaigns: user-provided text, shown as text.
        st.success(as_text(st.session_state.pop(MESSAGE_KEY)))
    campaigns = list_campaigns(db)
    manage, create, import_tab = st.tabs(
        [t("campaigns.tab_manage"), t("campaigns.tab_create"), t("campaigns.tab_import")],
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


def _mode_text(mode: str) -> str:
    """How a campaign mode reads on the page ("Open link: anyone ...")."""
    return _coded("campaigns.mode", mode)


def _coded(section: str, code: str) -> str:
    """The catalogue's wording of a stored code (a status, a mode); the code itself if it has none."""
    try:
        return t(f"{section}.{code}")
    except KeyError:
        return code


def _label(info: CampaignInfo) -> str:
    who = f" — {info.organisation}" if info.organisation else ""
    return f"{info.name}{who} ({info.code}, {_coded('campaigns.status', info.status)})"


def _manage(db: Store, campaigns: list[CampaignInfo]) -> None:
    if not campaigns:
        st.info(t("campaigns.none_yet"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("campaigns.column.name"): [c.name for c in campaigns],
                t("campaigns.column.organisation"): [c.organisation or "" for c in campaigns],
                t("campaigns.column.code"): [c.code for c in campaigns],
                t("campaigns.column.questionnaire"): [c.questionnaire for c in campaigns],
                t("campaigns.column.status"): [
                    _coded("campaigns.status", c.status) for c in campaigns
                ],
                t("campaigns.column.mode"): [
                    _coded("campaigns.mode_short", c.mode) for c in campaigns
                ],
                t("campaigns.column.responses"): [c.responses for c in campaigns],
                t("campaigns.column.drafts"): [c.drafts for c in campaigns],
                t("campaigns.column.created"): [f"{c.created_at:%Y-%m-%d}" for c in campaigns],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    by_code = {c.code: c for c in campaigns}
    code = st.selectbox(
        t("campaigns.campaign"),
        list(by_code),
        format_func=lambda c: _label(by_code[c]),
        key="wmm_manage_code",
    )
    info = by_code[code]
    link = survey_url(info.code)
    left, right = st.columns([3, 1])
    with left:
        st.subheader(as_text(info.name))
        st.write(t("campaigns.survey_link", link=link))
        st.caption(
            t(
                "campaigns.facts",
                questionnaire=info.questionnaire,
                mode=_mode_text(info.mode),
                minimum=info.min_group_size,
                role=_role_text(info),
                languages=", ".join(info.languages),
                responses=info.responses,
                drafts=info.drafts,
            )
        )
        if info.status == "open":
            if st.button(t("campaigns.close"), key="wmm_close", help=t("campaigns.close_help")):
                close_campaign(db, info.code)
                _done(t("campaigns.closed", name=info.name))
        elif st.button(t("campaigns.reopen"), key="wmm_reopen"):
            reopen_campaign(db, info.code)
            _done(t("campaigns.reopened", name=info.name))
    with right:
        st.image(qr_svg(link), width=180, caption=t("campaigns.survey_link_caption"))
    _invitations(db, info)
    _units_and_targets(db, info)
    _role_setting(db, info)


def _role_text(info: CampaignInfo) -> str:
    return t(
        "campaigns.role_state.required" if info.require_role else "campaigns.role_state.optional"
    )


def _role_setting(db: Store, info: CampaignInfo) -> None:
    with st.expander(t("campaigns.role_question")), st.form("wmm_edit_role"):
        required = st.checkbox(
            t("campaigns.require_role"),
            value=info.require_role,
            help=t("campaigns.require_role_help"),
            key=f"wmm_edit_require_role_{info.code}",
        )
        st.caption(t("campaigns.role_applies"))
        if st.form_submit_button(t("campaigns.save_role")):
            with page_errors():
                changed = update_campaign(db, info.code, require_role=bool(required))
                _done(t("campaigns.role_saved", name=changed.name, state=_role_text(changed)))


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
    st.markdown(f"**{t('campaigns.invitations')}**")
    # Filled in after the button below is handled, so the count includes links just created.
    counter = st.empty()
    cols = st.columns([1, 1, 2])
    count = cols[0].number_input(
        t("campaigns.how_many"),
        min_value=1,
        max_value=10_000,
        value=20,
        step=1,
        key="wmm_invite_count",
    )
    if cols[1].button(t("campaigns.create_links"), key="wmm_invite_create"):
        with page_errors():
            tokens = create_invitations(db, info.code, int(count))
            st.session_state[LINKS_KEY] = (info.code, invitation_links_csv(info.code, tokens))
    total, used = invitation_counts(db, info.code)
    counter.caption(t("campaigns.links_count", total=total, used=used))
    created = st.session_state.get(LINKS_KEY)
    if created and created[0] == info.code:
        st.download_button(
            t("campaigns.download_links"),
            data=created[1],
            file_name=f"invitations-{info.code}.csv",
            mime="text/csv",
            key="wmm_invite_download",
            type="primary",
            on_click="ignore",
        )


def _units_and_targets(db: Store, info: CampaignInfo) -> None:
    q = default_registry().get(info.questionnaire)
    with st.expander(t("campaigns.units_and_targets")), st.form("wmm_edit_campaign"):
        units = st.text_area(
            t("campaigns.units"),
            value=dash.units_text(info.units),
            height=180,
            key=f"wmm_edit_units_{info.code}",
        )
        targets = _target_inputs(q, dict(info.targets), key=f"wmm_edit_target_{info.code}")
        if st.form_submit_button(t("campaigns.save_units")):
            with page_errors():
                specs = dash.parse_units_text(units)
                if specs:
                    save_units(db, info.code, specs)
                set_targets(db, info.code, targets)
                _done(t("campaigns.units_saved", name=info.name))


# -- creating ---------------------------------------------------------------------------------------


def _target_inputs(q: Questionnaire, current: dict[str, int], *, key: str) -> dict[str, int | None]:
    """One select per component, the overall score and each index: no target or a level."""
    names = dimension_names(q)
    levels = [NO_TARGET, *(lv.level for lv in sorted(q.levels, key=lambda lv: lv.level))]
    chosen: dict[str, int | None] = {}
    shown = [d for d in dimension_ids(q) if d not in {p.id for p in q.principles}]
    st.write(t("campaigns.targets"))
    cols = st.columns(4)
    for i, dimension in enumerate(shown):
        value = cols[i % 4].selectbox(
            names.get(dimension, dimension),
            levels,
            index=levels.index(current.get(dimension, NO_TARGET)),
            format_func=lambda lv: (
                t("campaigns.no_target") if lv == NO_TARGET else f"{lv} {q.level_name(lv)}"
            ),
            key=f"{key}_{dimension}",
        )
        chosen[dimension] = None if value == NO_TARGET else int(value)
    return chosen


def _create(db: Store) -> None:
    registry = default_registry()
    keys = registry.keys()
    if not keys:
        st.error(t("common.no_questionnaires", folder=registry.root))
        return
    published = [k for k in keys if registry.is_published(k)] or keys
    key = st.selectbox(
        t("campaigns.questionnaire_version"),
        keys,
        index=keys.index(published[-1]),
        format_func=lambda k: k + ("" if registry.is_published(k) else t("campaigns.draft")),
        key="wmm_create_questionnaire",
    )
    q = registry.get(key)
    with st.form("wmm_create_form"):
        name = st.text_input(
            t("campaigns.name"), placeholder=t("campaigns.name_placeholder"), key="wmm_create_name"
        )
        cols = st.columns(3)
        organisation = cols[0].text_input(
            t("campaigns.organisation"), key="wmm_create_organisation"
        )
        sector = cols[1].text_input(t("campaigns.sector"), key="wmm_create_sector")
        size_band = cols[2].text_input(t("campaigns.size_band"), key="wmm_create_size")
        cols = st.columns(3)
        mode = cols[0].selectbox(
            t("campaigns.mode_label"), CAMPAIGN_MODES, format_func=_mode_text, key="wmm_create_mode"
        )
        minimum = cols[1].number_input(
            t("campaigns.minimum"),
            min_value=1,
            max_value=100,
            value=int(q.scoring.min_group_size),
            step=1,
            help=t("campaigns.minimum_help"),
            key="wmm_create_minimum",
        )
        languages = cols[2].multiselect(
            t("campaigns.languages"),
            q.languages,
            default=q.languages,
            format_func=lambda c: i18n.language_names().get(c, c),
            key="wmm_create_languages",
        )
        units = st.text_area(
            t("campaigns.units_create"),
            height=160,
            placeholder=t("campaigns.units_placeholder"),
            key="wmm_create_units",
        )
        units_file = st.file_uploader(
            t("campaigns.units_file"),
            type=["csv"],
            key="wmm_create_units_file",
        )
        targets = _target_inputs(q, {}, key="wmm_create_target")
        not_requirable = _requirable_reason(q)
        require_role = st.checkbox(
            t("campaigns.require_role"),
            value=False,
            disabled=not_requirable is not None,
            help=t("campaigns.require_role_help"),
            key="wmm_create_require_role",
        )
        if not_requirable is not None:
            st.caption(t("campaigns.not_available", reason=not_requirable))
        submitted = st.form_submit_button(t("campaigns.create"), type="primary")
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
        t("campaigns.created", name=as_text(info.name), code=info.code, link=info.survey_url)
        + (t("campaigns.created_role_required") if info.require_role else "")
    )
    st.image(qr_svg(info.survey_url), width=200)


def _units_from_upload(name: str, content: bytes) -> list[UnitSpec]:
    return read_units_csv(content, name=Path(name).name)


# -- importing --------------------------------------------------------------------------------------


def _import(db: Store, campaigns: list[CampaignInfo]) -> None:
    open_campaigns = [c for c in campaigns if c.status == "open"]
    if not open_campaigns:
        st.info(t("campaigns.no_open"))
        return
    by_code = {c.code: c for c in open_campaigns}
    code = st.selectbox(
        t("campaigns.into"),
        list(by_code),
        format_func=lambda c: _label(by_code[c]),
        key="wmm_import_code",
    )
    info = by_code[code]
    role = t(
        "campaigns.import_role_required" if info.require_role else "campaigns.import_role_optional"
    )
    st.caption(t("campaigns.import_format", questionnaire=info.questionnaire, role=role))
    upload = st.file_uploader(t("campaigns.responses_file"), type=["csv"], key="wmm_import_file")
    if upload is None or not st.button(t("campaigns.import"), type="primary", key="wmm_import_run"):
        return
    with page_errors(before=t("campaigns.nothing_imported") + " ") as outcome:
        result = import_responses(db, info.code, upload.getvalue(), name=Path(upload.name).name)
    if outcome.failed:
        return
    st.success(result.summary)
