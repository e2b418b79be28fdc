"""A full workshop, end to end, against `streamlit run app.py` in Chromium (issue: workshop day).

Thirty phones answer a campaign of three units at once (the websocket driver of
benchmarks/bench_survey_load.py, which tests/browser/test_load_driver_browser.py checks against a
real Chromium session), a late file is imported that puts one unit over its head-count, and the
facilitator runs the room from the projector (1920 px) in presentation mode, in English and then in
German: every panel is drawn without a traceback, an error element or a cut or overlapping chart
label, and the over-counted unit is reported, not fatal. Screenshots of every panel are kept in
test-artifacts/browser/<test>/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from bench_survey_load import drive, run_async
from chart_text import WAIT, chart_problems, idle

from assessment.campaigns.importing import import_table
from assessment.campaigns.management import UnitSpec, create_campaign
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.i18n import text
from assessment.questionnaire import default_registry
from assessment.storage import Database

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUESTIONNAIRE = "work-management@1.1.0"
UNITS = (UnitSpec("North", head_count=14), UnitSpec("South", head_count=14))
#: The unit the late file puts over its head-count.
LATE_UNIT = UnitSpec("East", head_count=12)
PHONES = 30
#: The panels of presentation mode, in order (their titles are ``present.<key>``).
PANELS = ("participation", "flywheel", "components", "targets", "discuss", "vote")


def _no_traceback(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "Traceback" not in body and 'File "' not in body, body[:2000]


def _present(page: Any, language: str, steps: Any) -> list[str]:
    """Walk every panel of presentation mode, each titled in ``language``; what is wrong with its
    charts."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Present to the room").click()
    problems: list[str] = []
    for panel, key in enumerate(PANELS, start=1):
        page.get_by_text(f"{panel} / {len(PANELS)}").first.wait_for()
        idle(page)
        page.get_by_role("heading", name=text(f"present.{key}", language), exact=True).wait_for()
        _no_traceback(page)
        # The projector shows the panel only: no sidebar, no title, no selectors.
        expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()
        expect(page.get_by_role("combobox")).to_have_count(0)
        expect(page.get_by_role("heading", name="Workshop", exact=True)).to_have_count(0)
        problems += chart_problems(page, f"{language}, panel {panel}")
        steps.snap(page, f"{language}-panel-{panel}")
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Present to the room").wait_for()
    return problems


def test_a_full_workshop_runs_from_the_projector(
    app_server: Any,
    browser: Any,
    demo_code: str,
    app_database: Database,
    steps: Any,
    log_in: Any,
) -> None:
    info = create_campaign(
        app_database,
        name="Workshop day",
        questionnaire=QUESTIONNAIRE,
        organisation="Workshop Ltd",
        units=[*UNITS, LATE_UNIT],
        languages=("en", "de"),
    )
    # Thirty phones at once, arriving within five seconds.
    outcomes = run_async(
        lambda: drive(
            [app_server.url],
            info.code,
            PHONES,
            spread=5.0,
            think=0.0,
            timeout=120.0,
            seed=15,
            assets=False,
        )
    )
    assert [o.error for o in outcomes] == [None] * PHONES
    # A late file: more people of East than East has.
    questionnaire = default_registry().get(QUESTIONNAIRE)
    profile = organisation_profile(seed=15, n_units=1, unit_names=[LATE_UNIT.name], min_size=1)
    assert LATE_UNIT.head_count is not None
    late = generate_organisation(
        questionnaire, seed=15, profile=profile, respondents=[LATE_UNIT.head_count + 1]
    ).table
    import_table(app_database, info.code, late, name="late-arrivals.csv")

    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.set_default_timeout(WAIT)
    page = context.new_page()
    try:
        # The dashboard names the over-counted unit and goes on.
        log_in(page, f"{app_server.url}/dashboard?campaign={info.code}")
        page.get_by_role("heading", name=re.compile("^The flywheel")).wait_for()
        idle(page)
        _no_traceback(page)
        main = page.locator("[data-testid='stMain']")
        warning = main.locator(
            "[data-testid='stAlert']", has_text=re.compile(rf"{LATE_UNIT.name}: \d+ ")
        )
        warning.first.wait_for()
        steps.snap(page, "dashboard-over-count")

        page.locator("[data-testid='stSidebar']").get_by_role("link", name="Workshop").click()
        page.get_by_role("heading", name="Workshop").wait_for()
        campaign = main.get_by_role("combobox", name="Campaign")
        campaign.click()
        page.get_by_role("option", name=re.compile(re.escape(info.code))).click()
        idle(page)
        problems = _present(page, "en", steps)

        main.get_by_role("combobox", name="Language of the results").click()
        page.get_by_role("option", name="Deutsch").click()
        idle(page)
        problems += _present(page, "de", steps)
        assert not problems, "\n".join(problems)
    finally:
        context.close()
