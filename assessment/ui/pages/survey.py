"""The public survey page: `/?c=CODE` (``&t=`` invitation, ``&r=`` resume, ``&kiosk=1``) from the welcome
to the thank-you, saving answers at every page change; no results are ever shown here.

What to show is decided in `assessment.survey.flow`; the buttons' callbacks call the responding service
and record the outcome in session state, so a rerun (double click, reload) cannot submit twice.
Nothing a respondent or facilitator typed is rendered as HTML.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypedDict

import streamlit as st

from assessment import i18n
from assessment.campaigns.management import CampaignInfo
from assessment.errors import AssessmentError, DatabaseUnavailableError, DataError, NoAnswers
from assessment.i18n import text
from assessment.questionnaire import Questionnaire
from assessment.survey.answer_writer import flush_answers, give_answer
from assessment.survey.flow import (
    Answer,
    ErrorKind,
    SurveyLink,
    SurveyPage,
    answer_label,
    answer_options,
    closed_kind,
    dont_know_label,
    error_kind,
    estimated_minutes,
    is_already_received,
    language_name,
    link_error,
    link_params,
    missing_profile,
    organiser,
    page_index,
    page_intro,
    page_title,
    parse_link,
    pick_language,
    plain_markdown,
    profile_fields_of,
    progress,
    resume_index,
    resume_url,
    role_label,
    role_missing_text,
    role_question,
    statement_text,
    survey_pages,
    tr,
    unanswered,
    who_runs_it,
)
from assessment.survey.opening import OpenedCampaign, open_campaign
from assessment.survey.responding import (
    GivenAnswer,
    resume_response,
    save_answers,
    start_response,
    submit_response,
)
from assessment.survey.site_address import base_url
from assessment.ui.errors import guarded_callback, guarded_page
from assessment.ui.language import set_html_lang, ui_language
from assessment.ui.session import database
from assessment.ui.theme import NAV_FIX, page_css, scale_css, scale_head

# Session-state keys. Everything of the survey starts with "survey_", so starting over clears it all.
PREFIX = "survey_"
LINK = "survey_link"  # the SurveyLink the session was opened with
CAMPAIGN = "survey_campaign"  # CampaignInfo
QUESTIONNAIRE = "survey_questionnaire"  # Questionnaire
TOKEN = "survey_token"  # resume token of the started response
PAGE = "survey_page"  # index into survey_pages()
ANSWERS = "survey_answers"  # item id -> value or DK/NA, as saved
LANGUAGE = "survey_language"
UNIT = "survey_unit"
ROLE = "survey_role"
ERROR = "survey_error"  # an ErrorKind: show that error page
DONE = "survey_done"  # "received" or "already": show the thank-you page
SENT = "survey_sent"  # this session has sent its answers at least once (a double click sends twice)
NOTICE = "survey_notice"  # a message for the current page (a text key or a library message)
MISSING = "survey_missing"  # profile questions still to answer (ProfileField), flagged next to each
RESUMED = "survey_resumed"
# The action that found the database busy, (callback name, args), offered again by a button.
RETRY = "survey_retry"
TO_TOP = "survey_to_top"  # a page change happened: scroll the new page to its top
# time.monotonic() of the last save (or start/resume) of this session: the survey reports the time
# spent answering as intervals, because the database keeps no clock time finer than the day.
CLOCK = "survey_clock"
# time.monotonic() of the last page a kiosk drew because someone used it (not a timer's look).
KIOSK_ACTIVE = "survey_kiosk_active"
#: A shared device (``&kiosk=1``) starts over after this long without Next, Back or Start, so the
#: next person never continues, sees or sends the previous person's answers.
KIOSK_IDLE_SECONDS = 300
#: How often a kiosk page looks whether it has been left.
KIOSK_CHECK_SECONDS = 20
# Widget keys
LANGUAGE_WIDGET = "survey_w_language"
UNIT_WIDGET = "survey_w_unit"
ROLE_WIDGET = "survey_w_role"
CODE_WIDGET = "survey_w_code"
ITEM_WIDGET = "survey_item_"
ROW = "survey_row_"  # container key of a statement's row (its CSS class is st-key-survey_row_...)


def item_key(item_id: str) -> str:
    """The widget key of a statement's answer."""
    return f"{ITEM_WIDGET}{item_id}"


# -- state ------------------------------------------------------------------------------------------


def _state() -> Any:
    return st.session_state


def _language() -> str:
    return str(_state()[LANGUAGE])


def _campaign() -> CampaignInfo:
    campaign: CampaignInfo = _state()[CAMPAIGN]
    return campaign


def _questionnaire() -> Questionnaire:
    questionnaire: Questionnaire = _state()[QUESTIONNAIRE]
    return questionnaire


def _pages() -> tuple[SurveyPage, ...]:
    return survey_pages(_questionnaire())


def _answers() -> dict[str, Answer]:
    answers: dict[str, Answer] = _state()[ANSWERS]
    return answers


def _lap() -> float | None:
    """Seconds since this session's last save, start or resume (None before the response starts)."""
    started = _state().get(CLOCK)
    return None if started is None else max(0.0, time.monotonic() - float(started))


def _restart_clock() -> None:
    """After a successful save: the next interval starts now."""
    _state()[CLOCK] = time.monotonic()


def _clear() -> None:
    for key in [k for k in _state() if str(k).startswith(PREFIX)]:
        del _state()[key]


def _locale() -> str | None:
    try:
        return st.context.locale
    except (AttributeError, RuntimeError):
        return None


def _open(opened: OpenedCampaign) -> None:
    """Record the campaign and its questionnaire (`CampaignSettingsError` if the file changed)."""
    state = _state()
    campaign = opened.campaign
    state[CAMPAIGN] = campaign
    state[LANGUAGE] = pick_language(campaign.languages, chosen=None, locale=_locale())
    state[QUESTIONNAIRE] = opened.checked_questionnaire()
    state.setdefault(ANSWERS, {})
    state.setdefault(PAGE, 0)


def _fail(error: AssessmentError) -> None:
    """Turn a library error into the error page, the thank-you page, or a notice on this page.

    A busy database (pool or lock timeout) is a notice with a "Try again" button that repeats the
    action recorded by `_retryable`; the answers stay in the session meanwhile.
    """
    if isinstance(error, DatabaseUnavailableError):
        _state()[NOTICE] = "server_busy"
        return
    if is_already_received(error):
        _state()[DONE] = "already"
        return
    kind = error_kind(error)
    if kind is not None:
        _state()[ERROR] = kind
    else:
        _state()[NOTICE] = error.message


def _unexpected() -> None:
    """After an unexpected error in a callback: say the answers are kept and to try again."""
    _state()[NOTICE] = text("errors.unexpected_survey", _state().get(LANGUAGE))


#: The survey's boundary around its callbacks (`assessment.ui.errors.guarded_callback`).
_guarded = guarded_callback(on_error=_fail, on_unexpected=_unexpected)

_Args = ParamSpec("_Args")


def _retryable(name: str) -> Callable[[Callable[_Args, None]], Callable[_Args, None]]:
    """Record the callback and its arguments when the database is busy, for "Try again"."""

    def decorate(callback: Callable[_Args, None]) -> Callable[_Args, None]:
        @functools.wraps(callback)
        def run(*args: _Args.args, **kwargs: _Args.kwargs) -> None:
            try:
                callback(*args, **kwargs)
            except DatabaseUnavailableError:
                _state()[RETRY] = (name, args)
                raise

        return run

    return decorate


def _start_session(link: SurveyLink) -> None:
    """Set up a new browser session from its link: a fresh survey, or a resumed one."""
    _clear()
    state = _state()
    state[LINK] = link
    kind: ErrorKind | None = link_error(link)
    if kind is not None:
        state[ERROR] = kind
        return
    db = database()
    try:
        if link.resume:
            _resume(link)
            return
        if not link.code:
            return
        # Kept per process and checked with one small query (a room opens it hundreds of times).
        opened = open_campaign(db, link.code)
        campaign = opened.campaign
        closed = closed_kind(campaign)
        if closed is not None:
            state[CAMPAIGN] = campaign
            state[LANGUAGE] = pick_language(campaign.languages, chosen=None, locale=_locale())
            state[ERROR] = closed
            return
        _open(opened)
        if campaign.mode == "invitation" and not link.invitation:
            state[ERROR] = "invitation-required"
    except AssessmentError as error:
        _fail(error)


def _resume(link: SurveyLink) -> None:
    state = _state()
    db = database()
    flush_answers()  # answers given in this process a moment ago are part of the draft
    draft = resume_response(db, link.resume or "")
    opened = open_campaign(db, draft.campaign_code)
    campaign = opened.campaign
    state[CAMPAIGN] = campaign
    state[LANGUAGE] = pick_language(campaign.languages, chosen=draft.language, locale=_locale())
    if draft.status == "submitted":
        state[DONE] = "already"
        state[TOKEN] = link.resume
        return
    closed = closed_kind(campaign)
    if closed is not None:
        state[ERROR] = closed
        return
    _open(opened)
    if draft.questionnaire != campaign.questionnaire:
        state[ERROR] = "questionnaire-changed"
        return
    state[TOKEN] = link.resume
    _restart_clock()
    state[ANSWERS] = dict(draft.answers)
    state[UNIT] = draft.unit
    state[ROLE] = draft.role
    state[LANGUAGE] = pick_language(campaign.languages, chosen=draft.language, locale=_locale())
    pages = _pages()
    needs_profile = missing_profile(campaign, _questionnaire(), unit=draft.unit, role=draft.role)
    state[PAGE] = (
        page_index(pages, "profile") if needs_profile else resume_index(pages, draft.answers)
    )
    state[RESUMED] = True


# -- callbacks (run before the page is drawn; a second click finds the work already done) ---------


def _go(index: int) -> None:
    """Show page ``index`` next, from its top (a phone would otherwise stay scrolled down)."""
    _state()[PAGE] = index
    _state()[TO_TOP] = _state().get(TO_TOP, 0) + 1


class _Profile(TypedDict):
    unit: str | None
    role: str | None
    language: str | None


def _profile() -> _Profile:
    """Unit, role and language as the respondent chose them (saved with every change of page)."""
    state = _state()
    return {"unit": state.get(UNIT), "role": state.get(ROLE), "language": state.get(LANGUAGE)}


@_guarded
def _on_language() -> None:
    chosen = _state().get(LANGUAGE_WIDGET)
    if chosen:
        _state()[LANGUAGE] = chosen


@_guarded
@_retryable("start")
def _on_start() -> None:
    state = _state()
    state.pop(NOTICE, None)
    db = database()
    if state.get(TOKEN) is None:
        link: SurveyLink = state[LINK]
        started = start_response(
            db,
            _campaign().code,
            questionnaire=_questionnaire().key,
            invitation=link.invitation,
            language=_language(),
        )
        state[TOKEN] = started.resume_token
    else:
        save_answers(
            db,
            state[TOKEN],
            {},
            questionnaire=_questionnaire().key,
            elapsed_seconds=_lap(),
            **_profile(),
        )
    _restart_clock()
    _go(page_index(_pages(), "profile"))


@_guarded
@_retryable("profile")
def _on_profile(step: int, shown: int) -> None:
    state = _state()
    if state[PAGE] != shown:  # a second click on a button of a page already left
        return
    state.pop(NOTICE, None)
    state.pop(MISSING, None)
    state[UNIT] = state.get(UNIT_WIDGET)
    state[ROLE] = state.get(ROLE_WIDGET)
    missing = missing_profile(_campaign(), _questionnaire(), unit=state[UNIT], role=state[ROLE])
    if step > 0 and missing:
        state[MISSING] = missing
        return
    save_answers(
        database(),
        state[TOKEN],
        {},
        questionnaire=_questionnaire().key,
        elapsed_seconds=_lap(),
        **_profile(),
    )
    _restart_clock()
    _go(state[PAGE] + step)


@_guarded
def _on_answer(item: str) -> None:
    """Save the answer just given to the draft (closing the tab loses nothing).

    The answer goes to the process's write-behind (`assessment.survey.answer_writer`), which saves
    the answers of every respondent given in the last moment in one transaction, within about
    0.2 s: the respondent never waits for the database. An answer it cannot save (the database
    busy for a while, the campaign closed, the response sent from another tab) stays on the page,
    and the next page change saves it with the rest of the page or shows why it cannot.
    """
    state = _state()
    token = state.get(TOKEN)
    if token is None:
        return
    value: Answer | None = state.get(item_key(item))
    if KIOSK_ACTIVE in state:  # answering is using the device: the kiosk timer starts again
        state[KIOSK_ACTIVE] = time.monotonic()
    give_answer(database(), GivenAnswer(token, item, value, questionnaire=_questionnaire().key))
    if value is None:
        _answers().pop(item, None)
    else:
        _answers()[item] = value


def _page_answers(page: SurveyPage) -> dict[str, Answer]:
    state = _state()
    return {
        item: state[item_key(item)] for item in page.items if state.get(item_key(item)) is not None
    }


def _save_page() -> bool:
    """Save the answers of the page on screen; False (and the error shown) if that failed."""
    state = _state()
    page = _pages()[state[PAGE]]
    if page.kind != "statements":
        return True
    answers = _page_answers(page)
    try:
        save_answers(
            database(),
            state[TOKEN],
            answers,
            questionnaire=_questionnaire().key,
            elapsed_seconds=_lap(),
        )
    except DatabaseUnavailableError:
        raise  # "Try again" repeats the whole move (`_retryable`)
    except AssessmentError as error:
        _fail(error)
        return False
    _restart_clock()
    _answers().update(answers)
    return True


@_guarded
@_retryable("move")
def _on_move(step: int, shown: int) -> None:
    if _state()[PAGE] != shown:  # a second click on a button of a page already left
        return
    _state().pop(NOTICE, None)
    _state().pop(RESUMED, None)
    if _save_page():
        _go(_state()[PAGE] + step)


@_guarded
@_retryable("go_to")
def _on_go_to(page_id: str, shown: int) -> None:
    if _state()[PAGE] != shown:
        return
    _state().pop(NOTICE, None)
    if _save_page():
        _go(page_index(_pages(), page_id))


@_guarded
@_retryable("submit")
def _on_submit() -> None:
    state = _state()
    if state.get(DONE):  # the second click of a double click: the first one submitted already
        return
    state.pop(NOTICE, None)
    sent_before = bool(state.get(SENT))
    state[SENT] = True
    try:
        result = submit_response(
            database(),
            state[TOKEN],
            questionnaire=_questionnaire().key,
            elapsed_seconds=_lap(),
            **_profile(),
        )
    except DataError as error:
        types = {p.type for p in error.problems}
        missing = profile_fields_of(types)
        if missing:
            state[MISSING] = missing
            _go(page_index(_pages(), "profile"))
        elif NoAnswers.type in types:
            state[NOTICE] = "nothing_answered"
        else:
            state[NOTICE] = error.message
        return
    # Answers this session sent a moment ago (the first click of a double click) were received
    # now, not "already": only a response submitted elsewhere (another tab, a reload) was.
    state[DONE] = "already" if result.already_received and not sent_before else "received"
    state[TO_TOP] = state.get(TO_TOP, 0) + 1


@_guarded
def _on_retry() -> None:
    """Repeat the action that found the database busy (its own checks stop a stale repeat)."""
    retry = _state().pop(RETRY, None)
    _state().pop(NOTICE, None)
    if retry is None:
        return
    name, args = retry
    _RETRYABLE[name](*args)


@_guarded
def _on_retry_start() -> None:
    """Open the survey link again after the database was busy on the first visit."""
    link: SurveyLink = _state()[LINK]
    _start_session(link)


@_guarded
def _on_next_person() -> None:
    link: SurveyLink = _state()[LINK]
    _clear()
    _state()[LINK] = SurveyLink(code=link.code, kiosk=True)
    _start_session(_state()[LINK])


@_guarded
def _on_open_code() -> None:
    # Codes are lower-case letters and digits; people typing them add spaces and capitals.
    code = "".join(str(_state().get(CODE_WIDGET) or "").split()).lower()
    if code:
        st.query_params.from_dict({"c": code})
        _start_session(parse_link({"c": code}))


#: The actions a "Try again" button can repeat, by the name `_retryable` recorded.
_RETRYABLE: dict[str, Callable[..., None]] = {
    "start": _on_start,
    "profile": _on_profile,
    "move": _on_move,
    "go_to": _on_go_to,
    "submit": _on_submit,
}


# -- drawing ----------------------------------------------------------------------------------------

# A fixed script (no data in it but a counter, so each page change runs it once more).
_TO_TOP_SCRIPT = """<script>
/* page change {count} */
for (const selector of ['[data-testid="stMain"]', '[data-testid="stAppViewContainer"]']) {{
  const element = document.querySelector(selector);
  if (element) element.scrollTo({{ top: 0 }});
}}
window.scrollTo(0, 0);
</script>"""


def _scroll_to_top() -> None:
    count = _state().get(TO_TOP)
    if count:
        st.html(_TO_TOP_SCRIPT.format(count=int(count)), unsafe_allow_javascript=True)


def _notice() -> None:
    notice = _state().get(NOTICE)
    if notice:
        try:
            st.warning(tr(notice, _language()))
        except KeyError:
            st.warning(plain_markdown(notice))
    if notice == "server_busy" and _state().get(RETRY):
        st.button(tr("try_again", _language()), key="survey_try_again", on_click=_on_retry)


def _busy_page() -> None:
    """The database was busy before the survey could open: say so, and offer to try again."""
    language = pick_language(i18n.languages(), chosen=None, locale=_locale())
    st.warning(tr("server_busy", language))
    st.button(
        tr("try_again", language), key="survey_try_again", type="primary", on_click=_on_retry_start
    )


def _sync_url() -> None:
    """Keep the address bar on the link that brings this survey back after a reload."""
    state = _state()
    link: SurveyLink = state[LINK]
    wanted = link_params(
        _campaign().code, invitation=link.invitation, resume=state.get(TOKEN), kiosk=link.kiosk
    )
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def _resume_box() -> None:
    """The personal link back to this draft, shown plainly with a copy button (not on a kiosk)."""
    state = _state()
    link: SurveyLink = state[LINK]
    if link.kiosk or not state.get(TOKEN):
        return
    language = _language()
    with st.container(border=True, key="survey_resume"):
        st.markdown(f"**{plain_markdown(tr('resume_title', language))}**")
        # st.code draws the link with a copy button; wrapped, so a phone shows all of it.
        st.code(
            resume_url(base_url(), _campaign().code, state[TOKEN]), language=None, wrap_lines=True
        )
        st.caption(tr("resume_help", language))


def _buttons(index: int, move: Callable[[int, int], None], *, in_form: bool = False) -> None:
    """Back and Next of page ``index``. Their keys name the page and the callbacks check it, so the
    second click of a double click (sent for a page already left) cannot skip a page. In a form
    (the profile page) they are its submit buttons: they send the page's choices with them."""
    language = _language()
    button = st.form_submit_button if in_form else st.button
    with st.container(horizontal=True, horizontal_alignment="distribute"):
        button(tr("back", language), key=f"survey_back_{index}", on_click=move, args=(-1, index))
        button(
            tr("next", language),
            key=f"survey_next_{index}",
            type="primary",
            on_click=move,
            args=(1, index),
        )


def _welcome() -> None:
    campaign, questionnaire, language = _campaign(), _questionnaire(), _language()
    link: SurveyLink = _state()[LINK]
    if len(campaign.languages) > 1:
        if LANGUAGE_WIDGET not in _state():
            _state()[LANGUAGE_WIDGET] = language
        st.radio(
            tr("language", language),
            list(campaign.languages),
            format_func=language_name,
            horizontal=True,
            key=LANGUAGE_WIDGET,
            on_change=_on_language,
        )
    st.title(questionnaire.text(questionnaire.title, language))
    statements = len(questionnaire.items) + len(questionnaire.outcomes)
    facts = [
        tr("who_runs_it", language, who=who_runs_it(campaign)),
        tr("how_long", language, minutes=estimated_minutes(questionnaire), statements=statements),
        tr("anonymous", language),
        tr("groups", language, n=campaign.min_group_size),
    ]
    if not link.kiosk:
        facts.append(tr("pause", language))
    st.markdown("\n".join(f"- {plain_markdown(fact)}" for fact in facts))
    if link.kiosk:
        st.info(tr("kiosk_note", language))
    _notice()
    label = tr("continue" if _state().get(TOKEN) else "start", language)
    st.button(label, key="survey_start", type="primary", on_click=_on_start)


def _profile_page() -> None:
    campaign, questionnaire, language = _campaign(), _questionnaire(), _language()
    state = _state()
    missing = state.get(MISSING, ())
    st.header(tr("profile_title", language))
    st.write(tr("profile_intro", language))
    # A form, as on the statement pages: choosing costs no rerun; Next sends unit and role.
    form = st.form("survey_profile_form", border=False, enter_to_submit=False)
    if campaign.units:
        names = [u.name for u in campaign.units]
        if UNIT_WIDGET not in state:
            state[UNIT_WIDGET] = state.get(UNIT) if state.get(UNIT) in names else None
        form.selectbox(
            tr("unit_label", language),
            names,
            index=None,
            placeholder=tr("choose", language),
            key=UNIT_WIDGET,
        )
        if "unit" in missing:
            form.warning(tr("unit_missing", language))
    question = role_question(questionnaire)
    if question is not None:
        roles = [o.id for o in question.options]
        labels = {
            o.id: plain_markdown(questionnaire.text(o.label, language)) for o in question.options
        }
        if ROLE_WIDGET not in state:
            state[ROLE_WIDGET] = state.get(ROLE) if state.get(ROLE) in roles else None
        # Screen readers read the radio group's plain label; the page shows it as escaped markdown.
        question_label = role_label(campaign, questionnaire, language)
        form.markdown(plain_markdown(question_label))
        form.radio(
            question_label,
            roles,
            index=None,
            format_func=labels.__getitem__,
            key=ROLE_WIDGET,
            label_visibility="collapsed",
        )
        if "role" in missing:
            form.warning(plain_markdown(role_missing_text(questionnaire, language)))
    with form:
        _buttons(_state()[PAGE], _on_profile, in_form=True)
    _notice()
    _resume_box()


def _statements(page: SurveyPage, index: int) -> None:
    questionnaire, language = _questionnaire(), _language()
    answers = _answers()
    where = progress(_pages(), index, answers)
    title = page_title(questionnaire, page, language)
    st.progress(
        where.fraction, text=tr("part", language, part=where.part, parts=where.parts, name=title)
    )
    if _state().get(RESUMED):
        st.info(tr("welcome_back", language))
    st.header(title)
    st.caption(plain_markdown(page_intro(questionnaire, page, language)))
    st.write(tr("statements_intro", language, dont_know=dont_know_label(questionnaire, language)))
    scale = questionnaire.scale
    st.html(scale_css(len(scale.values), len(scale.special)))
    st.html(
        scale_head(
            [answer_label(questionnaire, o, language) for o in answer_options(questionnaire)]
        )
    )
    # One fragment per statement's answers: an answer reruns only its radio group (a room of
    # phones pays for every rerun) and its callback saves it at once, so a closed tab loses nothing.
    for item in page.items:
        with st.container(border=True, key=f"{ROW}{item}"):
            # Screen readers read the radio group's plain label; the page shows the markdown.
            st.markdown(plain_markdown(statement_text(questionnaire, item, language)))
            _answer_scale(item, index)
    # No "n of N answered" here: it would only count the answers saved before this page was drawn.
    st.caption(tr("saved_as_you_go", language))
    _buttons(index, _on_move)
    _notice()
    _resume_box()


@st.fragment
def _answer_scale(item: str, index: int) -> None:
    """A statement's answers: in its row of the grid on a wide screen, a one-tap scale on a phone
    (`assessment.ui.theme`); labelled for screen readers with the plain statement."""
    state = _state()
    if state.get(ERROR) or state.get(DONE) or state.get(PAGE) != index:
        # the answer's callback found the survey closed or already sent: draw that page instead
        st.rerun(scope="app")
    questionnaire, language = _questionnaire(), _language()
    key = item_key(item)
    if key not in state:
        state[key] = _answers().get(item)
    options = answer_options(questionnaire)
    labels = {o: plain_markdown(answer_label(questionnaire, o, language)) for o in options}
    st.radio(
        statement_text(questionnaire, item, language),
        options,
        index=None,
        format_func=labels.__getitem__,
        key=key,
        horizontal=True,
        label_visibility="collapsed",
        on_change=_on_answer,
        args=(item,),
    )


def _review() -> None:
    questionnaire, language = _questionnaire(), _language()
    pages, answers = _pages(), _answers()
    where = progress(pages, _state()[PAGE], answers)
    st.progress(1.0, text=tr("answered", language, answered=where.answered, total=where.total))
    st.header(tr("review_title", language))
    missing = unanswered(pages, answers)
    count = sum(len(items) for items in missing.values())
    if not missing:
        st.success(tr("review_all_answered", language, total=where.total))
    else:
        st.info(tr("review_unanswered", language, count=count, total=where.total))
        by_id = {p.id: p for p in pages}
        for page_id, items in missing.items():
            title = page_title(questionnaire, by_id[page_id], language)
            with st.container(border=True):
                st.markdown(
                    f"**{plain_markdown(title)}** · "
                    + tr("review_page_unanswered", language, count=len(items))
                )
                with st.expander(tr("review_show", language), expanded=len(items) <= 3):
                    st.markdown(
                        "\n".join(
                            f"- {plain_markdown(statement_text(questionnaire, i, language))}"
                            for i in items
                        )
                    )
                st.button(
                    tr("review_go_to", language),
                    key=f"survey_goto_{page_id}",
                    on_click=_on_go_to,
                    args=(page_id, _state()[PAGE]),
                )
    _notice()
    st.caption(tr("submit_note", language))
    index = _state()[PAGE]
    with st.container(horizontal=True, horizontal_alignment="distribute"):
        st.button(
            tr("back", language), key=f"survey_back_{index}", on_click=_on_move, args=(-1, index)
        )
        st.button(tr("submit", language), key="survey_submit", type="primary", on_click=_on_submit)
    _resume_box()


def _kiosk_controls() -> None:
    """On a shared device: a way to start over for the next person, and a timer that does it when
    the device has been left for `KIOSK_IDLE_SECONDS` (the draft stays unsent and unseen)."""
    language = _language()
    _state()[KIOSK_ACTIVE] = time.monotonic()
    st.button(
        tr("kiosk_next", language),
        key="survey_kiosk_reset",
        icon=":material/restart_alt:",
        on_click=_on_next_person,
    )
    st.caption(tr("kiosk_idle", language, minutes=KIOSK_IDLE_SECONDS // 60))
    _kiosk_timer()


def kiosk_left(last_active: float | None, now: float) -> bool:
    """Whether a kiosk last used at ``last_active`` has been left by ``now`` (monotonic seconds)."""
    return last_active is not None and now - last_active > KIOSK_IDLE_SECONDS


@st.fragment(run_every=KIOSK_CHECK_SECONDS)
def _kiosk_timer() -> None:
    last = _state().get(KIOSK_ACTIVE)
    if kiosk_left(None if last is None else float(last), time.monotonic()):
        _on_next_person()
        st.rerun(scope="app")


def _thanks() -> None:
    state = _state()
    language = _language()
    campaign = _campaign()
    link: SurveyLink = state[LINK]
    st.title(tr("thanks_title", language))
    st.success(tr("thanks_already" if state[DONE] == "already" else "thanks_received", language))
    st.write(
        tr("thanks_next", language, who=organiser(campaign, language), n=campaign.min_group_size)
    )
    if link.kiosk:
        st.button(
            tr("kiosk_next", language),
            key="survey_next_person",
            type="primary",
            on_click=_on_next_person,
        )
    else:
        st.caption(tr("thanks_close", language))


def _error_page(kind: ErrorKind) -> None:
    state = _state()
    campaign: CampaignInfo | None = state.get(CAMPAIGN)
    language = state.get(LANGUAGE) or i18n.DEFAULT_LANGUAGE
    link: SurveyLink = state[LINK]
    values: Mapping[str, object] = {
        "code": link.code or "",
        "who": organiser(campaign, language) if campaign else tr("the_organisers", language),
        "date": (
            f"{campaign.opens_at:%Y-%m-%d %H:%M} UTC" if campaign and campaign.opens_at else ""
        ),
    }
    st.title(tr(f"{kind}_title", language))
    st.error(plain_markdown(tr(f"{kind}_body", language, **values)))


def _no_code_page() -> None:
    language = ui_language()  # no campaign yet: the language of the site's pages
    st.title(tr("no_code_title", language))
    st.write(tr("no_code_body", language))
    with st.form("survey_code_form", border=False):
        st.text_input(tr("code_label", language), key=CODE_WIDGET, max_chars=64)
        st.form_submit_button(tr("open", language), type="primary", on_click=_on_open_code)


def render() -> None:
    """Draw the survey for the link in the address bar, inside the survey's boundary: an
    unexpected error is logged and says, in the respondent's language, that their answers are kept."""
    guarded_page(_render, survey=True, language=_language_if_known)()


def _language_if_known() -> str | None:
    language = _state().get(LANGUAGE)
    return str(language) if language else None


def _render() -> None:
    st.set_page_config(layout="centered")
    st.html(page_css())
    st.html(NAV_FIX, unsafe_allow_javascript=True)
    state = _state()
    if LINK not in state:
        _start_session(parse_link(st.query_params.to_dict()))
    set_html_lang(state.get(LANGUAGE) or ui_language())
    if state.get(ERROR):
        _error_page(state[ERROR])
        return
    if CAMPAIGN not in state and state.get(NOTICE) == "server_busy":
        _busy_page()
        return
    if CAMPAIGN not in state:
        _no_code_page()
        return
    _scroll_to_top()
    if state.get(DONE):
        _sync_url()
        _thanks()
        return
    _sync_url()
    pages = _pages()
    index = min(max(state[PAGE], 0), len(pages) - 1)
    state[PAGE] = index
    page = pages[index]
    link: SurveyLink = state[LINK]
    if link.kiosk and page.kind != "welcome":
        _kiosk_controls()
    if page.kind == "welcome":
        _welcome()
    elif page.kind == "profile":
        _profile_page()
    elif page.kind == "statements":
        _statements(page, index)
    else:
        _review()
