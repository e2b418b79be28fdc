"""Facilitator login throttling that holds across app processes: failed attempts per account and per
client are counted in the database, and a growing lock is computed from them (never slept).

An attempt is counted *before* the password is checked, in one locked write transaction, so parallel
attempts from several sessions or replicas each see the lock the previous one set. A success forgets
the failures of its account and client. Only keyed hashes of the account and client keys are stored.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assessment.access.auth import verify_password
from assessment.campaigns.store import Store
from assessment.storage.models import LoginThrottle, utcnow
from assessment.storage.settings import claim_setting

#: Failures in a row allowed without any wait (typos happen); the next ones lock.
FREE_FAILURES = 5
#: The longest lock: the wait stops growing here.
MAX_LOCK = timedelta(minutes=15)
#: Failures older than this are forgotten at the next attempt.
FORGET_AFTER = timedelta(hours=24)
#: The facilitator password belongs to one account; its key (hashed like a client's).
FACILITATOR_ACCOUNT = "facilitator"
#: ``app_settings`` key of the random key the subjects are hashed with (shared by every process).
HASH_KEY_SETTING = "login_throttle_key"
#: The clock of `attempt_login` when none is given (a page test replaces it).
clock: Callable[[], datetime] = utcnow


def lock_seconds(failures: int) -> int:
    """Seconds an account or client is locked after its ``failures``-th failure in a row.

    Notes
    -----
    0 after fewer than `FREE_FAILURES` failures, then 2^(f − FREE_FAILURES) seconds (1, 2, 4, …:
    the ninth failure locks for 16 s, so the tenth attempt waits), at most `MAX_LOCK` (15 min from
    the fifteenth on). At eight attempts a second, 200 guesses take about two days instead of 25
    seconds.
    """
    if failures < FREE_FAILURES:
        return 0
    return int(min(2.0 ** (failures - FREE_FAILURES), MAX_LOCK.total_seconds()))


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of one login attempt.

    Attributes
    ----------
    accepted : the password was right and no lock was in force
    message : what to tell the person at the login form ("" when accepted)
    retry_after : seconds until the next attempt is considered (0: at once)
    """

    accepted: bool
    message: str = ""
    retry_after: int = 0


def _hash_key(db: Store) -> bytes:
    # The first process to try stores its key; every other takes that one. Read at each attempt
    # (not cached): logins are rare, and every replica must hash with the stored key.
    return bytes.fromhex(claim_setting(db, HASH_KEY_SETTING, secrets.token_hex(32)))


def subject_hash(db: Store, kind: str, value: str) -> str:
    """HMAC-SHA256 of ``kind:value`` with the database's throttling key (hex): an IP address
    cannot be recovered from it by trying every address without that key."""
    return hmac.new(_hash_key(db), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _rows(session: Session, subjects: dict[str, str]) -> list[LoginThrottle]:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for subject, kind in subjects.items():
        session.execute(
            insert(LoginThrottle)
            .values(subject=subject, kind=kind, failures=0)
            .on_conflict_do_nothing(index_elements=[LoginThrottle.subject])
        )
    # FOR UPDATE on PostgreSQL; SQLite's writer already holds the database's write lock.
    return list(
        session.scalars(
            select(LoginThrottle)
            .where(LoginThrottle.subject.in_(list(subjects)))
            .order_by(LoginThrottle.subject)
            .with_for_update()
        )
    )


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    return f"{math.ceil(seconds / 60)} min"


def attempt_login(
    db: Store,
    password: str,
    password_hash: str | None,
    *,
    client: str,
    now: Callable[[], datetime] | None = None,
) -> LoginAttempt:
    """Check a facilitator password under the throttle of its account and its client.

    Parameters
    ----------
    password : what was typed
    password_hash : the facilitator password's hash (`assessment.access.auth.hash_password`)
    client : who is trying: an IP address, or a per-session key when there is none (hashed here)
    now : the clock (default `clock`; tests inject one, nothing here sleeps)

    Returns
    -------
    A refusal without checking the password while the account or the client is locked ("try
    again in 64 s"), even for the right password; otherwise the check, counted first.
    """
    if not password.strip():
        return LoginAttempt(False, "Enter the facilitator password (spaces alone are not one).")
    subjects = {
        subject_hash(db, "account", FACILITATOR_ACCOUNT): "account",
        subject_hash(db, "client", client): "client",
    }
    moment = (now or clock)()
    with db.write() as session:
        rows = _rows(session, subjects)
        locks = [r.locked_until for r in rows if r.locked_until and r.locked_until > moment]
        if locks:
            wait = math.ceil((max(locks) - moment).total_seconds())
            return LoginAttempt(
                False,
                f"Too many failed logins: try again in {_wait_text(wait)}. Nothing was checked.",
                wait,
            )
        lock = 0
        for row in rows:
            if row.last_failed_at is None or moment - row.last_failed_at > FORGET_AFTER:
                row.failures = 0
            row.failures += 1
            row.last_failed_at = moment
            seconds = lock_seconds(row.failures)
            row.locked_until = moment + timedelta(seconds=seconds) if seconds else None
            lock = max(lock, seconds)
    if password_hash and verify_password(password, password_hash):
        with db.write() as session:
            session.execute(delete(LoginThrottle).where(LoginThrottle.subject.in_(list(subjects))))
        return LoginAttempt(True)
    message = "That is not the facilitator password."
    if lock:
        message += f" Too many failed logins: try again in {_wait_text(lock)}."
    return LoginAttempt(False, message, lock)
