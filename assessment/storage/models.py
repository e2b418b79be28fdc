"""The database schema as typed SQLAlchemy 2 models: campaigns, units, targets, invitations,
responses, answers, action items, imported benchmark rows and failed facilitator logins.

The Alembic revisions in ``migrations/versions`` create exactly this schema (a test compares them).
Nothing here identifies a respondent: no name, e-mail, IP address or user agent is stored; invitation
and resume tokens are stored as sha256 hashes, imported respondent ids as keyed hashes. Nothing links a
person to answers either: an invitation records only the day it was used (no response reference), a
submitted response keeps no token, and every time about a respondent is stored to the day
(`UTCDay`, midnight UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so later migrations (batch mode on SQLite) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CAMPAIGN_STATUSES = ("open", "closed")
CAMPAIGN_MODES = ("open", "invitation")
RESPONSE_STATUSES = ("draft", "submitted")
RESPONSE_SOURCES = ("survey", "import")
SPECIAL_ANSWERS = ("DK", "NA")
ACTION_STATUSES = ("open", "in-progress", "done", "dropped")
LOGIN_SUBJECTS = ("account", "client")
VOTE_STATUSES = ("open", "closed")


def utcnow() -> datetime:
    return datetime.now(UTC)


def day_of(stamp: datetime) -> datetime:
    """The start (00:00 UTC) of the UTC day of ``stamp``; a naive ``stamp`` is taken as UTC."""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def utctoday() -> datetime:
    """The start (00:00 UTC) of today: the finest time stored about a respondent."""
    return day_of(utcnow())


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite keeps no zone, so it is added back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # Aggregate results on SQLite (MAX of a column) may skip the DateTime processor.
        stamp: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


class UTCDay(UTCDateTime):
    """A `UTCDateTime` stored to the day: every value written is truncated to 00:00 UTC.

    Used for every time about a respondent (response started/updated/submitted, invitation used),
    so that no stored time can single out who answered when, whichever code writes it. The
    truncation applies to every bound value, comparisons included: compare these columns with days.
    """

    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return super().process_bind_param(None if value is None else day_of(value), dialect)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), date: Date()}


class Campaign(Base):
    """One survey round of one organisation on one questionnaire version."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(_one_of("status", CAMPAIGN_STATUSES), name="status"),
        CheckConstraint(_one_of("mode", CAMPAIGN_MODES), name="mode"),
        CheckConstraint("min_group_size >= 1", name="min_group_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(100))
    size_band: Mapped[str | None] = mapped_column(String(40))
    questionnaire_id: Mapped[str] = mapped_column(String(100))
    questionnaire_version: Mapped[str] = mapped_column(String(40))
    questionnaire_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="open")
    mode: Mapped[str] = mapped_column(String(12), default="open")
    min_group_size: Mapped[int] = mapped_column(Integer)
    # The role question must be answered (its "other" option offered), so that a skipped role
    # cannot pool a group away; see docs/formats.md "Privacy model".
    require_role: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    languages: Mapped[list[str]] = mapped_column(JSON)
    # Random per-campaign key for hashing imported respondent ids (never shown).
    import_salt: Mapped[str] = mapped_column(String(64))
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped whenever units, head-counts, targets or settings change (part of the score cache key).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    units: Mapped[list[Unit]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", passive_deletes=True
    )
    targets: Mapped[list[Target]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def questionnaire_key(self) -> str:
        return f"{self.questionnaire_id}@{self.questionnaire_version}"


class Unit(Base):
    """A team or department of a campaign, optionally inside a parent unit, with its head-count."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("campaign_id", "name"),
        CheckConstraint("head_count IS NULL OR head_count >= 0", name="head_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    head_count: Mapped[int | None] = mapped_column(Integer)

    campaign: Mapped[Campaign] = relationship(back_populates="units")
    parent: Mapped[Unit | None] = relationship(remote_side=[id])


class Target(Base):
    """The maturity level a campaign aims for on one dimension."""

    __tablename__ = "campaign_targets"
    __table_args__ = (
        UniqueConstraint("campaign_id", "dimension"),
        CheckConstraint("target_level >= 1", name="target_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(60))
    target_level: Mapped[int] = mapped_column(Integer)

    campaign: Mapped[Campaign] = relationship(back_populates="targets")


class Invitation(Base):
    """A single-use invitation link; only the sha256 of its token is stored.

    Using it records only that it was used, and on which day: nothing points to the response it
    started, so the links file the facilitator keeps cannot be joined to answers.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDay())  # the day only


class Response(Base):
    """One respondent's answers to one campaign: a draft until submitted, then immutable.

    ``id`` is internal; ``public_id`` is the random id shown outside the database (exports, receipts).
    Its times are days (`UTCDay`). ``resume_token_hash`` finds a draft again; it is cleared on submit
    (the token's hash moves to `SubmittedToken`, which names no response).
    """

    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("campaign_id", "import_key"),
        CheckConstraint(_one_of("status", RESPONSE_STATUSES), name="status"),
        CheckConstraint(_one_of("source", RESPONSE_SOURCES), name="source"),
        CheckConstraint(
            "duration_seconds IS NULL OR duration_seconds >= 0", name="duration_seconds"
        ),
        # Survey responses get their submission time; an imported row may not know it.
        CheckConstraint("status = 'submitted' OR submitted_at IS NULL", name="submitted_at"),
        Index("ix_responses_campaign_id_status", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[str | None] = mapped_column(String(60))
    language: Mapped[str | None] = mapped_column(String(12))
    questionnaire_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    source: Mapped[str] = mapped_column(String(10), default="survey")
    started_at: Mapped[datetime | None] = mapped_column(UTCDay())  # unknown for imported rows
    updated_at: Mapped[datetime] = mapped_column(UTCDay(), default=utctoday)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDay())
    # Time spent answering: given by the survey, or the sum of the intervals it reported while saving.
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    resume_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Keyed hash of the respondent id of an imported row (re-imports find it; it identifies nobody).
    import_key: Mapped[str | None] = mapped_column(String(64))
    # The release a submitted response was first published in (1, 2, ...); NULL: not yet released
    # (`assessment.releases`). Results read released responses only.
    release: Mapped[int | None] = mapped_column(Integer)


class SubmittedToken(Base):
    """The hash of a resume token whose response was submitted, so that its link can still say
    "already received" (and a repeated submit changes nothing) without pointing to the response.

    No response reference and no surrogate id (whose order would follow the submissions); the day
    of submission only.
    """

    __tablename__ = "submitted_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDay())


class Answer(Base):
    """One answer: a scale value, or the code ``DK`` (don't know) / ``NA`` (not applicable).

    A skipped statement has no row.
    """

    __tablename__ = "answers"
    __table_args__ = (
        CheckConstraint(
            "(value IS NOT NULL AND special IS NULL) OR "
            f"(value IS NULL AND {_one_of('special', SPECIAL_ANSWERS)})",
            name="value_or_special",
        ),
    )

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int | None] = mapped_column(SmallInteger)
    special: Mapped[str | None] = mapped_column(String(2))


class ActionItem(Base):
    """An agreed action on one dimension: who does what by when, and how far it is."""

    __tablename__ = "action_items"
    __table_args__ = (CheckConstraint(_one_of("status", ACTION_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    dimension: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str | None] = mapped_column(String(200))
    due_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Vote(Base):
    """A workshop vote on which statements to discuss: its choices and how many took part.

    Anonymous by construction: votes are counted per statement (`VoteTally`), a ballot leaves only
    the hash of a random per-device token (`VoteBallot`, no time, no choices), so no stored row
    links a voter to a choice.
    """

    __tablename__ = "votes"
    __table_args__ = (
        CheckConstraint(_one_of("status", VOTE_STATUSES), name="status"),
        CheckConstraint("max_choices >= 1", name="max_choices"),
        CheckConstraint("voters >= 0", name="voters"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(16), unique=True)
    items: Mapped[list[str]] = mapped_column(JSON)
    max_choices: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="open")
    voters: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class VoteTally(Base):
    """How many voters chose one statement in one vote."""

    __tablename__ = "vote_tallies"
    __table_args__ = (CheckConstraint("votes >= 0", name="votes"),)

    vote_id: Mapped[int] = mapped_column(
        ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True
    )
    item: Mapped[str] = mapped_column(String(60), primary_key=True)
    votes: Mapped[int] = mapped_column(Integer, default=0)


class VoteBallot(Base):
    """That a device has voted (sha256 of its random token): refuses a second ballot, nothing else."""

    __tablename__ = "vote_ballots"

    vote_id: Mapped[int] = mapped_column(
        ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class BenchmarkRow(Base):
    """One organisation × dimension row of an imported benchmark file (format ``wmm-benchmark/1``)."""

    __tablename__ = "benchmark_rows"
    __table_args__ = (
        UniqueConstraint("questionnaire", "org", "period", "dimension_type", "dimension"),
        CheckConstraint("n_respondents >= 0", name="n_respondents"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(String(30))
    questionnaire: Mapped[str] = mapped_column(String(150))
    questionnaire_sha256: Mapped[str] = mapped_column(String(64))
    org: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(100))
    size_band: Mapped[str | None] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(7))
    dimension_type: Mapped[str] = mapped_column(String(20))
    dimension: Mapped[str] = mapped_column(String(60))
    n_respondents: Mapped[int] = mapped_column(Integer)
    n_units: Mapped[int | None] = mapped_column(Integer)
    mean: Mapped[float | None] = mapped_column(Float)
    sd: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    p25: Mapped[float | None] = mapped_column(Float)
    median: Mapped[float | None] = mapped_column(Float)
    p75: Mapped[float | None] = mapped_column(Float)
    level: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(300))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginThrottle(Base):
    """Failed facilitator logins of one account or one client since its last success, and until
    when it is locked (`assessment.access.login_throttle`); shared by every app process.

    ``subject`` is a keyed hash (HMAC-SHA256 with a random key kept in ``app_settings``) of the
    account or client key, never the client's address itself.
    """

    __tablename__ = "login_throttle"
    __table_args__ = (
        CheckConstraint(_one_of("kind", LOGIN_SUBJECTS), name="kind"),
        CheckConstraint("failures >= 0", name="failures"),
    )

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
