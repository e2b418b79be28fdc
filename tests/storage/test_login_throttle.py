"""Login throttling on SQLite and PostgreSQL: the tenth wrong password waits (even the right one is
refused during the lock), locks hold across two connections ("replicas"), per account and per
client, whitespace is refused, and only keyed hashes are stored. A fake clock: nothing sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from assessment.access.auth import hash_password
from assessment.access.login_throttle import FREE_FAILURES, MAX_LOCK, attempt_login, lock_seconds
from assessment.storage import Database, connect
from assessment.storage.models import LoginThrottle

PASSWORD = "the-right-password"
HASH = hash_password(PASSWORD)


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (1, 0), (FREE_FAILURES - 1, 0), (FREE_FAILURES, 1), (6, 2), (9, 16), (10, 32),
     (15, int(MAX_LOCK.total_seconds())), (200, int(MAX_LOCK.total_seconds()))],
)  # fmt: skip
def test_lock_grows_then_stops_at_the_maximum(failures: int, seconds: int) -> None:
    assert lock_seconds(failures) == seconds


def _fail_until_locked(db: Database, clock: Clock, client: str, times: int) -> list[str]:
    """``times`` wrong passwords, each once the previous lock has passed; their messages."""
    messages = []
    for _ in range(times):
        attempt = attempt_login(db, "wrong-guess", HASH, client=client, now=clock)
        assert not attempt.accepted
        messages.append(attempt.message)
        clock.advance(attempt.retry_after)
    return messages


def test_the_tenth_password_waits_even_when_it_is_right(db: Database) -> None:
    clock = Clock()
    messages = _fail_until_locked(db, clock, "ip:203.0.113.7", 9)
    assert all(m.startswith("That is not the facilitator password.") for m in messages)
    assert "try again" not in messages[0]
    assert messages[-1].endswith("Too many failed logins: try again in 16 s.")
    clock.now -= timedelta(seconds=16)  # back to the moment of the ninth failure

    tenth = attempt_login(db, PASSWORD, HASH, client="ip:203.0.113.7", now=clock)
    assert not tenth.accepted
    assert tenth.message.startswith("Too many failed logins: try again in 16 s")
    clock.advance(15)
    assert "try again in 1 s" in attempt_login(db, PASSWORD, HASH, client="x", now=clock).message

    clock.advance(1)
    assert attempt_login(db, PASSWORD, HASH, client="ip:203.0.113.7", now=clock).accepted
    # A success forgets the failures: the next typo costs nothing.
    again = attempt_login(db, "typo", HASH, client="ip:203.0.113.7", now=clock)
    assert again.retry_after == 0 and "try again" not in again.message


def test_the_lock_holds_across_replicas(db: Database) -> None:
    clock = Clock()
    replica = connect(db.url)
    try:
        _fail_until_locked(db, clock, "ip:198.51.100.1", 8)
        clock.now -= timedelta(seconds=8)
        # The other process sees the account locked, for this client and for any other.
        for client in ("ip:198.51.100.1", "ip:192.0.2.99"):
            seen = attempt_login(replica, PASSWORD, HASH, client=client, now=clock)
            assert not seen.accepted and "try again in 8 s" in seen.message
        # Failures recorded by both processes add up.
        clock.advance(8)
        attempt = attempt_login(replica, "wrong", HASH, client="ip:198.51.100.1", now=clock)
        assert attempt.retry_after == lock_seconds(9) == 16
        clock.advance(16)
        assert attempt_login(replica, PASSWORD, HASH, client="ip:192.0.2.99", now=clock).accepted
    finally:
        replica.dispose()


def test_a_client_stays_locked_after_another_client_logs_in(db: Database) -> None:
    clock = Clock()
    _fail_until_locked(db, clock, "ip:198.51.100.1", FREE_FAILURES + 2)
    clock.now -= timedelta(seconds=lock_seconds(FREE_FAILURES + 2))
    clock.advance(lock_seconds(FREE_FAILURES + 2))
    # The facilitator, from elsewhere, logs in: that clears the account and that client only.
    assert attempt_login(db, PASSWORD, HASH, client="ip:192.0.2.10", now=clock).accepted
    guess = attempt_login(db, "wrong", HASH, client="ip:198.51.100.1", now=clock)
    assert guess.retry_after == lock_seconds(FREE_FAILURES + 3)  # the client's count goes on
    assert attempt_login(db, PASSWORD, HASH, client="ip:192.0.2.10", now=clock).accepted


@pytest.mark.parametrize("entered", ["", "   ", "\t\n"])
def test_whitespace_is_refused_without_counting(db: Database, entered: str) -> None:
    clock = Clock()
    for _ in range(FREE_FAILURES + 3):
        attempt = attempt_login(db, entered, HASH, client="ip:203.0.113.7", now=clock)
        assert not attempt.accepted and "spaces alone" in attempt.message
    assert attempt_login(db, PASSWORD, HASH, client="ip:203.0.113.7", now=clock).accepted


def test_only_keyed_hashes_are_stored(db: Database) -> None:
    clock = Clock()
    _fail_until_locked(db, clock, "ip:203.0.113.7", 2)
    with db.read() as session:
        rows = session.scalars(select(LoginThrottle)).all()
    assert sorted(r.kind for r in rows) == ["account", "client"]
    for row in rows:
        assert len(row.subject) == 64 and "203.0.113.7" not in row.subject
        assert row.failures == 2
