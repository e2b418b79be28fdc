"""The load driver (benchmarks/bench_survey_load.py) against a real Chromium session: on the same
server, a person in Chromium and the driver each complete one response, and the two stored rows
have the same shape (status, unit and role set, language, source, every statement answered, no
resume link kept). So what the benchmark measures is what a browser does."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from bench_survey_load import Outcome, respondent
from sqlalchemy import select

from assessment.questionnaire import Questionnaire, default_registry
from assessment.storage import Database
from assessment.storage.models import Answer, Campaign, Response, Unit

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WAIT = 30_000  # ms; generous for a loaded machine, never an assertion about speed


def _submitted_ids(db: Database, code: str) -> set[str]:
    with db.read() as session:
        return set(
            session.scalars(
                select(Response.public_id)
                .join(Campaign, Campaign.id == Response.campaign_id)
                .where(Campaign.code == code, Response.status == "submitted")
            )
        )


def _shape(db: Database, public_id: str) -> dict[str, Any]:
    """What a stored response looks like, without the values a respondent chose."""
    with db.read() as session:
        response = session.scalars(select(Response).where(Response.public_id == public_id)).one()
        unit = session.scalar(select(Unit.name).where(Unit.id == response.unit_id))
        items = sorted(
            session.scalars(select(Answer.item_id).where(Answer.response_id == response.id))
        )
        return {
            "status": response.status,
            "has_unit": unit is not None,
            "has_role": response.role is not None,
            "language": response.language,
            "source": response.source,
            "items": items,
            "keeps_token": response.resume_token_hash is not None,
        }


def _questionnaire(db: Database, code: str) -> Questionnaire:
    with db.read() as session:
        key = session.scalars(
            select(Campaign.questionnaire_id + "@" + Campaign.questionnaire_version).where(
                Campaign.code == code
            )
        ).one()
    return default_registry().get(key)


def _settled(page: Any) -> None:
    from playwright.sync_api import expect

    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    expect(page.locator("[data-stale='true']")).to_have_count(0)


def _chromium_response(browser: Any, url: str, parts: int) -> None:
    """Answer the whole survey in Chromium on a phone viewport (English, every statement)."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    context.set_default_timeout(WAIT)
    page = context.new_page()
    try:
        page.goto(url)
        page.get_by_role("button", name="Start").click()
        page.get_by_role("heading", name="About you").wait_for()
        _settled(page)
        page.locator("[data-testid='stSelectbox']").click()
        page.get_by_role("option", name="Operations", exact=True).click()
        page.get_by_text("Team lead or manager", exact=True).click()
        page.get_by_role("button", name="Next").click()
        for part in range(1, parts + 1):
            page.get_by_text(re.compile(rf"^Part {part} of {parts}:")).first.wait_for()
            _settled(page)
            groups = page.locator("[data-testid='stRadio']")
            for i in range(groups.count()):
                label = ["Agree", "Disagree", "Don't know"][i % 3]
                groups.nth(i).get_by_text(label, exact=True).click()
                expect(groups.nth(i).get_by_role("radio", name=label, exact=True)).to_be_checked()
            page.get_by_role("button", name="Next").click()
        page.get_by_role("heading", name="Check and send").wait_for()
        _settled(page)
        page.get_by_role("button", name="Send my answers").click()
        page.get_by_role("heading", name="Thank you!").wait_for()
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        context.close()


def test_the_driver_stores_what_a_chromium_session_stores(
    app_server: Any, browser: Any, app_database: Database, demo_code: str
) -> None:
    questionnaire = _questionnaire(app_database, demo_code)
    parts = len(questionnaire.components) + 1
    before = _submitted_ids(app_database, demo_code)
    _chromium_response(browser, f"{app_server.url}/?c={demo_code}", parts)
    (by_browser,) = _submitted_ids(app_database, demo_code) - before

    before = _submitted_ids(app_database, demo_code)

    def drive() -> Outcome:
        return asyncio.run(
            respondent(app_server.url, demo_code, seed=3, delay=0, think=0, timeout=60, assets=True)
        )

    # a thread of its own: Playwright's sync API keeps an event loop running in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        outcome = pool.submit(drive).result()
    assert outcome.error is None
    assert outcome.submitted
    (by_driver,) = _submitted_ids(app_database, demo_code) - before

    browser_shape, driver_shape = _shape(app_database, by_browser), _shape(app_database, by_driver)
    statements = sorted(
        [i.id for i in questionnaire.items] + [o.id for o in questionnaire.outcomes]
    )
    assert browser_shape["items"] == statements
    assert driver_shape == browser_shape
    assert browser_shape["status"] == "submitted"
    # the driver went through the same pages as the person: one Next per page
    assert sum(name == "next" for name, _ in outcome.timings) == parts + 1
    # and sent each answer as it was given: one rerun of that statement's fragment per answer
    assert sum(name == "answer" for name, _ in outcome.timings) == len(statements)
