"""The facilitator pages' menu (Streamlit's page navigation in the sidebar) is a valid list for
screen readers: axe-core reports no ``list``/``listitem`` violation (WCAG 1.3.1) on the dashboard
and the campaigns page, in Chromium at 1440 px, where the sidebar is open.

axe-core comes from PyPI (``axe-playwright-python``, test extras) and runs inside the page.
"""

from __future__ import annotations

from typing import Any

import pytest
from chart_text import WAIT, idle

pytestmark = pytest.mark.browser

#: axe-core's rules for lists: a list holds only list items, a list item sits in a list.
LIST_RULES = ["list", "listitem"]


def _list_violations(page: Any) -> list[str]:
    """axe's ``list``/``listitem`` violations on the page, one line per element."""
    module = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = module.Axe().run(
        page,
        options={
            "runOnly": {"type": "rule", "values": LIST_RULES},
            "resultTypes": ["violations"],
        },
    )
    return [
        f"{violation['id']}: {violation['help']} at {', '.join(map(str, node['target']))}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def test_facilitator_menu_is_a_valid_list(
    app_server: Any, browser: Any, demo_code: str, log_in: Any, shots: Any
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(WAIT)
    page = context.new_page()
    try:
        log_in(page, f"{app_server.url}/dashboard?campaign={demo_code}")
        page.get_by_role("heading", name="The flywheel").wait_for()
        idle(page)
        menu = page.locator("[data-testid='stSidebarNavItems']")
        menu.wait_for()  # the menu is drawn, so the rules have something to check
        found = {"dashboard": _list_violations(page)}
        page.locator("[data-testid='stSidebarNavLink']", has_text="Campaigns").click()
        page.get_by_role("heading", name="Campaigns", exact=True).wait_for()
        idle(page)
        menu.wait_for()
        found["campaigns"] = _list_violations(page)
    except Exception:
        page.screenshot(path=str(shots / "failure.png"), full_page=True)
        raise
    finally:
        context.close()
    problems = [f"{name}: {line}" for name, lines in found.items() for line in lines]
    assert not problems, "\n".join(problems)
