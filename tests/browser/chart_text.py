"""What a reader of the projector would see wrong in the charts on a page: text cut at the chart's
or the page's edge, and texts of one chart running into each other.

Texts are compared as the polygons they cover on the screen (their box turned by the chart's own
rotation, so slanted column names are compared as slanted), with the font's empty space above and
below the letters left out.
"""

from __future__ import annotations

from typing import Any

WAIT = 45_000  # ms; generous for a loaded CI machine, never an assertion about speed

#: For every chart on the page that is shown, and every visible text of it: the screen polygon the
#: text covers and whether it is cut. One script, so the page cannot change between two charts.
_TEXTS_OF_CHARTS = """() => Array.from(
  document.querySelectorAll("[data-testid='stVegaLiteChart']")
).filter(chart => chart.getClientRects().length > 0).map((chart) => {
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
})"""


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


def chart_problems(page: Any, where: str) -> list[str]:
    """What is cut or overlapping in the charts now on the page."""
    problems: list[str] = []
    for index, texts in enumerate(page.evaluate(_TEXTS_OF_CHARTS)):
        name = f"{where}, chart {index + 1}"
        problems += [f"{name}: {t['text']!r} is cut at the edge" for t in texts if t["cut"]]
        for i, first in enumerate(texts):
            for second in texts[i + 1 :]:
                if _overlap(first["corners"], second["corners"]):
                    problems.append(f"{name}: {first['text']!r} runs into {second['text']!r}")
    return problems


def idle(page: Any) -> None:
    """Wait until the script run is over, nothing of the previous run is left on the page, and
    every chart on the page has drawn its SVG."""
    from playwright.sync_api import expect

    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    expect(page.locator("[data-stale='true']")).to_have_count(0, timeout=WAIT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=WAIT
    )
    # Vega draws after the element appears: wait until every chart holds its SVG.
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll(\"[data-testid='stVegaLiteChart']\"))"
        ".every(c => c.querySelector('svg text'))",
        timeout=WAIT,
    )


def open_tab(page: Any, name: str) -> None:
    """Click the dashboard's tab ``name`` and wait until its panel is drawn (`idle`).

    A tab's panel is drawn by the script run its click starts: until that run has put something
    in it, the panel is empty and `idle` alone could find the previous run already finished.
    """
    page.get_by_role("tab", name=name, exact=True).click()
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll("[role='tabpanel']"))
          .some(panel => panel.getClientRects().length > 0
            && panel.querySelector("[data-testid='stElementContainer']"))""",
        timeout=WAIT,
    )
    idle(page)
