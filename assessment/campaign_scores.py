"""A campaign's submitted answers as a `ResponseTable` (two queries), cached by the campaign's last
change, and scored with its head-counts, targets and minimum group size (also as two waves).

The cache key is a cheap version of the campaign: number and newest id of its submitted responses,
and the time its units, targets or settings last changed; a new submission or import changes it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from assessment.campaigns import campaign_row, questionnaire_of
from assessment.errors import AssessmentError, DataError
from assessment.questionnaire import Questionnaire
from assessment.responses_csv import OPTIONAL_COLUMNS, ResponseTable, table_columns
from assessment.scoring_service import ScoredTable, score_table
from assessment.storage.engine import Database
from assessment.storage.models import Answer, Campaign, Response, Unit
from assessment.waves import WaveScores, score_waves
from scoring.recoding import DONT_KNOW, NOT_APPLICABLE, SKIPPED

#: The unit label of responses given without a unit (a campaign without a unit list).
NO_UNIT = "(no unit)"

_CACHE_SIZE = 16


class NoResponsesError(AssessmentError):
    """A campaign without submitted responses cannot be scored."""

    code = "no-responses"


_T = TypeVar("_T")


@dataclass(frozen=True)
class CampaignVersion:
    """What changes whenever the campaign's scores could change."""

    responses: int
    newest_response: int | None
    settings_changed: datetime


class LRUCache:
    """A small thread-safe least-recently-used cache of computed values.

    The app serves several sessions from one process, so reads and writes hold a lock; a value is
    computed outside the lock (two sessions asking for the same missing key may both compute it,
    and the second result wins). The caches of campaigns key their values by `CampaignVersion`, so
    an entry is never stale: a changed campaign has a new key, and the old entry ages out.

    Parameters
    ----------
    size : how many values to keep (the least recently used one is dropped first)
    """

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"an LRUCache keeps at least one value; got size {size}")
        self._size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """The value cached under ``key``, computed with ``compute()`` (and kept) when missing."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._items.clear()


_tables = LRUCache(_CACHE_SIZE)
_scores = LRUCache(_CACHE_SIZE)
_waves = LRUCache(_CACHE_SIZE // 2)


def clear_caches() -> None:
    """Forget every cached table and score (tests; a facilitator's "refresh")."""
    _tables.clear()
    _scores.clear()
    _waves.clear()


def _head_counts(campaign: Campaign) -> dict[str, int]:
    return {u.name: u.head_count for u in campaign.units if u.head_count is not None}


def _version(session: Session, campaign: Campaign) -> CampaignVersion:
    count, newest = session.execute(
        select(func.count(), func.max(Response.id)).where(
            Response.campaign_id == campaign.id, Response.status == "submitted"
        )
    ).one()
    return CampaignVersion(int(count), newest, campaign.updated_at)


def campaign_version(db: Database, code: str) -> CampaignVersion:
    """The campaign's current version (two small queries)."""
    with db.read() as session:
        return _version(session, campaign_row(session, code))


def load_responses(db: Database, code: str) -> ResponseTable:
    """The campaign's submitted responses as a `ResponseTable`, in the order they were stored.

    Respondents are named by their random public id; units by name (`NO_UNIT` when none was
    given); drafts are never included. Cached until the campaign changes.
    """
    with db.read() as session:
        campaign = campaign_row(session, code)
        version = _version(session, campaign)
        questionnaire = questionnaire_of(campaign)
        key = (db.key, campaign.code, version)
        return _tables.get(key, lambda: _load(session, campaign, questionnaire))


def _fetch(session: Session, statement: ClauseElement) -> list[tuple[Any, ...]]:
    """Every row of ``statement``, run on the driver's cursor (compiled with literal binds)."""
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _load(session: Session, campaign: Campaign, questionnaire: Questionnaire) -> ResponseTable:
    item_ids = table_columns(questionnaire)["items"]
    column = {item: j for j, item in enumerate(item_ids)}
    submitted = (Response.campaign_id == campaign.id, Response.status == "submitted")
    # Two queries: the submitted responses with their units (a row each, in id order), and their
    # answers (a row per answer, its scale value or special code already turned into the table's
    # code). They run on the driver's cursor: SQLAlchemy's per-row result processing would cost
    # more than the queries. The columns are taken from the rows by list comprehensions, which
    # (unlike ``zip(*rows)`` or a DataFrame of the rows) stay fast for millions of answers.
    responses = _fetch(
        session,
        select(
            Response.id,
            Response.public_id,
            Unit.name,
            Response.role,
            Response.language,
            Response.submitted_at,
            Response.duration_seconds,
        )
        .outerjoin(Unit, Unit.id == Response.unit_id)
        .where(*submitted)
        .order_by(Response.id),
    )
    answers = _fetch(
        session,
        select(
            Answer.response_id,
            Answer.item_id,
            case(
                (Answer.special == "DK", DONT_KNOW),
                (Answer.special == "NA", NOT_APPLICABLE),
                else_=func.coalesce(Answer.value, SKIPPED),
            ),
        )
        .join(Response, Response.id == Answer.response_id)
        .where(*submitted),
    )
    n = len(responses)
    ids = np.array([r[0] for r in responses], dtype=np.int64)
    codes = np.full((n, len(item_ids)), SKIPPED, dtype=np.int8)
    if answers and n:
        answer_ids = np.array([a[0] for a in answers], dtype=np.int64)
        positions = np.array([column.get(a[1], -1) for a in answers], dtype=np.int64)
        rows = np.minimum(np.searchsorted(ids, answer_ids), n - 1)
        # A statement of this questionnaire version, of a response of the first query (a response
        # submitted between the two queries is left to the next version of the table).
        known = (positions >= 0) & (ids[rows] == answer_ids)
        values = np.array([a[2] for a in answers], dtype=np.int64)
        codes[rows[known], positions[known]] = values[known].astype(np.int8)

    def texts(j: int) -> np.ndarray:
        return np.array([r[j] for r in responses], dtype=object)

    roles = texts(3)
    demographics = {
        d.id: (roles if d.id == "role" else np.full(n, None, dtype=object))
        for d in questionnaire.demographics
    }
    submitted_at = (
        pd.to_datetime(pd.Series([r[5] for r in responses], dtype=object), utc=True)
        .dt.tz_localize(None)
        .to_numpy(dtype="datetime64[us]")
    )
    durations = np.array([r[6] for r in responses], dtype=np.float64)  # None -> NaN
    return ResponseTable(
        questionnaire=questionnaire.key,
        item_ids=item_ids,
        respondent_id=texts(1),
        unit=np.array([NO_UNIT if r[2] is None else r[2] for r in responses], dtype=object),
        demographics=demographics,
        language=texts(4),
        submitted_at=submitted_at,
        duration_seconds=durations,
        codes=codes,
        columns=(*(d.id for d in questionnaire.demographics), *OPTIONAL_COLUMNS),
    )


def score_campaign(
    db: Database,
    code: str,
    *,
    by: str = "unit",
    confidence: float | None = None,
    method: Literal["t", "bca"] = "t",
) -> ScoredTable:
    """Score a campaign's submitted responses with its head-counts, targets and minimum group size.

    Runs `assessment.scoring_service.score_table` (and so `scoring.pipeline.score`); the metadata
    also names the campaign. Cached until the campaign changes.

    Parameters
    ----------
    by : ``unit`` or a demographic id (``role``); head-counts apply only to units
    confidence : override the questionnaire's confidence level
    method : ``t`` intervals or ``bca`` bootstrap intervals
    """
    with db.read() as session:
        campaign = campaign_row(session, code)
        version = _version(session, campaign)
        questionnaire = questionnaire_of(campaign)
        key = (db.key, campaign.code, version)
        table = _tables.get(key, lambda: _load(session, campaign, questionnaire))
        head_counts = _head_counts(campaign)
        targets = {t.dimension: t.target_level for t in campaign.targets}
        min_group_size = campaign.min_group_size
        sha256 = campaign.questionnaire_sha256
        about = {
            "campaign": campaign.code,
            "campaign_name": campaign.name,
            "organisation": campaign.organisation,
        }

    def compute() -> ScoredTable:
        if table.n_respondents == 0:
            raise NoResponsesError(
                f"campaign {code} has no submitted responses yet; nothing to score"
            )
        try:
            scored = score_table(
                table,
                questionnaire,
                by=by,
                confidence=confidence,
                method=method,
                head_counts=head_counts if by == "unit" and head_counts else None,
                targets=targets or None,
                min_group_size=min_group_size,
                sha256=sha256,
            )
        except ValueError as exc:
            raise DataError(f"campaign {code}: {exc}") from None
        return replace(scored, metadata={**scored.metadata, **about})

    return _scores.get((*key, by, confidence, method), compute)


def score_campaign_waves(db: Database, code: str, previous_code: str) -> WaveScores:
    """A campaign and an earlier one scored on the statements both questionnaire versions share.

    `assessment.waves.score_waves` with each campaign's head-counts; each wave keeps its own
    minimum group size, so both are coarsened and suppressed with the larger of the two campaigns'
    (a new wave created with a smaller minimum cannot show a unit the earlier one hid). Cached
    until either campaign changes. The dashboard's waves panel and the report's change section
    both come from here.

    Raises
    ------
    UnknownCampaignError
        When either code names no campaign.
    DataError
        When the two campaigns are the same, or their questionnaire versions share no statement.
    NoResponsesError
        When either campaign has no submitted responses.
    """
    with db.read() as session:
        current, previous = campaign_row(session, code), campaign_row(session, previous_code)
        if current.id == previous.id:
            raise DataError(
                f"campaign {code} cannot be compared with itself; name an earlier campaign"
            )
        key = (
            db.key,
            current.code,
            _version(session, current),
            previous.code,
            _version(session, previous),
        )
        questionnaires = (questionnaire_of(current), questionnaire_of(previous))
        head_counts = (_head_counts(current), _head_counts(previous))
        # Each wave keeps its own minimum; `score_waves` compares them with the larger one, on
        # each wave's coarsened units (DESIGN §7).
        min_group_sizes = (current.min_group_size, previous.min_group_size)

    def compute() -> WaveScores:
        tables = (load_responses(db, code), load_responses(db, previous_code))
        if tables[0].n_respondents == 0 or tables[1].n_respondents == 0:
            raise NoResponsesError("both waves need submitted responses to be compared")
        try:
            return score_waves(
                tables[0],
                tables[1],
                current_questionnaire=questionnaires[0],
                previous_questionnaire=questionnaires[1],
                min_group_size=min_group_sizes[0],
                previous_min_group_size=min_group_sizes[1],
                current_head_counts=head_counts[0],
                previous_head_counts=head_counts[1],
            )
        except ValueError as exc:
            raise DataError(
                f"campaigns {code} and {previous_code} cannot be compared: {exc}"
            ) from None

    return _waves.get(key, compute)
