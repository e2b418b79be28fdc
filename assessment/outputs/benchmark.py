"""Benchmark CSVs (`wmm-benchmark/1`, docs/formats.md "Benchmark CSV"): write an organisation's rows, read and pool others', compare.

Only organisation-level rows that pass the privacy rules are written; respondent scores never leave this module raw.
"""

from __future__ import annotations

import csv
import io
import math
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assessment.errors import (
    ChecksumMismatch,
    DataError,
    DuplicateColumn,
    DuplicateRow,
    EmptyFile,
    EmptyValue,
    FileTooLarge,
    IncompatibleQuestionnaire,
    InvalidValue,
    MissingColumn,
    NoRows,
    NotCsv,
    NotUtf8,
    Problems,
    UnknownColumn,
    UnreadableFile,
    WrongCellCount,
    WrongFormat,
    where,
)
from assessment.outputs.exports import assert_no_small_groups, export_metadata, suppressed_rows
from assessment.responses.csv_safety import neutralise_frame, restore_text
from scoring.pipeline import ScoreResult
from scoring.suppression import TOTAL_LABEL

BENCHMARK_FORMAT = "wmm-benchmark/1"

#: The exact columns of a benchmark file, in order (docs/formats.md "Benchmark CSV").
BENCHMARK_COLUMNS: tuple[str, ...] = (
    "format",
    "questionnaire",
    "questionnaire_sha256",
    "org",
    "sector",
    "size_band",
    "period",
    "dimension_type",
    "dimension",
    "n_respondents",
    "n_units",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "p25",
    "median",
    "p75",
    "level",
)

#: Dimension types a benchmark compares (outcome statements are not scored dimensions).
BENCHMARK_DIMENSION_TYPES: tuple[str, ...] = ("component", "principle", "overall", "index")

_INT_COLUMNS = ("n_respondents", "n_units", "level")
_FLOAT_COLUMNS = ("mean", "sd", "ci_low", "ci_high", "p25", "median", "p75")
_TEXT_COLUMNS = ("org", "sector", "size_band")

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_QUESTIONNAIRE = re.compile(r"^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)@(\d+\.\d+\.\d+)$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DIMENSION = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

#: Decimals kept for the statistics of a benchmark row (the scale is 1..5; more is noise).
DECIMALS = 4


#: Largest benchmark file read (one row per organisation × dimension: a few kB per organisation).
MAX_FILE_BYTES = 50 * 1024 * 1024


def pseudonym() -> str:
    """A random organisation pseudonym such as ``org-7f3a2c`` (24 random bits)."""
    return f"org-{secrets.token_hex(3)}"


def _check_label(name: str, value: str, *, required: bool) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text; got {value!r}")
    text = value.strip()
    if required and not text:
        raise ValueError(f"{name} must not be empty; give a name or leave it out for a pseudonym")
    if any(ch in text for ch in "\r\n\t\x00"):
        raise ValueError(f"{name} must be one line of text without tabs; got {value!r}")
    return text


def benchmark_rows(
    result: ScoreResult,
    metadata: Mapping[str, Any],
    *,
    org: str | None = None,
    sector: str,
    size_band: str,
    period: str,
) -> pd.DataFrame:
    """An organisation's benchmark rows: one per dimension, in the exact format of docs/formats.md "Benchmark CSV".

    Parameters
    ----------
    result : the organisation's scores (`scoring.pipeline.score`)
    metadata : the scoring metadata (questionnaire, sha256, settings) of `score_table`
    org : the organisation's name in the file; None writes a random pseudonym (``org-7f3a2c``)
    sector, size_band : free descriptions for peers (may be empty)
    period : the month of the survey, ``YYYY-MM``

    Returns
    -------
    DataFrame with `BENCHMARK_COLUMNS`; no row when the organisation is below the minimum group size.

    Notes
    -----
    ``n_respondents``, ``mean``, ``sd``, ``ci_low``, ``ci_high`` and ``level`` are the organisation
    (``__all__``) row of the scores (cluster-robust interval, docs/formats.md "Scores"). ``p25``, ``median`` and
    ``p75`` are quantiles of the respondents' dimension scores (linear interpolation, R's type 7),
    ``n_units`` the number of units with at least one score on the dimension. Only dimensions whose
    organisation row is not suppressed (n ≥ min_group_size) are written. Statistics are rounded to
    `DECIMALS` decimals.
    """
    meta = export_metadata(metadata)
    min_group_size = int(meta["min_group_size"])
    group_column = str(metadata.get("by") or "unit")
    if group_column != "unit":
        raise ValueError(
            f"benchmark rows need scores by unit (the organisation's interval is clustered by "
            f"unit); these were scored by {group_column!r}. Score again with by='unit'."
        )
    name = pseudonym() if org is None else _check_label("org", org, required=True)
    sector = _check_label("sector", sector, required=False)
    size_band = _check_label("size_band", size_band, required=False)
    if not isinstance(period, str) or not _PERIOD.match(period):
        raise ValueError(f"period must be a month as YYYY-MM (e.g. 2025-03); got {period!r}")

    scores = result.scores
    respondents = result.respondents
    for frame, label in ((scores, "scores"), (respondents, "respondents")):
        if group_column not in frame.columns:
            raise ValueError(
                f"the result's {label} have no group column {group_column!r}; pass group_column="
            )
    org_rows = scores[
        (scores[group_column].astype(str) == TOTAL_LABEL)
        & scores["dimension_type"].isin(BENCHMARK_DIMENSION_TYPES)
    ]
    suppressed = suppressed_rows(org_rows)
    n_all = org_rows["n"].to_numpy(dtype=np.float64)
    keep = ~suppressed & (n_all >= min_group_size) & org_rows["mean"].notna().to_numpy()
    org_rows = org_rows[keep]

    records = []
    for row in org_rows.to_dict("records"):
        dimension = str(row["dimension"])
        if dimension not in respondents.columns:
            raise ValueError(
                f"the result's respondents have no scores for dimension {dimension!r}; the "
                "scores and respondents frames must come from the same scoring run"
            )
        values = respondents[dimension].to_numpy(dtype=np.float64)
        answered = ~np.isnan(values)
        if int(answered.sum()) != int(row["n"]):
            raise ValueError(
                f"dimension {dimension!r}: {int(answered.sum())} respondents have a score but the "
                f"organisation row says n = {int(row['n'])}; the scores and respondents frames "
                "must come from the same scoring run"
            )
        p25, median, p75 = np.percentile(values[answered], [25, 50, 75])
        units = respondents.loc[answered, group_column].astype(str).nunique()
        records.append(
            {
                "format": BENCHMARK_FORMAT,
                "questionnaire": meta["questionnaire"],
                "questionnaire_sha256": meta["questionnaire_sha256"],
                "org": name,
                "sector": sector,
                "size_band": size_band,
                "period": period,
                "dimension_type": str(row["dimension_type"]),
                "dimension": dimension,
                "n_respondents": int(row["n"]),
                "n_units": int(units),
                "mean": row["mean"],
                "sd": row["sd"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "p25": p25,
                "median": median,
                "p75": p75,
                "level": row["level"],
            }
        )
    frame = pd.DataFrame.from_records(records, columns=list(BENCHMARK_COLUMNS))
    frame = _typed(frame)
    for column in _FLOAT_COLUMNS:
        frame[column] = frame[column].round(DECIMALS)
    _assert_private(frame, min_group_size)
    return frame


def _assert_private(rows: pd.DataFrame, min_group_size: int) -> None:
    """The export guard for benchmark rows: one row per dimension of one organisation, so no row
    may show a statistic of fewer than ``min_group_size`` respondents."""
    assert_no_small_groups(
        rows,
        min_group_size,
        n_column="n_respondents",
        group_column=None,
        within=("dimension_type", "dimension"),
        kept_columns=("format", "questionnaire", "questionnaire_sha256", *_TEXT_COLUMNS, "period"),
        what="benchmark file",
    )


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The benchmark columns with their types: text, nullable integers, floats."""
    out = frame.copy()
    for column in BENCHMARK_COLUMNS:
        if column in _INT_COLUMNS:
            out[column] = pd.array(pd.to_numeric(out[column]), dtype="Int64")
        elif column in _FLOAT_COLUMNS:
            out[column] = pd.to_numeric(out[column]).astype(np.float64)
        else:
            out[column] = out[column].astype("str")
    return out


def benchmark_csv(rows: pd.DataFrame, *, min_group_size: int) -> bytes:
    """Benchmark rows as a UTF-8 CSV file: the exact columns, privacy guard first, text neutralised.

    ``min_group_size`` is the minimum the rows were built with; a row below it is refused
    (`PrivacyError`) and nothing is returned.
    """
    if tuple(rows.columns) != BENCHMARK_COLUMNS:
        raise ValueError(
            f"benchmark rows must have exactly the columns {list(BENCHMARK_COLUMNS)} in this "
            f"order; got {list(rows.columns)}. Build them with benchmark_rows()."
        )
    _assert_private(rows, min_group_size)
    text: str = neutralise_frame(rows).to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


# --- reading ------------------------------------------------------------------------------------


def _read_csv(
    path: Path, problems: Problems
) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """Header and rows (with their row number; the header is row 1) of one file, or None (with a
    problem) when it cannot be read."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.add(UnreadableFile(name, reason=exc.strerror or exc))
        return None
    if size > MAX_FILE_BYTES:
        problems.add(FileTooLarge(name, limit_mb=MAX_FILE_BYTES / 1e6, size_mb=size / 1e6))
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(NotUtf8(name, found=f"a byte that is not UTF-8 (byte {exc.start})"))
        return None
    except OSError as exc:
        problems.add(UnreadableFile(name, reason=exc.strerror or exc))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if cells and any(c.strip() for c in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        problems.add(NotCsv(where(name, reader.line_num), reason=exc))
        return None
    if not rows:
        problems.add(EmptyFile(name, expected=f"a header row {','.join(BENCHMARK_COLUMNS)}"))
        return None
    return rows[0][1], rows[1:]


def _check_header(name: str, header: list[str], problems: Problems) -> bool:
    columns = [h.strip() for h in header]
    if "format" not in columns:
        problems.add(
            WrongFormat(
                name,
                expected=f"a {BENCHMARK_FORMAT} file (export one with `wmm export benchmark`)",
                found=f"no 'format' column (columns: {', '.join(columns[:8])}"
                f"{', ...' if len(columns) > 8 else ''})",
            )
        )
        return False
    ok = True
    for column in BENCHMARK_COLUMNS:
        if column not in columns:
            problems.add(
                MissingColumn(where(name, 1), column=column, header=", ".join(columns) or "nothing")
            )
            ok = False
    for column in columns:
        if column not in BENCHMARK_COLUMNS:
            problems.add(
                UnknownColumn(
                    where(name, 1, column),
                    column=column,
                    expected=f"a {BENCHMARK_FORMAT} file has exactly {', '.join(BENCHMARK_COLUMNS)}",
                )
            )
            ok = False
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    for column in duplicates:
        positions = [str(i + 1) for i, c in enumerate(columns) if c == column]
        problems.add(
            DuplicateColumn(
                where(name, 1, column), column=column, positions=" and ".join(positions)
            )
        )
        ok = False
    return ok


def _parse_row(
    name: str, row_number: int, record: dict[str, str], problems: Problems
) -> dict[str, Any] | None:
    before = len(problems)

    def bad(column: str, expected: str, found: object) -> None:
        problems.add(InvalidValue(where(name, row_number, column), expected=expected, found=found))

    value: dict[str, Any] = {}
    fmt = record["format"].strip()
    if fmt != BENCHMARK_FORMAT:
        problems.add(
            WrongFormat(
                where(name, row_number, "format"), expected=repr(BENCHMARK_FORMAT), found=repr(fmt)
            )
        )
    value["format"] = fmt
    questionnaire = record["questionnaire"].strip()
    match = _QUESTIONNAIRE.match(questionnaire)
    if not match:
        bad(
            "questionnaire",
            "ID@VERSION (e.g. work-management@1.0.0)",
            repr(questionnaire),
        )
    value["questionnaire"] = questionnaire
    sha = record["questionnaire_sha256"].strip().lower()
    if not _SHA256.match(sha):
        bad("questionnaire_sha256", "64 hexadecimal digits", repr(sha))
    value["questionnaire_sha256"] = sha
    for column in _TEXT_COLUMNS:
        value[column] = restore_text(record[column].strip())
    if not value["org"]:
        problems.add(
            EmptyValue(
                where(name, row_number, "org"), expected="the organisation (name or pseudonym)"
            )
        )
    period = record["period"].strip()
    if not _PERIOD.match(period):
        bad("period", "a month as YYYY-MM", repr(period))
    value["period"] = period
    dimension_type = record["dimension_type"].strip()
    if dimension_type not in BENCHMARK_DIMENSION_TYPES:
        bad(
            "dimension_type",
            f"one of {', '.join(BENCHMARK_DIMENSION_TYPES)}",
            repr(dimension_type),
        )
    value["dimension_type"] = dimension_type
    dimension = record["dimension"].strip()
    if not _DIMENSION.match(dimension):
        bad("dimension", "a dimension id such as clarity", repr(dimension))
    value["dimension"] = dimension
    for column in _INT_COLUMNS:
        text = record[column].strip()
        try:
            whole = int(text)
        except ValueError:
            bad(column, "a whole number", repr(text))
            continue
        if whole < 1:
            bad(column, "a whole number of at least 1", whole)
            continue
        value[column] = whole
    for column in _FLOAT_COLUMNS:
        text = record[column].strip()
        try:
            number = float(text)
        except ValueError:
            bad(column, "a number", repr(text))
            continue
        if not math.isfinite(number):
            bad(column, "a finite number", repr(text))
            continue
        value[column] = number
    if len(problems) > before:
        return None
    if value["n_units"] > value["n_respondents"]:
        bad(
            "n_units",
            f"at most as many units as respondents ({value['n_respondents']})",
            value["n_units"],
        )
    if value["sd"] < 0:
        bad("sd", "a standard deviation >= 0", value["sd"])
    tolerance = 1e-9
    if not value["ci_low"] - tolerance <= value["mean"] <= value["ci_high"] + tolerance:
        bad(
            "mean",
            f"a mean within its interval [{value['ci_low']}, {value['ci_high']}]",
            value["mean"],
        )
    if not value["p25"] - tolerance <= value["median"] <= value["p75"] + tolerance:
        bad(
            "median",
            "p25 <= median <= p75",
            f"{value['p25']}, {value['median']}, {value['p75']}",
        )
    if len(problems) > before:
        return None
    return value


def read_benchmark_files(
    paths: Iterable[str | Path], *, questionnaire_id: str | None = None
) -> pd.DataFrame:
    """Read, validate and pool benchmark files.

    Parameters
    ----------
    paths : the files (``wmm-benchmark/1`` CSVs, UTF-8 with or without BOM)
    questionnaire_id : when given, every file must be on this questionnaire (any version)

    Returns
    -------
    DataFrame with `BENCHMARK_COLUMNS` plus ``questionnaire_id``, ``questionnaire_version``,
    ``source`` (file name) and ``source_row`` (the row in that file; the header is row 1).

    Raises
    ------
    DataError
        With every problem (up to `MAX_LISTED_PROBLEMS`), each naming file, row and column: not a benchmark
        file, missing or unknown columns, a value of the wrong type or out of range, a questionnaire
        other than the others' (or than ``questionnaire_id``), one questionnaire version with two
        different sha256 (a changed published file), the same organisation, period and dimension
        twice. Nothing is returned unless every file is valid.

    Notes
    -----
    Versions of one questionnaire are compatible: component, principle and index ids are stable
    across versions, so rows are compared per dimension id, and each row keeps its version in
    ``questionnaire_version`` (`compare` lists the versions it pooled).
    """
    files = [Path(p) for p in paths]
    if not files:
        raise ValueError("no benchmark files given; pass one or more wmm-benchmark/1 CSV files")
    problems = Problems()
    records: list[dict[str, Any]] = []
    for path in files:
        read = _read_csv(path, problems)
        if read is None:
            continue
        header, rows = read
        if not _check_header(path.name, header, problems):
            continue
        if not rows:
            problems.add(NoRows(path.name, expected="one row per organisation and dimension"))
            continue
        columns = [h.strip() for h in header]
        for row_number, cells in rows:
            if len(cells) != len(columns):
                problems.add(
                    WrongCellCount(
                        where(path.name, row_number), expected=len(columns), found=len(cells)
                    )
                )
                continue
            parsed = _parse_row(
                path.name, row_number, dict(zip(columns, cells, strict=True)), problems
            )
            if parsed is not None:
                parsed["source"] = path.name
                parsed["source_row"] = row_number
                records.append(parsed)
    problems.raise_if_any("the benchmark files are not valid; nothing was imported")
    _check_compatible(records, questionnaire_id, problems)
    problems.raise_if_any("the benchmark files cannot be pooled; nothing was imported")
    frame = pd.DataFrame.from_records(records, columns=[*BENCHMARK_COLUMNS, "source", "source_row"])
    frame = _typed(frame)
    split = frame["questionnaire"].str.partition("@")
    frame.insert(len(BENCHMARK_COLUMNS), "questionnaire_id", split[0].astype("str"))
    frame.insert(len(BENCHMARK_COLUMNS) + 1, "questionnaire_version", split[2].astype("str"))
    frame["source"] = frame["source"].astype("str")
    frame["source_row"] = frame["source_row"].astype(np.int64)
    return frame


def _check_compatible(
    records: list[dict[str, Any]], questionnaire_id: str | None, problems: Problems
) -> None:
    """One questionnaire id; one sha256 per version; each organisation × period × dimension once."""
    expected = questionnaire_id
    first: dict[str, Any] | None = None
    sha_of: dict[str, tuple[str, dict[str, Any]]] = {}
    seen: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for record in records:
        row = (record["source"], record["source_row"])
        qid = record["questionnaire"].partition("@")[0]
        if expected is None:
            expected, first = qid, record
        if qid != expected:
            origin = (
                f"the first file ({first['source']} row {first['source_row']})"
                if first is not None
                else "the campaign"
            )
            problems.add(
                IncompatibleQuestionnaire(
                    where(*row, "questionnaire"),
                    found=record["questionnaire"],
                    origin=origin,
                    expected=expected,
                )
            )
            continue
        key = record["questionnaire"]
        if key in sha_of and sha_of[key][0] != record["questionnaire_sha256"]:
            other = sha_of[key][1]
            problems.add(
                ChecksumMismatch(
                    where(*row, "questionnaire_sha256"),
                    questionnaire=key,
                    found=record["questionnaire_sha256"][:12],
                    expected=sha_of[key][0][:12],
                    other=where(other["source"], other["source_row"]),
                )
            )
        else:
            sha_of.setdefault(key, (record["questionnaire_sha256"], record))
        identity = (record["org"], record["period"], record["dimension_type"], record["dimension"])
        if identity in seen:
            other = seen[identity]
            problems.add(
                DuplicateRow(
                    where(*row, "dimension"),
                    key=f"organisation {record['org']!r}, period {record['period']}, dimension "
                    f"{record['dimension']!r}",
                    other=f"also in {where(other['source'], other['source_row'])}",
                )
            )
        else:
            seen[identity] = record


# --- comparing ----------------------------------------------------------------------------------

COMPARE_COLUMNS: tuple[str, ...] = (
    "dimension_type",
    "dimension",
    "mean",
    "ci_low",
    "ci_high",
    "percentile",
    "percentile_low",
    "percentile_high",
    "n_orgs",
    "pooled_p25",
    "pooled_median",
    "pooled_p75",
    "versions",
)


def percentile_rank(values: Sequence[float] | np.ndarray, x: float) -> float:
    """Percentile rank of ``x`` among ``values``: the share below it, ties counted half, in %.

    Notes
    -----
    PR(x) = 100 · (#{v < x} + ½ · #{v = x}) / n, the "mean" definition of
    ``scipy.stats.percentileofscore(values, x, kind="mean")``. NaN for no values.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0 or math.isnan(x):
        return math.nan
    below = float(np.count_nonzero(arr < x))
    equal = float(np.count_nonzero(arr == x))
    return 100.0 * (below + 0.5 * equal) / arr.size


def compare(org_rows: pd.DataFrame, pooled: pd.DataFrame) -> pd.DataFrame:
    """Where the organisation stands among the benchmark organisations, per dimension.

    Parameters
    ----------
    org_rows : the organisation's benchmark rows (`benchmark_rows`, or read from a file)
    pooled : the benchmark organisations' rows (`read_benchmark_files`, or from the database)

    Returns
    -------
    DataFrame with `COMPARE_COLUMNS`, one row per dimension of ``org_rows`` (in its order):
    the organisation's mean and interval, its percentile rank among the other organisations with
    an interval, the number of organisations compared, the pooled organisations' quartiles of the
    means, and the questionnaire versions they answered.

    Notes
    -----
    ``percentile`` = PR(mean), ``percentile_low`` = PR(ci_low), ``percentile_high`` = PR(ci_high)
    with PR of `percentile_rank` over the other organisations' means. PR rises with its argument,
    so the rank interval is as wide as the organisation's own uncertainty makes it; the peers'
    means are taken as published (their own uncertainty is not propagated). Rows of the organisation itself (same ``org``) are left out of the pool; an
    organisation with several periods counts once, with its latest period. The quartiles use linear
    interpolation. A dimension no other organisation has gets ``n_orgs`` 0 and missing ranks.
    """
    needed = ("questionnaire", "org", "period", "dimension_type", "dimension", "mean")
    if pooled.empty:
        # No benchmark imported yet: every dimension is compared with nobody.
        pooled = pd.DataFrame({c: pd.Series(dtype=object) for c in needed})
    for frame, label in ((org_rows, "org_rows"), (pooled, "pooled")):
        lacking = [c for c in needed if c not in frame.columns]
        if lacking:
            raise ValueError(f"{label} lacks the benchmark columns {lacking}")
    if org_rows.empty:
        raise DataError(
            "the organisation has no benchmark rows (is it below the minimum group size, or are "
            "all its dimensions suppressed?); there is nothing to compare"
        )
    own_ids = set(org_rows["questionnaire"].astype(str).str.partition("@")[0])
    if len(own_ids) != 1:
        raise ValueError(f"org_rows must be on one questionnaire; found {sorted(own_ids)}")
    own_id = own_ids.pop()
    pooled_ids = (
        set(pooled["questionnaire"].astype(str).str.partition("@")[0]) if len(pooled) else set()
    )
    foreign = sorted(pooled_ids - {own_id})
    if foreign:
        raise DataError(
            f"the benchmark rows are on {', '.join(foreign)} but the organisation is on {own_id}; "
            "only versions of the same questionnaire can be compared"
        )
    own_names = set(org_rows["org"].astype(str))
    peers = pooled[~pooled["org"].astype(str).isin(own_names)]
    if len(peers):
        latest = peers.groupby(["org", "dimension_type", "dimension"], sort=False)[
            "period"
        ].transform("max")
        peers = peers[peers["period"] == latest]
    versions = pd.Series(
        [str(key).partition("@")[2] for key in peers["questionnaire"]],
        index=peers.index,
        dtype=object,
    )

    records = []
    for row in org_rows.to_dict("records"):
        same = (peers["dimension_type"] == row["dimension_type"]) & (
            peers["dimension"] == row["dimension"]
        )
        means = peers.loc[same, "mean"].to_numpy(dtype=np.float64)
        mean = float(row["mean"])
        ci_low = float(row.get("ci_low", math.nan))
        ci_high = float(row.get("ci_high", math.nan))
        quartiles = np.percentile(means, [25, 50, 75]) if means.size else np.full(3, np.nan)
        records.append(
            {
                "dimension_type": row["dimension_type"],
                "dimension": row["dimension"],
                "mean": mean,
                "ci_low": ci_low,
                "ci_high": ci_high,
                "percentile": percentile_rank(means, mean),
                "percentile_low": percentile_rank(means, ci_low),
                "percentile_high": percentile_rank(means, ci_high),
                "n_orgs": int(means.size),
                "pooled_p25": quartiles[0],
                "pooled_median": quartiles[1],
                "pooled_p75": quartiles[2],
                "versions": ", ".join(sorted(set(versions[same]), key=_version_key)),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=list(COMPARE_COLUMNS))
    frame["n_orgs"] = frame["n_orgs"].astype(np.int64)
    for column in ("dimension_type", "dimension", "versions"):
        frame[column] = frame[column].astype("str")
    return frame


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))
