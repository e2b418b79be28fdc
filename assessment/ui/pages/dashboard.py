"""The facilitator's Dashboard page: one campaign's results for a workshop on a projector.

The page is thin: it reads widgets, asks `assessment.results.dashboard` for the tables and `charts` for the pictures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Literal

import altair as alt
import pandas as pd
import streamlit as st

from assessment import i18n
from assessment.analysis.waves import CHANGE_TEXT, wave_change
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
from assessment.campaigns.management import CampaignInfo, dimension_ids, list_campaigns, survey_url
from assessment.campaigns.store import Store
from assessment.errors import AssessmentError
from assessment.i18n import format_interval, format_number, text
from assessment.outputs import charts
from assessment.results import dashboard as dash
from assessment.results.campaign_answers import campaign_version
from assessment.results.rows import organisation_row, unit_rows
from assessment.survey.qr import qr_svg
from assessment.survey.site_address import unreachable_hint
from assessment.ui.errors import guarded_page, page_errors
from assessment.ui.markdown_text import as_text
from assessment.ui.session import database, require_facilitator

#: Seconds between two looks at the database in live mode.
LIVE_SECONDS = 5
#: Statements shown in the discussion queue (the report lists as many).
QUEUE_LENGTH = dash.QUEUE_LENGTH
#: With more units than twice this, the heatmap first shows the strongest and weakest this many.
HEATMAP_PER_SIDE = 12
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
        _participation_panel(results, language)
        if results.by_unit is not None:
            wheel = results.model(dash.View(), language).flywheel
            _flywheel_panel(results, wheel, language, width=520)


# -- the panels -------------------------------------------------------------------------------------


def _panels(db: Store, results: dash.CampaignResults, view: dash.View, language: str) -> None:
    tabs = st.tabs(list(TABS), key="wmm_dashboard_tab", on_change="rerun")
    panel: dict[str, Callable[[], None]] = {
        "Overview": lambda: _overview(results, view, language),
        "Units": lambda: _units(results, language),
        "Targets": lambda: _targets(results, view, language),
        "Discussion": lambda: _discussion(results, view, language),
        "Actions": lambda: _actions(db, results, view, language),
        "Waves": lambda: _waves(db, results, view, language),
        "Roles": lambda: _roles(results, language),
        "Benchmark": lambda: _benchmark(db, results, language),
        "Reliability": lambda: _reliability(results, language),
        "Downloads": lambda: _downloads(db, results, language),
    }
    for name, tab in zip(TABS, tabs, strict=True):
        if tab.open:
            with tab:
                panel[name]()


#: The kinds of Altair chart Streamlit draws.
_DRAWABLE = (
    alt.Chart,
    alt.LayerChart,
    alt.HConcatChart,
    alt.VConcatChart,
    alt.ConcatChart,
    alt.FacetChart,
    alt.RepeatChart,
)


def _image(chart: alt.TopLevelMixin, fmt: Literal["png", "svg"]) -> Callable[[], bytes]:
    """The chart's image, drawn only when its download button is clicked."""
    return lambda: charts.chart_image(chart, fmt)


def _chart(name: str, chart: alt.TopLevelMixin, caption: str, *, stretch: bool = True) -> None:
    """A chart, its one-line caption, and its PNG/SVG downloads (drawn only when clicked)."""
    drawn = charts.styled(chart)
    if not isinstance(drawn, _DRAWABLE):
        raise TypeError(f"the dashboard draws Altair charts; got {type(drawn).__name__}")
    st.altair_chart(drawn, theme=None, width="stretch" if stretch else "content")
    st.caption(caption)
    with st.popover("Image", icon=":material/download:"):
        formats: tuple[tuple[Literal["png", "svg"], str], ...] = (
            ("png", "image/png"),
            ("svg", "image/svg+xml"),
        )
        for fmt, mime in formats:
            st.download_button(
                f"{name}.{fmt}",
                data=_image(chart, fmt),
                file_name=f"{name}.{fmt}",
                mime=mime,
                key=f"wmm_image_{name}_{fmt}",
                on_click="ignore",
            )


def _no_results(results: dash.CampaignResults, view: dash.View) -> bool:
    """Say why there is nothing to show, when there is nothing; True in that case."""
    if results.by_unit is None and results.summary is not None and results.summary.pending:
        # Answers arrived, but not yet k of them: nothing is released (DESIGN §7 "Time").
        st.warning(
            f"Fewer than {results.min_group_size} respondents so far: no results can be shown "
            f"without revealing individual answers. {as_text(results.summary.text)}"
        )
        return True
    if results.by_unit is None:
        st.info(
            "No responses yet. Share the survey link (Live mode shows it as a QR code); results "
            "appear here as answers arrive."
        )
        return True
    rows = results.rows(view)
    if rows.empty or not rows["mean"].notna().any():
        st.warning(
            f"Fewer than {results.min_group_size} respondents with scores in "
            f"{as_text(view.describe(dash.role_names(results.questionnaire)))}: no results can be "
            "shown "
            "without revealing individual answers."
        )
        return True
    return False


def _levels(results: dash.CampaignResults, language: str) -> tuple[list[float], list[str]]:
    q = results.questionnaire
    levels = sorted(q.levels, key=lambda lv: lv.level)
    return [lv.threshold for lv in levels], [q.level_name(lv.level, language) for lv in levels]


def _percent(results: dash.CampaignResults) -> str:
    return f"{results.confidence * 100:g}"


def _participation_panel(results: dash.CampaignResults, language: str) -> None:
    st.subheader(text("dashboard.page.participation", language))
    if results.summary is not None and results.summary.text:
        # Results advance in releases (DESIGN §7 "Time"); the table's notes name the groups.
        st.caption(as_text(results.summary.text))
    frame = results.participation(language)
    units = unit_rows(frame)
    if units.empty:
        st.info(text("dashboard.page.no_units", language))
        return
    thresholds = [lv.threshold for lv in results.questionnaire.levels]
    _chart(
        "participation",
        charts.participation_chart(frame, min_group_size=results.min_group_size, language=language),
        charts.caption(
            "participation",
            language,
            half=dash.readable_half_width(thresholds),
            m=results.min_group_size,
        ),
    )


def _flywheel_panel(
    results: dash.CampaignResults, wheel: pd.DataFrame, language: str, *, width: int = 620
) -> None:
    _, names = _levels(results, language)
    _chart(
        "flywheel",
        charts.flywheel_chart(
            wheel,
            level_names=names,
            confidence=results.confidence,
            width=width,
            language=language,
        ),
        charts.caption("flywheel", language, p=_percent(results)),
        stretch=False,
    )


def _overview(results: dash.CampaignResults, view: dash.View, language: str) -> None:
    if _no_results(results, view):
        _participation_panel(results, language)
        return
    q = results.questionnaire
    model = results.model(view, language)
    thresholds, names = _levels(results, language)
    who = view.describe(dash.role_names(q, language), language)
    st.subheader(text("dashboard.page.flywheel", language, who=as_text(who)))
    left, right = st.columns([3, 2])
    with left:
        _flywheel_panel(results, model.flywheel, language)
    with right:
        components = model.components
        _chart(
            "components",
            charts.estimate_chart(
                components,
                thresholds=thresholds,
                level_names=names,
                scale_min=q.scale.minimum,
                scale_max=q.scale.maximum,
                language=language,
            ),
            charts.caption("components", language, p=_percent(results)),
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
                    p=_percent(results),
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
        _chart(
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
            charts.caption("principles", language, p=_percent(results)),
        )
    _participation_panel(results, language)


def _units(results: dash.CampaignResults, language: str) -> None:
    if results.by_unit is None:
        _no_results(results, dash.View())
        return
    q = results.questionnaire
    _, names = _levels(results, language)
    st.subheader(text("dashboard.page.units", language))
    colour_by = st.segmented_control(
        "Colour by",
        ["mean", "level"],
        default="mean",
        format_func=lambda v: {"mean": "Mean", "level": "Level"}[v],
        key="wmm_heatmap_colour",
    )
    cells = dash.heatmap(results.by_unit.result.scores, q, language=language)
    if cells.empty:
        st.info(text("dashboard.page.no_unit_results", language))
        return
    n_units = cells["group"].nunique()
    if n_units > 2 * HEATMAP_PER_SIDE:
        extremes = st.toggle(
            f"Only the {HEATMAP_PER_SIDE} strongest and {HEATMAP_PER_SIDE} weakest units "
            f"(of {n_units})",
            value=True,
            key="wmm_heatmap_extremes",
        )
        if extremes:
            cells = dash.heatmap_extremes(cells, per_side=HEATMAP_PER_SIDE)
    colour: Literal["mean", "level"] = "level" if colour_by == "level" else "mean"
    _chart(
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
    )
    table = results.participation(language)
    st.dataframe(
        unit_rows(table)[["unit", "head_count", "responses", "note"]].rename(
            columns={
                "unit": "Unit",
                "head_count": "People",
                "responses": "Responses",
                "note": "Results",
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _targets(results: dash.CampaignResults, view: dash.View, language: str) -> None:
    if _no_results(results, view):
        return
    gaps = results.model(view, language).targets
    st.subheader(text("dashboard.page.targets", language))
    if gaps.empty:
        st.info(text("dashboard.page.no_targets", language))
        return
    _chart(
        "targets",
        charts.gap_chart(gaps, language=language),
        charts.caption("gaps", language, p=_percent(results)),
    )

    # Shortfalls and surpluses apart: a surplus is good news, not a gap to close (issue 15).
    def listed(verdict: str) -> str:
        names = [str(n) for n in gaps.loc[gaps["verdict"] == verdict, "name"]]
        return ", ".join(names) or text("dashboard.page.none_listed", language)

    st.write(
        text(
            "dashboard.page.clear_gaps",
            language,
            short=listed("below"),
            reached=listed("reached"),
            unclear=listed("unclear"),
        )
    )
    gap = pd.to_numeric(gaps["gap"], errors="coerce")
    st.dataframe(
        pd.DataFrame(
            {
                text("dashboard.page.col_dimension", language): gaps["name"],
                text("dashboard.page.col_target", language): gaps["target_name"],
                text("dashboard.page.col_mean", language): gaps["mean"].round(2),
                text("dashboard.page.col_short_by", language): gap.where(gap > 0).round(2),
                text("dashboard.page.col_above_by", language): (-gap).where(gap < 0).round(2),
                text("dashboard.page.col_interval", language, p=_percent(results)): [
                    f"[{lo:.2f}, {hi:.2f}]"
                    for lo, hi in zip(gaps["gap_ci_low"], gaps["gap_ci_high"], strict=True)
                ],
                text("dashboard.page.col_chance", language): [
                    f"{100 * p:.0f}%" for p in gaps["p_target"]
                ],
                text("dashboard.page.col_verdict", language): [
                    dash.gap_text(v, language) for v in gaps["verdict"]
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _view_items(results: dash.CampaignResults, view: dash.View) -> pd.DataFrame:
    scored = results.scored(view)
    return scored.result.items if scored is not None else pd.DataFrame()


def _discussion(results: dash.CampaignResults, view: dash.View, language: str) -> None:
    if _no_results(results, view):
        return
    q = results.questionnaire
    model = results.model(view, language)
    queue = model.queue
    st.subheader(text("dashboard.page.queue", language))
    st.write(text("dashboard.page.queue_intro", language))
    if queue.empty:
        st.info(text("dashboard.page.no_statement", language))
        return
    options = [q.text(o.label, language) for o in sorted(q.scale.options, key=lambda o: o.value)]
    _chart(
        "discussion",
        charts.likert_chart(model.segments, queue, options=options, language=language),
        charts.caption("likert", language),
    )
    st.dataframe(
        pd.DataFrame(
            {
                "#": queue["rank"],
                text("dashboard.page.col_statement", language): queue["statement"],
                text("dashboard.page.col_component", language): queue["component_name"],
                text("dashboard.page.col_mean", language): queue["mean"].round(2),
                text("dashboard.page.col_disagreement", language): queue["disagreement"].round(2),
                text("dashboard.page.col_gap", language): queue["gap"].round(2),
                text("dashboard.page.col_priority", language): queue["priority"].round(3),
                text("dashboard.page.col_answers", language): queue["n"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            text("dashboard.page.col_statement", language): st.column_config.TextColumn(
                width="large"
            )
        },
    )
    st.caption(text("dashboard.page.queue_note", language))


def _actions(db: Store, results: dash.CampaignResults, view: dash.View, language: str) -> None:
    q = results.questionnaire
    info = results.info
    names = dash.dimension_names(q, language)
    suggestions: list[tuple[str, str]] = []
    if not _no_results(results, view):
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


ACTION_KEEP = "(keep)"
DELETE_KEY = "wmm_action_delete"


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


def _waves(db: Store, results: dash.CampaignResults, view: dash.View, language: str) -> None:
    st.subheader(text("dashboard.page.waves", language))
    if view.by == "role":
        st.info("Waves are compared for the organisation or a unit; choose one above.")
        return
    if _no_results(results, view):
        return
    earlier = dash.other_campaigns(db, results.info)
    if not earlier:
        st.info(
            "No earlier campaign of this organisation on this questionnaire has responses, so "
            "there is nothing to compare with yet."
        )
        return
    by_code = {c.code: c for c in earlier}
    code = st.selectbox(
        "Compare with",
        list(by_code),
        format_func=lambda c: (
            f"{by_code[c].name} ({by_code[c].questionnaire}, {by_code[c].responses} responses)"
        ),
        key="wmm_wave_previous",
    )
    try:
        waves = dash.load_waves(db, results, code)
    except (ValueError, AssessmentError) as exc:
        st.warning(f"These two waves cannot be compared: {as_text(exc, keep_lines=True)}")
        return
    st.info(f"Compared on the common statements only: {waves.overlap}.")
    q = results.questionnaire
    change = wave_change(
        waves,
        q,
        label=view.label,
        confidence=results.confidence,
        dimension_types=("component", "overall", "index"),
        language=language,
    )
    if change.empty:
        st.warning("No dimension can be shown for both waves (too few respondents).")
        return
    before, after = by_code[code].name, results.info.name
    _chart(
        "waves",
        charts.comparison_chart(change, before=before, after=after, language=language),
        charts.caption("waves", language, p=_percent(results)),
        stretch=False,
    )
    principles = wave_change(
        waves,
        q,
        label=view.label,
        confidence=results.confidence,
        dimension_types=("principle",),
        language=language,
    )
    _change_table(pd.concat([change, principles], ignore_index=True), before, after, results)
    st.caption(
        "Welch's interval for the difference and a normal-approximation interval for Hedges' g. "
        "Respondents are treated as independent (their grouping in units is ignored), so the "
        "intervals are somewhat too narrow."
    )


def _change_table(
    change: pd.DataFrame, before: str, after: str, results: dash.CampaignResults
) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                "Dimension": change["name"],
                before: [f"{m:.2f}" for m in change["mean_before"]],
                after: [f"{m:.2f}" for m in change["mean"]],
                "Difference": [f"{d:+.2f}" for d in change["diff"]],
                f"{_percent(results)}% interval": [
                    f"[{lo:+.2f}, {hi:+.2f}]"
                    for lo, hi in zip(change["diff_ci_low"], change["diff_ci_high"], strict=True)
                ],
                "Hedges' g": [
                    f"{g:+.2f} [{lo:+.2f}, {hi:+.2f}]" if not math.isnan(g) else "–"
                    for g, lo, hi in zip(
                        change["g"], change["g_ci_low"], change["g_ci_high"], strict=True
                    )
                ],
                "Verdict": change["verdict"].map(CHANGE_TEXT),
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _roles(results: dash.CampaignResults, language: str) -> None:
    st.subheader(text("dashboard.page.roles", language))
    q = results.questionnaire
    roles = dash.role_names(q, language)
    if results.by_unit is None:
        _no_results(results, dash.View())
        return
    by_role = results.by_role
    if by_role is None:
        st.info("This questionnaire asks no role.")
        return
    shown = dash.shown_groups(by_role.result.scores, "role")
    if len(shown) < 2:
        st.info(
            f"Fewer than two role groups have at least {results.min_group_size} respondents, so no "
            "role gap can be shown."
        )
        return
    preferred = [r for r in ("leader", "staff") if r in shown]
    cols = st.columns(2)
    first = cols[0].selectbox(
        "Compare",
        shown,
        index=shown.index(preferred[0]) if len(preferred) == 2 else 0,
        format_func=lambda r: roles.get(r, r),
        key="wmm_role_first",
    )
    others = [r for r in shown if r != first]
    second = cols[1].selectbox(
        "with",
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
        st.info("No dimension can be shown for both roles.")
        return
    a, b = roles.get(first, first), roles.get(second, second)
    _chart(
        "roles",
        charts.comparison_chart(gaps, before=a, after=b, direction=False, language=language),
        charts.caption("roles", language, p=_percent(results), first=a, second=b),
        stretch=False,
    )
    _change_table(gaps, a, b, results)


def _benchmark(db: Store, results: dash.CampaignResults, language: str) -> None:
    st.subheader(text("dashboard.page.benchmark", language))
    if results.by_unit is None:
        _no_results(results, dash.View())
        return
    q = results.questionnaire
    try:
        comparison = dash.load_benchmark(db, results)
    except AssessmentError as exc:
        st.warning(as_text(exc, keep_lines=True))
        return
    if comparison is None:
        st.info(
            "No benchmark files are imported yet. Import other organisations' `wmm-benchmark/1` "
            "files with `wmm benchmark import FILE...`; this campaign's own file is on the "
            "Downloads tab."
        )
        return
    position = dash.benchmark_table(comparison.rows, q, language=language)
    if position.empty:
        st.info("No imported organisation answered the dimensions this campaign can show.")
        return
    st.write(
        f"Compared with **{comparison.n_organisations}** other organisations "
        f"(questionnaire versions {', '.join(sorted(set(position['versions'])))})."
    )
    _chart(
        "benchmark",
        charts.benchmark_chart(position, language=language),
        charts.caption("benchmark", language, p=_percent(results)),
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Dimension": position["name"],
                "Mean": position["mean"].round(2),
                "Percentile": position["percentile"].round(0),
                "Range": [
                    f"{lo:.0f}–{hi:.0f}"
                    for lo, hi in zip(
                        position["percentile_low"], position["percentile_high"], strict=True
                    )
                ],
                "Organisations": position["n_orgs"],
                "Their median [p25, p75]": [
                    f"{m:.2f} [{lo:.2f}, {hi:.2f}]"
                    for m, lo, hi in zip(
                        position["pooled_median"],
                        position["pooled_p25"],
                        position["pooled_p75"],
                        strict=True,
                    )
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption("The benchmark position is the whole organisation's, whatever view is chosen above.")


def _reliability(results: dash.CampaignResults, language: str) -> None:
    st.subheader(text("dashboard.page.reliability", language))
    if results.by_unit is None:
        _no_results(results, dash.View())
        return
    q = results.questionnaire
    result = results.by_unit.result
    table = dash.reliability_table(result.stats, q, language=language)
    if table["alpha"].notna().any():
        _chart(
            "reliability",
            charts.reliability_chart(table, language=language),
            charts.caption("reliability", language, p=_percent(results)),
        )
    st.dataframe(
        pd.DataFrame(
            {
                "Dimension": table["name"],
                "Alpha": table["alpha"].round(3),
                f"Alpha {_percent(results)}% interval": [
                    f"[{lo:.3f}, {hi:.3f}]" if not math.isnan(lo) else "–"
                    for lo, hi in zip(table["alpha_ci_low"], table["alpha_ci_high"], strict=True)
                ],
                "ICC(1)": table["icc1"].round(3),
                "ICC(2)": table["icc2"].round(3),
                "Respondents": table["n_respondents"],
                "Units": table["n_units"],
                "Statements": table["n_items"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "ICC(1): share of the variance that lies between units; ICC(2): reliability of the unit "
        "means (0.7 or more: units can be compared)."
    )
    st.markdown("**Response quality**")
    quality = dash.quality_summary(
        result.respondents, min_group_size=results.min_group_size, language=language
    )
    if quality.empty:
        st.info("Too few respondents to report response quality.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Flag": quality["description"],
                    "Respondents": quality["count"],
                    "Share": [f"{s:.1f}%" for s in quality["share"]],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(
            "Flagged answers are kept in the scores; a high share is a reason to look at how the "
            "survey was run, not to drop people."
        )
    agreement = dash.agreement_table(result.scores, q, language=language)
    if not agreement.empty:
        st.markdown("**Agreement within units** (r*wg(J) with LeBreton & Senter's bands)")
        st.dataframe(dash.agreement_cells(agreement, language), width="stretch")
        st.caption(
            "Bands: 0–.30 lack of agreement, .31–.50 weak, .51–.70 moderate, .71–.90 strong, "
            ".91–1 very strong. r*wg(J) compares the spread of answers with random answering; "
            "the statements the group disagrees on most are in the discussion queue."
        )
    if result.notes:
        st.markdown("**Notes from the scoring**")
        for note in result.notes:
            st.markdown(f"- {as_text(note)}")


def _downloads(db: Store, results: dash.CampaignResults, language: str) -> None:
    st.subheader(text("dashboard.page.downloads", language))
    info, q = results.info, results.questionnaire
    st.caption("Every file applies the privacy rules: groups below the minimum size never appear.")
    cols = st.columns(4)
    overall = results.rows(dash.View())
    shown = not overall.empty and bool(overall["mean"].notna().any())
    if shown:
        cols[0].download_button(
            "Scores (CSV)",
            data=lambda: dash.scores_csv(db, info.code),
            file_name=f"scores-{info.code}.csv",
            mime="text/csv",
            key="wmm_download_scores",
            on_click="ignore",
            help="The same file as `wmm export scores`.",
        )
        named = cols[1].checkbox(
            "Name the organisation in the benchmark file",
            key="wmm_benchmark_named",
            help="Off: a random pseudonym, as `wmm export benchmark` writes by default.",
        )
        cols[1].download_button(
            "Benchmark file (CSV)",
            data=lambda: dash.benchmark_csv(
                db, info.code, org=(info.organisation or info.name) if named else None
            ),
            file_name=f"benchmark-{info.code}.csv",
            mime="text/csv",
            key="wmm_download_benchmark",
            on_click="ignore",
            help="This organisation's wmm-benchmark/1 rows, to pool with other organisations.",
        )
        cols[3].download_button(
            "Report (HTML)",
            data=lambda: dash.report_html(db, info.code, language=language),
            file_name=f"report-{info.code}.html",
            mime="text/html",
            key="wmm_download_report",
            on_click="ignore",
            help="The same report as `wmm report`: one self-contained page to send round.",
        )
    else:
        st.info(
            f"Scores, the benchmark file and the report need at least {results.min_group_size} "
            "respondents with scores."
        )
    cols[2].download_button(
        "Action items (CSV)",
        data=dash.actions_csv(list_actions(db, info.code), q, language=language),
        file_name=f"actions-{info.code}.csv",
        mime="text/csv",
        key="wmm_download_actions",
        on_click="ignore",
    )
    st.caption(
        "Chart images: each chart has an Image button (PNG for slides, SVG for print). "
        f"Questionnaire {q.key}, sha256 {info.questionnaire_sha256[:12]}…"
    )
