"""The Workshop page: what the facilitator runs in front of the room.

- **Presentation mode** for the projector: no sidebar and no selectors, large type, one panel at a
  time (who took part, the flywheel, the components, the targets the organisation is short of, the
  statements to discuss in full with their answers, the vote), moved with the arrow keys; Escape
  ends it. Every panel renders the organisation's `ResultsModel`, like the dashboard and the report.
- **A vote**, on the room's phones, on which statements to discuss first
  (`assessment.campaigns.voting`): opened on the top of the discussion queue (or statements of the
  facilitator's choice), shown as a QR code, closed, and its outcome shown. Counts appear only once
  the vote is closed and at least the campaign's minimum voted.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from assessment import i18n
from assessment.campaigns.management import CampaignInfo, list_campaigns
from assessment.campaigns.voting import (
    DEFAULT_MAX_CHOICES,
    VoteInfo,
    ballot_paper,
    close_vote,
    get_vote,
    latest_vote,
    open_vote,
    vote_results,
)
from assessment.i18n import text
from assessment.outputs import charts
from assessment.results import dashboard as dash
from assessment.results.release import build_release
from assessment.results.rows import organisation_row
from assessment.results.views.presentation import Presentation, presentation
from assessment.results.vote_candidates import vote_candidates
from assessment.survey.qr import qr_svg
from assessment.survey.site_address import unreachable_hint
from assessment.ui.errors import guarded_page, page_errors
from assessment.ui.language import t, ui_language
from assessment.ui.markdown_text import as_text
from assessment.ui.session import database, require_facilitator

#: Seconds between two looks at the number of voters while a vote is open.
VOTERS_REFRESH_SECONDS = 3
CAMPAIGN_KEY = "wmm_workshop_campaign"
LANGUAGE_KEY = "wmm_workshop_language"
PRESENTING_KEY = "wmm_presenting"
PANEL_KEY = "wmm_present_panel"
#: Presentation mode: no sidebar, header or toolbar; large type for the back row.
PRESENTATION_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"], [data-testid="stToolbar"] { display: none !important; }
.block-container { padding-top: 1.5rem; max-width: 100%; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.6rem; line-height: 1.35; }
[data-testid="stMarkdownContainer"] h2 { font-size: 2.6rem; }
[data-testid="stMetricValue"] { font-size: 3.2rem; }
</style>"""


@guarded_page
def render() -> None:
    """Draw the Workshop page (facilitator login required)."""
    require_facilitator()
    db = database()
    campaigns = list_campaigns(db)
    by_code = {c.code: c for c in campaigns}
    presenting = st.session_state.get(PRESENTING_KEY)
    if presenting and presenting[0] in by_code:
        # The projector shows the panel only: no title, no selectors (they come back on Escape).
        code, language = presenting
        with page_errors():
            _present(by_code[code], language)
        return
    st.title(t("workshop.title"))
    if not campaigns:
        st.info(t("workshop.no_campaign"))
        return
    code = st.selectbox(
        t("workshop.campaign"),
        list(by_code),
        format_func=lambda c: f"{by_code[c].name} · {c}",
        key=CAMPAIGN_KEY,
    )
    info = by_code[code]
    names = i18n.language_names()
    languages = list(info.languages) or [i18n.DEFAULT_LANGUAGE]
    language = st.selectbox(
        t("workshop.results_language"),
        languages,
        format_func=lambda c: names.get(c, c),
        key=LANGUAGE_KEY,
    )
    st.button(
        t("workshop.present"),
        icon=":material/co_present:",
        type="primary",
        on_click=_start_presenting,
        help=t("workshop.present_help"),
    )
    st.subheader(t("workshop.vote_heading"))
    with page_errors():
        latest = latest_vote(db, info.code)
        if latest is not None and latest.is_open:
            _open_vote_panel(latest)
            return
        if latest is not None:
            _outcome(latest)
        _new_vote_form(info)


@st.fragment(run_every=VOTERS_REFRESH_SECONDS)
def _voters(code: str) -> None:
    vote = get_vote(database(), code)
    st.metric(t("workshop.voters"), vote.voters)
    if vote.voters < vote.min_voters:
        st.caption(t("workshop.outcome_later", minimum=vote.min_voters))


def _open_vote_panel(vote: VoteInfo) -> None:
    left, right = st.columns([1, 2])
    with left:
        st.image(qr_svg(vote.url), width=320)
        st.code(vote.url, language=None)
        hint = unreachable_hint(vote.url)
        if hint:
            st.warning(hint, icon=":material/wifi_off:")
    with right:
        paper = ballot_paper(database(), vote.code)
        st.markdown(t("workshop.choose_up_to", max_choices=vote.max_choices))
        for number, (_, wording) in enumerate(paper.statements, start=1):
            st.markdown(f"{number}. {as_text(wording)}")
        _voters(vote.code)
        if st.button(t("workshop.close_vote"), type="primary"):
            close_vote(database(), vote.code)
            st.rerun()


def _outcome(vote: VoteInfo, language: str | None = None) -> None:
    """The last vote's outcome, in ``language`` (the results' on the projector, else the page's)."""
    language = language or ui_language()
    results = vote_results(database(), vote.code)
    st.markdown(text("workshop.last_vote", language, voters=results.vote.voters))
    if not results.shown:
        st.info(results.hidden_reason(language))
        return
    wording = dict(ballot_paper(database(), vote.code).statements)
    top = max((n for _, n in results.tallies), default=0) or 1
    for item, votes in results.tallies:
        count = (
            text("workshop.votes_one", language)
            if votes == 1
            else text("workshop.votes_many", language, votes=votes)
        )
        st.markdown(f"{count} — {as_text(wording[item])}")
        st.progress(votes / top)


def _new_vote_form(info: CampaignInfo) -> None:
    db = database()
    release = build_release(db, info.code)
    questionnaire = release.questionnaire
    language = info.languages[0] if info.languages else None
    wording = {item.id: questionnaire.text(item.text, language) for item in questionnaire.items}
    suggested = [c.item for c in vote_candidates(release, language=language)]
    with st.form(f"wmm_new_vote_{info.code}"):
        st.caption(t("workshop.suggested") if suggested else t("workshop.no_suggestion"))
        items = st.multiselect(
            t("workshop.statements"),
            list(wording),
            default=suggested,
            format_func=lambda item: f"{item} — {wording[item]}",
        )
        max_choices = st.number_input(
            t("workshop.max_choices"), min_value=1, max_value=9, value=DEFAULT_MAX_CHOICES
        )
        opened = st.form_submit_button(t("workshop.open_vote"), type="primary")
    if opened:
        with page_errors():
            open_vote(db, info.code, items, max_choices=int(max_choices))
            st.rerun()


# -- presentation mode -----------------------------------------------------------------------------


def _start_presenting() -> None:
    """Present the chosen campaign in the chosen language (kept while the selectors are hidden)."""
    st.session_state[PRESENTING_KEY] = (
        st.session_state[CAMPAIGN_KEY],
        st.session_state[LANGUAGE_KEY],
    )
    st.session_state[PANEL_KEY] = 0


def _stop_presenting() -> None:
    """Back to the Workshop page, with the campaign and language that were presented."""
    presenting = st.session_state.get(PRESENTING_KEY)
    st.session_state[PRESENTING_KEY] = None
    if presenting:
        st.session_state[CAMPAIGN_KEY], st.session_state[LANGUAGE_KEY] = presenting


def _move(step: int, count: int) -> None:
    st.session_state[PANEL_KEY] = min(max(st.session_state.get(PANEL_KEY, 0) + step, 0), count - 1)


def _present(info: CampaignInfo, language: str) -> None:
    """One panel at a time, full screen, moved by the arrow keys."""
    st.html(PRESENTATION_CSS)
    results = dash.load_results(database(), info.code)
    view = dash.View()
    if results.scored(view) is None:
        st.markdown(f"## {text('present.no_results', language)}")
        st.button(text("present.exit", language), on_click=_stop_presenting, shortcut="Escape")
        return
    shown = presentation(results.model(view, language))
    panels: list[tuple[str, Callable[[], None]]] = [
        (text("present.participation", language), lambda: _participation(results, language)),
        (text("present.flywheel", language), lambda: _flywheel(results, shown, language)),
        (text("present.components", language), lambda: _components(results, shown, language)),
        (text("present.targets", language), lambda: _targets(shown, language)),
        (text("present.discuss", language), lambda: _statements(results, shown, language)),
        (text("present.vote", language), lambda: _vote_panel(info, language)),
    ]
    index = min(max(int(st.session_state.get(PANEL_KEY, 0)), 0), len(panels) - 1)
    back, where, forward, leave = st.columns([1, 4, 1, 1], vertical_alignment="center")
    back.button(
        text("present.back", language),
        icon=":material/arrow_back:",
        on_click=_move,
        args=(-1, len(panels)),
        disabled=index == 0,
        shortcut="ArrowLeft",
        width="stretch",
    )
    where.caption(f"{index + 1} / {len(panels)} · {info.name}")
    forward.button(
        text("present.next", language),
        icon=":material/arrow_forward:",
        on_click=_move,
        args=(1, len(panels)),
        disabled=index == len(panels) - 1,
        shortcut="ArrowRight",
        width="stretch",
    )
    leave.button(
        text("present.exit", language),
        icon=":material/close:",
        on_click=_stop_presenting,
        shortcut="Escape",
        width="stretch",
    )
    title, draw = panels[index]
    st.markdown(f"## {title}")
    draw()


def _draw(chart: alt.TopLevelMixin, *, stretch: bool = True) -> None:
    drawn = charts.styled(chart)
    if not isinstance(drawn, alt.Chart | alt.LayerChart | alt.HConcatChart | alt.VConcatChart):
        raise TypeError(f"the projector draws Altair charts; got {type(drawn).__name__}")
    st.altair_chart(drawn, theme=None, width="stretch" if stretch else "content")


def _levels(results: dash.CampaignResults, language: str) -> tuple[list[float], list[str]]:
    q = results.questionnaire
    levels = sorted(q.levels, key=lambda lv: lv.level)
    return [lv.threshold for lv in levels], [q.level_name(lv.level, language) for lv in levels]


def _participation(results: dash.CampaignResults, language: str) -> None:
    frame = results.participation(language)
    total = organisation_row(frame)
    left, right = st.columns(2)
    left.metric(text("present.responses", language), int(total["responses"]))
    if pd.notna(total["response_rate"]):
        right.metric(
            text("present.response_rate", language), f"{100 * total['response_rate']:.0f}%"
        )
    _draw(
        charts.participation_chart(frame, min_group_size=results.min_group_size, language=language)
    )


def _flywheel(results: dash.CampaignResults, shown: Presentation, language: str) -> None:
    _, names = _levels(results, language)
    _draw(
        charts.flywheel_chart(
            shown.model.flywheel,
            level_names=names,
            confidence=results.confidence,
            width=760,
            language=language,
        ),
        stretch=False,
    )


def _components(results: dash.CampaignResults, shown: Presentation, language: str) -> None:
    thresholds, names = _levels(results, language)
    q = results.questionnaire
    _draw(
        charts.estimate_chart(
            shown.model.components,
            thresholds=thresholds,
            level_names=names,
            scale_min=q.scale.minimum,
            scale_max=q.scale.maximum,
            language=language,
        )
    )
    if shown.work_on_first:
        st.markdown(
            text("present.work_on_first", language, components=" → ".join(shown.work_on_first))
        )


def _targets(shown: Presentation, language: str) -> None:
    if shown.model.targets.empty:
        st.markdown(text("present.no_targets", language))
        return
    if shown.shortfalls.empty:
        st.markdown(text("present.all_reached", language))
        return
    for row in shown.shortfalls.to_dict("records"):
        st.markdown(
            text(
                "present.shortfall",
                language,
                name=row["name"],
                target=row["target_name"],
                gap=i18n.format_number(float(row["gap"]), language),
                verdict=dash.gap_text(str(row["verdict"]), language),
            )
        )
    _draw(charts.gap_chart(shown.shortfalls, language=language))


def _statements(results: dash.CampaignResults, shown: Presentation, language: str) -> None:
    if shown.statements.empty:
        st.markdown(text("present.no_statements", language))
        return
    q = results.questionnaire
    options = [q.text(o.label, language) for o in sorted(q.scale.options, key=lambda o: o.value)]
    for row in shown.statements.to_dict("records"):
        st.markdown(f"**{int(row['rank'])}.** {as_text(str(row['statement']))}")
    _draw(charts.likert_chart(shown.segments, shown.statements, options=options, language=language))


def _vote_panel(info: CampaignInfo, language: str) -> None:
    latest = latest_vote(database(), info.code)
    if latest is not None and latest.is_open:
        _open_vote_panel(latest)
    elif latest is not None:
        _outcome(latest, language)
    else:
        st.markdown(text("present.no_vote", language))
