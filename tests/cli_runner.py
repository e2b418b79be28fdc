"""Runs `wmm` inside the test process (fast): the command-line tests share it through the `wmm`
fixture of tests/cli/conftest.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assessment.cli import main


class Run:
    """`wmm ...` in this process: exit code, stdout and stderr."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
        self.monkeypatch = monkeypatch
        self.capsys = capsys

    def __call__(self, *args: str | Path) -> tuple[int, str, str]:
        self.capsys.readouterr()
        self.monkeypatch.setattr(sys, "argv", ["wmm", *map(str, args)])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err
