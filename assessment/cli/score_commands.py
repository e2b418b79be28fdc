"""`wmm score`: score a responses CSV without a database and print or write the results.

Reads the file (`assessment.responses.wide_csv`), scores it (`assessment.analysis.scoring`) and formats it;
bad data raises `DataError` (exit 1 in `main`), misuse is a click usage error (exit 2).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assessment.cli.files import write_atomically
from assessment.cli.messages import say
from assessment.cli.options import min_group_size_option
from assessment.errors import DataError, UnknownQuestionnaireError
from assessment.runtime import start_up_imports

if TYPE_CHECKING:
    import pandas as pd

    from assessment.analysis.scoring import ScoredTable

# Heavy modules (pandas, scipy, pyarrow) are imported inside the command, so that `wmm --help` and
# the other commands do not pay for them.

_MB = 1024 * 1024
#: Default of --max-size; equals `assessment.responses.wide_csv.DEFAULT_MAX_BYTES` (a test checks).
DEFAULT_MAX_MB = 200


@click.command("score")
@click.argument(
    "responses",
    metavar="RESPONSES.csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--questionnaire",
    "-q",
    "key",
    required=True,
    metavar="ID@VERSION",
    help="The questionnaire the file answers, e.g. work-management@1.0.0.",
)
@click.option(
    "--by",
    type=click.Choice(["unit", "role"]),
    default="unit",
    show_default=True,
    help="Score each unit, or each role.",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=None,
    help="Confidence level of the intervals (default: the questionnaire's, usually 0.95).",
)
@min_group_size_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    default=None,
    help="Write the tidy scores (one row per group x dimension) to FILE ('-' = stdout).",
)
@click.option(
    "--stats",
    "stats_path",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    default=None,
    help="Write the per-dimension reliability table (alpha, ICC) to FILE.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json"]),
    default=None,
    help="Format of --out (default: from its suffix, else csv); --stats follows its own suffix "
    "(.csv/.json), else this. Without --out, print the scores in this format, not the table.",
)
@click.option(
    "--method",
    type=click.Choice(["t", "bca"]),
    default="t",
    show_default=True,
    help="Intervals of the group means: t, or BCa bootstrap.",
)
@click.option(
    "--org-interval",
    type=click.Choice(["as-surveyed", "wider-pool"]),
    default="as-surveyed",
    show_default=True,
    help="What the organisation row's interval is for: the organisation as surveyed, or a wider "
    "pool of units like these (docs/statistics.md).",
)
@click.option(
    "--language",
    "-l",
    default=None,
    help="Language of the names in the printed table (default: the questionnaire's).",
)
@click.option(
    "--max-size",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_MB,
    show_default=True,
    metavar="MB",
    help="Refuse larger files.",
)
def score_command(
    responses: Path,
    key: str,
    by: str,
    confidence: float | None,
    min_group_size: int | None,
    out: Path | None,
    stats_path: Path | None,
    output_format: str | None,
    method: str,
    org_interval: str,
    language: str | None,
    max_size: int,
) -> None:
    """Score a responses CSV (one row per respondent, one column per item) by unit or role.

    Without --out, prints a table: per unit each component's mean with its confidence interval,
    maturity level with its probability, and n; the organisation first. With --out, writes the
    tidy scores (CSV or JSON) with the questionnaire, its sha256 and the settings.
    """
    # The file is parsed while the questionnaire loads, and converted while the scoring code loads
    # (`assessment.analysis.reading`).
    with start_up_imports():
        from assessment.analysis.reading import read_in_background
    reading = read_in_background(responses, max_bytes=max_size * _MB)
    with start_up_imports():
        from assessment.questionnaire import default_registry

    registry = default_registry()
    try:
        questionnaire = registry.get(key)
    except UnknownQuestionnaireError as exc:
        raise click.BadParameter(str(exc), param_hint="--questionnaire") from None
    if language is not None and language not in questionnaire.languages:
        raise click.BadParameter(
            f"expected one of {', '.join(questionnaire.languages)}, found {language!r}",
            param_hint="--language",
        )
    if by != "unit" and by not in {d.id for d in questionnaire.demographics}:
        raise click.BadParameter(
            f"{questionnaire.key} does not ask for {by!r}; score --by unit", param_hint="--by"
        )
    for option, path in (("--out", out), ("--stats", stats_path)):
        if path is not None and str(path) != "-" and not path.resolve().parent.is_dir():
            raise click.BadParameter(
                f"the folder of {path} does not exist; create it first", param_hint=option
            )
    converting = reading.convert(questionnaire)
    with start_up_imports():
        from assessment.analysis.scoring import format_scores_table, score_table
    table = converting.result()
    try:
        scored = score_table(
            table,
            questionnaire,
            by=by,
            confidence=confidence,
            min_group_size=min_group_size,
            method=method,  # type: ignore[arg-type]
            org_interval=org_interval,  # type: ignore[arg-type]
            sha256=registry.sha256(key),
            # `wmm score` writes the scores (and the stats): nothing else is computed.
            parts={"scores", "stats"} if stats_path is not None else {"scores"},
        )
    except ValueError as exc:
        raise DataError(f"{responses}: cannot score the responses: {exc}") from None

    if out is None and output_format is None:
        click.echo(format_scores_table(scored, questionnaire, language))
    else:
        _emit(scores_file(scored, output_format or _format_of(out, "csv")), out, "scores")
    if stats_path is not None:
        fmt = _format_of(stats_path, output_format or "csv")
        _emit(stats_file(scored, fmt), stats_path, "stats")


def scores_file(scored: ScoredTable, fmt: str) -> bytes:
    """The tidy scores as UTF-8 CSV (with metadata columns) or JSON (``{"metadata", "scores"}``)."""
    from assessment.outputs.exports import METADATA_COLUMNS, scores_csv, scores_export

    if fmt == "csv":
        return scores_csv(scored.result, scored.metadata, group_column=scored.group_column)
    frame = scores_export(scored.result, scored.metadata, group_column=scored.group_column)
    records = _records(_restored(frame.drop(columns=list(METADATA_COLUMNS))))
    return _json({"metadata": scored.metadata, "scores": records})


def stats_file(scored: ScoredTable, fmt: str) -> bytes:
    """The per-dimension reliability table as UTF-8 CSV (with metadata columns) or JSON."""
    from assessment.outputs.exports import METADATA_COLUMNS
    from assessment.responses.csv_safety import frame_csv

    stats = scored.result.stats
    if fmt == "csv":
        frame = stats.copy()
        for column in METADATA_COLUMNS:
            frame[column] = scored.metadata.get(column)
        return frame_csv(frame)
    return _json({"metadata": scored.metadata, "stats": _records(stats)})


def _format_of(path: Path | None, default: str) -> str:
    """``csv`` or ``json`` from a file name's suffix, else ``default``."""
    suffix = path.suffix.lower() if path is not None else ""
    return {".csv": "csv", ".json": "json"}.get(suffix, default)


def _restored(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo the CSV-injection guard for JSON, where a leading apostrophe would only be noise."""
    import pandas as pd

    from assessment.responses.csv_safety import restore_text

    out = frame.copy()
    for name in out.columns:
        if out[name].dtype == object or isinstance(out[name].dtype, pd.StringDtype):
            out[name] = out[name].map(lambda v: restore_text(v) if isinstance(v, str) else v)
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", double_precision=15))
    return records


def _json(payload: dict[str, Any]) -> bytes:
    def finite(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value

    cleaned = {k: finite(v) for k, v in payload.get("metadata", {}).items()}
    text = json.dumps({**payload, "metadata": cleaned}, indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8")


def _emit(data: bytes, path: Path | None, what: str) -> None:
    """Write UTF-8 bytes to a file, whole or not at all (`write_atomically`), or to stdout for None/'-'."""
    if path is None or str(path) == "-":
        sys.stdout.write(data.decode("utf-8"))
        return
    write_atomically(path, data)
    rows = max(data.count(b"\n") - 1, 0) if path.suffix.lower() != ".json" else None
    detail = say("rows_detail", rows=rows) if rows is not None else ""
    click.echo(say("wrote_what", what=say(f"what.{what}"), path=path, detail=detail), err=True)
