"""Importing a wide responses CSV (docs/formats.md "Responses CSV") into a campaign: all or nothing, in one transaction.

The file is read and validated by `assessment.responses.wide_csv`; this module adds what needs the
database: the campaign's unit list (a campaign without one takes its units from the file), the size
limit, and re-imports. A respondent id is stored only as a keyed hash (HMAC-SHA256 with a random key
of the campaign), so importing the same file again adds nobody, and the stored key identifies nobody.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.campaigns.management import (
    OTHER_ROLE_OPTION,
    campaign_row,
    questionnaire_of,
    role_options,
)
from assessment.campaigns.store import Store
from assessment.errors import (
    MAX_LISTED_PROBLEMS,
    AssessmentError,
    ChangedAnswers,
    DataError,
    FileTooLarge,
    ImportConflictError,
    MissingRole,
    Problem,
    Problems,
    UnknownUnit,
    where,
)
from assessment.responses.wide_csv import ResponseTable, read_responses_csv
from assessment.storage.models import Answer, Base, Campaign, Response, Unit, utcnow
from scoring.recoding import DONT_KNOW, NOT_APPLICABLE, SKIPPED

#: Largest file `import_responses` accepts by default: about 150,000 respondents of a 40-statement
#: questionnaire, imported in one transaction. Larger files: raise ``max_bytes`` or split the file.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_BYTES_ENV = "WMM_IMPORT_MAX_MB"

# Rows per INSERT batch (all batches belong to the one transaction of the import).
_BATCH_ROWS = 20_000
# Values per IN (...) list (well below SQLite's limit of 32,766 host parameters).
_IN_CHUNK = 5_000

_SPECIAL_OF_CODE = {DONT_KNOW: "DK", NOT_APPLICABLE: "NA"}


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    campaign_code: str
    file: str
    rows: int
    added: int
    unchanged: int
    units_created: tuple[str, ...]

    @property
    def summary(self) -> str:
        units = (
            f"; created {len(self.units_created)} unit(s): {', '.join(self.units_created)}"
            if self.units_created
            else ""
        )
        return (
            f"{self.file}: {self.rows} row(s); {self.added} response(s) added, {self.unchanged} "
            f"already imported with the same answers{units}"
        )


def default_max_bytes() -> int:
    """The import size limit: ``WMM_IMPORT_MAX_MB`` (in MB) or `DEFAULT_MAX_BYTES`."""
    configured = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not configured:
        return DEFAULT_MAX_BYTES
    try:
        megabytes = float(configured)
    except ValueError:
        raise DataError(
            f"{MAX_BYTES_ENV} must be a number of megabytes such as 50; got {configured!r}"
        ) from None
    return int(megabytes * 1024 * 1024)


def import_key(salt: str, respondent_id: str) -> str:
    """The stored stand-in for a respondent id: HMAC-SHA256 keyed with the campaign's random salt."""
    return hmac.new(bytes.fromhex(salt), respondent_id.encode("utf-8"), hashlib.sha256).hexdigest()


def file_row_numbers(source: Path | bytes) -> list[int]:
    """The row number (header = row 1) at which each record of a CSV file (path or bytes) starts.

    Only used to name rows in error messages: blank lines and quoted line breaks make the record
    index differ from the row number a person sees in an editor.
    """
    data = source if isinstance(source, bytes) else source.read_bytes()
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[int] = []
    previous_end = 0
    for record in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if record:
            rows.append(start)
    return rows[1:]  # without the header


def _check_size(source: Path | bytes, name: str, max_bytes: int) -> None:
    if isinstance(source, bytes):
        size = len(source)
    elif not source.is_file():
        raise DataError(f"{source}: no such file; expected a responses CSV file")
    else:
        size = source.stat().st_size
    if size > max_bytes:
        raise DataError(
            f"{name}: the file has {size / 1024**2:.1f} MB; the import limit is "
            f"{max_bytes / 1024**2:.0f} MB. Split the file into several imports, or raise the "
            f"limit (wmm import --max-size MB, or {MAX_BYTES_ENV}). Nothing was imported.",
            [FileTooLarge(name, limit_mb=max_bytes / 1024**2, size_mb=size / 1024**2)],
        )


def _listed(problems: Sequence[Problem], total: int, name: str) -> list[Problem]:
    """The first problems of ``total`` (built only up to the cap), with the count of the rest."""
    collected = Problems(name)
    collected.extend(problems)
    collected.count(total - len(problems))
    return collected.report()


_T = TypeVar("_T")


def _chunks(values: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def import_responses(
    db: Store,
    campaign_code: str,
    source: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    max_bytes: int | None = None,
) -> ImportResult:
    """Import a responses file into a campaign, all or nothing.

    Parameters
    ----------
    campaign_code : the campaign's survey code
    source : the wide responses CSV (docs/formats.md "Responses CSV"): a path, or the file's
        bytes (an upload, read from memory)
    name : the file's name in messages (default: the path's name; for bytes, "upload")
    max_bytes : the size limit (default: `default_max_bytes`)

    Returns
    -------
    ImportResult
        Rows read, responses added, rows already imported with the same answers, units created.

    Raises
    ------
    DataError
        For a file over the limit, a file `read_responses_csv` refuses, units outside the
        campaign's unit list, or rows without a role when the campaign requires the role question
        (`campaigns.CampaignInfo.require_role`); every problem names the file, row and column (the first 50 listed).
    ImportConflictError
        When respondents of the file were imported before with other answers (rows named).
    UnknownCampaignError, CampaignClosedError
        For an unknown or closed campaign. In every case nothing is written.
    """
    data_or_path = source if isinstance(source, bytes) else Path(source)
    name = name or (data_or_path.name if isinstance(data_or_path, Path) else "upload")
    limit = default_max_bytes() if max_bytes is None else max_bytes
    _check_size(data_or_path, name, limit)
    with db.read() as session:
        campaign = campaign_row(session, campaign_code)
        questionnaire = questionnaire_of(campaign)
        _ensure_importable(campaign)
    table = read_responses_csv(data_or_path, questionnaire, name=name, max_bytes=limit)
    return import_table(
        db, campaign_code, table, name=name, row_numbers=lambda: file_row_numbers(data_or_path)
    )


def import_table(
    db: Store,
    campaign_code: str,
    table: ResponseTable,
    *,
    name: str,
    row_numbers: Callable[[], Sequence[int]] | None = None,
) -> ImportResult:
    """Import validated responses (a `ResponseTable`) into a campaign, all or nothing.

    Parameters
    ----------
    name : how messages name the source (a file name)
    row_numbers : gives the row number of each table row in the source, for messages only
        (default: row i + 2, as in a file with a header and no blank lines)

    Raises
    ------
    DataError, ImportConflictError, UnknownCampaignError, AssessmentError
        As `import_responses`; nothing is written.
    """
    with db.read() as session:
        questionnaire = questionnaire_of(campaign_row(session, campaign_code))
    if table.questionnaire != questionnaire.key:
        raise DataError(
            f"{name}: the responses are to {table.questionnaire}, but campaign {campaign_code} "
            f"asks {questionnaire.key}; import them into a campaign on {table.questionnaire}"
        )
    source = _Source(name, row_numbers)
    try:
        with db.write() as session:
            return _store(session, campaign_code, table, source)
    except IntegrityError as exc:
        # Another import of the same respondents committed between our check and our insert.
        raise AssessmentError(
            f"{name}: another import into campaign {campaign_code} ran at the same time and "
            f"stored some of these respondents; nothing was imported from this file. Run the "
            f"import again: rows already stored are recognised and skipped ({exc.orig})"
        ) from None


@dataclass
class _Source:
    """Where rows came from, for messages: a name and (computed only when needed) row numbers."""

    name: str
    numbers: Callable[[], Sequence[int]] | None
    _rows: Sequence[int] | None = None

    def row(self, index: int) -> int:
        if self._rows is None:
            self._rows = self.numbers() if self.numbers is not None else ()
        return self._rows[index] if index < len(self._rows) else index + 2


def _ensure_importable(campaign: Campaign) -> None:
    if campaign.status != "open":
        raise AssessmentError(
            f"campaign {campaign.code} ({campaign.name}) is closed; reopen it with "
            f"`wmm campaign reopen {campaign.code}` to import responses into it"
        )


def _store(session: Session, code: str, table: ResponseTable, source: _Source) -> ImportResult:
    # The lock serialises imports into one campaign on PostgreSQL (SQLite serialises all writers).
    campaign = campaign_row(session, code, lock=True)
    _ensure_importable(campaign)
    if campaign.require_role:
        _check_roles_given(campaign, table, source)
    unit_ids, created = _unit_ids(session, campaign, table, source)
    keys = [import_key(campaign.import_salt, str(rid)) for rid in table.respondent_id]
    matched = _stored_responses(session, campaign, keys, table)
    new_rows = np.array([i for i in range(table.n_respondents) if i not in matched], dtype=np.int64)
    if matched:
        _check_unchanged(session, table, matched, unit_ids, source)
    _insert(session, campaign, table, new_rows, keys, unit_ids)
    return ImportResult(
        campaign_code=campaign.code,
        file=source.name,
        rows=table.n_respondents,
        added=int(new_rows.size),
        unchanged=len(matched),
        units_created=tuple(created),
    )


def _unit_ids(
    session: Session, campaign: Campaign, table: ResponseTable, source: _Source
) -> tuple[dict[str, int], list[str]]:
    existing = {u.name: u.id for u in campaign.units}
    in_file = sorted({str(u) for u in table.unit})
    if not existing:
        units = [Unit(campaign_id=campaign.id, name=name) for name in in_file]
        session.add_all(units)
        session.flush()
        campaign.updated_at = utcnow()
        return {u.name: u.id for u in units}, in_file
    unknown = {name for name in in_file if name not in existing}
    if unknown:
        bad = [i for i, name in enumerate(table.unit) if name in unknown]
        known = ", ".join(sorted(existing))
        problems = [
            UnknownUnit(
                where(source.name, source.row(i), "unit"),
                unit=table.unit[i],
                expected=f": campaign {campaign.code} has the units {known}; fix the name, or add "
                "the unit to the campaign first",
            )
            for i in bad[:MAX_LISTED_PROBLEMS]
        ]
        raise DataError(
            f"{source.name}: {len(bad)} row(s) name units that are not in the campaign's unit "
            "list; nothing was imported",
            _listed(problems, len(bad), source.name),
        )
    return existing, []


def _check_roles_given(campaign: Campaign, table: ResponseTable, source: _Source) -> None:
    """Refuse a file with rows without a role when the campaign requires the role question.

    Every row is checked, also rows imported before: the rule is about the file, so the same file
    is refused or accepted whatever was imported earlier.
    """
    roles = ", ".join(role_options(questionnaire_of(campaign)))
    expected = (
        f"campaign {campaign.code} requires the role question: give one of {roles} "
        f"({OTHER_ROLE_OPTION!r} when none fits)"
    )
    if "role" not in table.columns:
        raise DataError(
            f"{source.name}: the file has no role column, but {expected}; nothing was imported",
            [MissingRole(f"{source.name}, column role", note=f"missing column; {expected}")],
        )
    missing = [i for i, role in enumerate(table.role) if role is None]
    if not missing:
        return
    problems = [
        MissingRole(where(source.name, source.row(i), "role"), note=f"empty; {expected}")
        for i in missing[:MAX_LISTED_PROBLEMS]
    ]
    raise DataError(
        f"{source.name}: {len(missing)} row(s) give no role, but {expected}; nothing was imported",
        _listed(problems, len(missing), source.name),
    )


def _stored_responses(
    session: Session, campaign: Campaign, keys: list[str], table: ResponseTable
) -> dict[int, int]:
    """Row index -> stored response id, for rows imported before (or exported from this campaign)."""
    position = {key: i for i, key in enumerate(keys)}
    matched: dict[int, int] = {}
    for chunk in _chunks(keys):
        for key, response_id in session.execute(
            select(Response.import_key, Response.id).where(
                Response.campaign_id == campaign.id, Response.import_key.in_(chunk)
            )
        ):
            matched[position[str(key)]] = response_id
    # A file exported from this campaign names respondents by their random public id.
    by_public = {str(rid): i for i, rid in enumerate(table.respondent_id)}
    for chunk in _chunks(list(by_public)):
        for public_id, response_id in session.execute(
            select(Response.public_id, Response.id).where(
                Response.campaign_id == campaign.id,
                Response.status == "submitted",
                Response.public_id.in_(chunk),
            )
        ):
            matched.setdefault(by_public[public_id], response_id)
    return matched


def _check_unchanged(
    session: Session,
    table: ResponseTable,
    matched: dict[int, int],
    unit_ids: dict[str, int],
    source: _Source,
) -> None:
    rows = sorted(matched)
    ids = [matched[i] for i in rows]
    slot = {response_id: k for k, response_id in enumerate(ids)}
    column = {item: j for j, item in enumerate(table.item_ids)}
    stored = np.full((len(ids), len(table.item_ids)), SKIPPED, dtype=np.int8)
    stored_unit: dict[int, int | None] = {}
    stored_role: dict[int, str | None] = {}
    for numbers in _chunks(ids):
        for response_id, unit_id, given_role in session.execute(
            select(Response.id, Response.unit_id, Response.role).where(Response.id.in_(numbers))
        ):
            stored_unit[response_id] = unit_id
            stored_role[response_id] = given_role
        for response_id, item, value, special in session.execute(
            select(Answer.response_id, Answer.item_id, Answer.value, Answer.special).where(
                Answer.response_id.in_(numbers)
            )
        ):
            j = column.get(item)
            if j is not None:
                if special is not None:
                    stored[slot[response_id], j] = DONT_KNOW if special == "DK" else NOT_APPLICABLE
                elif value is not None:
                    stored[slot[response_id], j] = value
    new = table.codes[rows]
    role = table.role
    changed: list[tuple[int, str]] = []
    for k, i in enumerate(rows):
        differences = [
            f"{table.item_ids[j]} {_shown(stored[k, j])} -> {_shown(new[k, j])}"
            for j in np.flatnonzero(stored[k] != new[k])
        ]
        if unit_ids.get(str(table.unit[i])) != stored_unit[ids[k]]:
            differences.insert(0, "unit")
        if role[i] is not None and role[i] != stored_role[ids[k]]:
            differences.insert(0, "role")
        if differences:
            shown = ", ".join(differences[:5]) + (", ..." if len(differences) > 5 else "")
            changed.append((i, shown))
    if changed:
        problems = [
            ChangedAnswers(
                where(source.name, source.row(i)),
                respondent=table.respondent_id[i],
                differences=differences,
            )
            for i, differences in changed[:MAX_LISTED_PROBLEMS]
        ]
        raise ImportConflictError(
            f"{source.name}: {len(changed)} respondent(s) were imported before with other answers; "
            "stored responses never change, so nothing was imported. Remove those rows, or give "
            "corrected responses new respondent ids",
            _listed(problems, len(changed), source.name),
        )


def _shown(code: int) -> str:
    code = int(code)
    if code == SKIPPED:
        return "(empty)"
    return _SPECIAL_OF_CODE.get(code, str(code))


def _timestamps(values: npt.NDArray[np.datetime64]) -> list[datetime | None]:
    micros = values.astype("datetime64[us]")
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return [
        None if np.isnat(stamp) else epoch + timedelta(microseconds=int(stamp.astype(np.int64)))
        for stamp in micros
    ]


def _insert(
    session: Session,
    campaign: Campaign,
    table: ResponseTable,
    rows: npt.NDArray[np.int64],
    keys: list[str],
    unit_ids: dict[str, int],
) -> None:
    if rows.size == 0:
        return
    now = utcnow()
    submitted = _timestamps(table.submitted_at[rows])
    role = table.role
    records = [
        {
            "public_id": secrets.token_hex(16),
            "campaign_id": campaign.id,
            "unit_id": unit_ids[str(table.unit[i])],
            "role": role[i],
            "language": table.language[i],
            "questionnaire_version": campaign.questionnaire_version,
            "status": "submitted",
            "source": "import",
            "started_at": None,
            "updated_at": now,
            "submitted_at": submitted[k],  # stored to the day (models.UTCDay)
            "duration_seconds": None
            if np.isnan(table.duration_seconds[i])
            else float(table.duration_seconds[i]),
            "resume_token_hash": None,
            "import_key": keys[i],
        }
        for k, i in enumerate(rows.tolist())
    ]
    responses = Base.metadata.tables[Response.__tablename__]
    connection = session.connection()
    response_ids: list[int] = []
    for start in range(0, len(records), _BATCH_ROWS):
        result = connection.execute(
            insert(responses).returning(responses.c.id, sort_by_parameter_order=True),
            records[start : start + _BATCH_ROWS],
        )
        response_ids.extend(result.scalars().all())
    codes = table.codes[rows]
    answered_rows, answered_cols = np.nonzero(codes != SKIPPED)
    values = codes[answered_rows, answered_cols].astype(np.int64).tolist()
    answers = list(
        zip(
            np.asarray(response_ids, dtype=np.int64)[answered_rows].tolist(),
            np.asarray(table.item_ids, dtype=object)[answered_cols].tolist(),
            [v if v >= 0 else None for v in values],
            [_SPECIAL_OF_CODE.get(v) for v in values],
            strict=True,
        )
    )
    _bulk_insert_answers(session, answers)
    campaign.updated_at = now


def _bulk_insert_answers(
    session: Session, rows: list[tuple[int, str, int | None, str | None]]
) -> None:
    """Insert (response_id, item_id, value, special) rows inside the session's transaction.

    PostgreSQL gets COPY and SQLite the driver's executemany: an import writes one row per answer
    (hundreds of thousands for a large organisation), and the ORM's per-row work would dominate.
    """
    connection = session.connection()
    driver = connection.connection.driver_connection
    columns = "response_id, item_id, value, special"
    table = Answer.__tablename__
    if connection.dialect.name == "postgresql":
        with (
            driver.cursor() as cursor,  # type: ignore[union-attr]
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (?, ?, ?, ?)", rows)
    finally:
        cursor.close()
