"""Commands about questionnaire files: validate, list, show, publish and the JSON Schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from assessment.cli.files import write_atomically
from assessment.cli.messages import say
from assessment.questionnaire import default_registry, validate_file
from assessment.questionnaire.overview import describe, overview_rows
from assessment.questionnaire.schema import json_schema_text


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Validate questionnaire files; print every problem with its path.

    Exit 0 when every file is valid, 1 when any is invalid.
    """
    invalid = 0
    for path in paths:
        report = validate_file(path)
        q = report.questionnaire
        if report.valid and q is not None:
            click.echo(
                say(
                    "validate.valid", path=path, key=q.key, items=len(q.items), sha256=report.sha256
                )
            )
            continue
        invalid += 1
        click.echo(say("validate.problems", path=path, count=len(report.problems)), err=True)
        for problem in report.problems:
            click.echo(f"  {problem}", err=True)
    if invalid:
        sys.exit(1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def questionnaires(as_json: bool) -> None:
    """List the available questionnaire versions (id, version, items, languages, sha256)."""
    rows = overview_rows(default_registry())
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo(say("questionnaires.none"))
        return
    head = {k: say(f"questionnaires.{k}") for k in ("id", "version", "items", "languages")}
    published = say("questionnaires.published")
    click.echo(
        f"{head['id']:<20} {head['version']:<9} {head['items']:>5}  {head['languages']:<10} "
        f"{published:<9} sha256"
    )
    for r in rows:
        answer = say("published_yes" if r["published"] else "published_no")
        click.echo(
            f"{r['id']:<20} {r['version']:<9} {r['items']:>5}  {','.join(r['languages']):<10} "
            f"{answer:<9} {r['sha256']}"
        )


@click.command()
@click.argument("key", metavar="ID@VERSION")
@click.option(
    "--language", "-l", default=None, help="Language of the statements (default: the file's)."
)
def show(key: str, language: str | None) -> None:
    """Show a questionnaire's structure: statements per component and principle, counts, languages."""
    click.echo(describe(default_registry().get(key), language=language))


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def publish(path: Path) -> None:
    """Publish a questionnaire version: validate it and record its sha256 in published.lock."""
    digest = default_registry().publish(path)
    click.echo(say("published", path=path, sha256=digest))


@click.command()
@click.option("--write", is_flag=True, help="Write the schema file instead of printing it.")
def schema(write: bool) -> None:
    """Print (or --write) the JSON Schema of questionnaire files, generated from the model."""
    text = json_schema_text()
    if write:
        target = default_registry().root / "schema" / "questionnaire.schema.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, text.encode("utf-8"))
        click.echo(say("wrote", path=target))
    else:
        click.echo(text, nl=False)
