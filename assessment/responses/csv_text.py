"""Reading a CSV file's text, before it is interpreted: the bytes, the header, every column as text.

This is the part of reading a responses file that does not depend on the questionnaire, so a command can
parse the file while the questionnaire and the scoring code load (`wmm score` does). It imports only
numpy and pyarrow. `assessment.responses.wide_csv` plans, converts and checks the columns.

- `parse_csv` loads a path, bytes or a binary file object (refusing files over the size limit),
  reads the header, and parses every column as text with pyarrow (blank lines ignored, rows with
  the wrong number of cells counted, cells with line breaks in quotes only when needed).
- `Report` collects problems (file, header, bad cells, ragged rows) and raises them as one
  `DataError`, each naming the file, the row a person sees (header = row 1) and the column.
- Bytes that are not UTF-8 are reported with their row, column and the cell as Windows-1252 reads it.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from assessment.errors import (
    MAX_LISTED_PROBLEMS,
    DataError,
    EmptyFile,
    FileTooLarge,
    NotCsv,
    NotUtf8,
    Problem,
    Problems,
    WrongCellCount,
    where,
)
from assessment.runtime import arrow_pool

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_LISTED_PROBLEMS",
    "PARSE_POOL",
    "Describe",
    "ParsedCsv",
    "Report",
    "Source",
    "describer",
    "parse_csv",
    "release_parse_memory",
]

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
_UTF8_BOM = b"\xef\xbb\xbf"
_BLOCK_SIZE = 1024 * 1024  # fastest of 1, 2, 4 and 16 MB on the 1M-row benchmark (0.97 s vs 1.07 s)


#: The pool of the parsed text, for anything derived from it while the file is read
#: (`assessment.runtime.arrow_pool`: jemalloc where pyarrow has it).
_PARSE_POOL = arrow_pool()
PARSE_POOL = _PARSE_POOL

#: The template fields of one bad cell's problem: (record index, a record's row number) -> fields.
Describe = Callable[[int, Callable[[int], int]], Mapping[str, object]]
Source = str | os.PathLike[str] | bytes | BinaryIO


# -- problems ----------------------------------------------------------------------------------------


@dataclass
class CellIssue:
    """Bad cells of one column found by one check: the record indices, their problem type (a
    catalogue entry) and the fields of each cell's message."""

    column: str
    position: int
    records: npt.NDArray[np.int64]
    kind: type[Problem]
    describe: Describe


@dataclass
class Report:
    """Problems collected while reading; `raise_if_any` turns them into one `DataError`."""

    name: str
    file_problems: list[Problem] = field(default_factory=list)
    header_problems: list[Problem] = field(default_factory=list)
    issues: list[CellIssue] = field(default_factory=list)
    ragged_rows: list[tuple[int, int]] = field(default_factory=list)  # (row, cells found)
    n_ragged: int = 0
    multiline: bool = False  # a quoted cell holds a line break
    expected_cells: int = 0

    def cell(
        self,
        column: str,
        position: int,
        records: npt.NDArray[np.int64],
        kind: type[Problem],
        describe: Describe,
    ) -> None:
        if records.size:
            self.issues.append(CellIssue(column, position, records, kind, describe))

    @property
    def count(self) -> int:
        return (
            len(self.file_problems)
            + len(self.header_problems)
            + sum(int(i.records.size) for i in self.issues)
            + self.n_ragged
        )

    def raise_if_any(self, rows: Callable[[npt.NDArray[np.int64]], npt.NDArray[np.int64]]) -> None:
        total = self.count
        if not total:
            return
        candidates: list[tuple[int, int, Problem]] = []
        budget = MAX_LISTED_PROBLEMS
        for row, found in self.ragged_rows[:budget]:
            candidates.append(
                (
                    row,
                    -1,
                    WrongCellCount(
                        where(self.name, row), expected=self.expected_cells, found=found
                    ),
                )
            )

        def row_of(record: int) -> int:
            return int(rows(np.array([record], dtype=np.int64))[0])

        for issue in self.issues:
            first = issue.records[:budget]
            for record, row in zip(first.tolist(), rows(first).tolist(), strict=True):
                candidates.append(
                    (
                        row,
                        issue.position,
                        issue.kind(
                            where(self.name, row, issue.column), **issue.describe(record, row_of)
                        ),
                    )
                )
        candidates.sort(key=lambda c: (c[0], c[1]))
        problems = Problems(self.name)
        problems.extend([*self.file_problems, *self.header_problems])
        problems.extend([p for _, _, p in candidates])
        problems.count(total - len(problems))  # bad cells beyond the cap: counted, never built
        problems.raise_if_any(
            f"{self.name}: {total} problem(s) found; nothing was read. Fix them and try again."
        )


# -- the parsed file ----------------------------------------------------------------------------------


@dataclass(eq=False)
class ParsedCsv:
    """A CSV file parsed into text columns, not yet interpreted (see `parse_csv`).

    Attributes
    ----------
    name : how problems name the file
    header : the header cells, stripped of surrounding spaces
    n_rows : the records parsed (ragged rows are left out and counted in ``report``)
    has_rows : False when nothing but the header (or blank lines) follows it
    report : the problems found so far; the interpreting reader adds its own
    columns : every column's text by position; `take` hands each one over once, so its memory
        can go as soon as it is converted
    """

    name: str
    header: list[str]
    n_rows: int
    has_rows: bool
    report: Report
    columns: dict[int, pa.ChunkedArray]
    _data: pa.Buffer | _Reopen

    def take(self, position: int) -> pa.Array:
        """The text of the column at ``position`` as one array; the file keeps no reference to it."""
        return self.columns.pop(position).combine_chunks(memory_pool=_PARSE_POOL)

    def raise_problems(self) -> None:
        """Raise the problems found (one `DataError`, rows numbered as in the file), if any."""
        if self.report.count:
            data = self._data.load() if isinstance(self._data, _Reopen) else self._data
            self.report.raise_if_any(RowNumbers(data, self.n_rows, self.report))


def parse_csv(
    source: Source, *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParsedCsv:
    """Load ``source`` (a path, bytes or a binary file object) and parse every column as text.

    Raises
    ------
    DataError
        When the file is missing, empty, larger than ``max_bytes``, not UTF-8 (every bad byte
        sequence with its row and column) or not CSV at all. Rows with the wrong number of cells
        are not an error yet: they are counted in the report, and listed with their row numbers
        when the caller raises the problems.
    """
    buffer, label = _load(source, name, max_bytes)
    report = Report(label)
    header, has_rows = _read_header(buffer, report)
    report.expected_cells = len(header)
    table = _parse_body(buffer, len(header), report) if has_rows else None
    columns = {} if table is None else dict(enumerate(table.columns))
    # A file is unmapped once parsed, and mapped again only to number the rows of a problem.
    data = _Reopen(Path(source)) if isinstance(source, str | os.PathLike) else buffer
    return ParsedCsv(
        name=label,
        header=header,
        n_rows=0 if table is None else table.num_rows,
        has_rows=table is not None,
        report=report,
        columns=columns,
        _data=data,
    )


@dataclass(frozen=True)
class _Reopen:
    """A file to map again when its bytes are needed after parsing (only for error messages)."""

    path: Path

    def load(self) -> pa.Buffer:
        return pa.memory_map(str(self.path), "r").read_buffer()


def _load(source: Source, name: str | None, max_bytes: int) -> tuple[pa.Buffer, str]:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        label = name or str(source)
        if not path.is_file():
            raise DataError(f"{label}: no such file; expected a responses CSV file")
        size = path.stat().st_size
        _check_size(size, max_bytes, label)
        if size == 0:
            raise DataError(f"{label}: the file is empty", [_empty_problem(label)])
        return pa.memory_map(str(path), "r").read_buffer(), label
    label = name or getattr(source, "name", None) or "responses.csv"
    data = source if isinstance(source, bytes) else source.read()
    if isinstance(data, str):
        raise DataError(f"{label}: expected bytes (open the file in binary mode), got text")
    _check_size(len(data), max_bytes, label)
    return pa.py_buffer(data), str(label)


def _check_size(size: int, max_bytes: int, label: str) -> None:
    if size > max_bytes:
        raise DataError(
            f"{label}: the file has {size / 1024**2:.1f} MB; the limit is {max_bytes / 1024**2:.0f} MB. "
            "Split the file, or raise the size limit if the machine has the memory for it.",
            [FileTooLarge(label, limit_mb=max_bytes / 1024**2, size_mb=size / 1024**2)],
        )


def _empty_problem(label: str) -> Problem:
    return EmptyFile(
        label,
        expected="a header row (respondent_id, unit, item ids) and one row per respondent",
    )


def _read_header(buffer: pa.Buffer, report: Report) -> tuple[list[str], bool]:
    """The header cells (stripped of surrounding spaces), and whether anything follows the header."""
    head = buffer[: min(buffer.size, 1024 * 1024)].to_pybytes()
    start = len(_UTF8_BOM) if head.startswith(_UTF8_BOM) else 0
    if not head[start:].strip():
        raise DataError(f"{report.name}: the file is empty", [_empty_problem(report.name)])
    end = len(head)
    for terminator in (b"\n", b"\r"):
        position = head.find(terminator, start)
        if position >= 0:
            end = min(end, position)
    try:
        text = head[start:end].decode("utf-8")
    except UnicodeDecodeError:
        _raise_encoding(buffer, report)
    cells = next(csv.reader([text]), [])
    has_rows = (
        end < buffer.size and bool(buffer[end:].to_pybytes().strip())
        if buffer.size <= len(head)
        else True
    )
    return [c.strip() for c in cells], has_rows


def _parse_body(buffer: pa.Buffer, n_columns: int, report: Report) -> pa.Table:
    names = [f"c{i}" for i in range(max(n_columns, 1))]
    table = _parse(buffer, names, report, newlines_in_values=False)
    if report.n_ragged and _has_quotes(buffer):
        # A quoted cell may hold a line break (slower to parse, so only tried when needed).
        ragged = report.n_ragged
        report.n_ragged = 0
        retried = _parse(buffer, names, report, newlines_in_values=True)
        if report.n_ragged == 0:
            report.multiline = True
            return retried
        report.n_ragged = ragged
    return table


def _has_quotes(buffer: pa.Buffer) -> bool:
    return bool(np.any(np.frombuffer(buffer, dtype=np.uint8) == ord('"')))


def _parse(
    buffer: pa.Buffer,
    names: list[str],
    report: Report,
    *,
    newlines_in_values: bool,
) -> pa.Table:
    def on_invalid_row(row: pv.InvalidRow) -> str:
        report.n_ragged += 1
        return "skip"

    try:
        return pv.read_csv(
            pa.BufferReader(buffer),
            read_options=pv.ReadOptions(column_names=names, skip_rows=1, block_size=_BLOCK_SIZE),
            parse_options=pv.ParseOptions(
                invalid_row_handler=on_invalid_row, newlines_in_values=newlines_in_values
            ),
            convert_options=pv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
            memory_pool=_PARSE_POOL,
        )
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "utf8" in str(exc).lower():
            _raise_encoding(buffer, report)
        raise DataError(
            f"{report.name}: not a readable CSV file ({exc})",
            [NotCsv(report.name, reason=exc)],
        ) from None


def release_parse_memory() -> None:
    """Hand the memory of converted text back to the system (call when every column is taken)."""
    _PARSE_POOL.release_unused()
    pa.default_memory_pool().release_unused()


def cells(array: pa.Array, records: npt.NDArray[np.int64]) -> list[str]:
    texts: list[str] = pc.take(array, pa.array(records)).to_pylist()
    return texts


def describer(
    array: pa.Array, records: npt.NDArray[np.int64], template: Callable[[str], Mapping[str, object]]
) -> Describe:
    """The message fields of bad cells from each cell's text; fetches the listed cells' texts once."""
    listed = records[:MAX_LISTED_PROBLEMS]
    texts = dict(zip(listed.tolist(), cells(array, listed), strict=True))

    def describe(record: int, row_of: Callable[[int], int]) -> Mapping[str, object]:
        return template(texts[record])

    return describe


# -- row numbers and encoding problems (only when something is wrong) ------------------------------


class RowNumbers:
    """Maps record indices of the parsed table to the row numbers a person sees (header = row 1)."""

    def __init__(self, buffer: pa.Buffer, n_records: int, report: Report) -> None:
        self._lines: npt.NDArray[np.int64] | None = None
        lines = None
        if not (report.n_ragged or report.multiline):
            lines = _nonblank_lines(buffer)[1:]
        if lines is None or len(lines) != n_records:
            # Skipped rows, or records that span lines: let Python's csv module count the lines.
            lines, report.ragged_rows = _scan_records(buffer, report.expected_cells)
        if len(lines) == n_records:
            self._lines = lines

    def __call__(self, records: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        if self._lines is None:  # the parsers disagree (should not happen): count records
            return records + 2
        return self._lines[records]


def _line_breaks(buffer: pa.Buffer) -> npt.NDArray[np.int64]:
    """Byte positions of line terminators: LF, CR LF (at the LF) and a lone CR."""
    data = np.frombuffer(buffer, dtype=np.uint8)
    lf = np.flatnonzero(data == 10)
    cr = np.flatnonzero(data == 13)
    lone_cr = cr[(cr + 1 >= data.size) | (data[np.minimum(cr + 1, data.size - 1)] != 10)]
    return np.union1d(lf, lone_cr).astype(np.int64)


def _nonblank_lines(buffer: pa.Buffer) -> npt.NDArray[np.int64]:
    """Numbers (1-based) of the lines holding at least one character; a BOM is no character."""
    data = np.frombuffer(buffer, dtype=np.uint8)
    breaks = _line_breaks(buffer)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [data.size]])
    if data[:3].tobytes() == _UTF8_BOM:
        starts[0] = 3
    inside = ends < data.size
    crlf = np.zeros(ends.size, dtype=np.int64)
    crlf[inside] = (
        (data[ends[inside]] == 10)
        & (ends[inside] > starts[inside])
        & (data[np.maximum(ends[inside] - 1, 0)] == 13)
    )
    return (np.flatnonzero(ends - crlf > starts) + 1).astype(np.int64)


def _scan_records(
    buffer: pa.Buffer, expected_cells: int
) -> tuple[npt.NDArray[np.int64], list[tuple[int, int]]]:
    """Python's csv module over the whole file: the line of every good record and every ragged row."""
    text = buffer.to_pybytes().decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    lines: list[int] = []
    ragged: list[tuple[int, int]] = []
    previous_end = 0
    first = True
    for record in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if not record:
            continue
        if first:
            first = False
            continue
        if len(record) != expected_cells:
            ragged.append((start, len(record)))
        else:
            lines.append(start)
    return np.asarray(lines, dtype=np.int64), ragged


def _raise_encoding(buffer: pa.Buffer, report: Report) -> None:
    """Report every byte sequence that is not UTF-8 with its row and column, then raise."""
    raw = buffer.to_pybytes()
    text = raw.decode("utf-8", errors="surrogateescape")
    bad = [m for m in re.finditer(r"[\udc80-\udcff]+", text)]
    header_line = text.split("\n", 1)[0].split("\r", 1)[0].lstrip("\ufeff")
    header = [c.strip() for c in next(csv.reader([header_line]), [])]
    problems: list[Problem] = []
    line = 1
    scanned = 0
    for match in bad[:MAX_LISTED_PROBLEMS]:
        position = match.start()
        line += _count_breaks(text, scanned, position)
        scanned = position
        line_start = max(text.rfind("\n", 0, position), text.rfind("\r", 0, position)) + 1
        prefix = text[line_start:position]
        column_index = len(next(csv.reader([prefix]), [""])) - 1 if prefix else 0
        column = (
            header[column_index]
            if column_index < len(header) and header[column_index]
            else str(column_index + 1)
        )
        line_end = len(text)
        for terminator in ("\n", "\r"):
            found = text.find(terminator, position)
            if found >= 0:
                line_end = min(line_end, found)
        cell_text = (
            text[line_start:line_end]
            .encode("utf-8", errors="surrogateescape")
            .decode("cp1252", errors="replace")
        )
        cells = next(csv.reader([cell_text]), [])
        shown = cells[column_index] if column_index < len(cells) else cell_text
        byte_values = " ".join(
            f"0x{b:02X}" for b in match.group().encode("utf-8", errors="surrogateescape")
        )
        problems.append(
            NotUtf8(
                where(report.name, line, column),
                found=f"the byte(s) {byte_values} (the cell reads {shown!r} as Windows-1252)",
            )
        )
    collected = Problems(report.name)
    collected.extend(problems)
    collected.count(len(bad) - len(problems))
    raise DataError(
        f"{report.name}: the file is not UTF-8 ({len(bad)} bad byte sequence(s)); nothing was read",
        collected.report(),
    )


def _count_breaks(text: str, start: int, stop: int) -> int:
    segment = text[start:stop]
    return segment.count("\n") + segment.count("\r") - segment.count("\r\n")
