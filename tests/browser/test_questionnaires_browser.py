"""A visitor browses the questionnaires in a real browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_questionnaires_page_renders(app_server: Any, browser: Any, shots: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{app_server.url}/questionnaires")
        page.get_by_role("heading", name="Questionnaires").wait_for(timeout=30_000)
        page.get_by_text("Clarity —").first.wait_for(timeout=30_000)
        page.screenshot(path=str(shots / "questionnaires.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.get_by_text("Page not found").count() == 0
    finally:
        context.close()
