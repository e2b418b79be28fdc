"""Respondents in a real browser (Chromium on a 390×844 phone viewport) against `streamlit run app.py`:
the demo survey answered in German and stored, a half-filled survey resumed on another "device", a
double-clicked submit (plus reload, back and a second tab) stored once, and an unknown code explained.

Every step waits for what the next page shows (no sleeps); screenshots of each step are kept in
test-artifacts/browser/<test>/.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from assessment.campaigns.management import hash_token
from assessment.questionnaire import Questionnaire, default_registry
from assessment.storage import Database
from assessment.storage.models import Answer, Campaign, Response, Unit
from assessment.survey.flow import statement_text

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WAIT = 30_000  # ms; generous for a loaded CI machine, never an assertion about speed


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _phone(browser: Any) -> Any:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    context.set_default_timeout(WAIT)
    return context


MAIN = "[data-testid='stMain']"  # Streamlit's scrolling content area


def _questionnaire(db: Database, code: str) -> Questionnaire:
    with db.read() as session:
        key = session.scalars(
            select(Campaign.questionnaire_id + "@" + Campaign.questionnaire_version).where(
                Campaign.code == code
            )
        ).one()
    return default_registry().get(key)


def _token(page: Any) -> str:
    return parse_qs(urlparse(page.url).query)["r"][0]


def _draft_id(db: Database, token: str) -> str:
    """The public id of the draft behind a resume token (once submitted, it keeps no token)."""
    with db.read() as session:
        rows = session.scalars(
            select(Response.public_id).where(Response.resume_token_hash == hash_token(token))
        ).all()
        assert len(rows) == 1
        return rows[0]


def _stored(db: Database, public_id: str) -> dict[str, Any]:
    """A response as stored: status, unit, role, language, answers, and whether it keeps a token."""
    with db.read() as session:
        response = session.scalars(select(Response).where(Response.public_id == public_id)).one()
        unit = session.scalar(select(Unit.name).where(Unit.id == response.unit_id))
        answers = {
            item: special if special is not None else value
            for item, value, special in session.execute(
                select(Answer.item_id, Answer.value, Answer.special).where(
                    Answer.response_id == response.id
                )
            )
        }
        return {
            "status": response.status,
            "unit": unit,
            "role": response.role,
            "language": response.language,
            "source": response.source,
            "answers": answers,
            "keeps_token": response.resume_token_hash is not None,
        }


def _submitted(db: Database, code: str) -> int:
    with db.read() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Response)
                .join(Campaign, Campaign.id == Response.campaign_id)
                .where(Campaign.code == code, Response.status == "submitted")
            )
            or 0
        )


def _settled(page: Any) -> None:
    """Wait until the app's script run is over and no element of the previous run is left."""
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    _expect()(page.locator("[data-stale='true']")).to_have_count(0)


def _see(page: Any, locator: Any) -> None:
    """Wait for what the next page shows, then for its run to finish."""
    locator.first.wait_for()
    _settled(page)


def _wait_part(page: Any, part: int, parts: int, word: str = "Part", of: str = "of") -> None:
    _see(page, page.get_by_text(re.compile(rf"^{word} {part} {of} {parts}:")))


def _answer_all(page: Any, labels: list[str]) -> None:
    """Answer every statement on the page, cycling through ``labels``."""
    expect = _expect()
    groups = page.locator("[data-testid='stRadio']")
    for i in range(groups.count()):
        label = labels[i % len(labels)]
        groups.nth(i).get_by_text(label, exact=True).click()
        expect(groups.nth(i).get_by_role("radio", name=label, exact=True)).to_be_checked()


def _choose_unit(page: Any, unit: str) -> None:
    page.locator("[data-testid='stSelectbox']").click()
    page.get_by_role("option", name=unit, exact=True).click()
    _expect()(page.locator("[data-testid='stSelectbox']").get_by_role("combobox")).to_have_value(
        unit
    )


def _start(page: Any, url: str, unit: str, role: str) -> None:
    """Open the survey link, start, and fill in unit and role (English texts)."""
    page.goto(url)
    page.get_by_role("button", name="Start").click()
    _see(page, page.get_by_role("heading", name="About you"))
    _choose_unit(page, unit)
    page.get_by_text(role, exact=True).click()
    page.get_by_role("button", name="Next").click()


def test_a_respondent_completes_the_demo_survey_in_german_on_a_phone(
    app_server: Any, browser: Any, app_database: Database, demo_code: str, steps: Any
) -> None:
    expect = _expect()
    questionnaire = _questionnaire(app_database, demo_code)
    before = _submitted(app_database, demo_code)
    context = _phone(browser)
    page = context.new_page()
    try:
        page.goto(f"{app_server.url}/?c={demo_code}")
        _see(page, page.get_by_role("button", name="Start"))
        steps.snap(page, "welcome-en")
        page.get_by_text("Deutsch", exact=True).click()
        _see(page, page.get_by_role("heading", name="Reifegradanalyse Arbeitsmanagement"))
        expect(page.get_by_text("Wer sie durchführt: Demo organisation")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "de")  # screen readers speak German
        steps.snap(page, "welcome-de")
        page.get_by_role("button", name="Los geht's").click()

        _see(page, page.get_by_role("heading", name="Zu Ihrer Person"))
        _choose_unit(page, "Finance")
        page.get_by_text("Teammitglied oder Fachkraft ohne Führungsaufgabe", exact=True).click()
        steps.snap(page, "profile")
        page.get_by_role("button", name="Weiter").click()

        labels = ["Stimme zu", "Stimme voll und ganz zu", "Teils, teils", "Weiß nicht"]
        component_ids = [c.id for c in questionnaire.components]
        parts = len(questionnaire.components) + 1
        for part in range(1, parts + 1):
            _wait_part(page, part, parts, "Teil", "von")
            # Each new page starts at its top, although the last one was left scrolled down.
            page.wait_for_function(f'document.querySelector("{MAIN}").scrollTop === 0')
            _answer_all(page, labels)
            # Each answer group's accessible name is its statement as written, without the
            # markdown escapes the page uses to show it ("Prioritäten." not "Prioritäten\\.").
            names = page.locator("[data-testid='stRadio'] [role='radiogroup']").evaluate_all(
                "groups => groups.map(g => g.getAttribute('aria-label'))"
            )
            if part <= len(component_ids):
                items = questionnaire.items_of_component(component_ids[part - 1])
                assert names == [statement_text(questionnaire, i.id, "de") for i in items]
            steps.snap(page, f"part-{part}")
            page.get_by_role("button", name="Weiter").click()

        _see(page, page.get_by_role("heading", name="Prüfen und absenden"))
        expect(page.get_by_text("Sie haben alle 41 Aussagen beantwortet.")).to_be_visible()
        steps.snap(page, "review")
        response = _draft_id(app_database, _token(page))
        page.get_by_role("button", name="Antworten absenden").click()
        _see(page, page.get_by_role("heading", name="Vielen Dank!"))
        expect(page.get_by_text("Ihre Antworten sind angekommen.")).to_be_visible()
        steps.snap(page, "thank-you")
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        context.close()

    stored = _stored(app_database, response)
    statements = [i.id for i in questionnaire.items] + [o.id for o in questionnaire.outcomes]
    assert stored["status"] == "submitted"
    assert not stored["keeps_token"]  # submitted answers are not linked to the resume link
    assert (stored["unit"], stored["role"], stored["language"], stored["source"]) == (
        "Finance",
        "staff",
        "de",
        "survey",
    )
    assert sorted(stored["answers"]) == sorted(statements)
    first_page = [i.id for i in questionnaire.items_of_component(questionnaire.components[0].id)]
    assert [stored["answers"][i] for i in first_page[:4]] == [4, 5, 3, "DK"]
    assert _submitted(app_database, demo_code) == before + 1


def test_a_half_filled_survey_is_resumed_from_its_link_in_a_new_browser(
    app_server: Any, browser: Any, app_database: Database, demo_code: str, steps: Any
) -> None:
    expect = _expect()
    questionnaire = _questionnaire(app_database, demo_code)
    first = questionnaire.components[0]
    first_items = [i.id for i in questionnaire.items_of_component(first.id)]
    phone = _phone(browser)
    page = phone.new_page()
    try:
        _start(page, f"{app_server.url}/?c={demo_code}", "Sales", "Team lead or manager")
        _wait_part(page, 1, 6)
        _answer_all(page, ["Agree", "Disagree"])
        page.get_by_role("button", name="Next").click()
        _wait_part(page, 2, 6)
        page.get_by_text("Your personal link to continue later").click()
        link = page.locator("[data-testid='stCode']").inner_text().strip()
        steps.snap(page, "stopped-half-way")
        assert link.startswith(f"{app_server.url}/?c={demo_code}&r=")
    finally:
        phone.close()
    token = parse_qs(urlparse(link).query)["r"][0]
    response = _draft_id(app_database, token)
    stored = _stored(app_database, response)
    assert stored["status"] == "draft"
    assert stored["answers"] == {
        item: (4 if n % 2 == 0 else 2) for n, item in enumerate(first_items)
    }

    other_device = _phone(browser)
    page = other_device.new_page()
    try:
        page.goto(link)
        _wait_part(page, 2, 6)
        expect(page.get_by_text("Welcome back!", exact=False)).to_be_visible()
        steps.snap(page, "resumed")
        page.get_by_role("button", name="Back").click()
        _wait_part(page, 1, 6)
        groups = page.locator("[data-testid='stRadio']")
        expect(groups.nth(0).get_by_role("radio", name="Agree", exact=True)).to_be_checked()
        expect(groups.nth(1).get_by_role("radio", name="Disagree", exact=True)).to_be_checked()
        steps.snap(page, "answers-kept")
        for part in range(1, 7):
            _wait_part(page, part, 6)
            page.get_by_role("button", name="Next").click()
        _see(page, page.get_by_role("heading", name="Check and send"))
        unanswered = len(questionnaire.items) + len(questionnaire.outcomes) - len(first_items)
        expect(
            page.get_by_text(f"{unanswered} of 41 statements are still unanswered")
        ).to_be_visible()
        steps.snap(page, "review-unanswered")
        page.get_by_role("button", name="Send my answers").click()
        _see(page, page.get_by_role("heading", name="Thank you!"))
        steps.snap(page, "thank-you")
    finally:
        other_device.close()
    stored = _stored(app_database, response)
    assert stored["status"] == "submitted"
    assert (stored["unit"], stored["role"], stored["language"]) == ("Sales", "manager", "en")
    assert set(stored["answers"]) == set(first_items)


def test_double_clicks_reload_back_and_a_second_tab_store_one_response(
    app_server: Any, browser: Any, app_database: Database, demo_code: str, steps: Any
) -> None:
    expect = _expect()
    before = _submitted(app_database, demo_code)
    context = _phone(browser)
    page = context.new_page()
    try:
        _start(page, f"{app_server.url}/?c={demo_code}", "Operations", "Other")
        _wait_part(page, 1, 6)
        _answer_all(page, ["Strongly agree"])
        # A double click on Next moves one page on, not two.
        page.get_by_role("button", name="Next").dblclick()
        _wait_part(page, 2, 6)
        assert page.get_by_text(re.compile(r"^Part 3 of 6")).count() == 0
        steps.snap(page, "after-double-click-on-next")
        for part in range(2, 7):
            _wait_part(page, part, 6)
            page.get_by_role("button", name="Next").click()
        _see(page, page.get_by_role("heading", name="Check and send"))
        response = _draft_id(app_database, _token(page))

        second_tab = context.new_page()
        second_tab.goto(page.url)  # the same response, resumed where its answers stop
        for part in range(2, 7):
            _wait_part(second_tab, part, 6)
            second_tab.get_by_role("button", name="Next").click()
        _see(second_tab, second_tab.get_by_role("heading", name="Check and send"))
        steps.snap(second_tab, "second-tab-before-submit")

        page.get_by_role("button", name="Send my answers").dblclick()
        _see(page, page.get_by_role("heading", name="Thank you!"))
        expect(page.get_by_text("Your answers have been received.")).to_be_visible()
        steps.snap(page, "after-double-click")

        page.reload()
        _see(page, page.get_by_role("heading", name="Thank you!"))
        expect(page.get_by_text("already been received")).to_be_visible()
        steps.snap(page, "after-reload")
        page.go_back()
        _see(page, page.get_by_role("heading", name="Thank you!"))

        second_tab.get_by_role("button", name="Send my answers").click()
        _see(second_tab, second_tab.get_by_role("heading", name="Thank you!"))
        expect(second_tab.get_by_text("already been received")).to_be_visible()
        steps.snap(second_tab, "second-tab-after-submit")
    finally:
        context.close()
    assert _stored(app_database, response)["status"] == "submitted"
    assert _submitted(app_database, demo_code) == before + 1


def test_an_unknown_code_shows_its_message(app_server: Any, browser: Any, steps: Any) -> None:
    expect = _expect()
    context = _phone(browser)
    page = context.new_page()
    try:
        page.goto(f"{app_server.url}/?c=nosuchcode9")
        _see(page, page.get_by_role("heading", name="We cannot find this survey"))
        expect(page.get_by_text("No survey has the code nosuchcode9")).to_be_visible()
        assert page.get_by_role("button", name="Start").count() == 0
        steps.snap(page, "unknown-code")
    finally:
        context.close()


def test_facilitator_pages_ask_for_the_password_which_never_reaches_the_browser(
    app_server: Any, browser: Any, demo_code: str, steps: Any
) -> None:
    expect = _expect()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT)
    page = context.new_page()
    try:
        page.goto(f"{app_server.url}/dashboard")
        _see(page, page.get_by_role("heading", name="Facilitator login"))
        steps.snap(page, "login")
        field = page.get_by_label("Facilitator password")
        field.fill("wrong password")
        field.press("Enter")
        _see(page, page.get_by_text("That is not the facilitator password"))
        steps.snap(page, "wrong-password")
        field.fill(app_server.admin_password)
        field.press("Enter")
        expect(page.get_by_role("heading", name="Facilitator login")).to_have_count(0)
        _settled(page)
        steps.snap(page, "logged-in")
        assert app_server.admin_password not in page.content()
    finally:
        context.close()
