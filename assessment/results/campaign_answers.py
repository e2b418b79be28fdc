"""A campaign's released answers as a `ResponseTable` (two queries), cached by the campaign's last
release, and scored with its head-counts, targets and minimum group size (also as two waves).

Results advance in releases (DESIGN §7 "Time"): whenever results are asked for, a new release is cut
when the rule of `assessment.results.releases.next_release` allows (`advance_release`), and only
released responses are read. The cache key is a cheap version of the campaign: the number of its
released responses, its newest release, and the time its units, targets or settings last changed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from assessment.analysis.scoring import NOT_GIVEN, ScoredTable, score_table
from assessment.analysis.waves import WaveScores, score_waves
from assessment.campaigns.management import campaign_row, questionnaire_of
from assessment.campaigns.store import Store
from assessment.errors import DataError, NoResponsesError
from assessment.questionnaire import Questionnaire
from assessment.responses.wide_csv import OPTIONAL_COLUMNS, ResponseTable, table_columns
from assessment.results.releases import TOTAL, Breakdown, WaitingGroup, next_release
from assessment.storage.models import Answer, Campaign, Response, Unit, utcnow
from scoring.partitions import OTHER_LANGUAGES, OTHER_ROLES, OTHER_UNITS
from scoring.recoding import DONT_KNOW, NOT_APPLICABLE, SKIPPED

#: The unit label of responses given without a unit (a campaign without a unit list).
NO_UNIT = "(no unit)"

_CACHE_SIZE = 16


_T = TypeVar("_T")


@dataclass(frozen=True)
class CampaignVersion:
    """What changes whenever the campaign's results or participation counts could change.

    Attributes
    ----------
    responses : released responses (what every result is built on)
    release : the newest release's number (None: nothing released yet)
    settings_changed : when units, head-counts, targets or settings last changed
    submitted : every submitted response, released or not (participation counts update live)
    """

    responses: int
    release: int | None
    settings_changed: datetime
    submitted: int = 0

    @property
    def results(self) -> tuple[int, int | None, datetime]:
        """The part that changes only with a new release or a change of settings (results' key)."""
        return (self.responses, self.release, self.settings_changed)

    @property
    def pending(self) -> int:
        """Submitted responses not released yet."""
        return self.submitted - self.responses


@dataclass(frozen=True)
class ReleaseSummary:
    """Where a campaign's releases stand, for pages and the CLI.

    Attributes
    ----------
    release : the newest release's number (None: nothing released yet)
    released : responses the results are built on
    pending : submitted responses held back (not released)
    closed : whether the campaign takes no more answers (then held-back answers stay unpublished)
    min_group_size : the campaign's k
    waiting : the groups with held-back answers (`WaitingGroup`: "updates after N more answers")
    submitted_by_unit : every submitted response per unit name (`NO_UNIT` for none), released or not
    """

    release: int | None
    released: int
    pending: int
    closed: bool
    min_group_size: int
    waiting: tuple[WaitingGroup, ...] = ()
    submitted_by_unit: dict[str, int] = field(default_factory=dict)

    def waiting_text(self, breakdown: str, group: str) -> str:
        """E.g. "updates after 4 more answers" for a group with held-back answers, else ""."""
        for w in self.waiting:
            if (w.breakdown, w.group) == (breakdown, group):
                return w.text
        return ""

    @property
    def text(self) -> str:
        """One sentence on the held-back answers ("" when none are)."""
        if not self.pending:
            return ""
        answers = f"{self.pending} answer{'s' if self.pending != 1 else ''}"
        k = self.min_group_size
        if self.closed:
            return (
                f"{answers} {'are' if self.pending != 1 else 'is'} held back: publishing them "
                f"would single out fewer than {k} people."
            )
        total = next((w for w in self.waiting if w.breakdown == TOTAL), None)
        after = ""
        if total is not None and total.more_needed is not None:
            more = total.more_needed
            after = f"; the results update after {more} more answer{'s' if more != 1 else ''}"
        return (
            f"{answers} wait{'' if self.pending != 1 else 's'} for the next release, which needs "
            f"at least {k} new answers in every group that changes{after}."
        )


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
    """Forget every cached table, score and release decision (tests; a facilitator's "refresh")."""
    _tables.clear()
    _scores.clear()
    _waves.clear()
    _decisions.clear()


def _head_counts(campaign: Campaign) -> dict[str, int]:
    return {u.name: u.head_count for u in campaign.units if u.head_count is not None}


def _version(session: Session, campaign: Campaign) -> CampaignVersion:
    count, released, newest = session.execute(
        select(
            func.count(),
            func.count(Response.release),
            func.max(Response.release),
        ).where(Response.campaign_id == campaign.id, Response.status == "submitted")
    ).one()
    return CampaignVersion(int(released), newest, campaign.updated_at, int(count))


def campaign_version(db: Store, code: str) -> CampaignVersion:
    """The campaign's current version, after cutting a release when one is due (`advance_release`)."""
    advance_release(db, code)
    with db.read() as session:
        return _version(session, campaign_row(session, code))


# -- releases -------------------------------------------------------------------------------------

# Ids per UPDATE of a cut (well under every backend's limit of bound parameters).
_CUT_CHUNK = 1000

_decisions = LRUCache(_CACHE_SIZE)


@dataclass(frozen=True)
class _Submitted:
    """Every submitted response of a campaign with its labels and release (id order)."""

    ids: np.ndarray
    release: np.ndarray  # release number, 0 = not released
    units: np.ndarray
    roles: np.ndarray
    languages: np.ndarray


def _submitted(session: Session, campaign: Campaign) -> _Submitted:
    rows = _fetch(
        session,
        select(Response.id, Unit.name, Response.role, Response.language, Response.release)
        .outerjoin(Unit, Unit.id == Response.unit_id)
        .where(Response.campaign_id == campaign.id, Response.status == "submitted")
        .order_by(Response.id),
    )

    def labels(j: int, missing: str) -> np.ndarray:
        return np.array([missing if r[j] is None else str(r[j]) for r in rows], dtype=object)

    return _Submitted(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        release=np.array([r[4] or 0 for r in rows], dtype=np.int64),
        units=labels(1, NO_UNIT),
        roles=labels(2, NOT_GIVEN),
        languages=labels(3, NOT_GIVEN),
    )


def _cut(submitted: _Submitted, min_group_size: int) -> tuple[np.ndarray, tuple[WaitingGroup, ...]]:
    """The ids the next release publishes, and the groups left waiting."""
    decision = next_release(
        [
            Breakdown("unit", submitted.units, OTHER_UNITS),
            Breakdown("role", submitted.roles, OTHER_ROLES),
            Breakdown("language", submitted.languages, OTHER_LANGUAGES),
        ],
        submitted.release > 0,
        min_group_size=min_group_size,
    )
    return submitted.ids[decision.release], decision.waiting


def _closed(campaign: Campaign) -> bool:
    return campaign.status == "closed" or (
        campaign.closes_at is not None and utcnow() >= campaign.closes_at
    )


def _summary(
    campaign: Campaign,
    version: CampaignVersion,
    waiting: tuple[WaitingGroup, ...],
    submitted: _Submitted | None,
) -> ReleaseSummary:
    by_unit: dict[str, int] = {}
    if submitted is not None:
        names, counts = np.unique(submitted.units.astype(str), return_counts=True)
        by_unit = {str(u): int(c) for u, c in zip(names, counts, strict=True)}
    return ReleaseSummary(
        release=version.release,
        released=version.responses,
        pending=version.pending,
        closed=_closed(campaign),
        min_group_size=campaign.min_group_size,
        waiting=waiting,
        submitted_by_unit=by_unit,
    )


def advance_release(db: Store, code: str) -> ReleaseSummary:
    """Cut the campaign's next release when one is due; return where its releases stand.

    Called whenever results are asked for (dashboard, live mode, exports, report), for open and
    closed campaigns alike (a closed campaign's last cut is its final release). The decision is
    `assessment.results.releases.next_release` over units, roles and languages; it is cached per
    campaign version, so a request with nothing new costs one small query.

    The cut is one write transaction that locks the campaign row (PostgreSQL; SQLite serialises
    writers) and decides again on what is stored then: two processes cutting at once publish one
    release, and the second finds nothing left to cut. Each response's release is set only while
    it is NULL, so a release never changes.
    """
    summary, due = _release_state(db, code)
    if due:
        _record_release(db, code)
        # What is left after the cut (a further cut, if one is due, waits for the next request).
        summary, _ = _release_state(db, code)
    return summary


def _release_state(db: Store, code: str) -> tuple[ReleaseSummary, bool]:
    """The campaign's release summary, and whether a cut is due (decided on a read)."""
    with db.read() as session:
        campaign = campaign_row(session, code)
        version = _version(session, campaign)
        if not version.pending:
            return _summary(campaign, version, (), None), False
        key = (db.key, campaign.code, version, campaign.min_group_size)

        def decide() -> tuple[np.ndarray, tuple[WaitingGroup, ...], _Submitted]:
            submitted = _submitted(session, campaign)
            return (*_cut(submitted, campaign.min_group_size), submitted)

        ids, waiting, submitted = _decisions.get(key, decide)
        return _summary(campaign, version, waiting, submitted), bool(ids.size)


def _record_release(db: Store, code: str) -> None:
    """Decide again under the campaign's lock and record the cut as the next release."""
    with db.write() as session:
        campaign = campaign_row(session, code, lock=True)
        ids, _ = _cut(_submitted(session, campaign), campaign.min_group_size)
        if not ids.size:
            return
        newest = session.scalar(
            select(func.max(Response.release)).where(Response.campaign_id == campaign.id)
        )
        number = int(newest or 0) + 1
        for start in range(0, ids.size, _CUT_CHUNK):
            chunk = [int(i) for i in ids[start : start + _CUT_CHUNK]]
            session.execute(
                update(Response)
                .where(
                    Response.campaign_id == campaign.id,
                    Response.status == "submitted",
                    Response.release.is_(None),
                    Response.id.in_(chunk),
                )
                .values(release=number)
                .execution_options(synchronize_session=False)
            )


def release_summary(db: Store, code: str) -> ReleaseSummary:
    """Where the campaign's releases stand (after cutting one when due): released, held back, and
    the groups that update after N more answers."""
    return advance_release(db, code)


def load_responses(db: Store, code: str, *, include_pending: bool = False) -> ResponseTable:
    """The campaign's released responses as a `ResponseTable`, in the order they were stored.

    Respondents are named by their random public id; units by name (`NO_UNIT` when none was
    given); drafts are never included, nor (unless ``include_pending``, for the raw export)
    submitted responses not released yet. A release is cut first when one is due
    (`advance_release`). Cached until the next release.
    """
    advance_release(db, code)
    with db.read() as session:
        campaign = campaign_row(session, code)
        version = _version(session, campaign)
        questionnaire = questionnaire_of(campaign)
        key = (db.key, campaign.code, version if include_pending else version.results)
        return _tables.get(
            (*key, include_pending),
            lambda: _load(session, campaign, questionnaire, include_pending=include_pending),
        )


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


def _load(
    session: Session,
    campaign: Campaign,
    questionnaire: Questionnaire,
    *,
    include_pending: bool = False,
) -> ResponseTable:
    item_ids = table_columns(questionnaire)["items"]
    column = {item: j for j, item in enumerate(item_ids)}
    submitted: tuple[Any, ...] = (
        Response.campaign_id == campaign.id,
        Response.status == "submitted",
    )
    if not include_pending:
        submitted = (*submitted, Response.release.is_not(None))
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
    db: Store,
    code: str,
    *,
    by: str = "unit",
    confidence: float | None = None,
    method: Literal["t", "bca"] = "t",
) -> ScoredTable:
    """Score a campaign's submitted responses with its head-counts, targets and minimum group size.

    Runs `assessment.analysis.scoring.score_table` (and so `scoring.pipeline.score`); the metadata
    also names the campaign. Cached until the campaign changes.

    Parameters
    ----------
    by : ``unit`` or a demographic id (``role``); head-counts apply only to units
    confidence : override the questionnaire's confidence level
    method : ``t`` intervals or ``bca`` bootstrap intervals
    """
    advance_release(db, code)
    with db.read() as session:
        campaign = campaign_row(session, code)
        version = _version(session, campaign)
        questionnaire = questionnaire_of(campaign)
        key = (db.key, campaign.code, version.results)
        table = _tables.get((*key, False), lambda: _load(session, campaign, questionnaire))
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


def score_campaign_waves(db: Store, code: str, previous_code: str) -> WaveScores:
    """A campaign and an earlier one scored on the statements both questionnaire versions share.

    `assessment.analysis.waves.score_waves` with each campaign's head-counts; each wave keeps its own
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
    advance_release(db, code)
    advance_release(db, previous_code)
    with db.read() as session:
        current, previous = campaign_row(session, code), campaign_row(session, previous_code)
        if current.id == previous.id:
            raise DataError(
                f"campaign {code} cannot be compared with itself; name an earlier campaign"
            )
        key = (
            db.key,
            current.code,
            _version(session, current).results,
            previous.code,
            _version(session, previous).results,
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
