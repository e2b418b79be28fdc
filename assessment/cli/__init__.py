"""The `wmm` command line: thin commands that read input, call one library function, print the result.

Each family of commands lives in its own module; this module owns the group, which imports a
command's module only when that command runs (so `wmm score` never loads SQLAlchemy, Alembic or
Streamlit), and the one place where library errors become messages: `AssessmentError` -> stderr and
exit 1; misuse (unknown option, missing argument) exits 2, as click does.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click

from assessment import __version__, i18n, runtime
from assessment.errors import AssessmentError


class BadData(click.ClickException):
    """Bad input data: exit 1 (click's own usage errors exit 2)."""

    exit_code = 1


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives, and the short help `wmm --help` lists for it without importing it."""

    module: str
    attribute: str
    short_help: str


#: Environment variable naming the language of `wmm`'s messages (a catalogue's code, e.g. ``de``).
LANGUAGE_ENV = "WMM_LANGUAGE"

_QUESTIONNAIRES = "assessment.cli.questionnaire_commands"
_SCORE = "assessment.cli.score_commands"
_STORAGE = "assessment.cli.storage_commands"
_SERVE = "assessment.cli.serve_command"

#: Every command of `wmm`. The short help is the first sentence of the command's docstring
#: (tests/cli/test_lazy_commands.py checks that they agree).
COMMANDS: dict[str, LazyCommand] = {
    "benchmark": LazyCommand(
        _STORAGE,
        "benchmark",
        "Pool other organisations' benchmark files and compare a campaign with them.",
    ),
    "campaign": LazyCommand(
        _STORAGE, "campaign", "Create, list, show, close and reopen campaigns."
    ),
    "db": LazyCommand(_STORAGE, "db_group", "Create, migrate and inspect the database."),
    "demo": LazyCommand(
        _STORAGE,
        "demo",
        "Seed the demo organisation: two survey waves, units, targets, action items.",
    ),
    "export": LazyCommand(
        _STORAGE,
        "export",
        "Export a campaign's responses, scores or benchmark file (privacy rules applied).",
    ),
    "import": LazyCommand(
        _STORAGE, "import_command", "Import a responses CSV into a campaign: all rows or none."
    ),
    "invitations": LazyCommand(_STORAGE, "invitations", "Single-use invitation links."),
    "publish": LazyCommand(
        _QUESTIONNAIRES,
        "publish",
        "Publish a questionnaire version: validate it and record its sha256 in published.lock.",
    ),
    "questionnaires": LazyCommand(
        _QUESTIONNAIRES,
        "questionnaires",
        "List the available questionnaire versions (id, version, items, languages, sha256).",
    ),
    "report": LazyCommand(
        _STORAGE,
        "report",
        "Write the campaign's report: one self-contained HTML file (charts inline, no network).",
    ),
    "schema": LazyCommand(
        _QUESTIONNAIRES,
        "schema",
        "Print (or --write) the JSON Schema of questionnaire files, generated from the model.",
    ),
    "score": LazyCommand(
        _SCORE,
        "score_command",
        "Score a responses CSV (one row per respondent, one column per item) by unit or role.",
    ),
    "serve": LazyCommand(
        _SERVE,
        "serve",
        "Start the app: prepare the database, print the survey link and the login, then serve.",
    ),
    "show": LazyCommand(
        _QUESTIONNAIRES,
        "show",
        "Show a questionnaire's structure: statements per component and principle, counts, "
        "languages.",
    ),
    "validate": LazyCommand(
        _QUESTIONNAIRES,
        "validate",
        "Validate questionnaire files; print every problem with its path.",
    ),
}


class LazyGroup(click.Group):
    """A group whose commands are imported when they run (click's "lazily loading subcommands").

    ``lazy_subcommands`` maps a command name to a `LazyCommand`; its module is imported by
    `get_command`, that is when the command (or its own ``--help``) runs. The group's ``--help``
    lists the short help of the table instead, so it imports nothing.
    """

    def __init__(
        self, *args: Any, lazy_subcommands: Mapping[str, LazyCommand] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_subcommands: dict[str, LazyCommand] = dict(lazy_subcommands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands:
            return self.load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def load(self, cmd_name: str) -> click.Command:
        """Import the module of a lazy command and return the command."""
        entry = self.lazy_subcommands[cmd_name]
        command = getattr(importlib.import_module(entry.module), entry.attribute)
        if not isinstance(command, click.Command):
            raise TypeError(
                f"{entry.module}.{entry.attribute} should be a click command (for `wmm {cmd_name}`); "
                f"found {type(command).__name__}"
            )
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The "Commands" section, as `click.Group` writes it, from the table for lazy commands."""
        rows: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            entry = self.lazy_subcommands.get(name)
            command = (
                click.Command(name, help=entry.short_help)  # stands in; shortened the same way
                if entry is not None
                else super().get_command(ctx, name)
            )
            if command is not None and not command.hidden:
                rows.append((name, command))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, c.get_short_help_str(limit)) for name, c in rows])


@click.group(
    cls=LazyGroup,
    lazy_subcommands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=(
        f"Messages are in English; set {LANGUAGE_ENV} to one of {', '.join(i18n.languages())} "
        "for another language (error messages stay in English)."
    ),
)
@click.version_option(__version__, prog_name="wmm")
def cli() -> None:
    """Work-management maturity: questionnaires, scores with confidence, campaigns and exports."""


def main() -> None:
    """Entry point of `wmm`: tune the process for one command (`assessment.runtime`), run the
    command group, turning library errors into messages."""
    # The block puts the process back afterwards, for tests that run `main` in their own process.
    with runtime.configure("command"):
        try:
            code = cli.main(standalone_mode=False)
        except click.exceptions.Abort:
            click.echo("aborted", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except AssessmentError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    if isinstance(code, int) and code:
        sys.exit(code)
