"""The `wmm` group imports a command's module only when that command runs: `wmm score` and `wmm --help`
stay clear of SQLAlchemy, Alembic, Streamlit and the storage code, and `--help` still lists every command.
A `wmm` process freezes the objects of the libraries it imports; a test's own process is left alone."""

from __future__ import annotations

import gc
import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from support import ROOT

from assessment import runtime
from assessment.cli import COMMANDS, LazyGroup, cli

WAVE1 = ROOT / "data" / "demo" / "wave1.csv"
KEY = "work-management@1.0.0"
#: What `wmm score` must never import: the database, migrations, the web UI and its charts.
HEAVY = ("sqlalchemy", "alembic", "streamlit", "altair")
STORAGE_MODULES = (
    "assessment.storage",
    "assessment.campaigns.management",
    "assessment.outputs.campaign_exports",
    "assessment.campaigns.importing",
    "assessment.cli.storage_commands",
)

# Runs `wmm ARGS...` in a fresh interpreter and records its exit code and sys.modules.
PROBE = """
import json, sys
from assessment.cli import main
out, args = sys.argv[1], json.loads(sys.argv[2])
sys.argv = ["wmm", *args]
try:
    main()
    code = 0
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
import gc
with open(out, "w", encoding="utf-8") as handle:
    record = {"code": code, "modules": sorted(sys.modules), "frozen": gc.get_freeze_count()}
    json.dump({**record, "gc_enabled": gc.isenabled()}, handle)
"""


def run_probe(tmp_path: Path, *args: str) -> dict[str, Any]:
    """What `wmm ARGS...` did in its own process: code, modules, frozen, gc_enabled, stdout."""
    record = tmp_path / "probe.json"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(record), json.dumps(list(args))],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert record.is_file(), result.stderr
    data: dict[str, Any] = json.loads(record.read_text(encoding="utf-8"))
    return {**data, "stdout": result.stdout}


def probe(tmp_path: Path, *args: str) -> tuple[int, set[str], str]:
    """Exit code, imported modules and stdout of `wmm ARGS...` in its own process."""
    data = run_probe(tmp_path, *args)
    return int(data["code"]), set(data["modules"]), data["stdout"]


def imported(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["score", "--help"], id="score-help"),
        pytest.param(
            ["score", str(WAVE1), "-q", KEY, "--out", "{tmp}/s.csv", "--stats", "{tmp}/t.json"],
            id="score-files",
        ),
        pytest.param(["score", str(WAVE1), "-q", KEY], id="score-table"),
    ],
)
def test_score_imports_no_storage_or_ui(tmp_path: Path, args: list[str]) -> None:
    code, modules, output = probe(tmp_path, *(a.format(tmp=tmp_path) for a in args))
    assert code == 0, output
    assert imported(modules, HEAVY) == []
    assert imported(modules, STORAGE_MODULES) == []
    assert "assessment.cli.score_commands" in modules


def test_group_help_imports_no_command(tmp_path: Path) -> None:
    code, modules, output = probe(tmp_path, "--help")
    assert code == 0
    assert imported(modules, (*HEAVY, "pandas", "scipy", "pydantic")) == []
    assert [m for m in modules if m.startswith("assessment.cli.")] == []
    listed = output.split("Commands:", 1)[1].split()
    for name in COMMANDS:
        assert name in listed, f"wmm --help does not list {name}"
    assert "Score a responses CSV" in output
    assert "WMM_LANGUAGE" in output  # the language of the messages is documented


def test_a_storage_command_still_runs(tmp_path: Path) -> None:
    code, modules, output = probe(tmp_path, "db", "--help")
    assert code == 0
    assert "upgrade" in output and "status" in output
    assert "assessment.cli.storage_commands" in modules


def test_unknown_command_is_misuse(tmp_path: Path) -> None:
    code, _, _ = probe(tmp_path, "nosuch")
    assert code == 2


def _top_level_commands(module_name: str) -> dict[str, click.Command]:
    """The commands a module defines that are not a subcommand of one of its groups."""
    module = importlib.import_module(module_name)
    found = {k: v for k, v in vars(module).items() if isinstance(v, click.Command)}
    nested = {
        id(c) for g in found.values() if isinstance(g, click.Group) for c in g.commands.values()
    }
    return {k: v for k, v in found.items() if id(v) not in nested}


@pytest.mark.parametrize("module", sorted({entry.module for entry in COMMANDS.values()}))
def test_the_table_lists_every_command_of_a_module(module: str) -> None:
    defined = {c.name for c in _top_level_commands(module).values()}
    tabled = {name for name, entry in COMMANDS.items() if entry.module == module}
    assert defined == tabled


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_table_matches_the_command(name: str) -> None:
    assert isinstance(cli, LazyGroup)
    command = cli.load(name)
    assert command.name == name
    # The table's short help is what the command's own docstring gives, however long a line is.
    assert command.get_short_help_str(limit=10_000) == COMMANDS[name].short_help


@pytest.mark.parametrize("width", [50, 80, 120])
def test_help_lists_commands_as_an_eager_group_would(width: int) -> None:
    assert isinstance(cli, LazyGroup)
    eager = click.Group(
        name=cli.name,
        commands={name: cli.load(name) for name in COMMANDS},
        params=cli.params,
        help=cli.help,
        epilog=cli.epilog,
        context_settings=cli.context_settings,
    )

    def help_text(group: click.Group) -> str:
        # The group's own context settings (-h as well as --help), as `make_context` applies
        # them: click caches a command's help option from the first context that asks for it.
        context = click.Context(
            group,
            info_name="wmm",
            terminal_width=width,
            max_content_width=width,
            **group.context_settings,
        )
        return group.get_help(context)

    assert help_text(cli) == help_text(eager)


def test_a_wmm_process_freezes_what_score_imports(tmp_path: Path) -> None:
    data = run_probe(tmp_path, "score", str(WAVE1), "-q", KEY, "--out", str(tmp_path / "s.csv"))
    assert data["code"] == 0
    assert data["frozen"] > 50_000  # pandas, scipy, pyarrow, pydantic and the toolkit (~200,000)
    assert data["gc_enabled"]


def test_a_test_process_is_not_frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "_kind", None)  # no entry point configured this process
    before = gc.get_freeze_count()
    result = CliRunner().invoke(
        cli, ["score", str(WAVE1), "-q", KEY, "--out", str(tmp_path / "s.csv")]
    )
    assert result.exit_code == 0, result.output
    # Nothing newly frozen (objects frozen earlier in this process may have been freed meanwhile).
    assert gc.get_freeze_count() <= before
    assert gc.isenabled()
