"""Every chart of the dashboard and of presentation mode, drawn by Chromium at projector widths
(1024, 1440 and 1920 px, and 1024 px in German, whose words are longer) and on a phone (390 × 844,
English and German): no text of a chart is cut at the chart's or the page's edge, and no two texts
of a chart run into each other.

How texts are compared: tests/browser/chart_text.py. Screenshots of every panel are kept in
test-artifacts/browser/<test>/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from chart_text import WAIT, chart_problems, idle, open_tab

pytestmark = pytest.mark.browser

HEIGHT = 1000
#: A phone's viewport (an iPhone 12 to 15), in CSS pixels.
PHONE = {"width": 390, "height": 844}


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _context(browser: Any, width: int) -> Any:
    viewport = PHONE if width == PHONE["width"] else {"width": width, "height": HEIGHT}
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(WAIT)
    return context


@pytest.mark.parametrize(
    ("width", "language"),
    [(1024, "en"), (1440, "en"), (1920, "en"), (1024, "de"), (390, "en"), (390, "de")],
)
def test_dashboard_charts_are_never_cut_or_overlapping(
    app_server: Any,
    browser: Any,
    demo_code: str,
    steps: Any,
    log_in: Any,
    width: int,
    language: str,
) -> None:
    context = _context(browser, width)
    page = context.new_page()
    try:
        log_in(page, f"{app_server.url}/dashboard?campaign={demo_code}")
        page.get_by_role("heading", name="The flywheel").wait_for()
        if language != "en":
            main = page.locator("[data-testid='stMain']")
            main.get_by_role("combobox", name="Language").click()
            page.get_by_role("option", name="Deutsch").click()
            page.get_by_role("heading", name=re.compile("^Das Schwungrad")).wait_for()
        idle(page)
        problems: list[str] = []
        tabs = page.get_by_role("tab").all_inner_texts()
        assert len(tabs) >= 8, tabs
        for tab in tabs:
            open_tab(page, tab)
            problems += chart_problems(page, f"{width} px, {language}, {tab}")
            steps.snap(page, f"{width}-{language}-{tab.lower()}")
        assert not problems, "\n".join(problems)
    finally:
        context.close()


@pytest.mark.parametrize("width", [1024, 1920, 390])
def test_presentation_mode_charts_are_never_cut_or_overlapping(
    app_server: Any, browser: Any, demo_code: str, steps: Any, log_in: Any, width: int
) -> None:
    context = _context(browser, width)
    page = context.new_page()
    try:
        log_in(page, f"{app_server.url}/workshop")
        page.get_by_role("heading", name="Workshop").wait_for()
        page.get_by_role("button", name="Present to the room").click()
        problems: list[str] = []
        for panel in range(1, 7):
            page.get_by_text(f"{panel} / 6").first.wait_for()
            idle(page)
            # No sidebar on the projector.
            _expect()(page.locator("[data-testid='stSidebar']")).to_be_hidden()
            problems += chart_problems(page, f"{width} px, presentation panel {panel}")
            steps.snap(page, f"{width}-panel-{panel}")
            page.keyboard.press("ArrowRight")
        assert not problems, "\n".join(problems)
        page.keyboard.press("Escape")
        page.get_by_role("button", name="Present to the room").wait_for()
    finally:
        context.close()
