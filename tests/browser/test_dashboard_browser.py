"""A facilitator in a real browser (Chromium, projector-sized window) against `streamlit run app.py`:
log in, open the demo campaign, every panel draws its charts without an error, the scores download is
byte for byte `wmm export scores`, live mode picks up new answers by itself, a bad import shows its
problems, and after logging out no facilitator page is reachable.

Screenshots of every step are kept in test-artifacts/browser/<test>/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from assessment.campaigns.importing import import_table
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.questionnaire import default_registry
from assessment.storage import Database
from assessment.ui.pages.dashboard import TABS

pytestmark = pytest.mark.browser

WAIT = 45_000  # ms; generous for a loaded CI machine, never an assertion about speed
PROJECTOR = {"width": 1600, "height": 1000}


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _context(browser: Any) -> Any:
    context = browser.new_context(viewport=PROJECTOR, accept_downloads=True)
    context.set_default_timeout(WAIT)
    return context


def _open_panel(page: Any, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    # The selected tab's content replaces the previous one; wait until the script is idle.
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=WAIT
    )


def _assert_nothing_shown(page: Any, code: str) -> None:
    _expect()(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(0)
    _expect()(page.locator("[data-testid='stDataFrame']")).to_have_count(0)
    _expect()(page.get_by_text(code)).to_have_count(0)
    _expect()(page.get_by_role("heading", name="Dashboard")).to_have_count(0)
    _expect()(page.get_by_role("heading", name="Campaigns", exact=True)).to_have_count(0)


def _no_exception(page: Any) -> None:
    _expect()(page.locator("[data-testid='stException']")).to_have_count(0)


def test_facilitator_workshop_flow(
    app_server: Any,
    browser: Any,
    demo_code: str,
    app_database: Database,
    shots: Path,
    steps: Any,
    log_in: Any,
) -> None:
    context = _context(browser)
    page = context.new_page()
    try:
        log_in(page, f"{app_server.url}/dashboard?campaign={demo_code}")
        page.get_by_role("heading", name="The flywheel").wait_for()
        _expect()(page.get_by_text(demo_code).first).to_be_visible()
        charts = page.locator("[data-testid='stVegaLiteChart']")
        _expect()(charts.first).to_be_visible()
        # Vega draws into a canvas or an SVG inside each chart once it has rendered.
        page.locator(
            "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
        ).first.wait_for()
        _no_exception(page)
        steps.snap(page, "overview")

        for panel in TABS[1:]:
            _open_panel(page, panel)
            _no_exception(page)
            if panel in {"Units", "Targets", "Discussion", "Waves", "Roles", "Reliability"}:
                _expect()(charts.first).to_be_visible()
            steps.snap(page, panel.lower())

        # The scores download is the file `wmm export scores` writes, byte for byte.
        with page.expect_download() as download:
            page.get_by_role("button", name="Scores (CSV)").click()
        downloaded = Path(download.value.path()).read_bytes()
        from assessment.cli import cli

        exported = shots / "scores-cli.csv"
        result = CliRunner().invoke(
            cli,
            [
                "export",
                "scores",
                "--campaign",
                demo_code,
                "--out",
                str(exported),
                "--db",
                app_server.database_url,
            ],
        )
        assert result.exit_code == 0, result.output
        assert downloaded == exported.read_bytes()
        (shots / "scores-dashboard.csv").write_bytes(downloaded)

        # Live mode: the QR code of the survey link, and new answers appear without a click.
        _open_panel(page, "Overview")
        page.get_by_text("Live mode").click()
        page.get_by_role("heading", name="Scan to answer").wait_for()
        _expect()(page.get_by_text(f"?c={demo_code}").first).to_be_visible()
        steps.snap(page, "live-mode")
        metric = page.locator("[data-testid='stMetric']", has_text="Responses so far")
        before = int(metric.locator("[data-testid='stMetricValue']").inner_text())
        q = default_registry().get("work-management@1.1.0")
        profile = organisation_profile(seed=404, n_units=1, unit_names=["Finance"], min_size=1)
        table = generate_organisation(q, seed=404, profile=profile, respondents=[3]).table
        import_table(app_database, demo_code, table, name="late-arrivals.csv")
        _expect()(metric.locator("[data-testid='stMetricValue']")).to_have_text(
            str(before + 3), timeout=WAIT
        )
        _no_exception(page)
        steps.snap(page, "live-mode-new-answers")

        # Log out in the app; then neither facilitator page shows anything but the login, whether
        # reached through the menu of the same session or by a fresh page load.
        page.get_by_text("Live mode").click()
        sidebar = page.locator("[data-testid='stSidebar']")
        sidebar.get_by_role("link", name="Log out").click()
        page.get_by_role("button", name="Log out").click()
        page.get_by_role("heading", name="Facilitator login").wait_for()
        steps.snap(page, "logged-out")
        for link in ("Dashboard", "Campaigns"):
            sidebar.get_by_role("link", name=link).click()
            page.get_by_role("heading", name="Facilitator login").wait_for()
            _assert_nothing_shown(page, demo_code)
        for path in (f"dashboard?campaign={demo_code}", "campaigns"):
            page.goto(f"{app_server.url}/{path}")
            page.get_by_role("heading", name="Facilitator login").wait_for()
            _assert_nothing_shown(page, demo_code)
        steps.snap(page, "login-required")
    finally:
        context.close()


def test_import_errors_are_shown_in_a_table(
    app_server: Any, browser: Any, demo_code: str, steps: Any, log_in: Any, tmp_path: Path
) -> None:
    context = _context(browser)
    page = context.new_page()
    bad = tmp_path / "responses.csv"
    bad.write_text("respondent_id,unit,CLA01\nr-1,Finance,9\nr-2,Finance,DK\n", encoding="utf-8")
    try:
        log_in(page, f"{app_server.url}/campaigns")
        page.get_by_role("heading", name="Campaigns", exact=True).wait_for()
        _open_panel(page, "Import responses")
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(bad))
        page.get_by_role("button", name="Import", exact=True).click()
        page.get_by_text("Nothing was imported").wait_for()
        table = page.locator("[data-testid='stDataFrame']").last
        _expect()(table).to_be_visible()
        _no_exception(page)
        steps.snap(page, "import-errors")
    finally:
        context.close()
