"""Every chart of the dashboard and of presentation mode, drawn by Chromium at projector widths
(1024, 1440 and 1920 px, and 1024 px in German, whose words are longer): no text of a chart is cut at
the chart's or the page's edge, and no two texts of a chart run into each other.

Texts are compared as the polygons they cover on the screen (their box turned by the chart's own
rotation, so slanted column names are compared as slanted), with the font's empty space above and
below the letters left out. Screenshots of every panel are kept in test-artifacts/browser/<test>/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser

WAIT = 45_000  # ms; generous for a loaded CI machine, never an assertion about speed
HEIGHT = 1000

#: For every visible text of a chart: the screen polygon it covers, and whether it is cut.
_TEXTS_OF_CHART = """(chart) => {
  const box = chart.getBoundingClientRect();
  const main = document.querySelector("[data-testid='stMain']").getBoundingClientRect();
  const left = Math.max(box.left, main.left) - 1, right = Math.min(box.right, main.right) + 1;
  const shown = (node) => {
    for (let n = node; n && n !== chart; n = n.parentElement) {
      const style = getComputedStyle(n);
      if (style.opacity === '0' || style.visibility === 'hidden' || style.display === 'none') {
        return false;
      }
    }
    return true;
  };
  const texts = [];
  for (const t of chart.querySelectorAll('svg text')) {
    if (!t.textContent.trim() || !shown(t)) continue;
    const b = t.getBBox();
    if (b.width <= 0 || b.height <= 0) continue;
    // The box of a line of text includes the font's ascent and descent: leave 20% of the
    // height out at the top and the bottom, so only the letters themselves are compared.
    const inset = 0.2 * b.height;
    const m = t.getScreenCTM();
    const corners = [
      [b.x, b.y + inset], [b.x + b.width, b.y + inset],
      [b.x + b.width, b.y + b.height - inset], [b.x, b.y + b.height - inset],
    ].map(([x, y]) => { const p = new DOMPoint(x, y).matrixTransform(m); return [p.x, p.y]; });
    const xs = corners.map(c => c[0]);
    texts.push({
      text: t.textContent,
      corners,
      cut: Math.min(...xs) < left || Math.max(...xs) > right,
    });
  }
  return texts;
}"""


def _overlap(a: list[list[float]], b: list[list[float]]) -> bool:
    """Whether two convex polygons overlap by more than a pixel (separating axis theorem)."""
    for polygon in (a, b):
        for i, (x1, y1) in enumerate(polygon):
            x2, y2 = polygon[(i + 1) % len(polygon)]
            normal = (y1 - y2, x2 - x1)
            length = (normal[0] ** 2 + normal[1] ** 2) ** 0.5 or 1.0
            axis = (normal[0] / length, normal[1] / length)
            pa = [x * axis[0] + y * axis[1] for x, y in a]
            pb = [x * axis[0] + y * axis[1] for x, y in b]
            if min(max(pa), max(pb)) - max(min(pa), min(pb)) <= 1.0:
                return False
    return True


def _problems(page: Any, where: str) -> list[str]:
    """What is cut or overlapping in the charts now on the page."""
    problems: list[str] = []
    for index, chart in enumerate(page.locator("[data-testid='stVegaLiteChart']").all()):
        if not chart.is_visible():
            continue
        texts = chart.evaluate(_TEXTS_OF_CHART)
        name = f"{where}, chart {index + 1}"
        problems += [f"{name}: {t['text']!r} is cut at the edge" for t in texts if t["cut"]]
        for i, first in enumerate(texts):
            for second in texts[i + 1 :]:
                if _overlap(first["corners"], second["corners"]):
                    problems.append(f"{name}: {first['text']!r} runs into {second['text']!r}")
    return problems


def _idle(page: Any) -> None:
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=WAIT
    )
    # Vega draws after the element appears: wait until every chart holds its SVG.
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll(\"[data-testid='stVegaLiteChart']\"))"
        ".every(c => c.querySelector('svg text'))",
        timeout=WAIT,
    )


def _context(browser: Any, width: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": HEIGHT})
    context.set_default_timeout(WAIT)
    return context


@pytest.mark.parametrize(
    ("width", "language"), [(1024, "en"), (1440, "en"), (1920, "en"), (1024, "de")]
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
        _idle(page)
        problems: list[str] = []
        tabs = page.get_by_role("tab").all_inner_texts()
        assert len(tabs) >= 8, tabs
        for tab in tabs:
            page.get_by_role("tab", name=tab, exact=True).click()
            _idle(page)
            problems += _problems(page, f"{width} px, {language}, {tab}")
            steps.snap(page, f"{width}-{language}-{tab.lower()}")
        assert not problems, "\n".join(problems)
    finally:
        context.close()


@pytest.mark.parametrize("width", [1024, 1920])
def test_presentation_mode_charts_are_never_cut_or_overlapping(
    app_server: Any, browser: Any, demo_code: str, steps: Any, log_in: Any, width: int
) -> None:
    context = _context(browser, width)
    page = context.new_page()
    try:
        log_in(page, f"{app_server.url}/workshop")
        page.get_by_role("heading", name="Workshop").wait_for()
        page.get_by_role("button", name="Present to the room").click()
        _idle(page)
        # No sidebar on the projector.
        assert not page.locator("[data-testid='stSidebar']").is_visible()
        problems: list[str] = []
        for panel in range(1, 7):
            _idle(page)
            caption = page.get_by_text(f"{panel} / 6").first
            caption.wait_for()
            problems += _problems(page, f"{width} px, presentation panel {panel}")
            steps.snap(page, f"{width}-panel-{panel}")
            page.keyboard.press("ArrowRight")
        assert not problems, "\n".join(problems)
        page.keyboard.press("Escape")
        page.get_by_role("button", name="Present to the room").wait_for()
    finally:
        context.close()
