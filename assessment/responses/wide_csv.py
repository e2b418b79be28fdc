"""The wide responses CSV of docs/formats.md "Responses CSV": read it into a validated `ResponseTable`, and write it back.

Reading is vectorised: `assessment.responses.csv_text` parses every column as text with pyarrow, and this
module plans the columns for the questionnaire and converts them (numpy maps each column's cells to
codes). Every problem is reported with the file, row and column, and nothing is returned unless the
whole file is valid.

Format decisions:

- UTF-8 with or without a byte-order mark; any mix of LF, CRLF and CR line endings; blank lines are
  ignored. Rows are counted as a person counts lines: the header is row 1.
- A cell of an item or outcome is a whole number on the scale, empty (skipped), ``DK`` or ``NA``.
  ``DK`` and ``NA`` are accepted in any letter case (``dk``, ``Na``) because they cannot mean anything
  else; whole numbers written as decimals (``3.0``, as some tools export them) are accepted; other
  decimals are not. Surrounding spaces are ignored.
- A missing item or outcome column means every answer to it was skipped.
- ``role`` (and any other demographic of the questionnaire) holds an option id, or the pooled value
  of an anonymised export (``(other roles)``, `pooled_label`); ``language`` a declared language
  code; both matched without regard to letter case; empty means not given.
- ``submitted_at`` is ISO 8601; a time without an offset is taken as UTC; stored as UTC.
- ``duration_seconds`` is a number >= 0, or empty.
- Text cells written with a leading ``'`` in front of ``= + - @``, tab or CR (CSV-injection guard,
  see `assessment.responses.csv_safety`) are read back without it, so an export re-imports unchanged.
"""

from __future__ import annotations

import difflib
import io
import os
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from assessment.errors import (
    MAX_LISTED_PROBLEMS,
    DataError,
    DuplicateColumn,
    DuplicateRespondent,
    EmptyValue,
    InvalidDuration,
    InvalidTimestamp,
    MissingColumn,
    NoRows,
    NotAnAnswer,
    OffScale,
    ReservedUnit,
    UnknownColumn,
    UnknownOption,
    UnnamedColumn,
    WrongQuestionnaire,
)
from assessment.questionnaire.model import Questionnaire
from assessment.responses.csv_safety import neutralise_arrow, restore_arrow, restore_text
from assessment.responses.csv_text import (
    DEFAULT_MAX_BYTES,
    PARSE_POOL,
    ParsedCsv,
    Report,
    Source,
    cells,
    describer,
    parse_csv,
    release_parse_memory,
)
from scoring.partitions import OTHER_ROLES
from scoring.recoding import DONT_KNOW, NOT_APPLICABLE, SKIPPED
from scoring.suppression import TOTAL_LABEL

REQUIRED_COLUMNS: tuple[str, ...] = ("respondent_id", "unit")
#: Optional columns that are not demographics, in the order they are written.
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "submitted_at",
    "questionnaire",
    "language",
    "duration_seconds",
)


def pooled_label(demographic: str) -> str:
    """The value an anonymised export gives a demographic's pooled respondents, as the results
    name the pooled group: ``(other roles)`` for ``role``, ``(other <id> groups)`` for any other; it
    reads back as a value of its own, so an anonymised export imports again."""
    return OTHER_ROLES if demographic == "role" else f"(other {demographic} groups)"


_SPECIAL_CODES = {"DK": DONT_KNOW, "NA": NOT_APPLICABLE}
# Markers for bad cells while parsing (never stored): below every valid code.
_OFF_SCALE = -100
_NOT_AN_ANSWER = -101
_LONGER = -102  # a cell of more than one byte: looked up by its text
_INTEGER = re.compile(r"[+-]?\d+(?:\.0*)?")

ObjectArray = npt.NDArray[np.object_]
CodeArray = npt.NDArray[np.int8]


# -- the table --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ResponseTable:
    """Validated responses to one questionnaire version: one row per respondent.

    Attributes
    ----------
    questionnaire : the questionnaire's ``id@version``
    item_ids : the columns of ``codes``: the questionnaire's items, then its outcomes, in file order
    respondent_id, unit : (N,) text
    demographics : per demographic id of the questionnaire (e.g. ``role``), (N,) option ids, None
        where not given
    language : (N,) language codes, None where not given
    submitted_at : (N,) ``datetime64[us]`` in UTC, NaT where not given
    duration_seconds : (N,) float seconds, NaN where not given
    codes : (N, J) int8 answer codes: scale values as themselves, `SKIPPED` (-1), `DONT_KNOW` (-2),
        `NOT_APPLICABLE` (-3)
    columns : the optional columns (demographics included) the table carries, written back by
        `responses_csv`
    """

    questionnaire: str
    item_ids: tuple[str, ...]
    respondent_id: ObjectArray
    unit: ObjectArray
    demographics: Mapping[str, ObjectArray]
    language: ObjectArray
    submitted_at: npt.NDArray[np.datetime64]
    duration_seconds: npt.NDArray[np.float64]
    codes: CodeArray
    columns: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        n = len(self.respondent_id)
        if self.codes.dtype != np.int8 or self.codes.ndim != 2:
            raise ValueError(
                f"codes must be a 2-D int8 matrix; got {self.codes.dtype} {self.codes.shape}"
            )
        if self.codes.shape != (n, len(self.item_ids)):
            raise ValueError(
                f"codes must have one row per respondent ({n}) and one column per item "
                f"({len(self.item_ids)}); got shape {self.codes.shape}"
            )
        arrays = {
            "unit": self.unit,
            "language": self.language,
            "submitted_at": self.submitted_at,
            "duration_seconds": self.duration_seconds,
            **{f"demographics[{k!r}]": v for k, v in self.demographics.items()},
        }
        for name, values in arrays.items():
            if len(values) != n:
                raise ValueError(
                    f"{name} must have one value per respondent ({n}); got {len(values)}"
                )

    @property
    def n_respondents(self) -> int:
        """Number of respondents (rows)."""
        return len(self.respondent_id)

    @property
    def role(self) -> ObjectArray:
        """The ``role`` demographic (None where not given or not asked)."""
        if "role" in self.demographics:
            return self.demographics["role"]
        return np.full(self.n_respondents, None, dtype=object)

    def item_codes(self, item_ids: Iterable[str]) -> CodeArray:
        """The code columns of the given ids, in the order given."""
        index = {item: j for j, item in enumerate(self.item_ids)}
        wanted = list(item_ids)
        unknown = [i for i in wanted if i not in index]
        if unknown:
            raise ValueError(
                f"unknown item ids: {', '.join(unknown)}; known: {', '.join(self.item_ids)}"
            )
        return self.codes[:, [index[i] for i in wanted]]

    def equals(self, other: ResponseTable) -> bool:
        """True when both tables hold the same respondents, answers and columns (NaN equals NaN)."""
        if not isinstance(other, ResponseTable):
            return False
        same_meta = (
            self.questionnaire == other.questionnaire
            and self.item_ids == other.item_ids
            and self.columns == other.columns
            and set(self.demographics) == set(other.demographics)
        )
        return (
            same_meta
            and np.array_equal(self.respondent_id, other.respondent_id)
            and np.array_equal(self.unit, other.unit)
            and all(np.array_equal(v, other.demographics[k]) for k, v in self.demographics.items())
            and np.array_equal(self.language, other.language)
            and np.array_equal(self.submitted_at, other.submitted_at, equal_nan=True)
            and np.array_equal(self.duration_seconds, other.duration_seconds, equal_nan=True)
            and np.array_equal(self.codes, other.codes)
        )


def table_columns(questionnaire: Questionnaire) -> dict[str, tuple[str, ...]]:
    """The columns a responses file of this questionnaire may have, by kind."""
    return {
        "required": REQUIRED_COLUMNS,
        "demographics": tuple(d.id for d in questionnaire.demographics),
        "optional": OPTIONAL_COLUMNS,
        "items": tuple(i.id for i in questionnaire.items)
        + tuple(o.id for o in questionnaire.outcomes),
    }


# -- reading ----------------------------------------------------------------------------------------


def read_responses_csv(
    source: Source,
    questionnaire: Questionnaire,
    *,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ResponseTable:
    """Read and validate a wide responses CSV (docs/formats.md "Responses CSV") for ``questionnaire``.

    Parameters
    ----------
    source : a path, the file's bytes, or a binary file object
    questionnaire : the questionnaire the answers belong to
    name : how problems name the file (default: the path as given, or ``responses.csv``)
    max_bytes : refuse larger files (default 200 MB)

    Returns
    -------
    ResponseTable

    Raises
    ------
    DataError
        With one `Problem` per bad header cell, bad data cell, or malformed row (the first 50 are
        listed, the rest counted); each path names the file, the row (header = row 1) and the
        column, each message says what was expected and what was found.
    """
    return build_response_table(parse_csv(source, name=name, max_bytes=max_bytes), questionnaire)


def build_response_table(parsed: ParsedCsv, questionnaire: Questionnaire) -> ResponseTable:
    """Check and convert a file parsed by `assessment.responses.csv_text.parse_csv` for ``questionnaire``.

    The second half of `read_responses_csv`, for a caller that parses the file while the
    questionnaire loads. ``parsed`` is used up: its columns are handed over as they are converted.
    Raises `DataError` as `read_responses_csv` does.
    """
    report = parsed.report
    plan = _plan_columns(parsed.header, questionnaire, report)
    if not parsed.has_rows or (parsed.n_rows == 0 and report.n_ragged == 0):
        report.file_problems.append(
            NoRows(parsed.name, expected="one row per respondent after the header")
        )
        report.raise_if_any(lambda r: r + 2)
    built = _build(parsed, plan, questionnaire, report)
    parsed.columns.clear()  # columns no field reads (only in files with problems)
    release_parse_memory()
    parsed.raise_problems()
    if built is None:  # only when a required column is missing, which is a problem above
        raise DataError(f"{parsed.name}: the file could not be read")
    return built


@dataclass(frozen=True)
class _Plan:
    """Which file column (by position) feeds which field; absent fields are None."""

    respondent_id: int | None
    unit: int | None
    optional: dict[str, int]
    demographics: dict[str, int]
    items: dict[str, int]


def _plan_columns(header: list[str], q: Questionnaire, report: Report) -> _Plan:
    kinds = table_columns(q)
    known = [*kinds["required"], *kinds["demographics"], *kinds["optional"], *kinds["items"]]
    known_set = set(known)
    lower = {k.lower(): k for k in known}
    first_at: dict[str, int] = {}
    for position, column in enumerate(header):
        where = f"{report.name} row 1, column {position + 1}"
        if not column:
            report.header_problems.append(UnnamedColumn(where))
            continue
        if column not in known_set:
            hint = lower.get(column.lower()) or next(
                iter(difflib.get_close_matches(column, known, n=1)), None
            )
            suggestion = f"; did you mean {hint!r}?" if hint else ""
            report.header_problems.append(
                UnknownColumn(
                    f"{report.name} row 1, column {column}",
                    column=column,
                    expected="respondent_id, unit, an optional column "
                    f"({', '.join([*kinds['demographics'], *kinds['optional']])}) or an item id of "
                    f"{q.key}{suggestion}",
                )
            )
            continue
        if column in first_at:
            report.header_problems.append(
                DuplicateColumn(
                    f"{report.name} row 1, column {column}",
                    column=column,
                    positions=f"{first_at[column] + 1} and {position + 1}",
                )
            )
            continue
        first_at[column] = position
    for column in REQUIRED_COLUMNS:
        if column not in first_at:
            shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
            report.header_problems.append(
                MissingColumn(f"{report.name} row 1", column=column, header=shown or "nothing")
            )
    return _Plan(
        respondent_id=first_at.get("respondent_id"),
        unit=first_at.get("unit"),
        optional={c: first_at[c] for c in kinds["optional"] if c in first_at},
        demographics={c: first_at[c] for c in kinds["demographics"] if c in first_at},
        items={c: first_at[c] for c in kinds["items"] if c in first_at},
    )


# -- building the table, column by column ------------------------------------------------------------


def _build(
    parsed: ParsedCsv, plan: _Plan, q: Questionnaire, report: Report
) -> ResponseTable | None:
    """Convert and check every column; each is released (popped) as soon as it is converted.

    The columns convert in parallel (numpy and pyarrow release the GIL), the slowest first. The
    problems found do not depend on the order: `Report.raise_if_any` sorts them by row and column.
    """
    n = parsed.n_rows
    futures: dict[str, Future[Any]] = {}
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:

        def convert(
            name: str, position: int | None, function: Callable[..., Any], *args: Any
        ) -> None:
            """Convert the column at ``position``, if any, as ``function(array, *args)``."""
            if position is not None:
                futures[name] = pool.submit(lambda: function(parsed.take(position), *args))

        convert("respondent_id", plan.respondent_id, _respondent_ids, plan.respondent_id, report)
        convert("unit", plan.unit, _units, plan.unit, report)
        for demographic in q.demographics:
            position = plan.demographics.get(demographic.id)
            options = [o.id for o in demographic.options] + [pooled_label(demographic.id)]
            convert(demographic.id, position, _choice, demographic.id, position, options, report)
        optional = plan.optional
        languages = list(q.languages)
        where = optional.get("language")
        convert("language", where, _choice, "language", where, languages, report)
        where = optional.get("questionnaire")
        convert("questionnaire", where, _check_questionnaire, where, q.key, report)
        where = optional.get("submitted_at")
        convert("submitted_at", where, _timestamps, where, report)
        where = optional.get("duration_seconds")
        convert("duration_seconds", where, _durations, where, report)
        item_ids = table_columns(q)["items"]
        codes = _codes(parsed, plan, q, item_ids, report, pool)
    done = {name: future.result() for name, future in futures.items()}  # raises what a task raised
    if report.count or "respondent_id" not in done or "unit" not in done:
        return None
    present = [*plan.demographics, *(c for c in OPTIONAL_COLUMNS if c in plan.optional)]
    order = [*table_columns(q)["demographics"], *OPTIONAL_COLUMNS]
    return ResponseTable(
        questionnaire=q.key,
        item_ids=item_ids,
        respondent_id=done["respondent_id"],
        unit=done["unit"],
        demographics={d.id: done.get(d.id, np.full(n, None, dtype=object)) for d in q.demographics},
        language=done.get("language", np.full(n, None, dtype=object)),
        submitted_at=done.get("submitted_at", np.full(n, np.datetime64("NaT", "us"))),
        duration_seconds=done.get("duration_seconds", np.full(n, np.nan)),
        codes=codes,
        columns=tuple(c for c in order if c in present),
    )


def _dictionary(array: pa.Array) -> tuple[npt.NDArray[np.int32], list[str]]:
    """Indices (N,) and the distinct values of a string array (hashing in C++)."""
    encoded = pc.dictionary_encode(array)
    return encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary.to_pylist()


def _respondent_ids(array: pa.Array, position: int, report: Report) -> ObjectArray:
    array = pc.utf8_trim_whitespace(restore_arrow(array))
    empty = np.flatnonzero(pc.equal(array, "").to_numpy(zero_copy_only=False)).astype(np.int64)
    report.cell(
        "respondent_id",
        position,
        empty,
        EmptyValue,
        lambda _record, _row_of: {"expected": "a respondent id"},
    )
    if len(pc.unique(array)) < len(array):  # cheaper than encoding when every id is new
        encoded = pc.dictionary_encode(array)
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        n = len(indices)
        first = np.empty(len(encoded.dictionary), dtype=np.int64)
        first[indices[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)
        repeated = np.flatnonzero(first[indices] != np.arange(n)).astype(np.int64)
        repeated = repeated[~np.isin(repeated, empty)]
        listed = repeated[:MAX_LISTED_PROBLEMS]
        first_record = dict(zip(listed.tolist(), first[indices[listed]].tolist(), strict=True))
        value = dict(zip(listed.tolist(), cells(array, listed), strict=True))

        def describe(record: int, row_of: Callable[[int], int]) -> dict[str, object]:
            return {"id": value[record], "first_row": row_of(first_record[record])}

        report.cell("respondent_id", position, repeated, DuplicateRespondent, describe)
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=object)


def _units(array: pa.Array, position: int, report: Report) -> ObjectArray:
    indices, values = _dictionary(array)
    labels = [restore_text(v.strip()) for v in values]
    label_array = np.asarray(labels, dtype=object)
    empty_values = np.array([not v for v in labels], dtype=bool)
    if empty_values.any():
        records = np.flatnonzero(empty_values[indices]).astype(np.int64)
        report.cell(
            "unit",
            position,
            records,
            EmptyValue,
            lambda _record, _row_of: {"expected": "a unit name"},
        )
    reserved = np.array([v == TOTAL_LABEL for v in labels], dtype=bool)
    if reserved.any():
        records = np.flatnonzero(reserved[indices]).astype(np.int64)
        report.cell(
            "unit",
            position,
            records,
            ReservedUnit,
            lambda _record, _row_of: {"name": TOTAL_LABEL},
        )
    return label_array[indices] if len(label_array) else np.empty(0, dtype=object)


def _choice(
    array: pa.Array, column: str, position: int, options: list[str], report: Report
) -> ObjectArray:
    """Values that must be one of ``options`` (matched without regard to case) or empty."""
    indices, values = _dictionary(array)
    by_lower = {o.lower(): o for o in options}
    mapped = [by_lower.get(v.strip().lower()) if v.strip() else None for v in values]
    bad = np.array(
        [m is None and bool(v.strip()) for v, m in zip(values, mapped, strict=True)], dtype=bool
    )
    if bad.any():
        records = np.flatnonzero(bad[indices]).astype(np.int64)

        def template(found: str) -> dict[str, object]:
            hint = difflib.get_close_matches(found.strip().lower(), options, n=1)
            return {
                "options": ", ".join(options),
                "or_empty": " or an empty cell",
                "found": found,
                "suggestion": f"; did you mean {hint[0]!r}?" if hint else "",
            }

        report.cell(column, position, records, UnknownOption, describer(array, records, template))
    label_array = np.asarray(mapped, dtype=object)
    return label_array[indices] if len(label_array) else np.empty(0, dtype=object)


def _check_questionnaire(array: pa.Array, position: int, key: str, report: Report) -> None:
    indices, values = _dictionary(array)
    bad = np.array([bool(v.strip()) and v.strip() != key for v in values], dtype=bool)
    if bad.any():
        records = np.flatnonzero(bad[indices]).astype(np.int64)
        named = {v.strip() for v in values if v.strip()}
        if len(named) == 1 and records.size == len(indices):
            (other,) = named
            report.file_problems.append(
                WrongQuestionnaire(
                    report.name,
                    expected=f"answers to {key} (the questionnaire the file is read with)",
                    found=f"{other} in every row; read the file with {other}",
                )
            )
        report.cell(
            "questionnaire",
            position,
            records,
            WrongQuestionnaire,
            describer(
                array,
                records,
                lambda found: {
                    "expected": f"{key} (the questionnaire these answers are read with) or an "
                    "empty cell",
                    "found": f"{found!r}; read the file with the questionnaire it was answered on",
                },
            ),
        )


def _timestamps(array: pa.Array, position: int, report: Report) -> npt.NDArray[np.datetime64]:
    stripped = pc.utf8_trim_whitespace(array)
    empty = pc.equal(stripped, "")
    values = pc.if_else(empty, pa.scalar(None, pa.string()), stripped)
    try:
        parsed = pc.cast(values, pa.timestamp("us", tz="UTC"))
        return np.asarray(
            parsed.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False), dtype="datetime64[us]"
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    # Arrow's fast parser wants a full time with an offset; pandas reads every ISO 8601 form.
    series = pd.Series(values.to_pandas(), dtype=object)
    parsed_series = pd.to_datetime(series, format="ISO8601", utc=True, errors="coerce")
    result: npt.NDArray[np.datetime64] = (
        parsed_series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    )
    bad = np.isnat(result) & ~empty.to_numpy(zero_copy_only=False)
    if bad.any():
        records = np.flatnonzero(bad).astype(np.int64)
        report.cell(
            "submitted_at",
            position,
            records,
            InvalidTimestamp,
            describer(array, records, lambda found: {"found": found}),
        )
    return result


def _durations(array: pa.Array, position: int, report: Report) -> npt.NDArray[np.float64]:
    stripped = pc.utf8_trim_whitespace(array)
    empty = pc.equal(stripped, "")
    values = pc.if_else(empty, pa.scalar(None, pa.string()), stripped)
    try:
        numbers = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        numbers = pd.to_numeric(
            pd.Series(values.to_pandas(), dtype=object), errors="coerce"
        ).to_numpy(dtype=np.float64, na_value=np.nan)
    numbers = np.asarray(numbers, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~empty.to_numpy(zero_copy_only=False) & ~(np.isfinite(numbers) & (numbers >= 0))
    if bad.any():
        records = np.flatnonzero(bad).astype(np.int64)
        report.cell(
            "duration_seconds",
            position,
            records,
            InvalidDuration,
            describer(
                array,
                records,
                lambda found: {
                    "expected": "a number of seconds >= 0 or an empty cell",
                    "found": found,
                },
            ),
        )
    return numbers


# -- answer codes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    values: frozenset[int]
    low: int
    high: int
    specials: dict[str, int]
    single_byte: npt.NDArray[np.int8]

    @classmethod
    def of(cls, q: Questionnaire) -> _Scale:
        values = frozenset(q.scale.values)
        specials: dict[str, int] = {s.code: _SPECIAL_CODES[s.code] for s in q.scale.special}
        # Looked up by min(length, 2) * 256 + first byte: empty cells, one-byte cells, longer cells.
        lut = np.full((3, 256), _NOT_AN_ANSWER, dtype=np.int8)
        lut[0] = SKIPPED
        for digit in range(10):
            lut[1, ord(str(digit))] = digit if digit in values else _OFF_SCALE
        lut[1, ord(" ")] = SKIPPED
        lut[1, ord("\t")] = SKIPPED
        lut[2] = _LONGER
        return cls(values, min(values), max(values), specials, lut.ravel())

    def token(self, text: str) -> int:
        """The code of one cell's text (slow path for cells longer than one byte)."""
        stripped = text.strip()
        if not stripped:
            return SKIPPED
        special = self.specials.get(stripped.upper())
        if special is not None:
            return special
        if _INTEGER.fullmatch(stripped):
            value = int(float(stripped))
            return value if value in self.values else _OFF_SCALE
        return _NOT_AN_ANSWER

    def expected(self) -> str:
        codes = ", ".join(self.specials)
        return (
            f"a whole number {self.low}..{self.high}, {codes} or an empty cell"
            if codes
            else (f"a whole number {self.low}..{self.high} or an empty cell")
        )


def _codes(
    parsed: ParsedCsv,
    plan: _Plan,
    q: Questionnaire,
    item_ids: tuple[str, ...],
    report: Report,
    pool: ThreadPoolExecutor,
) -> CodeArray:
    """The (N, J) code matrix; absent columns are skipped answers. Converted columns are dropped."""
    scale = _Scale.of(q)
    expected = scale.expected()

    def off_scale(found: str) -> dict[str, object]:
        return {"expected": expected, "found": found.strip()}

    no_answer = off_scale  # the same fields; the problem type tells the two apart

    out = np.full((len(item_ids), parsed.n_rows), SKIPPED, dtype=np.int8)
    present = [(j, plan.items[item]) for j, item in enumerate(item_ids) if item in plan.items]
    arrays = {j: parsed.columns.pop(position) for j, position in present}

    def convert(j: int) -> pa.Array | None:
        """Fill row j of ``out``; return the column's text only when it has bad cells."""
        array = arrays.pop(j).combine_chunks(memory_pool=PARSE_POOL)
        out[j] = _column_codes(array, scale)
        return array if (out[j] < NOT_APPLICABLE).any() else None

    converted = list(pool.map(convert, [j for j, _ in present]))
    for (j, position), array in zip(present, converted, strict=True):
        if array is None:
            continue
        item = item_ids[j]
        off = np.flatnonzero(out[j] == _OFF_SCALE).astype(np.int64)
        other = np.flatnonzero(out[j] == _NOT_AN_ANSWER).astype(np.int64)
        report.cell(item, position, off, OffScale, describer(array, off, off_scale))
        report.cell(item, position, other, NotAnAnswer, describer(array, other, no_answer))
    return np.ascontiguousarray(out.T)


def _column_codes(array: pa.Array, scale: _Scale) -> CodeArray:
    """Codes of one string column: single-byte cells by table lookup, longer ones per distinct text."""
    n = len(array)
    if n == 0:
        return np.empty(0, dtype=np.int8)
    buffers = array.buffers()
    offset_type = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets: npt.NDArray[np.signedinteger[Any]] = np.frombuffer(
        buffers[1],
        dtype=offset_type,
        count=n + 1,
        offset=array.offset * np.dtype(offset_type).itemsize,
    )
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None and buffers[2].size
        else np.zeros(1, np.uint8)
    )
    key = np.diff(offsets)
    np.minimum(key, 2, out=key)
    key <<= 8
    # "clip": trailing empty cells start past the data; their byte is not looked at (length 0).
    # np.take is about twice as fast as fancy indexing here.
    key |= np.take(data, offsets[:-1], mode="clip")
    codes = np.take(scale.single_byte, key)
    longer = np.flatnonzero(codes == _LONGER)
    if longer.size:
        encoded = pc.dictionary_encode(pc.take(array, pa.array(longer)))
        lut = np.array([scale.token(t) for t in encoded.dictionary.to_pylist()], dtype=np.int8)
        codes[longer] = lut[encoded.indices.to_numpy(zero_copy_only=False)]
    return codes


# -- writing -----------------------------------------------------------------------------------------------


def responses_csv(table: ResponseTable) -> bytes:
    """``table`` as a file in the format of docs/formats.md "Responses CSV" (UTF-8, no BOM, LF line endings).

    Columns: ``respondent_id``, ``unit``, the table's optional columns (demographics first, then
    ``submitted_at``, ``questionnaire``, ``language``, ``duration_seconds``), then every item and
    outcome in questionnaire order. Text cells are guarded against CSV injection; reading the bytes
    back with `read_responses_csv` gives an equal table.
    """
    arrow_table = _to_arrow(table)
    sink = io.BytesIO()
    try:
        pv.write_csv(
            arrow_table, sink, pv.WriteOptions(quoting_style="none", quoting_header="none")
        )
        return sink.getvalue()
    except pa.ArrowInvalid:
        # A cell holds a comma, quote or line break: quote as needed (rare, so Python's csv is fine).
        return _write_quoted(arrow_table)


def _to_arrow(table: ResponseTable) -> pa.Table:
    columns: dict[str, pa.Array] = {
        "respondent_id": neutralise_arrow(pa.array(table.respondent_id, type=pa.string())),
        "unit": _text_dictionary(table.unit),
    }
    for column in table.columns:
        if column in table.demographics:
            columns[column] = _text_dictionary(table.demographics[column])
        elif column == "language":
            columns[column] = _text_dictionary(table.language)
        elif column == "questionnaire":
            columns[column] = pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(table.n_respondents, dtype=np.int8)),
                pa.array([table.questionnaire]),
            )
        elif column == "submitted_at":
            columns[column] = _timestamp_texts(table.submitted_at)
        elif column == "duration_seconds":
            numbers = pa.array(table.duration_seconds, mask=np.isnan(table.duration_seconds))
            columns[column] = pc.cast(numbers, pa.string())
    tokens = _code_tokens(table)
    dictionary = pa.array(tokens)
    for j, item in enumerate(table.item_ids):
        indices = table.codes[:, j].astype(np.int16) - NOT_APPLICABLE
        columns[item] = pa.DictionaryArray.from_arrays(
            pa.array(indices.astype(np.int16)), dictionary
        )
    return pa.table(columns)


def _code_tokens(table: ResponseTable) -> list[str]:
    high = int(table.codes.max(initial=0))
    tokens = ["NA", "DK", ""] + [str(v) for v in range(0, max(high, 0) + 1)]
    return tokens


def _text_dictionary(values: ObjectArray) -> pa.Array:
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    labels = pa.array([str(u) for u in uniques] + [""], type=pa.string())
    labels = neutralise_arrow(labels)
    indices = np.where(codes < 0, len(uniques), codes).astype(np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(indices), labels)


def _timestamp_texts(values: npt.NDArray[np.datetime64]) -> pa.Array:
    stamps: npt.NDArray[np.datetime64] = np.asarray(values, dtype="datetime64[us]")
    missing = np.isnat(stamps)
    whole_seconds = (stamps[~missing].astype(np.int64) % 1_000_000 == 0).all()
    unit: Literal["s", "us"] = "s" if whole_seconds else "us"
    texts = np.char.add(np.datetime_as_string(stamps, unit=unit).astype(str), "Z")
    return pa.array(texts, mask=missing, type=pa.string())


def _write_quoted(arrow_table: pa.Table) -> bytes:
    frame = arrow_table.to_pandas()
    text = io.StringIO()
    frame.to_csv(text, index=False, lineterminator="\n", na_rep="")
    return text.getvalue().encode("utf-8")
