"""Attack 3 of issue 12 fails: the invitation links the facilitator keeps, together with the whole
database, do not tell which response a link produced, nor when anyone answered finer than the day.

The decisive test runs one invitation campaign twice, identical except that two respondents swap the
links they use, and finds the two databases equal cell for cell (on SQLite and PostgreSQL).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import inspect, select, text
from storage.databases import QUESTIONNAIRE, UNITS

from assessment.campaigns.management import (
    create_campaign,
    create_invitations,
    hash_token,
    invitation_links_csv,
)
from assessment.storage import Database
from assessment.storage.models import Base, Invitation, Response, SubmittedToken
from assessment.survey.responding import save_answers, start_response, submit_response

# Times about the facilitator's own actions, not about respondents (and taken from the real clock).
ADMIN_TIMES = {
    ("campaigns", "created_at"),
    ("campaigns", "updated_at"),
    ("invitations", "created_at"),
}


@dataclass(frozen=True)
class Person:
    unit: str
    answers: dict[str, int | str]
    started: datetime  # when they opened their link (known to a facilitator who watched)
    submitted: datetime | None  # None: leaves a draft
    link: int  # which invitation link (row of the links file) they use


ALICE = Person(
    "Sales",
    {"CLA01": 5, "CLA02": 4, "COO01": "DK"},
    datetime(2025, 3, 4, 9, 0, 1, 500000, tzinfo=UTC),
    datetime(2025, 3, 4, 9, 11, 42, 7, tzinfo=UTC),
    0,
)
BOB = Person(
    "Support",
    {"CLA01": 1, "CLA02": 2, "OUT01": 3},
    datetime(2025, 3, 4, 16, 45, 30, 250000, tzinfo=UTC),
    datetime(2025, 3, 4, 17, 2, 9, 999999, tzinfo=UTC),
    1,
)
CAROL = Person(
    "Sales",
    {"CLA01": 3},
    datetime(2025, 3, 4, 12, 0, 0, 1, tzinfo=UTC),
    None,
    2,
)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    """The time the responding service sees (``clock[0]``), to the microsecond."""
    now = [datetime(2025, 3, 4, 8, 0, tzinfo=UTC)]
    monkeypatch.setattr("assessment.survey.responding.utcnow", lambda: now[0])
    yield now


def _seed_randomness(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Deterministic codes, tokens and ids, so that two runs can be compared cell for cell."""
    rng = random.Random(seed)
    monkeypatch.setattr("secrets.choice", rng.choice)
    monkeypatch.setattr("secrets.token_hex", lambda n=32: rng.randbytes(n).hex())
    monkeypatch.setattr("secrets.token_urlsafe", lambda n=32: rng.randbytes(n).hex())


def _empty(db: Database) -> None:
    """Delete every row and restart the ids, as in a fresh database."""
    names = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in names)
            connection.exec_driver_sql(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        else:  # rowid tables: ids start again at 1 once empty
            for name in names:
                connection.exec_driver_sql(f'DELETE FROM "{name}"')


def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order, without the facilitator's own times."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    with db.read() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) not in ADMIN_TIMES]
            rows = session.execute(select(*columns).order_by(*table.primary_key.columns))
            dump[table.name] = [tuple(row) for row in rows]
    return dump


def _run(db: Database, clock: list[datetime], people: tuple[Person, ...]) -> list[str]:
    """The campaign as the facilitator runs it; returns the links file's tokens."""
    info = create_campaign(
        db, name="Invited", questionnaire=QUESTIONNAIRE, mode="invitation", units=UNITS
    )
    links = invitation_links_csv(info.code, create_invitations(db, info.code, 4))
    tokens = [
        parse_qs(urlsplit(row["survey_url"]).query)["t"][0]
        for row in csv.DictReader(io.StringIO(links.decode("utf-8")))
    ]
    for person in people:
        clock[0] = person.started
        started = start_response(
            db,
            info.code,
            questionnaire=QUESTIONNAIRE,
            invitation=tokens[person.link],
            unit=person.unit,
        )
        save_answers(
            db,
            started.resume_token,
            person.answers,
            questionnaire=QUESTIONNAIRE,
            elapsed_seconds=60,
        )
        if person.submitted is not None:
            clock[0] = person.submitted
            submit_response(
                db, started.resume_token, questionnaire=QUESTIONNAIRE, elapsed_seconds=5
            )
            again = submit_response(db, started.resume_token, questionnaire=QUESTIONNAIRE)
            assert again.already_received and again.response_id is None
    return tokens


def test_swapping_the_links_two_respondents_used_leaves_the_database_identical(
    db: Database, clock: list[datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    _empty(db)  # both runs count ids from 1
    _seed_randomness(monkeypatch, 3)
    _run(db, clock, (ALICE, BOB, CAROL))
    as_sent = _dump(db)
    _empty(db)
    _seed_randomness(monkeypatch, 3)
    swapped = (
        Person(ALICE.unit, ALICE.answers, ALICE.started, ALICE.submitted, BOB.link),
        Person(BOB.unit, BOB.answers, BOB.started, BOB.submitted, ALICE.link),
        CAROL,
    )
    _run(db, clock, swapped)
    # Nothing stored tells whether Alice used link 1 and Bob link 2, or the other way round.
    assert _dump(db) == as_sent
    assert len(as_sent["responses"]) == 3 and len(as_sent["answers"]) == 7


def test_nothing_connects_a_link_to_its_answers_and_times_are_days(
    db: Database, clock: list[datetime]
) -> None:
    tokens = _run(db, clock, (ALICE, BOB, CAROL))
    day = datetime(2025, 3, 4, tzinfo=UTC)
    assert {c["name"] for c in inspect(db.engine).get_columns("invitations")} == {
        "id",
        "campaign_id",
        "token_hash",
        "created_at",
        "used_at",
    }
    with db.read() as session:
        used = session.scalars(select(Invitation.used_at).order_by(Invitation.id)).all()
        responses = session.execute(
            select(
                Response.status,
                Response.started_at,
                Response.updated_at,
                Response.submitted_at,
                Response.resume_token_hash,
                Response.duration_seconds,
            ).order_by(Response.id)
        ).all()
        markers = set(session.scalars(select(SubmittedToken.token_hash)))
        cells = [
            str(value)
            for table in Base.metadata.sorted_tables
            if table.name != "invitations"
            for row in session.execute(text(f'SELECT * FROM "{table.name}"'))
            for value in row
        ]
    # Used links record the day only; the unused one nothing.
    assert used == [day, day, day, None]
    for status, started, updated, submitted, token_hash, duration in responses:
        assert (started, updated) == (day, day)
        assert submitted == (day if status == "submitted" else None)
        # A submitted response keeps no token; the draft (Carol) only its resume token's hash.
        assert (token_hash is None) == (status == "submitted")
        assert duration == (65 if status == "submitted" else 60)
    assert [r.status for r in responses] == ["submitted", "submitted", "draft"]
    # No link of the file, nor its hash, appears outside the invitations table.
    for token in tokens:
        assert not any(token in cell or hash_token(token) in cell for cell in cells)
    assert len(markers) == 2 and not markers & {hash_token(t) for t in tokens}
