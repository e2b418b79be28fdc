"""AppTest of the survey page through app.py, state by state, checking what the database holds after
each step: welcome, language, profile, every component page, back, review, submit, thank-you, resume,
kiosk, and each error page. No survey page may show a result or a stack trace.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import func, select, text, update
from streamlit.proto.LabelVisibility_pb2 import LabelVisibility
from streamlit.testing.v1 import AppTest
from support import ROOT

from assessment.campaigns.management import (
    CampaignInfo,
    UnitSpec,
    close_campaign,
    create_campaign,
    create_invitations,
    hash_token,
    update_campaign,
)
from assessment.questionnaire import Questionnaire, default_registry
from assessment.storage import Database, connect, upgrade
from assessment.storage.models import Answer, Invitation, Response, Unit
from assessment.survey.answer_writer import flush_answers
from assessment.survey.flow import plain_markdown, statement_text, survey_pages
from assessment.survey.responding import start_response
from assessment.ui.pages.survey import item_key

QUESTIONNAIRE = "work-management@1.0.0"
COLLAPSED = LabelVisibility.LabelVisibilityOptions.COLLAPSED
BASE_URL = "https://survey.example.org"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A migrated SQLite database that the app under test uses (through WMM_DATABASE_URL)."""
    url = f"sqlite:///{tmp_path / 'wmm.sqlite'}"
    monkeypatch.setenv("WMM_DATABASE_URL", url)
    monkeypatch.setenv("WMM_ADMIN_PASSWORD", "test-password")
    monkeypatch.setenv("WMM_BASE_URL", BASE_URL)
    database = connect(url, create=True)
    upgrade(database)
    try:
        yield database
    finally:
        database.dispose()
        st.cache_resource.clear()


def _campaign(db: Database, **settings: Any) -> CampaignInfo:
    return create_campaign(
        db,
        name="Spring survey",
        questionnaire=QUESTIONNAIRE,
        organisation="Example Ltd",
        units=[UnitSpec("Operations"), UnitSpec("Sales")],
        **settings,
    )


@pytest.fixture
def campaign(db: Database) -> CampaignInfo:
    return _campaign(db)


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return default_registry().get(QUESTIONNAIRE)


# -- driving the app ----------------------------------------------------------------------------


def _open(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    return _checked(at.run())


def _checked(at: AppTest) -> AppTest:
    """Fail on a stack trace or on anything that shows results (metrics, tables, charts)."""
    assert not at.exception, [e.value for e in at.exception]
    for kind in ("metric", "dataframe", "table", "arrow_vega_lite_chart", "plotly_chart"):
        assert not at.get(kind), f"a survey page shows a {kind}"
    return at


def _click(at: AppTest, key: str) -> AppTest:
    """Click the button ``key``; ``survey_next``/``survey_back`` mean the one on the current page."""
    if key in ("survey_next", "survey_back"):
        (button,) = [b for b in at.button if b.key and b.key.startswith(f"{key}_")]
        return _checked(button.click().run())
    return _checked(at.button(key=key).click().run())


def _unescaped(markdown: str) -> str:
    """Markdown text as a reader sees it (the page escapes punctuation so nothing becomes markup)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _texts(at: AppTest) -> str:
    """Every text on the page as a reader sees it."""
    parts = [e.value for e in (*at.title, *at.header, *at.markdown, *at.caption)]
    parts += [e.value for e in (*at.info, *at.success, *at.warning, *at.error)]
    return _unescaped("\n".join(str(p) for p in parts))


def _start(at: AppTest, unit: str = "Operations", role: str | None = "staff") -> AppTest:
    _click(at, "survey_start")
    at.selectbox(key="survey_w_unit").select(unit)
    if role is not None:
        at.radio(key="survey_w_role").set_value(role)
    return _click(at, "survey_next")


def _answer(at: AppTest, values: dict[str, int | str]) -> None:
    for item, value in values.items():
        at.radio(key=item_key(item)).set_value(value)


def _token(at: AppTest) -> str:
    return str(
        at.query_params["r"][0] if isinstance(at.query_params["r"], list) else at.query_params["r"]
    )


def _param(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


# -- what is stored -----------------------------------------------------------------------------


def _responses(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.scalars(select(Response).order_by(Response.id)).all()
        out = []
        for response in rows:
            answers = {
                item: special if special is not None else value
                for item, value, special in session.execute(
                    select(Answer.item_id, Answer.value, Answer.special).where(
                        Answer.response_id == response.id
                    )
                )
            }
            out.append(
                {
                    "token_hash": response.resume_token_hash,
                    "status": response.status,
                    "unit": session.scalar(select(Unit.name).where(Unit.id == response.unit_id)),
                    "role": response.role,
                    "language": response.language,
                    "answers": answers,
                }
            )
        return out


def _only(db: Database) -> dict[str, Any]:
    responses = _responses(db)
    assert len(responses) == 1, responses
    return responses[0]


def _values(questionnaire: Questionnaire, page: int) -> dict[str, int | str]:
    """Answers for the statements of survey page ``page``: a mix of scale values, DK and NA."""
    items = survey_pages(questionnaire)[page].items
    cycle: list[int | str] = [5, 4, 3, 2, 1, "DK", "NA"]
    return {item: cycle[(n + page) % len(cycle)] for n, item in enumerate(items)}


# -- welcome and language -------------------------------------------------------------------------


def test_the_welcome_says_who_runs_it_how_long_anonymity_and_group_size(
    db: Database, campaign: CampaignInfo
) -> None:
    at = _open(c=campaign.code)
    assert at.title[0].value == "Work Management Maturity Assessment"
    shown = _texts(at)
    assert "Example Ltd · Spring survey" in shown
    assert "about 10 minutes for 38 short statements" in shown
    assert "no name, e-mail or IP address is stored" in shown
    assert "groups of at least 5 people" in shown
    assert at.radio(key="survey_w_language").options == ["English", "Deutsch"]
    assert [b.label for b in at.button] == ["Start"]
    assert _responses(db) == []  # opening the link stores nothing


def test_choosing_german_switches_the_whole_page_and_is_stored(
    db: Database, campaign: CampaignInfo
) -> None:
    at = _open(c=campaign.code)
    at.radio(key="survey_w_language").set_value("de").run()
    assert at.title[0].value == "Reifegradanalyse Arbeitsmanagement"
    assert "Wer sie durchführt: Example Ltd" in _texts(at)
    assert at.button(key="survey_start").label == "Los geht's"
    _click(at, "survey_start")
    assert at.header[0].value == "Zu Ihrer Person"
    assert at.selectbox(key="survey_w_unit").placeholder == "Bitte wählen …"
    assert "Was beschreibt Ihre Rolle am besten?" in at.radio(key="survey_w_role").label
    assert _only(db)["language"] == "de"


def test_start_stores_a_draft_and_the_link_carries_its_resume_token(
    db: Database, campaign: CampaignInfo
) -> None:
    at = _click(_open(c=campaign.code), "survey_start")
    token = _token(at)
    stored = _only(db)
    assert stored["token_hash"] == hash_token(token)
    assert (stored["status"], stored["answers"], stored["unit"]) == ("draft", {}, None)
    assert _param(at, "c") == campaign.code
    assert at.code[0].value == f"{BASE_URL}/?c={campaign.code}&r={token}"  # the resume link


# -- profile --------------------------------------------------------------------------------------


def test_the_profile_needs_a_unit_and_stores_unit_and_role(
    db: Database, campaign: CampaignInfo
) -> None:
    at = _click(_open(c=campaign.code), "survey_start")
    assert at.selectbox(key="survey_w_unit").options == ["Operations", "Sales"]
    _click(at, "survey_next")
    assert at.warning[0].value == "Please choose your team or department to continue."
    assert at.header[0].value == "About you"
    assert _only(db)["unit"] is None
    at.selectbox(key="survey_w_unit").select("Sales")
    at.radio(key="survey_w_role").set_value("manager")
    _click(at, "survey_next")
    assert at.header[0].value == "Clarity"
    stored = _only(db)
    assert (stored["unit"], stored["role"]) == ("Sales", "manager")


def test_the_role_is_optional(db: Database, campaign: CampaignInfo) -> None:
    at = _start(_open(c=campaign.code), role=None)
    assert at.header[0].value == "Clarity"
    assert (_only(db)["unit"], _only(db)["role"]) == ("Operations", None)


# -- statement pages ------------------------------------------------------------------------------


def test_each_component_page_saves_its_answers_when_leaving_it(
    db: Database, campaign: CampaignInfo, questionnaire: Questionnaire
) -> None:
    at = _start(_open(c=campaign.code))
    pages = survey_pages(questionnaire)
    statement_pages = [i for i, p in enumerate(pages) if p.kind == "statements"]
    expected: dict[str, int | str] = {}
    for part, index in enumerate(statement_pages, start=1):
        page = pages[index]
        name = (
            "Results of your team's work"
            if page.id == "outcomes"
            else questionnaire.text(
                next(c.name for c in questionnaire.components if c.id == page.id)
            )
        )
        assert at.header[0].value == name
        assert at.get("progress")[0].proto.text == f"Part {part} of 6: {name}"
        # Screen readers read each group's plain label (no markdown escapes such as "\\.");
        # the page shows the statement above it as escaped markdown.
        assert [r.label for r in at.radio] == [
            statement_text(questionnaire, i, "en") for i in page.items
        ]
        assert all(r.proto.label_visibility.value == COLLAPSED for r in at.radio)
        shown = [m.value for m in at.markdown]
        assert all(
            plain_markdown(statement_text(questionnaire, i, "en")) in shown for i in page.items
        )
        assert at.radio[0].options == [
            "Strongly disagree",
            "Disagree",
            "Neither agree nor disagree",
            "Agree",
            "Strongly agree",
            "Don't know",
            "Not applicable",
        ]
        values = _values(questionnaire, index)
        first, *_ = values
        _checked(at.radio(key=item_key(first)).set_value(values[first]).run())
        # saved as it is given, before the page is left (a closed tab loses nothing): the
        # process's write-behind has it in the database within moments
        assert flush_answers()
        assert _only(db)["answers"] == expected | {first: values[first]}
        _answer(at, values)
        _click(at, "survey_next")
        expected |= values
        assert _only(db)["answers"] == expected
    assert at.header[0].value == "Check and send"
    assert _only(db)["status"] == "draft"


def test_back_keeps_the_answers_and_saves_the_page_left(
    db: Database, campaign: CampaignInfo, questionnaire: Questionnaire
) -> None:
    at = _start(_open(c=campaign.code))
    first = _values(questionnaire, 2)
    _answer(at, first)
    _click(at, "survey_next")
    second = dict(list(_values(questionnaire, 3).items())[:2])
    _answer(at, second)
    _click(at, "survey_back")
    assert at.header[0].value == "Clarity"
    assert {i: at.radio(key=item_key(i)).value for i in first} == first
    assert _only(db)["answers"] == first | second
    _click(at, "survey_back")
    assert at.header[0].value == "About you"
    assert at.selectbox(key="survey_w_unit").value == "Operations"
    assert at.radio(key="survey_w_role").value == "staff"


def test_a_changed_answer_replaces_the_stored_one(
    db: Database, campaign: CampaignInfo, questionnaire: Questionnaire
) -> None:
    at = _start(_open(c=campaign.code))
    item = survey_pages(questionnaire)[2].items[0]
    _answer(at, {item: 2})
    _click(at, "survey_next")
    _click(at, "survey_back")
    _answer(at, {item: "NA"})
    _click(at, "survey_next")
    assert _only(db)["answers"] == {item: "NA"}


# -- review and submit ----------------------------------------------------------------------------


def _to_review(at: AppTest, pages: int = 6) -> AppTest:
    for _ in range(pages):
        _click(at, "survey_next")
    assert at.header[0].value == "Check and send"
    return at


def test_the_review_lists_what_is_unanswered_and_leads_back_to_it(
    db: Database, campaign: CampaignInfo, questionnaire: Questionnaire
) -> None:
    at = _start(_open(c=campaign.code))
    answered = _values(questionnaire, 2)
    _answer(at, answered)
    _to_review(at)
    assert at.info[0].value == (
        f"{38 - len(answered)} of 38 statements are still unanswered. You can answer them, or "
        "send your answers as they are: unanswered statements are simply left out."
    )
    assert [m.value for m in at.markdown if " · " in m.value] == [
        "**Coordination** · 7 unanswered",
        "**Completion** · 7 unanswered",
        "**Collaboration** · 7 unanswered",
        "**Workflow Architecture** · 7 unanswered",
        "**Results of your team's work** · 3 unanswered",
    ]
    assert "survey_goto_clarity" not in [b.key for b in at.button]
    _click(at, "survey_goto_completion")
    assert at.header[0].value == "Completion"


def test_a_fully_answered_survey_says_so_on_review(
    db: Database, campaign: CampaignInfo, questionnaire: Questionnaire
) -> None:
    at = _start(_open(c=campaign.code))
    for index in range(2, 8):
        _answer(at, _values(questionnaire, index))
        _click(at, "survey_next")
    assert at.success[0].value == "You have answered all 38 statements."
    assert not [b for b in at.button if b.key and b.key.startswith("survey_goto_")]


def test_submit_stores_the_response_once_and_thanks(
    db: Database, campaign: CampaignInfo, questionnaire: Questionnaire
) -> None:
    at = _start(_open(c=campaign.code))
    values = _values(questionnaire, 2)
    _answer(at, values)
    _to_review(at)
    token = _token(at)
    _click(at, "survey_submit")
    assert at.title[0].value == "Thank you!"
    assert at.success[0].value == "Your answers have been received."
    assert "Example Ltd looks at the results of groups of at least 5 people" in _texts(at)
    stored = _only(db)
    assert (stored["status"], stored["answers"]) == ("submitted", values)
    assert stored["token_hash"] is None  # the submitted answers keep no token
    with db.read() as session:
        duration, submitted_at = session.execute(
            select(Response.duration_seconds, Response.submitted_at)
        ).one()
    # The session's intervals between saves, summed: measured without storing a clock time.
    assert duration is not None and duration >= 0
    assert submitted_at == submitted_at.replace(hour=0, minute=0, second=0, microsecond=0)
    assert _param(at, "r") == token  # a reload comes back to the thank-you page
    assert not [b for b in at.button if b.key == "survey_submit"]

    reloaded = _open(c=campaign.code, r=token)
    assert reloaded.title[0].value == "Thank you!"
    assert reloaded.success[0].value == (
        "Your answers had already been received; nothing was changed."
    )
    assert _only(db)["status"] == "submitted"


def test_a_second_tab_of_the_same_response_cannot_submit_again(
    db: Database, campaign: CampaignInfo, questionnaire: Questionnaire
) -> None:
    first = _start(_open(c=campaign.code))
    _answer(first, _values(questionnaire, 2))
    _to_review(first)
    token = _token(first)
    second = _open(c=campaign.code, r=token)
    _to_review(second, pages=5)
    _click(first, "survey_submit")
    _click(second, "survey_submit")
    assert second.success[0].value == (
        "Your answers had already been received; nothing was changed."
    )
    assert [r["status"] for r in _responses(db)] == ["submitted"]

    # Saving in a stale tab after the submit also lands on the thank-you page, changing nothing.
    third = _open(c=campaign.code, r=token)
    assert third.title[0].value == "Thank you!"
    assert _only(db)["answers"] == _values(questionnaire, 2)


def test_submitting_nothing_asks_for_one_answer(db: Database, campaign: CampaignInfo) -> None:
    at = _to_review(_start(_open(c=campaign.code)))
    _click(at, "survey_submit")
    assert at.warning[0].value == "Please answer at least one statement before sending."
    assert at.header[0].value == "Check and send"
    assert _only(db)["status"] == "draft"


# -- resume ---------------------------------------------------------------------------------------


def test_a_half_finished_survey_resumes_from_its_link_in_a_new_session(
    db: Database, campaign: CampaignInfo, questionnaire: Questionnaire
) -> None:
    at = _open(c=campaign.code)
    at.radio(key="survey_w_language").set_value("de").run()
    _start(at, unit="Sales", role="leader")
    answered = _values(questionnaire, 2)
    _answer(at, answered)
    _click(at, "survey_next")
    token = _token(at)

    resumed = _open(c=campaign.code, r=token)  # another device: a new session
    assert resumed.info[0].value.startswith("Willkommen zurück!")
    assert resumed.header[0].value == "Koordination"
    assert resumed.get("progress")[0].proto.text == "Teil 2 von 6: Koordination"
    _click(resumed, "survey_back")
    assert {i: resumed.radio(key=item_key(i)).value for i in answered} == answered
    _click(resumed, "survey_back")
    assert resumed.selectbox(key="survey_w_unit").value == "Sales"
    assert resumed.radio(key="survey_w_role").value == "leader"
    assert _only(db)["status"] == "draft"


def test_answers_given_without_next_are_there_when_the_survey_resumes(
    db: Database, campaign: CampaignInfo, questionnaire: Questionnaire
) -> None:
    """Issue 15: each answer is saved as it is given; a tab closed before Next loses nothing."""
    at = _start(_open(c=campaign.code))
    given = dict(list(_values(questionnaire, 2).items())[:3])
    for item, value in given.items():
        _checked(at.radio(key=item_key(item)).set_value(value).run())
    assert flush_answers()
    assert _only(db)["answers"] == given
    token = _token(at)
    del at  # the tab is closed without Next

    resumed = _open(c=campaign.code, r=token)
    assert resumed.header[0].value == "Clarity"
    assert {i: resumed.radio(key=item_key(i)).value for i in given} == given


def test_the_resume_link_is_shown_plainly_with_a_copy_button(
    db: Database, campaign: CampaignInfo
) -> None:
    at = _start(_open(c=campaign.code))
    assert not at.expander
    (code,) = at.code
    assert code.value == f"{BASE_URL}/?c={campaign.code}&r={_token(at)}"
    assert "**Your personal link to continue later**" in [m.value for m in at.markdown]


def test_an_answer_to_a_campaign_closed_meanwhile_is_refused_and_next_shows_the_closed_page(
    db: Database, campaign: CampaignInfo, questionnaire: Questionnaire
) -> None:
    at = _start(_open(c=campaign.code))
    close_campaign(db, campaign.code)
    item = survey_pages(questionnaire)[2].items[0]
    _checked(at.radio(key=item_key(item)).set_value(4).run())
    assert flush_answers()
    assert _only(db)["answers"] == {}  # the write-behind refused it
    _click(at, "survey_next")
    assert "closed" in _texts(at).lower()
    assert not at.radio or item_key(item) not in [r.key for r in at.radio]
    assert _only(db)["answers"] == {}


def test_a_resumed_survey_without_a_unit_starts_at_the_profile(
    db: Database, campaign: CampaignInfo
) -> None:
    started = start_response(db, campaign.code, questionnaire=QUESTIONNAIRE)
    at = _open(c=campaign.code, r=started.resume_token)
    assert at.header[0].value == "About you"


# -- kiosk ----------------------------------------------------------------------------------------


def test_kiosk_mode_starts_over_for_the_next_person(
    db: Database, campaign: CampaignInfo, questionnaire: Questionnaire
) -> None:
    at = _open(c=campaign.code, kiosk="1")
    shown = _texts(at)
    assert "This device is shared" in shown
    assert "continue later" not in shown
    _start(at)
    assert _param(at, "r") is None  # no resume token in a shared device's address bar
    assert _param(at, "kiosk") == "1"
    assert not at.code and not at.expander  # and no resume link on screen
    _answer(at, _values(questionnaire, 2))
    _to_review(at)
    _click(at, "survey_submit")
    assert at.title[0].value == "Thank you!"
    _click(at, "survey_next_person")
    assert at.title[0].value == "Work Management Maturity Assessment"
    assert [b.label for b in at.button] == ["Start"]
    _start(at, unit="Sales", role="other")
    assert at.header[0].value == "Clarity"
    assert not at.radio(key=item_key(survey_pages(questionnaire)[2].items[0])).value
    assert [(r["status"], r["unit"]) for r in _responses(db)] == [
        ("submitted", "Operations"),
        ("draft", "Sales"),
    ]


def test_a_kiosk_left_mid_survey_starts_over_and_hides_the_draft(
    db: Database, campaign: CampaignInfo, questionnaire: Questionnaire, monkeypatch
) -> None:
    """Issue 15: the next person at a shared device never continues, sees or sends a draft."""
    at = _open(c=campaign.code, kiosk="1")
    _start(at)
    _answer(at, _values(questionnaire, 2))
    assert "starts over after 5 minutes" in _texts(at)
    _click(at, "survey_kiosk_reset")
    assert at.title[0].value == "Work Management Maturity Assessment"
    _start(at, unit="Sales", role="other")
    assert not at.radio(key=item_key(survey_pages(questionnaire)[2].items[0])).value
    assert [r["status"] for r in _responses(db)] == ["draft", "draft"]  # nothing sent


@pytest.mark.parametrize(
    ("last", "elapsed", "left"),
    [(None, 10_000.0, False), (50.0, 299.0, False), (50.0, 300.5, True)],
)
def test_a_kiosk_counts_as_left_after_five_idle_minutes(
    last: float | None, elapsed: float, left: bool
) -> None:
    from assessment.ui.pages import survey as survey_page

    assert survey_page.KIOSK_IDLE_SECONDS == 300
    assert survey_page.kiosk_left(last, (last or 0.0) + elapsed) is left


# -- invitations ----------------------------------------------------------------------------------


def test_an_invitation_link_starts_one_response_and_is_then_used(db: Database) -> None:
    campaign = _campaign(db, mode="invitation")
    token = create_invitations(db, campaign.code, 1)[0]
    at = _click(_open(c=campaign.code, t=token), "survey_start")
    assert at.header[0].value == "About you"
    assert _param(at, "t") is None and _param(at, "r")  # the used invitation leaves the link
    with db.read() as session:
        used = session.scalar(
            select(Invitation.used_at).where(Invitation.token_hash == hash_token(token))
        )
    # Used on this day; nothing more (no time, no reference to the response).
    assert used is not None
    assert used == used.replace(hour=0, minute=0, second=0, microsecond=0)
    again = _click(_open(c=campaign.code, t=token), "survey_start")
    assert again.title[0].value == "This invitation link has already been used"
    assert len(_responses(db)) == 1


# -- error pages ----------------------------------------------------------------------------------


def _closed(db: Database, campaign: CampaignInfo) -> dict[str, str]:
    close_campaign(db, campaign.code)
    return {"c": campaign.code}


def _not_yet_open(db: Database, campaign: CampaignInfo) -> dict[str, str]:
    soon = datetime.now(UTC) + timedelta(days=3)
    later = _campaign(db, opens_at=soon)
    return {"c": later.code}


def _invitation_required(db: Database, campaign: CampaignInfo) -> dict[str, str]:
    return {"c": _campaign(db, mode="invitation").code}


def _unknown_invitation(db: Database, campaign: CampaignInfo) -> dict[str, str]:
    invited = _campaign(db, mode="invitation")
    create_invitations(db, invited.code, 1)
    return {"c": invited.code, "t": "not-a-real-invitation"}


def _changed_file(db: Database, campaign: CampaignInfo) -> dict[str, str]:
    with db.write() as session:
        session.execute(
            text("UPDATE campaigns SET questionnaire_sha256 = :sha WHERE code = :code"),
            {"sha": "0" * 64, "code": campaign.code},
        )
    return {"c": campaign.code}


def _changed_version_of_a_draft(db: Database, campaign: CampaignInfo) -> dict[str, str]:
    started = start_response(db, campaign.code, questionnaire=QUESTIONNAIRE, unit="Sales")
    with db.write() as session:
        session.execute(update(Response).values(questionnaire_version="0.9.0"))
    return {"c": campaign.code, "r": started.resume_token}


ERRORS = [
    pytest.param(
        lambda db, c: {"c": "nosuchcode9"},
        "We cannot find this survey",
        "No survey has the code nosuchcode9",
        id="unknown-code",
    ),
    pytest.param(
        lambda db, c: {"c": "abc<def>"},
        "This link is incomplete",
        "cut off or changed",
        id="mangled-code",
    ),
    pytest.param(
        _closed, "This survey is closed", "Example Ltd is no longer collecting answers", id="closed"
    ),
    pytest.param(
        _not_yet_open, "This survey has not started yet", "It opens on", id="not-yet-open"
    ),
    pytest.param(
        _invitation_required,
        "This survey is by invitation",
        "personal link from your invitation",
        id="invitation-required",
    ),
    pytest.param(
        lambda db, c: {"c": c.code, "r": "no-such-token"},
        "This link to continue is not valid",
        "complete link",
        id="unknown-resume-token",
    ),
    pytest.param(
        _changed_file,
        "This survey has changed",
        "let Example Ltd know",
        id="questionnaire-file-changed",
    ),
    pytest.param(
        _changed_version_of_a_draft,
        "This survey has changed",
        "no longer matches",
        id="draft-on-another-version",
    ),
]


@pytest.mark.parametrize(("setup", "title", "body"), ERRORS)
def test_error_pages_explain_and_offer_no_survey(
    db: Database, campaign: CampaignInfo, setup: Any, title: str, body: str
) -> None:
    params = setup(db, campaign)
    with db.read() as session:
        before = session.scalar(select(func.count()).select_from(Response))
    at = _open(**params)
    assert at.title[0].value == title
    assert body in _unescaped(at.error[0].value)
    assert not at.button and not at.radio
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Response)) == before


def test_an_unknown_invitation_is_refused_on_start(db: Database, campaign: CampaignInfo) -> None:
    at = _click(_open(**_unknown_invitation(db, campaign)), "survey_start")
    assert at.title[0].value == "This invitation link has already been used"
    assert _responses(db) == []


def test_a_campaign_closed_while_answering_shows_the_closed_page(
    db: Database, campaign: CampaignInfo, questionnaire: Questionnaire
) -> None:
    at = _start(_open(c=campaign.code))
    _answer(at, _values(questionnaire, 2))
    close_campaign(db, campaign.code)
    _click(at, "survey_next")
    assert at.title[0].value == "This survey is closed"
    assert _only(db)["answers"] == {}


# -- no code, and text that must stay text --------------------------------------------------------


def test_without_a_code_the_page_asks_for_one(db: Database, campaign: CampaignInfo) -> None:
    at = _open()
    assert at.title[0].value == "Survey"
    at.text_input(key="survey_w_code").input(f"  {campaign.code.upper()} ")
    _checked(at.button[0].click().run())
    assert at.title[0].value == "Work Management Maturity Assessment"
    assert _param(at, "c") == campaign.code


def test_organisation_and_unit_names_are_shown_as_text_not_markup(db: Database) -> None:
    campaign = create_campaign(
        db,
        name="Q3 [pulse](https://evil.example)",
        questionnaire=QUESTIONNAIRE,
        organisation="<img src=x onerror=alert(1)> *ACME*",
        units=[UnitSpec("<b>Ops</b>")],
    )
    at = _open(c=campaign.code)
    facts = at.markdown[0].value
    # One escaper for the survey and the facilitator pages (assessment.i18n.markdown): "=" too.
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\> \\*ACME\\*" in facts
    assert "\\[pulse\\]\\(https\\://evil\\.example\\)" in facts
    _click(at, "survey_start")
    assert at.selectbox(key="survey_w_unit").options == ["<b>Ops</b>"]  # a selectbox shows text
    source = (ROOT / "assessment" / "ui" / "pages" / "survey.py").read_text()
    assert "unsafe_allow_html" not in source


# -- a campaign that requires the role ------------------------------------------------------------


def test_a_required_role_must_be_chosen_before_going_on(db: Database) -> None:
    campaign = _campaign(db, require_role=True)
    at = _click(_open(c=campaign.code), "survey_start")
    role = at.radio(key="survey_w_role")
    assert _unescaped(role.label) == "Which of these best describes your role? (required)"
    assert role.options == [
        "Senior leader or head of a department",
        "Team lead or manager",
        "Team member or individual contributor",
        "Other",
    ]
    at.selectbox(key="survey_w_unit").select("Sales")
    _click(at, "survey_next")
    assert at.header[0].value == "About you"
    assert [_unescaped(w.value) for w in at.warning] == [
        "Please choose the role that fits you best to continue. If none fits, choose “Other”."
    ]
    assert (_only(db)["unit"], _only(db)["role"]) == (None, None)  # nothing saved on refusal
    at.radio(key="survey_w_role").set_value("other")
    _click(at, "survey_next")
    assert at.header[0].value == "Clarity"
    assert not at.warning
    assert (_only(db)["unit"], _only(db)["role"]) == ("Sales", "other")


def test_a_required_role_is_asked_in_german_next_to_the_question(db: Database) -> None:
    campaign = _campaign(db, require_role=True)
    at = _open(c=campaign.code)
    at.radio(key="survey_w_language").set_value("de").run()
    _click(at, "survey_start")
    _click(at, "survey_next")  # neither unit nor role
    assert at.header[0].value == "Zu Ihrer Person"
    assert [_unescaped(w.value) for w in at.warning] == [
        "Bitte wählen Sie Ihr Team oder Ihre Abteilung, um fortzufahren.",
        "Bitte wählen Sie die Rolle, die am besten zu Ihnen passt, um fortzufahren. Wenn keine "
        "passt, wählen Sie „Andere Rolle“.",
    ]
    assert _unescaped(at.radio(key="survey_w_role").label).endswith("(erforderlich)")
    # Each message stands right under its question: unit, its warning, role, its warning.
    blocks = [e for e in at.main if type(e).__name__ in ("Selectbox", "Radio", "Warning")]
    kinds = [getattr(e, "key", None) or _unescaped(str(e.value))[:11] for e in blocks]
    assert kinds[:4] == ["survey_w_unit", "Bitte wähle", "survey_w_role", "Bitte wähle"]


def test_a_resumed_draft_without_a_required_role_starts_at_the_profile(db: Database) -> None:
    campaign = _campaign(db, require_role=True)
    started = start_response(db, campaign.code, questionnaire=QUESTIONNAIRE, unit="Sales")
    at = _open(c=campaign.code, r=started.resume_token)
    assert at.header[0].value == "About you"


def test_the_server_refuses_a_submit_without_a_required_role_and_the_page_asks_for_it(
    db: Database, questionnaire: Questionnaire
) -> None:
    campaign = _campaign(db)
    at = _start(_open(c=campaign.code), role=None)
    _answer(at, _values(questionnaire, 2))
    _to_review(at)
    # The facilitator makes the role required while this respondent is answering.
    update_campaign(db, campaign.code, require_role=True)
    _click(at, "survey_submit")
    assert at.header[0].value == "About you"
    assert [_unescaped(w.value) for w in at.warning] == [
        "Please choose the role that fits you best to continue. If none fits, choose “Other”."
    ]
    assert _only(db)["status"] == "draft"
    at.radio(key="survey_w_role").set_value("leader")
    _click(at, "survey_next")
    _to_review(at)
    _click(at, "survey_submit")
    assert at.title[0].value == "Thank you!"
    assert (_only(db)["status"], _only(db)["role"]) == ("submitted", "leader")
