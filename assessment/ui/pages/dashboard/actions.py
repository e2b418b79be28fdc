"""The dashboard's Actions tab: what to work on first, the recommendations, and the action plan
(add, change, delete; items carried over from the previous wave).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

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
    if not no_results(results, view):
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
                "Weakest part of the flywheel first; when components are not clearly different "
                f"(overlapping intervals with {names.get(weakest.component, weakest.component)}, "
                "the weakest), the one further upstream (Clarity → Coordination → Completion) "
                "comes first."
            )
        for position, recommendation in enumerate(recommendations):
            component = recommendation.priority.component
            title = (
                f"{recommendation.priority.rank}. {names.get(component, component)}: from "
                f"{q.level_name(recommendation.from_level, language)} to "
                f"{q.level_name(recommendation.to_level, language)}"
            )
            with st.expander(title, expanded=position == 0):
                for number, action in enumerate(recommendation.actions):
                    cell, button = st.columns([8, 2], vertical_alignment="center")
                    cell.markdown(f"- {action}")
                    if button.button(
                        "Add to the plan",
                        key=f"wmm_add_{component}_{number}",
                        icon=":material/add:",
                        help="Adds it as an open action; set the owner and due date below.",
                    ):
                        with page_errors():
                            add_action(db, info.code, dimension=component, title=action)
                            st.toast("Added to the action plan.")
                    suggestions.append((component, action))
    st.subheader(text("dashboard.page.action_plan", language))
    with st.form("wmm_add_action", clear_on_submit=True):
        st.write("Turn a recommendation into an action item, or write your own.")
        labels = ["(write my own)"] + [f"{names.get(c, c)}: {a}" for c, a in suggestions]
        choice = st.selectbox(
            "Recommendation",
            range(len(labels)),
            format_func=lambda i: labels[i],
            key="wmm_action_choice",
        )
        dims = dimension_ids(q)
        title = st.text_input(
            "Action (leave empty to take the recommendation's text)", key="wmm_action_title"
        )
        dimension = st.selectbox(
            "Dimension (for your own action)",
            dims,
            format_func=lambda d: names.get(d, d),
            key="wmm_action_dimension",
        )
        cols = st.columns(3)
        owner = cols[0].text_input("Owner", key="wmm_action_owner")
        due = cols[1].date_input("Due date", value=None, key="wmm_action_due")
        status = cols[2].selectbox("Status", ACTION_STATUSES, key="wmm_action_status")
        if st.form_submit_button("Add to the action plan", type="primary"):
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
                st.success("Added to the action plan.")
    actions = list_actions(db, info.code)
    carried = follow_ups(db, info.code)
    earlier = list(carried.actions) if carried is not None else []
    if not actions and not earlier:
        st.info("No action items yet.")
        return
    frame = dash.actions_frame([*actions, *earlier], q, language=language)
    frame.insert(
        0, "from", ["this wave"] * len(actions) + [carried.label if carried else ""] * len(earlier)
    )
    st.dataframe(
        frame[["from", "id", "dimension_name", "title", "owner", "due_date", "status"]].rename(
            columns={
                "from": "From",
                "id": "#",
                "dimension_name": "Dimension",
                "title": "Action",
                "owner": "Owner",
                "due_date": "Due",
                "status": "Status",
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if carried is not None and earlier:
        st.caption(
            f"Items of {as_text(carried.wave.name)} still open when this wave began are shown as "
            "follow-ups; a change here changes them in that wave too."
        )
    _change_action(db, info.code, actions, carried)
    st.download_button(
        "Action items (CSV)",
        data=dash.actions_csv(actions, q, language=language),
        file_name=f"actions-{info.code}.csv",
        mime="text/csv",
        key="wmm_download_actions_tab",
        on_click="ignore",
    )


def _change_action(db: Store, code: str, actions: list[Action], carried: FollowUps | None) -> None:
    """The form that changes or deletes an item (own or carried over); a delete asks first."""
    items: dict[tuple[str, int], Action] = {(code, a.id): a for a in actions}
    if carried is not None:
        items.update({(carried.wave.code, a.id): a for a in carried.actions})
    with st.form("wmm_change_action"):
        st.write("Change an action item")
        cols = st.columns([3, 2, 2, 2])
        picked = cols[0].selectbox(
            "Action",
            list(items),
            format_func=lambda k: (
                f"#{k[1]} {items[k].title[:60]}"
                + ("" if k[0] == code or carried is None else f" ({carried.label})")
            ),
            key="wmm_change_id",
        )
        # "(keep)" first: saving a new owner must not reset a done item to "open".
        new_status = cols[1].selectbox(
            "Status", [ACTION_KEEP, *ACTION_STATUSES], key="wmm_change_status"
        )
        new_owner = cols[2].text_input("Owner (empty: keep)", key="wmm_change_owner")
        new_due = cols[3].date_input("Due date (empty: keep)", value=None, key="wmm_change_due")
        save, remove = st.columns(2)
        saved = save.form_submit_button("Save")
        removed = remove.form_submit_button("Delete this action")
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
                f"Delete action #{item.id} “{as_text(item.title)}”? This cannot be undone.",
                icon=":material/delete:",
            )
            yes, no = st.columns(2)
            if yes.button("Yes, delete it", key="wmm_action_delete_yes", type="primary"):
                delete_action(db, pending[0], pending[1])
                st.session_state.pop(DELETE_KEY, None)
                st.rerun()
            if no.button("Cancel", key="wmm_action_delete_no"):
                st.session_state.pop(DELETE_KEY, None)
                st.rerun()
