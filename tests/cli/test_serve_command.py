"""`wmm serve`: the database is ready and the survey link and login are printed before the server
listens (before any browser opens a page); the link is the one `wmm campaign show` prints."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import ROOT

from assessment.cli.serve_command import server_options
from assessment.survey.site_address import reachable_from_network

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WMM_")}
    return {**env, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], list[str], str, int]]:
    port = _free_port()
    url = f"sqlite:///{tmp_path / 'served.sqlite'}"
    process = subprocess.Popen(
        [sys.executable, "-m", "assessment", "serve", "--db", url, "--port", str(port)],
        cwd=tmp_path,  # not the checkout: the command must not need the project's folder
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:  # bounded: the process prints the message, then the server's
            lines.append(line.rstrip("\n"))
            if line.startswith("Starting the server") or len(lines) > 200:
                break
        yield process, lines, url, port
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _health(port: int) -> str:
    for _ in range(120):  # up to about a minute; a readiness wait, not a timing assertion
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                return r.read().decode()
        except OSError:
            time.sleep(0.5)
    return "unreachable"


def test_serve_prints_the_link_and_login_before_serving(
    served: tuple[subprocess.Popen[str], list[str], str, int],
) -> None:
    process, lines, url, port = served
    text = "\n".join(lines)
    assert "created now and seeded the demo organisation" in text, text
    links = re.findall(r"^  (http://\S+/\?c=(\w+))$", text, flags=re.MULTILINE)
    assert len(links) == 1, text
    link, code = links[0]
    assert link.startswith("http://") and f":{port}/?c=" in link
    if not reachable_from_network(link):  # a machine with no network address: then it says so
        assert "phones cannot reach it" in text
    assert re.search(r"Log in with this password: \S{12,}", text), text
    # The message came before the server was up; now the server answers.
    assert _health(port) == "ok"

    shown = subprocess.run(
        [sys.executable, "-m", "assessment", "campaign", "show", code, "--db", url],
        env={**_environment(), "WMM_BASE_URL": link.split("/?")[0]},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"survey_url: {link}" in shown
    assert process.poll() is None


def test_cli_and_app_agree_on_the_link_without_a_setting(tmp_path: Path) -> None:
    """With WMM_BASE_URL unset, `wmm campaign show` prints the address `wmm serve` prints."""
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    env = _environment()
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run(
            [sys.executable, "-m", "assessment", *command, "--db", url],
            env=env,
            check=True,
            capture_output=True,
        )
    listed = subprocess.run(
        [sys.executable, "-m", "assessment", "campaign", "list", "--db", url, "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    code = re.findall(r'"code": "(\w+)"', listed)[0]
    shown = subprocess.run(
        [sys.executable, "-m", "assessment", "campaign", "show", code, "--db", url],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    from assessment.survey.site_address import served_base_url

    assert f"survey_url: {served_base_url()}/?c={code}" in shown


def test_served_settings_hide_error_details_and_developer_tools() -> None:
    options = server_options(8501, None, headless=True, public_url="http://10.0.0.2:8501")
    assert options["client.showErrorDetails"] == "none"
    assert options["client.toolbarMode"] == "minimal"
    assert options["runner.postScriptGC"] is False
    assert options["server.fileWatcherType"] == "none"
    assert options["browser.serverAddress"] == "10.0.0.2"
