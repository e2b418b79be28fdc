"""The `wmm` command line: thin commands that read input, call one library function, print the result.

Each family of commands lives in its own module and registers itself on `cli`; this module owns
the group and the one place where library errors become messages: `AssessmentError` -> stderr and exit 1;
misuse (unknown option, missing argument) exits 2, as click does.
"""

from __future__ import annotations

import sys

import click

from assessment import __version__
from assessment.errors import AssessmentError


class BadData(click.ClickException):
    """Bad input data: exit 1 (click's own usage errors exit 2)."""

    exit_code = 1


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wmm")
def cli() -> None:
    """Work-management maturity: questionnaires, scores with confidence, campaigns and exports."""


def _register_commands() -> None:
    # Imported for their side effect of adding commands to `cli`.
    from assessment.cli import (
        questionnaire_commands,  # noqa: F401
        score_commands,  # noqa: F401
        storage_commands,  # noqa: F401
    )


_register_commands()


def main() -> None:
    """Entry point of `wmm`: run the command group, turning library errors into messages."""
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
