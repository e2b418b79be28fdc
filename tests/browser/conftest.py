"""Browser end-to-end fixtures: a real `streamlit run app.py` server and Debian's Chromium via Playwright.

The server runs on a free port with its own SQLite database and a known facilitator password, and is
waited for on ``/_stcore/health``. The app seeds the demo organisation on its first page load;
`demo_code` does that load and returns the open demo campaign's code. `log_in` logs a page in as the
facilitator; `steps` keeps numbered screenshots of a test in ``test-artifacts/browser/<test>/``.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, artifact_dir, require

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ADMIN_PASSWORD = "browser-test-password"
MAIN = "[data-testid='stMain']"  # Streamlit's scrolling content area


@dataclass(frozen=True)
class Server:
    url: str
    database_url: str
    log: Path
    admin_password: str = ADMIN_PASSWORD


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(
    url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 90
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(
        f"streamlit did not become healthy in {seconds}s:\n{log.read_text()[-3000:]}"
    )


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real Streamlit server on a free port, with a fresh SQLite database (demo seeded by the app)."""
    # The server runs as `python -m streamlit` of this interpreter, whatever PATH holds.
    require(importlib.util.find_spec("streamlit") is not None, "streamlit", "pip install -e .")
    workdir = tmp_path_factory.mktemp("server")
    database_url = f"sqlite:///{workdir / 'wmm.sqlite'}"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = artifact_dir("browser") / "streamlit-server.log"
    env = {
        **os.environ,
        "WMM_DATABASE_URL": database_url,
        "WMM_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "WMM_BASE_URL": url,
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "app.py"),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(url, process, log)
            yield Server(url=url, database_url=database_url, log=log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (``playwright install`` is not used)."""
    require(Path(CHROMIUM).exists(), "Chromium at /usr/bin/chromium", "apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def demo_code(app_server: Server, browser: object) -> str:
    """The code of the open demo campaign, after a first page load made the app seed it."""
    from assessment.campaigns.management import list_campaigns
    from assessment.demo.seed import ORGANISATION
    from assessment.startup import DEMO_CAMPAIGN
    from assessment.storage import connect

    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(app_server.url)
        page.get_by_role("heading", name="Survey").wait_for(timeout=90_000)
    finally:
        context.close()
    database = connect(app_server.database_url)
    try:
        codes = [
            c.code
            for c in list_campaigns(database)
            if c.organisation == ORGANISATION and c.name == DEMO_CAMPAIGN and c.status == "open"
        ]
    finally:
        database.dispose()
    if len(codes) != 1:
        raise RuntimeError(f"expected one open demo campaign after start-up, found {codes}")
    return codes[0]


@pytest.fixture(scope="session")
def app_database(app_server: Server, demo_code: str) -> Iterator[object]:
    """The server's database (created by the app), opened from the test process to check it."""
    from assessment.storage import connect

    database = connect(app_server.database_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    """The folder for this test's screenshots."""
    return artifact_dir(f"browser/{request.node.name}")


class Steps:
    """Screenshots of whole pages, numbered in the order they were taken."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def snap(self, page: Any, name: str) -> None:
        # The page scrolls inside Streamlit's main area, so a "full page" screenshot would only
        # show the viewport: grow the viewport to the content's height for the picture instead.
        self.count += 1
        size = page.viewport_size
        height = page.evaluate(f'document.querySelector("{MAIN}")?.scrollHeight ?? 0')
        page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
        try:
            page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"))
        finally:
            page.set_viewport_size(size)


@pytest.fixture
def steps(shots: Path) -> Steps:
    """This test's numbered screenshots (in `shots`)."""
    return Steps(shots)


@pytest.fixture(scope="session")
def log_in(app_server: Server) -> Callable[[Any, str], None]:
    """``log_in(page, url)``: open ``url`` and log in as the facilitator.

    A page load starts a new Streamlit session (logged out): after this, navigate in the app only.
    """

    def log_in(page: Any, url: str) -> None:
        page.goto(url)
        page.get_by_label("Facilitator password").fill(app_server.admin_password)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Facilitator login").wait_for(state="detached")

    return log_in
