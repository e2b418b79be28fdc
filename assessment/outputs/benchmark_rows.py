"""Imported benchmark rows (format ``wmm-benchmark/1``, docs/formats.md "Benchmark CSV") kept in the database: save a
validated frame, load the pool back, remove an organisation's rows.

Reading and validating benchmark files is `assessment.outputs.benchmark`'s job; this module only stores
rows that already passed it, keyed by questionnaire, organisation, period and dimension.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import CursorResult, delete, insert, select

from assessment.campaigns.store import Store
from assessment.errors import ConflictingRow, DataError, DuplicateRow, Problems
from assessment.outputs.benchmark import BENCHMARK_COLUMNS
from assessment.storage.models import BenchmarkRow, utcnow

#: The columns of a benchmark file, in order; the model has one attribute per column.
COLUMNS: tuple[str, ...] = BENCHMARK_COLUMNS
KEY: tuple[str, ...] = ("questionnaire", "org", "period", "dimension_type", "dimension")
_INTEGER = ("n_respondents", "n_units", "level")
_FLOAT = ("mean", "sd", "ci_low", "ci_high", "p25", "median", "p75")
_TEXT = tuple(c for c in COLUMNS if c not in _INTEGER + _FLOAT)
_OPTIONAL_TEXT = ("sector", "size_band")


@dataclass(frozen=True)
class SavedBenchmark:
    """What a save did: rows added, and rows that were already stored with the same numbers."""

    added: int
    unchanged: int


def _clean(column: str, value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if column in _INTEGER:
        return int(value)
    if column in _FLOAT:
        return float(value)
    text = str(value).strip()
    return (text or None) if column in _OPTIONAL_TEXT else text


def _same(column: str, stored: Any, new: Any) -> bool:
    if stored is None or new is None:
        return stored is None and new is None
    if column in _FLOAT:
        return math.isclose(stored, new, rel_tol=1e-9, abs_tol=1e-12)
    return bool(stored == new)


def save_benchmark_rows(
    db: Store, frame: pd.DataFrame, *, source: str | None = None
) -> SavedBenchmark:
    """Store validated benchmark rows, all or nothing.

    A row already stored with the same numbers is skipped (importing a file twice adds nothing);
    a row stored with other numbers is an error naming it, and nothing is written.

    Parameters
    ----------
    frame : rows with the columns of docs/formats.md "Benchmark CSV" (as `assessment.outputs.benchmark` reads them); a
        ``source`` column, when present, names each row's file
    source : where the rows came from (a file name), for a frame without a ``source`` column
    """
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(
            f"benchmark rows need the columns of format wmm-benchmark/1; missing {', '.join(missing)}"
        )
    if "source" in frame.columns:
        sources = [str(s) for s in frame["source"]]
    elif source is not None:
        sources = [source] * len(frame)
    else:
        raise ValueError("name the rows' source: pass source= or a 'source' column")
    label = ", ".join(dict.fromkeys(sources)) or (source or "benchmark rows")
    records = [
        {c: _clean(c, v) for c, v in zip(COLUMNS, values, strict=True)}
        for values in frame.loc[:, list(COLUMNS)].itertuples(index=False, name=None)
    ]
    keys = [tuple(r[c] for c in KEY) for r in records]
    counts = Counter(keys)
    repeated = sorted(k for k, n in counts.items() if n > 1)
    duplicates = Problems(label)
    for k in repeated:
        duplicates.add(DuplicateRow(label, key=" / ".join(map(str, k)), other=f"{counts[k]} times"))
    duplicates.raise_if_any(
        f"{label}: {len(repeated)} organisation × dimension row(s) appear more than once"
    )
    with db.write() as session:
        questionnaires = sorted({r["questionnaire"] for r in records})
        stored = {
            tuple(getattr(row, c) for c in KEY): row
            for row in session.scalars(
                select(BenchmarkRow).where(BenchmarkRow.questionnaire.in_(questionnaires))
            )
        }
        problems = Problems(label)
        new_rows: list[dict[str, Any]] = []
        unchanged = 0
        now = utcnow()
        for key, record, origin in zip(keys, records, sources, strict=True):
            existing = stored.get(key)
            if existing is None:
                new_rows.append({**record, "source": origin[:300], "imported_at": now})
                continue
            differing = [c for c in COLUMNS if not _same(c, getattr(existing, c), record[c])]
            if differing:
                problems.add(
                    ConflictingRow(
                        origin,
                        key=" / ".join(map(str, key)),
                        source=existing.source,
                        columns=", ".join(differing),
                    )
                )
            else:
                unchanged += 1
        problems.raise_if_any(
            f"{label}: {len(problems)} row(s) conflict with stored benchmark rows; nothing "
            "was imported"
        )
        if new_rows:
            session.execute(insert(BenchmarkRow), new_rows)
    return SavedBenchmark(added=len(new_rows), unchanged=unchanged)


def load_benchmark_rows(db: Store, *, questionnaire_id: str | None = None) -> pd.DataFrame:
    """The stored benchmark rows (of one questionnaire id, any version) with the §8 columns."""
    query = select(*(getattr(BenchmarkRow, c) for c in COLUMNS)).order_by(
        BenchmarkRow.questionnaire,
        BenchmarkRow.org,
        BenchmarkRow.period,
        BenchmarkRow.id,
    )
    if questionnaire_id is not None:
        query = query.where(BenchmarkRow.questionnaire.startswith(f"{questionnaire_id}@"))
    with db.read() as session:
        rows = session.execute(query).all()
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    for column in _INTEGER:
        frame[column] = frame[column].astype("Int64")
    for column in _FLOAT:
        frame[column] = frame[column].astype("float64")
    for column in _TEXT:
        frame[column] = frame[column].astype("string")
    return frame


def delete_benchmark_rows(
    db: Store, *, org: str, questionnaire: str | None = None, period: str | None = None
) -> int:
    """Remove an organisation's rows (optionally of one questionnaire and period); return the count."""
    statement = delete(BenchmarkRow).where(BenchmarkRow.org == org)
    if questionnaire is not None:
        statement = statement.where(BenchmarkRow.questionnaire == questionnaire)
    if period is not None:
        statement = statement.where(BenchmarkRow.period == period)
    with db.write() as session:
        result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
        return int(result.rowcount)
