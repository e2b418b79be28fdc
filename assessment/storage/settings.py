"""Application settings kept in the database as key/value text: what the app must remember between
runs and share between processes, such as the hash of a generated facilitator password.

`claim_setting` stores a value only when the key is still free, so several processes starting at
once agree on one value; `set_setting` replaces it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from assessment.storage.engine import Transactions
from assessment.storage.models import Base, utcnow

MAX_KEY_LENGTH = 60


class AppSetting(Base):
    """One application setting: a key and its text value."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


def _checked_key(key: str) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise ValueError(
            f"a setting key is a non-empty text of at most {MAX_KEY_LENGTH} characters; got {key!r}"
        )
    return key


def _insert(session: Session, key: str, value: str, *, replace: bool) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(AppSetting).values(key=key, value=value, updated_at=utcnow())
    if replace:
        statement = statement.on_conflict_do_update(
            index_elements=[AppSetting.key],
            set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=[AppSetting.key])
    session.execute(statement)


def get_setting(db: Transactions, key: str) -> str | None:
    """The value stored under ``key``, or None when there is none."""
    with db.read() as session:
        return session.scalar(select(AppSetting.value).where(AppSetting.key == _checked_key(key)))


def set_setting(db: Transactions, key: str, value: str) -> None:
    """Store ``value`` under ``key``, replacing any value stored before."""
    with db.write() as session:
        _insert(session, _checked_key(key), value, replace=True)


def claim_setting(db: Transactions, key: str, value: str) -> str:
    """Store ``value`` under ``key`` unless a value is there already; return the stored value.

    The caller's value won when the result equals it; otherwise another process stored its own
    value first, and that one is returned (and kept).
    """
    with db.write() as session:
        _insert(session, _checked_key(key), value, replace=False)
        return session.scalars(select(AppSetting.value).where(AppSetting.key == key)).one()
