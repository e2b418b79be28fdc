"""Commands on the database: `wmm db`, `wmm campaign`, `wmm import`, `wmm invitations`, `wmm demo`.

Each opens the database given by ``--db URL`` (or ``WMM_DATABASE_URL``, or the default SQLite file),
refuses one that needs `wmm db upgrade`, calls one library function and prints the result.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from assessment.campaigns.head_counts import (
    parse_head_count_settings,
    set_head_counts,
    unit_head_counts,
)
from assessment.campaigns.importing import import_responses
from assessment.campaigns.management import (
    CampaignInfo,
    close_campaign,
    create_campaign,
    create_invitations,
    get_campaign,
    invitation_links_csv,
    list_campaigns,
    read_units_csv,
    reopen_campaign,
)
from assessment.cli.files import atomic_file, write_atomically
from assessment.cli.messages import language as messages_language
from assessment.cli.messages import say
from assessment.cli.options import F, min_group_size_option
from assessment.demo.seed import seed_demo
from assessment.i18n import format_number
from assessment.outputs.campaign_exports import (
    campaign_benchmark_csv,
    campaign_report,
    campaign_responses_csv,
    campaign_scores_csv,
    compare_with_benchmarks,
    import_benchmarks,
)
from assessment.results.release import build_release
from assessment.storage import (
    Database,
    connect,
    current_revision,
    head_revision,
    open_database,
    upgrade,
)
from assessment.storage.engine import ENV_VAR, shown


def db_option(function: F) -> F:
    """The ``--db URL`` option every database command takes."""
    return click.option(
        "--db",
        "db_url",
        metavar="URL",
        default=None,
        help=f"Database URL (sqlite:///file.sqlite, postgresql+psycopg://user@host/db) or a SQLite "
        f"file path. Default: ${ENV_VAR}, else the default SQLite file.",
    )(function)


def _out_option(function: F) -> F:
    return click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help="The file to write (replaced whole, or left untouched on any error).",
    )(function)


def _campaign_option(function: F) -> F:
    return click.option(
        "--campaign", "code", required=True, metavar="CODE", help="The campaign's code."
    )(function)


def _check_folder(out: Path) -> None:
    if not out.parent.is_dir():
        raise click.BadParameter(
            f"the folder of {out} does not exist; create it first", param_hint="--out"
        )


@contextmanager
def database(url: str | None) -> Iterator[Database]:
    """The database, checked to be at the current schema; closed afterwards."""
    db = open_database(url)
    try:
        yield db
    finally:
        db.dispose()


# -- wmm db ----------------------------------------------------------------------------------------


@click.group("db")
def db_group() -> None:
    """Create, migrate and inspect the database."""


@db_group.command("upgrade")
@db_option
def db_upgrade(db_url: str | None) -> None:
    """Create the database, or migrate it to the schema this version of wmm needs."""
    db = connect(db_url, create=True)
    try:
        before, after = upgrade(db)
    finally:
        db.dispose()
    where = shown(db.url)
    if before == after:
        click.echo(say("db.nothing_to_do", where=where, revision=after))
    elif before is None:
        click.echo(say("db.created", where=where, revision=after))
    else:
        click.echo(say("db.migrated", where=where, before=before, after=after))


@db_group.command("status")
@db_option
def db_status(db_url: str | None) -> None:
    """Show which database is used and whether it needs `wmm db upgrade` (exit 1 if it does)."""
    db = connect(db_url)
    try:
        current, head = current_revision(db), head_revision()
    finally:
        db.dispose()
    click.echo(say("db.database", where=shown(db.url)))
    click.echo(say("db.revision", current=current or say("db.empty"), head=head))
    if current != head:
        raise click.ClickException("the database needs a migration: run `wmm db upgrade`")
    click.echo(say("db.up_to_date"))


# -- wmm campaign ----------------------------------------------------------------------------------


@click.group()
def campaign() -> None:
    """Create, list, show, close and reopen campaigns."""


def _campaign_json(info: CampaignInfo) -> dict[str, Any]:
    return {
        "code": info.code,
        "survey_url": info.survey_url,
        "name": info.name,
        "organisation": info.organisation,
        "questionnaire": info.questionnaire,
        "questionnaire_sha256": info.questionnaire_sha256,
        "status": info.status,
        "mode": info.mode,
        "min_group_size": info.min_group_size,
        "require_role": info.require_role,
        "languages": list(info.languages),
        "units": [
            {"name": u.name, "parent": u.parent, "head_count": u.head_count} for u in info.units
        ],
        "targets": dict(info.targets),
        "responses": info.responses,
        "drafts": info.drafts,
        "created_at": info.created_at.isoformat(),
        "closed_at": info.closed_at.isoformat() if info.closed_at else None,
    }


def _role_text(info: CampaignInfo) -> str:
    return say("campaign.required" if info.require_role else "campaign.optional")


def _targets(values: tuple[str, ...]) -> dict[str, int]:
    targets: dict[str, int] = {}
    for value in values:
        dimension, sep, level = value.partition("=")
        if not sep or not dimension.strip() or not level.strip().isdigit():
            raise click.BadParameter(
                f"expected DIMENSION=LEVEL such as completion=4; got {value!r}",
                param_hint="--target",
            )
        targets[dimension.strip()] = int(level)
    return targets


@campaign.command("create")
@click.option("--name", required=True, help="What the campaign is called, e.g. 'Spring 2025'.")
@click.option(
    "--questionnaire", required=True, metavar="ID@VERSION", help="e.g. work-management@1.0.0"
)
@click.option("--organisation", default=None, help="The organisation surveyed.")
@click.option(
    "--units",
    "units_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV with columns unit, parent (optional), head_count (optional). Without it, the first "
    "import defines the units.",
)
@min_group_size_option
@click.option(
    "--mode",
    type=click.Choice(["open", "invitation"]),
    default="open",
    show_default=True,
    help="open: anyone with the link; invitation: single-use links only.",
)
@click.option(
    "--language",
    "languages",
    multiple=True,
    help="Offer only this language (repeat for several; default: all of the questionnaire's).",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="DIMENSION=LEVEL",
    help="Target level of a dimension, e.g. --target completion=4 (repeatable).",
)
@click.option(
    "--require-role",
    is_flag=True,
    help="Respondents must answer the role question (choosing 'other' when no role fits), so "
    "that a skipped role never pools a group away; imported rows need a role too. Needs a "
    "questionnaire whose role question has an 'other' option.",
)
@click.option("--sector", default=None, help="Sector, for benchmark files.")
@click.option("--size-band", default=None, help="Size band, for benchmark files (e.g. 250-999).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@db_option
def campaign_create(
    name: str,
    questionnaire: str,
    organisation: str | None,
    units_file: Path | None,
    min_group_size: int | None,
    mode: str,
    languages: tuple[str, ...],
    targets: tuple[str, ...],
    require_role: bool,
    sector: str | None,
    size_band: str | None,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Create a campaign and print its survey code and link (base URL from WMM_BASE_URL)."""
    units = read_units_csv(units_file) if units_file else []
    with database(db_url) as db:
        info = create_campaign(
            db,
            name=name,
            questionnaire=questionnaire,
            organisation=organisation,
            units=units,
            min_group_size=min_group_size,
            mode=mode,
            languages=list(languages) or None,
            targets=_targets(targets),
            sector=sector,
            size_band=size_band,
            require_role=require_role,
        )
    if as_json:
        click.echo(json.dumps(_campaign_json(info), indent=2, ensure_ascii=False))
        return
    click.echo(say("campaign.created", name=repr(info.name), questionnaire=info.questionnaire))
    click.echo(say("campaign.code", code=info.code))
    click.echo(say("campaign.survey_url", url=info.survey_url))
    units_text = (
        say("campaign.units", count=len(info.units))
        if info.units
        else say("campaign.units_from_import")
    )
    click.echo(
        say("campaign.settings", mode=info.mode, minimum=info.min_group_size, units=units_text)
    )
    click.echo(say("campaign.role", state=_role_text(info)))


@campaign.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@db_option
def campaign_list(as_json: bool, db_url: str | None) -> None:
    """List campaigns: code, name, questionnaire, status, responses."""
    with database(db_url) as db:
        campaigns = list_campaigns(db)
    if as_json:
        click.echo(json.dumps([_campaign_json(c) for c in campaigns], indent=2, ensure_ascii=False))
        return
    if not campaigns:
        click.echo(say("campaign.none_yet"))
        return
    width = max(len(c.name) for c in campaigns)
    width = min(max(width, 4), 40)
    head = {
        k: say(f"campaign.column.{k}")
        for k in ("code", "name", "questionnaire", "status", "responses")
    }
    click.echo(
        f"{head['code']:<10}  {head['name']:<{width}}  {head['questionnaire']:<24}  "
        f"{head['status']:<6}  {head['responses']}"
    )
    for c in campaigns:
        click.echo(
            f"{c.code:<10}  {c.name[:width]:<{width}}  {c.questionnaire:<24}  {c.status:<6}  "
            f"{c.responses:>9}"
        )


@campaign.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@db_option
def campaign_show(code: str, as_json: bool, db_url: str | None) -> None:
    """Show a campaign: settings, units with head-counts, targets, responses."""
    with database(db_url) as db:
        info = get_campaign(db, code)
    if as_json:
        click.echo(json.dumps(_campaign_json(info), indent=2, ensure_ascii=False))
        return
    organisation = info.organisation or say("campaign.no_organisation")
    click.echo(say("campaign.title", name=info.name, code=info.code, organisation=organisation))
    click.echo(
        say(
            "campaign.questionnaire",
            questionnaire=info.questionnaire,
            sha256=info.questionnaire_sha256,
        )
    )
    click.echo(
        say(
            "campaign.state",
            status=info.status,
            mode=info.mode,
            languages=", ".join(info.languages),
        )
    )
    click.echo(say("campaign.survey_url", url=info.survey_url))
    click.echo(say("campaign.responses", submitted=info.responses, drafts=info.drafts))
    click.echo(say("campaign.minimum", minimum=info.min_group_size))
    click.echo(say("campaign.role", state=_role_text(info)))
    if info.targets:
        targets = ", ".join(
            say("campaign.target", dimension=d, level=lv) for d, lv in info.targets.items()
        )
        click.echo(say("campaign.targets", targets=targets))
    for unit in info.units:
        parent = say("campaign.unit_parent", parent=unit.parent) if unit.parent else ""
        count = (
            say("campaign.unit_head_count", count=unit.head_count)
            if unit.head_count is not None
            else ""
        )
        click.echo(say("campaign.unit", name=unit.name, parent=parent, count=count))


@campaign.command("units")
@click.argument("code")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="UNIT=HEAD-COUNT",
    help='Correct a unit\'s head-count, e.g. --set "Marketing=22" (repeatable; all or none).',
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@db_option
def campaign_units(code: str, settings: tuple[str, ...], as_json: bool, db_url: str | None) -> None:
    """Show the campaign's units with head-counts and responses; correct head-counts with --set.

    Responses are shown for units published on their own; a unit pooled into '(other units)'
    shows only where it went.
    """
    with database(db_url) as db:
        if settings:
            set_head_counts(db, code, parse_head_count_settings(settings))
        rows = unit_head_counts(db, code)
    if as_json:
        records = [
            {
                "name": r.name,
                "parent": r.parent,
                "head_count": r.head_count,
                "responses": r.responses,
                "published_as": r.published_as,
                "over_counted": r.over_counted,
            }
            for r in rows
        ]
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    if settings:
        click.echo(say("units.saved", count=len(settings), code=code))
    if not rows:
        click.echo(say("units.none_yet", code=code))
        return
    unit, head_count = say("units.unit"), say("units.head_count")
    width = min(max(len(unit), *(len(r.name) for r in rows)), 40)
    click.echo(
        f"{unit:<{width}}  {head_count:>10}  {say('units.responses'):>9}  {say('units.note')}"
    )
    for r in rows:
        head = "-" if r.head_count is None else str(r.head_count)
        responses = "-" if r.responses is None else str(r.responses)
        if r.over_counted:
            note = say("units.over_counted", name=r.name, responses=r.responses)
        elif r.responses is None:
            note = say("units.pooled", unit=r.published_as)
        else:
            note = ""
        click.echo(f"{r.name[:width]:<{width}}  {head:>10}  {responses:>9}  {note}".rstrip())


@campaign.command("close")
@click.argument("code")
@db_option
def campaign_close(code: str, db_url: str | None) -> None:
    """Stop accepting answers."""
    with database(db_url) as db:
        info = close_campaign(db, code)
    click.echo(say("campaign.closed", code=info.code, name=info.name, responses=info.responses))


@campaign.command("reopen")
@click.argument("code")
@db_option
def campaign_reopen(code: str, db_url: str | None) -> None:
    """Accept answers again."""
    with database(db_url) as db:
        info = reopen_campaign(db, code)
    click.echo(say("campaign.reopened", code=info.code, name=info.name, url=info.survey_url))


# -- wmm import ------------------------------------------------------------------------------------


@click.command("import")
@click.argument("responses", type=click.Path(dir_okay=False, path_type=Path))
@_campaign_option
@click.option(
    "--max-size",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="MB",
    help="Refuse larger files (default 20 MB, or $WMM_IMPORT_MAX_MB).",
)
@db_option
def import_command(responses: Path, code: str, max_size: float | None, db_url: str | None) -> None:
    """Import a responses CSV into a campaign: all rows or none.

    A campaign without a unit list takes its units from the file; one with a list refuses unknown
    units. Importing the same file again adds nobody.
    """
    with database(db_url) as db:
        result = import_responses(
            db,
            code,
            responses,
            max_bytes=None if max_size is None else int(max_size * 1024 * 1024),
        )
    click.echo(result.summary)


# -- wmm invitations ---------------------------------------------------------------------------


@click.group()
def invitations() -> None:
    """Single-use invitation links."""


@invitations.command("create")
@_campaign_option
@click.option("--count", type=click.IntRange(min=1, max=100_000), required=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV file for the links (must not exist yet: it is the only copy of the links).",
)
@db_option
def invitations_create(code: str, count: int, out: Path, db_url: str | None) -> None:
    """Create single-use invitation links and write them to a CSV (number, survey_url)."""
    # The file is opened (exclusively: it must not replace another file of links) before any link
    # is created, and appears whole or not at all.
    with atomic_file(out, exclusive=True) as handle, database(db_url) as db:
        get_campaign(db, code)  # an unknown code fails before anything is created
        tokens = create_invitations(db, code, count)
        handle.write(invitation_links_csv(code, tokens))
    click.echo(say("invitations.wrote", count=count, path=out))


# -- wmm demo ----------------------------------------------------------------------------------


@click.command()
@db_option
def demo(db_url: str | None) -> None:
    """Seed the demo organisation: two survey waves, units, targets, action items.

    Running it again adds nothing.
    """
    with database(db_url) as db:
        result = seed_demo(db)
    for seeded in result.campaigns:
        click.echo(
            say(
                "demo.campaign",
                code=seeded.code,
                name=seeded.name,
                questionnaire=seeded.questionnaire,
                responses=seeded.responses,
                added=seeded.responses_added,
            )
        )
    click.echo(say("demo.added", campaigns=result.campaigns_created, actions=result.actions_added))


# -- wmm export, wmm benchmark, wmm report ----------------------------------------------------


@click.group()
def export() -> None:
    """Export a campaign's responses, scores or benchmark file (privacy rules applied)."""


@export.command("responses")
@_campaign_option
@_out_option
@click.option(
    "--raw",
    is_flag=True,
    help="Keep units, roles, languages, durations and times as stored, even below the minimum "
    "group size (the file then imports again unchanged; treat it as personal data).",
)
@db_option
def export_responses_command(code: str, out: Path, raw: bool, db_url: str | None) -> None:
    """Write the campaign's responses as a responses CSV (docs/formats.md "Responses CSV").

    Without --raw, the file is k-anonymous (k = the minimum group size): every combination of
    unit, role, language and duration occurs at least k times; rarer ones are pooled into
    '(other units)' / '(other roles)' / no language, durations are shared by k and rounded to
    minutes, and submission times are left out (docs/formats.md "Responses CSV").
    """
    _check_folder(out)
    with database(db_url) as db:
        exported = campaign_responses_csv(db, code, raw=raw)
    write_atomically(out, exported.data)
    for warning in exported.warnings:
        click.echo(say("warning", message=warning), err=True)
    click.echo(say("wrote", path=out))


def _warn_over_counts(db: Database, code: str) -> None:
    """Name on stderr every unit the results treat as a census (more responses than people)."""
    for over in build_release(db, code).over_counts:
        click.echo(say("warning", message=over.text(messages_language())), err=True)


@export.command("scores")
@_campaign_option
@_out_option
@click.option(
    "--by", default="unit", show_default=True, help="Group by unit or a demographic (role)."
)
@db_option
def export_scores_command(code: str, out: Path, by: str, db_url: str | None) -> None:
    """Write the campaign's scores: one row per group × dimension, small groups suppressed."""
    _check_folder(out)
    with database(db_url) as db:
        scores = campaign_scores_csv(db, code, by=by)
        _warn_over_counts(db, code)
    write_atomically(out, scores.data)
    click.echo(say("wrote_rows", path=out, rows=scores.rows))


@export.command("benchmark")
@_campaign_option
@_out_option
@click.option(
    "--org", default=None, help="Name the organisation in the file (default: a random pseudonym)."
)
@click.option("--sector", default=None, help="Sector (default: the campaign's).")
@click.option("--size-band", default=None, help="Size band (default: the campaign's).")
@click.option(
    "--period", default=None, metavar="YYYY-MM", help="Default: month of the last response."
)
@db_option
def export_benchmark_command(
    code: str,
    out: Path,
    org: str | None,
    sector: str | None,
    size_band: str | None,
    period: str | None,
    db_url: str | None,
) -> None:
    """Write the campaign's benchmark file (wmm-benchmark/1): organisation-level rows only."""
    _check_folder(out)
    with database(db_url) as db:
        exported = campaign_benchmark_csv(
            db, code, org=org, sector=sector, size_band=size_band, period=period
        )
        _warn_over_counts(db, code)
    write_atomically(out, exported.data)
    rows = exported.rows
    name = rows["org"].iloc[0] if len(rows) else "-"
    click.echo(say("export.benchmark", path=out, dimensions=len(rows), name=repr(name)))


@click.group()
def benchmark() -> None:
    """Pool other organisations' benchmark files and compare a campaign with them."""


@benchmark.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@db_option
def benchmark_import(files: tuple[Path, ...], db_url: str | None) -> None:
    """Validate benchmark files and add their rows to the pool (all files or none)."""
    with database(db_url) as db:
        saved = import_benchmarks(db, files)
    click.echo(
        say("benchmark.imported", added=saved.added, unchanged=saved.unchanged, files=len(files))
    )


@benchmark.command("compare")
@_campaign_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON records.")
@db_option
def benchmark_compare(code: str, as_json: bool, db_url: str | None) -> None:
    """Show the campaign's percentile rank per dimension among the pooled organisations."""
    with database(db_url) as db:
        comparison = compare_with_benchmarks(db, code)
        _warn_over_counts(db, code)
    rows = comparison.rows
    if as_json:
        click.echo(rows.to_json(orient="records", indent=2, force_ascii=False))
        return
    if comparison.n_organisations == 0:
        click.echo(say("benchmark.none"))
        return
    click.echo(
        say(
            "benchmark.compared",
            name=comparison.campaign.name,
            questionnaire=comparison.campaign.questionnaire,
            organisations=comparison.n_organisations,
        )
    )
    head = {
        k: say(f"benchmark.{k}")
        for k in ("dimension", "mean", "interval", "percentile", "percentile_interval")
    }
    click.echo(
        f"{head['dimension']:<28} {head['mean']:>5} {head['interval']:>13}  "
        f"{head['percentile']:>10} {head['percentile_interval']:>11}  "
        f"{say('benchmark.organisations')}"
    )
    language = messages_language()
    for row in rows.to_dict("records"):
        if row["n_orgs"] == 0:
            rank = f"{'-':>10} {'':>11}"
        else:
            rank = (
                f"{row['percentile']:>10.0f} "
                f"{row['percentile_low']:>4.0f} – {row['percentile_high']:<4.0f}"
            )
        mean = format_number(row["mean"], language)
        low, high = format_number(row["ci_low"], language), format_number(row["ci_high"], language)
        click.echo(
            f"{row['dimension']:<28} {mean:>5} {low:>5} – {high:<5}  {rank}  {row['n_orgs']:>4}"
        )


@click.command()
@_campaign_option
@_out_option
@click.option(
    "--language", default=None, help="Language of the report (default: the questionnaire's)."
)
@click.option(
    "--previous",
    metavar="CODE",
    default=None,
    help="Show the change since this earlier campaign (default: the organisation's previous wave "
    "on the same questionnaire, as the dashboard compares with, if there is one).",
)
@db_option
def report(
    code: str, out: Path, language: str | None, previous: str | None, db_url: str | None
) -> None:
    """Write the campaign's report: one self-contained HTML file (charts inline, no network)."""
    _check_folder(out)
    with database(db_url) as db:
        written = campaign_report(db, code, language=language, previous=previous)
        _warn_over_counts(db, code)
    write_atomically(out, written.data)
    if written.not_compared:
        click.echo(say("warning", message=written.not_compared), err=True)
    if written.previous is not None and written.waves is not None:
        click.echo(
            say(
                "report.wrote_change",
                path=out,
                name=written.previous.name,
                code=written.previous.code,
                common=written.waves.n_common,
            )
        )
    else:
        click.echo(say("wrote", path=out))
