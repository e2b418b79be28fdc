"""`assessment.cli.files`: a file is written whole or not at all, and every command that writes a
file goes through it."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import ROOT

from assessment.cli import cli
from assessment.cli.files import FileWriteError, atomic_file, write_atomically

CLI_FOLDER = ROOT / "assessment" / "cli"
WAVE1 = ROOT / "data" / "demo" / "wave1.csv"
KEY = "work-management@1.0.0"


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_writes_the_bytes_and_replaces_an_old_file(tmp_path: Path) -> None:
    target = tmp_path / "scores.csv"
    write_atomically(target, b"first\n")
    assert target.read_bytes() == b"first\n"
    write_atomically(target, b"second\n")
    assert target.read_bytes() == b"second\n"
    assert _leftovers(tmp_path, {"scores.csv"}) == []


def test_a_new_file_gets_the_mode_of_a_plain_write(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomically(tmp_path / "new.csv", b"x")
        (tmp_path / "plain.csv").write_bytes(b"x")
    finally:
        os.umask(umask)
    mode = stat.S_IMODE((tmp_path / "new.csv").stat().st_mode)
    assert mode == stat.S_IMODE((tmp_path / "plain.csv").stat().st_mode) == 0o644


@pytest.mark.parametrize(
    "failing",
    ["write", "fsync", "replace"],
    ids=["disk-full-while-writing", "fsync-fails", "rename-fails"],
)
def test_a_failure_mid_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "report.html"
    target.write_bytes(b"old report")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if failing == "write":
        with (
            pytest.raises(FileWriteError, match="No space left on device"),
            atomic_file(target) as handle,
        ):
            handle.write(b"half of the new")
            broken()
    else:
        monkeypatch.setattr(os, failing, broken)
        with pytest.raises(
            FileWriteError, match=r"cannot write .*report\.html.*nothing was written"
        ):
            write_atomically(target, b"new report")
    assert target.read_bytes() == b"old report"
    assert _leftovers(tmp_path, {"report.html"}) == []


def test_a_failure_mid_write_leaves_no_new_file(tmp_path: Path) -> None:
    target = tmp_path / "scores.csv"
    with pytest.raises(RuntimeError, match="stopped"), atomic_file(target) as handle:
        handle.write(b"unit,dimension\n")
        raise RuntimeError("stopped half way")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileWriteError, match=r"cannot write .*missing.*nothing was written"):
        write_atomically(tmp_path / "missing" / "out.csv", b"x")


def test_exclusive_refuses_an_existing_file_before_and_after(tmp_path: Path) -> None:
    target = tmp_path / "links.csv"
    target.write_bytes(b"the only copy")
    with pytest.raises(FileWriteError, match="exists"):
        write_atomically(target, b"new links", exclusive=True)
    assert target.read_bytes() == b"the only copy"
    # A file that appears while the new one is being written is not replaced either.
    other = tmp_path / "race.csv"
    with (
        pytest.raises(FileWriteError, match="exists"),
        atomic_file(other, exclusive=True) as handle,
    ):
        handle.write(b"new links")
        other.write_bytes(b"written meanwhile")
    assert other.read_bytes() == b"written meanwhile"
    assert _leftovers(tmp_path, {"links.csv", "race.csv"}) == []


def test_a_command_that_fails_to_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "scores.csv"
    out.write_bytes(b"the old scores\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    result = CliRunner().invoke(cli, ["score", str(WAVE1), "-q", KEY, "--out", str(out)])
    assert result.exit_code == 1
    assert "cannot write" in result.output and "Permission denied" in result.output
    assert "Traceback" not in result.output
    assert out.read_bytes() == b"the old scores\n"
    assert _leftovers(tmp_path, {"scores.csv"}) == []


def _writes_a_file(node: ast.AST) -> str | None:
    """What a call writes a file with, if it does: ``Path.write_*``, ``open`` with a write mode."""
    if not isinstance(node, ast.Call):
        return None
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    if name in {"write_bytes", "write_text", "mkstemp", "replace", "rename"}:
        return name
    if name == "open":
        modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
        modes += [
            k.value.value
            for k in node.keywords
            if k.arg == "mode" and isinstance(k.value, ast.Constant)
        ]
        if any(isinstance(m, str) and set(m) & set("wax+") for m in modes):
            return f"open({modes[0]!r})"
    return None


def test_every_command_writes_files_through_the_atomic_writer() -> None:
    found: list[str] = []
    for module in sorted(CLI_FOLDER.glob("*.py")):
        if module.name == "files.py":
            continue
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            how = _writes_a_file(node)
            if how and not (how == "replace" and _is_str_replace(node)):
                found.append(f"{module.name}:{node.lineno} {how}")
    assert found == [], f"write files with assessment.cli.files.write_atomically: {found}"


def _is_str_replace(node: ast.AST) -> bool:
    """``text.replace(a, b)`` with two arguments (a string method), not ``Path.replace(target)``."""
    return isinstance(node, ast.Call) and len(node.args) == 2
