"""The statement page's layout in Chromium at a phone (390×844), 1440 and 1920 px: nothing
overflows horizontally; a phone gets the one-tap scale (the scale's values on one line, the
special answers on the next, every option at least 44 px high), a wide screen the statement ×
answer grid (one row per statement, the answers named once in a header row above aligned columns);
the radio groups' accessible names are the plain statements; the resume link's copy button is
shown without hovering (a phone cannot hover). Screenshots are kept in
test-artifacts/browser/<test>/ (ignored by git).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from assessment.questionnaire import default_registry
from assessment.storage import Database
from assessment.storage.models import Campaign
from assessment.survey.flow import statement_text, survey_pages

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms; generous for a loaded machine, never an assertion about speed
SIZES = {
    "phone": {"width": 390, "height": 844},
    "1440": {"width": 1440, "height": 900},
    "1920": {"width": 1920, "height": 1080},
}
ROW = "[class*='st-key-survey_row_']"


def _settled(page: Any) -> None:
    from playwright.sync_api import expect

    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    expect(page.locator("[data-stale='true']")).to_have_count(0)


def _first_statements(db: Database, code: str) -> list[str]:
    with db.read() as session:
        key = session.scalars(
            select(Campaign.questionnaire_id + "@" + Campaign.questionnaire_version).where(
                Campaign.code == code
            )
        ).one()
    questionnaire = default_registry().get(key)
    page = next(p for p in survey_pages(questionnaire) if p.kind == "statements")
    return [statement_text(questionnaire, item, "en") for item in page.items]


def _boxes(page: Any, selector: str) -> list[dict[str, float]]:
    return [
        page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())
    ]


def _one_line(boxes: list[dict[str, float]]) -> bool:
    """Whether the boxes sit on one line (their tops within a few pixels, far less than a line)."""
    tops = [b["y"] for b in boxes]
    return max(tops) - min(tops) < 8


@pytest.mark.parametrize("size", list(SIZES))
def test_the_statement_page_fits_and_is_a_grid_or_a_one_tap_scale(
    app_server: Any,
    browser: Any,
    demo_code: str,
    app_database: Database,
    steps: Any,
    size: str,
) -> None:
    context = browser.new_context(viewport=SIZES[size], locale="en-GB", device_scale_factor=1)
    context.set_default_timeout(WAIT)
    page = context.new_page()
    try:
        page.goto(f"{app_server.url}/?c={demo_code}")
        page.get_by_role("button", name="Start").click()
        page.locator("[data-testid='stSelectbox']").click()
        page.get_by_role("option").first.click()
        page.locator("[class*='st-key-survey_w_role'] [data-testid='stRadioOption']").first.click()
        _settled(page)
        page.get_by_role("button", name="Next").click()
        page.locator(ROW).first.wait_for()
        page.locator(f"{ROW} [data-testid='stRadioOption']").nth(3).click()  # "Agree"
        _settled(page)
        steps.snap(page, f"statements-{size}")

        width, inner = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        assert width <= inner, f"the page is {width} px wide in a {inner} px window"
        main = page.evaluate(
            "(() => { const m = document.querySelector('[data-testid=stMain]');"
            " return [m.scrollWidth, m.clientWidth]; })()"
        )
        assert main[0] <= main[1], f"the content is {main[0]} px wide in {main[1]} px"

        names = [
            page.locator(f"{ROW} [role='radiogroup']").nth(i).get_attribute("aria-label")
            for i in range(page.locator(ROW).count())
        ]
        assert names == _first_statements(app_database, demo_code)

        # the resume link is on the page with a copy button that shows without hovering
        resume = page.locator(".st-key-survey_resume")
        assert "r=" in resume.locator("[data-testid='stCode']").inner_text()
        assert resume.get_by_role("button", name="Copy to clipboard").is_visible()

        options = _boxes(page, f"{ROW} >> nth=0 >> [role='radiogroup'] > div")
        assert len(options) == 7
        head = page.locator(".survey-scale-head")
        if size == "phone":
            assert not head.is_visible()
            scale, special = options[:5], options[5:]
            assert _one_line(scale), "the 1-5 scale is not one line"
            assert _one_line(special)
            assert special[0]["y"] > scale[0]["y"]
            assert all(b["height"] >= 44 for b in options), "a tap target under 44 px"
            assert all(b["x"] + b["width"] <= SIZES[size]["width"] for b in options)
        else:
            assert head.is_visible()
            assert _one_line(options), "the answers are not one row"
            columns = _boxes(page, ".survey-scale-option")
            assert len(columns) == 7
            for option, column in zip(options, columns, strict=True):
                centre = option["x"] + option["width"] / 2
                assert column["x"] <= centre <= column["x"] + column["width"]
            statement = page.locator(f"{ROW} >> nth=0 >> [data-testid='stMarkdown']").bounding_box()
            assert statement["x"] + statement["width"] <= options[0]["x"]  # text left of answers
    finally:
        context.close()
