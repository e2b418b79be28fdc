"""The dashboard's Actions tab: what to work on first, the recommendations, and the action plan
(add, change, delete; items carried over from the previous wave).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from assessment import i18n
from assessment.campaigns.actions import (
    ACTION_STATUSES,
    Action,
    FollowUps,
    add_action,
    delete_action,
    follow_ups,
    list_actions,
    update_action,
)
from assessment.campaigns.management import dimension_ids
from assessment.campaigns.store import Store
from assessment.i18n import text
from assessment.results import dashboard as dash
from assessment.ui.errors import page_errors
from assessment.ui.markdown_text import as_text
from assessment.ui.pages.dashboard.panels import (
    no_results,
)

ACTION_KEEP = "(keep)"
DELETE_KEY = "wmm_action_delete"


def render(db: Store, results: dash.CampaignResults, view: dash.View, language: str) -> None:
    q = results.questionnaire
    info = results.info
    names = dash.dimension_names(q, language)
    suggestions: list[tuple[str, str]] = []
    if not no_results(results, view, language):
        model = results.model(view, language)
        priorities, recommendations = model.priorities, model.actions
        st.subheader(text("dashboard.page.work_first", language))
        if priorities:
            weakest = next(p for p in priorities if p.reason == "weakest")
            st.write(
                " → ".join(
                    f"**{names.get(p.component, p.component)}**"
                    if p.rank == 1
                    else names.get(p.component, p.component)
                    for p in priorities
                )
            )
            st.caption(
                text(
                    "dashboard.actions.order_note",
                    language,
                    weakest=names.get(weakest.component, weakest.component),
                )
            )
        for position, recommendation in enumerate(recommendations):
            component = recommendation.priority.component
            title = text(
                "dashboard.actions.step",
                language,
                rank=recommendation.priority.rank,
                component=names.get(component, component),
                from_level=q.level_name(recommendation.from_level, language),
                to_level=q.level_name(recommendation.to_level, language),
            )
            with st.expander(title, expanded=position == 0):
                for number, action in enumerate(recommendation.actions):
                    cell, button = st.columns([8, 2], vertical_alignment="center")
                    cell.markdown(f"- {action}")
                    if button.button(
                        text("dashboard.actions.add_to_plan", language),
                        key=f"wmm_add_{component}_{number}",
                        icon=":material/add:",
                        help=text("dashboard.actions.add_to_plan_help", language),
                    ):
                        with page_errors():
                            add_action(db, info.code, dimension=component, title=action)
                            st.toast(text("dashboard.actions.added", language))
                    suggestions.append((component, action))
    st.subheader(text("dashboard.page.action_plan", language))
    with st.form("wmm_add_action", clear_on_submit=True):
        st.write(text("dashboard.actions.form_intro", language))
        labels = [text("dashboard.actions.own", language)] + [
            f"{names.get(c, c)}: {a}" for c, a in suggestions
        ]
        choice = st.selectbox(
            text("dashboard.actions.recommendation", language),
            range(len(labels)),
            format_func=lambda i: labels[i],
            key="wmm_action_choice",
        )
        dims = dimension_ids(q)
        title = st.text_input(text("dashboard.actions.title", language), key="wmm_action_title")
        dimension = st.selectbox(
            text("dashboard.actions.dimension", language),
            dims,
            format_func=lambda d: names.get(d, d),
            key="wmm_action_dimension",
        )
        cols = st.columns(3)
        owner = cols[0].text_input(
            text("dashboard.actions.owner", language), key="wmm_action_owner"
        )
        due = cols[1].date_input(
            text("dashboard.actions.due", language), value=None, key="wmm_action_due"
        )
        status = cols[2].selectbox(
            text("dashboard.actions.status", language),
            ACTION_STATUSES,
            format_func=lambda s: status_text(s, language),
            key="wmm_action_status",
        )
        if st.form_submit_button(text("dashboard.actions.add", language), type="primary"):
            picked = suggestions[choice - 1] if choice else None
            action_title = title.strip() or (picked[1] if picked else "")
            with page_errors():
                add_action(
                    db,
                    info.code,
                    dimension=picked[0] if picked and not title.strip() else dimension,
                    title=action_title,
                    owner=owner or None,
                    due_date=due if isinstance(due, date) else None,
                    status=status,
                )
                st.success(text("dashboard.actions.added", language))
    actions = list_actions(db, info.code)
    carried = follow_ups(db, info.code)
    earlier = list(carried.actions) if carried is not None else []
    if not actions and not earlier:
        st.info(text("dashboard.actions.none", language))
        return
    frame = dash.actions_frame([*actions, *earlier], q, language=language)
    follow_up = follow_up_text(carried, language)
    frame.insert(
        0,
        "from",
        [text("dashboard.actions.this_wave", language)] * len(actions) + [follow_up] * len(earlier),
    )
    frame["status"] = [status_text(str(s), language) for s in frame["status"]]
    st.dataframe(
        frame[["from", "id", "dimension_name", "title", "owner", "due_date", "status"]].rename(
            columns={
                "from": text("dashboard.actions.col_from", language),
                "id": "#",
                "dimension_name": text("dashboard.page.col_dimension", language),
                "title": text("dashboard.actions.col_action", language),
                "owner": text("dashboard.actions.owner", language),
                "due_date": text("dashboard.actions.col_due", language),
                "status": text("dashboard.actions.status", language),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if carried is not None and earlier:
        st.caption(
            text("dashboard.actions.follow_up_note", language, wave=as_text(carried.wave.name))
        )
    _change_action(db, info.code, actions, carried, language)
    st.download_button(
        text("dashboard.downloads.actions", language),
        data=dash.actions_csv(actions, q, language=language),
        file_name=f"actions-{info.code}.csv",
        mime="text/csv",
        key="wmm_download_actions_tab",
        on_click="ignore",
    )


def status_text(status: str, language: str | None) -> str:
    """An action item's status in words ("in progress")."""
    key = f"dashboard.actions.state.{status}"
    return text(key, language) if key in i18n.keys(i18n.DEFAULT_LANGUAGE) else status


def follow_up_text(carried: FollowUps | None, language: str | None) -> str:
    """Where a carried-over item comes from: "follow-up from <previous wave>"."""
    if carried is None:
        return ""
    return text("dashboard.actions.follow_up", language, wave=carried.wave.name)


def _change_action(
    db: Store, code: str, actions: list[Action], carried: FollowUps | None, language: str
) -> None:
    """The form that changes or deletes an item (own or carried over); a delete asks first."""
    follow_up = follow_up_text(carried, language)
    items: dict[tuple[str, int], Action] = {(code, a.id): a for a in actions}
    if carried is not None:
        items.update({(carried.wave.code, a.id): a for a in carried.actions})
    with st.form("wmm_change_action"):
        st.write(text("dashboard.actions.change", language))
        cols = st.columns([3, 2, 2, 2])
        picked = cols[0].selectbox(
            text("dashboard.actions.col_action", language),
            list(items),
            format_func=lambda k: (
                f"#{k[1]} {items[k].title[:60]}"
                + ("" if k[0] == code or carried is None else f" ({follow_up})")
            ),
            key="wmm_change_id",
        )
        # "(keep)" first: saving a new owner must not reset a done item to "open".
        new_status = cols[1].selectbox(
            text("dashboard.actions.status", language),
            [ACTION_KEEP, *ACTION_STATUSES],
            format_func=lambda s: (
                text("dashboard.actions.keep", language)
                if s == ACTION_KEEP
                else status_text(s, language)
            ),
            key="wmm_change_status",
        )
        new_owner = cols[2].text_input(
            text("dashboard.actions.owner_keep", language), key="wmm_change_owner"
        )
        new_due = cols[3].date_input(
            text("dashboard.actions.due_keep", language), value=None, key="wmm_change_due"
        )
        save, remove = st.columns(2)
        saved = save.form_submit_button(text("dashboard.actions.save", language))
        removed = remove.form_submit_button(text("dashboard.actions.delete", language))
    with page_errors():
        if saved and picked is not None:
            changes = dash.action_changes(new_status, new_owner, new_due, keep=ACTION_KEEP)
            if changes:
                update_action(db, picked[0], picked[1], **changes)
            st.session_state.pop(DELETE_KEY, None)
            st.rerun()
        if removed and picked is not None:
            st.session_state[DELETE_KEY] = picked
        pending = st.session_state.get(DELETE_KEY)
        if pending is not None and tuple(pending) in items:
            item = items[tuple(pending)]
            st.warning(
                text(
                    "dashboard.actions.delete_confirm",
                    language,
                    id=item.id,
                    title=as_text(item.title),
                ),
                icon=":material/delete:",
            )
            yes, no = st.columns(2)
            if yes.button(
                text("dashboard.actions.delete_yes", language),
                key="wmm_action_delete_yes",
                type="primary",
            ):
                delete_action(db, pending[0], pending[1])
                st.session_state.pop(DELETE_KEY, None)
                st.rerun()
            if no.button(text("dashboard.actions.delete_no", language), key="wmm_action_delete_no"):
                st.session_state.pop(DELETE_KEY, None)
                st.rerun()
