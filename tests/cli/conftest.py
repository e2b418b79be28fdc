"""Fixtures of the command-line tests: `wmm`, the command run in this process."""

from __future__ import annotations

import pytest
from cli_runner import Run


@pytest.fixture
def wmm(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """`wmm` with no database in the environment and survey links on a fixed address."""
    monkeypatch.delenv("WMM_DATABASE_URL", raising=False)
    monkeypatch.setenv("WMM_BASE_URL", "https://survey.example.org")
    return Run(monkeypatch, capsys)
