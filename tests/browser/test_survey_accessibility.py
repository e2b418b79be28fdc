"""axe-core's WCAG 2.1 A and AA rules on every survey page in Chromium, in English (1440 px, the
statement grid) and German (a 390 px phone, the one-tap scale): code entry, an error page, welcome,
profile, each statement page, review, the resumed survey and the thank-you page. Each page must
have zero violations; a failure prints every violation with its elements and axe's messages.
Streamlit's own labels (the copy button's name) speak the page's language.

axe-core comes from PyPI (``axe-playwright-python``, test extras) and runs inside the page.
"""

from __future__ import annotations

from typing import Any

import pytest

from assessment.i18n import text

pytestmark = pytest.mark.browser

#: The WCAG 2.0 and 2.1, levels A and AA, rules of axe-core (issue 15).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WAIT = 30_000  # ms; generous for a loaded machine, never an assertion about speed
VIEWS = {
    "en": {"locale": "en-GB", "viewport": {"width": 1440, "height": 900}},
    "de": {"locale": "de-DE", "viewport": {"width": 390, "height": 844}},
}


def _axe() -> Any:
    module = pytest.importorskip("axe_playwright_python.sync_playwright")
    return module.Axe()


def _settled(page: Any) -> None:
    """Wait until the script has finished and nothing on the page is stale."""
    from playwright.sync_api import expect

    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    expect(page.locator("[data-stale='true']")).to_have_count(0)


def _report(violations: list[dict[str, Any]]) -> str:
    """axe's violations, one block each: rule, impact, help, and every element with its messages."""
    lines: list[str] = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            lines.append(f"  at {', '.join(map(str, node['target']))}")
            lines.append(f"     {node['html'][:300]}")
            for check in node.get("any", []) + node.get("all", []) + node.get("none", []):
                lines.append(f"     - {check['message']}")
    return "\n".join(lines)


class Audit:
    """Runs axe on a page after it settled and collects the violations per named page."""

    def __init__(self, language: str) -> None:
        self.axe = _axe()
        self.language = language
        self.found: dict[str, list[dict[str, Any]]] = {}
        self.pages: list[str] = []

    def check(self, page: Any, name: str) -> None:
        _settled(page)
        results = self.axe.run(
            page,
            options={
                "runOnly": {"type": "tag", "values": WCAG_TAGS},
                "resultTypes": ["violations"],
            },
        )
        self.pages.append(name)
        violations = results.response["violations"]
        if violations:
            self.found[name] = violations

    def assert_clean(self) -> None:
        report = "\n\n".join(
            f"== {self.language} · {name} ==\n{_report(v)}" for name, v in self.found.items()
        )
        assert not self.found, f"axe-core found WCAG 2.1 AA violations:\n{report}"


def _labels_in_language(page: Any, language: str) -> None:
    """Streamlit's own labels speak the page's language: the resume link's copy button is named
    in it, and no element keeps one of Streamlit's English labels on a German page."""
    from playwright.sync_api import expect

    from assessment.ui.language import streamlit_labels

    copy = text("common.streamlit.copy", language)
    resume = page.locator("[class*='st-key-survey_resume']")
    expect(resume.get_by_role("button", name=copy, exact=True)).to_have_count(1)
    english = sorted(streamlit_labels(language))
    if english:
        left = page.evaluate(
            """(english) => [...document.querySelectorAll('[aria-label], [title]')]
                .flatMap((e) => [e.getAttribute('aria-label'), e.getAttribute('title')])
                .filter((label) => english.includes(label))""",
            english,
        )
        assert left == [], f"English Streamlit labels on a {language} page: {left}"


def _button(page: Any, key_prefix: str) -> Any:
    """The button whose widget key starts with ``key_prefix`` (the same in every language)."""
    return page.locator(f"[class*='st-key-{key_prefix}'] button").first


@pytest.mark.parametrize("language", list(VIEWS))
def test_every_survey_page_has_no_wcag_violations(
    app_server: Any, browser: Any, demo_code: str, language: str, shots: Any
) -> None:
    from playwright.sync_api import expect

    audit = Audit(language)
    context = browser.new_context(**VIEWS[language])
    context.set_default_timeout(WAIT)
    page = context.new_page()
    try:
        page.goto(app_server.url)
        page.locator("[data-testid='stTextInput'] input").wait_for()
        audit.check(page, "code entry")

        page.goto(f"{app_server.url}/?c=no-such-code")
        page.locator("[data-testid='stAlertContentError']").wait_for()
        audit.check(page, "error page (unknown code)")

        page.goto(f"{app_server.url}/?c={demo_code}")
        start = _button(page, "survey_start")
        start.wait_for()
        assert page.evaluate("document.documentElement.lang") == language
        audit.check(page, "welcome")
        start.click()

        page.locator("[data-testid='stSelectbox']").wait_for()
        audit.check(page, "profile")
        page.locator("[data-testid='stSelectbox']").click()
        page.get_by_role("option").first.click()
        page.locator("[class*='st-key-survey_w_role'] [data-testid='stRadioOption']").first.click()
        _settled(page)
        _button(page, "survey_next_").click()

        part = 0
        while True:
            page.locator(
                "[class*='st-key-survey_row_'], [class*='st-key-survey_submit']"
            ).first.wait_for()
            _settled(page)
            if page.locator("[class*='st-key-survey_submit']").count():
                break
            part += 1
            # one answer given, so a chosen option is checked too
            page.locator(
                "[class*='st-key-survey_row_'] [data-testid='stRadioOption']"
            ).first.click()
            _settled(page)
            audit.check(page, f"statements, part {part}")
            if part == 1:
                _labels_in_language(page, language)
            heading = page.locator("h2").first.inner_text()
            _button(page, "survey_next_").click()
            expect(page.locator("h2").first).not_to_have_text(heading)  # the next page is drawn
        assert part >= 2
        audit.check(page, "review")

        resumed = context.new_page()
        resumed.goto(page.url)  # the address bar carries the resume link
        resumed.locator("[class*='st-key-survey_row_']").first.wait_for()
        audit.check(resumed, "resumed survey")
        resumed.close()

        _button(page, "survey_submit").click()
        page.locator("[data-testid='stAlertContentSuccess']").wait_for()
        audit.check(page, "thank-you")
    except Exception:
        page.screenshot(path=str(shots / "failure.png"), full_page=True)
        raise
    finally:
        context.close()
    assert len(audit.pages) >= 9
    audit.assert_clean()
