"""Connection pools sized from the environment, and a busy database raised as one clear error
(`DatabaseUnavailableError`) instead of SQLAlchemy's pool or lock exceptions."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from assessment.errors import DatabaseSettingError, DatabaseUnavailableError
from assessment.storage import connect
from assessment.storage.engine import Database as EngineDatabase
from assessment.storage.engine import (
    PoolSettings,
    make_engine,
    pool_settings,
    resolve_url,
)


def test_pool_settings_default_and_from_the_environment() -> None:
    assert pool_settings({}) == PoolSettings(
        size=10, max_overflow=20, timeout=30.0, sqlite_busy_timeout=30.0
    )
    assert pool_settings(
        {
            "WMM_DB_POOL_SIZE": "4",
            "WMM_DB_MAX_OVERFLOW": "0",
            "WMM_DB_POOL_TIMEOUT": "2.5",
            "WMM_SQLITE_BUSY_TIMEOUT": "0.5",
        }
    ) == PoolSettings(size=4, max_overflow=0, timeout=2.5, sqlite_busy_timeout=0.5)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WMM_DB_POOL_SIZE", "0"),
        ("WMM_DB_POOL_SIZE", "ten"),
        ("WMM_DB_MAX_OVERFLOW", "-1"),
        ("WMM_DB_POOL_TIMEOUT", "soon"),
        ("WMM_SQLITE_BUSY_TIMEOUT", "-2"),
    ],
    ids=["size-zero", "size-word", "overflow-negative", "timeout-word", "busy-negative"],
)
def test_a_bad_pool_setting_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(DatabaseSettingError, match=f"{name} must be .*found '{value}'"):
        pool_settings({name: value})


def test_the_engine_pool_has_the_configured_size(tmp_path: Path) -> None:
    url = resolve_url(str(tmp_path / "sized.sqlite"))
    engine = make_engine(url, PoolSettings(size=7, max_overflow=3, timeout=4.0))
    try:
        assert engine.pool.size() == 7  # type: ignore[attr-defined]
        assert engine.pool._max_overflow == 3  # type: ignore[attr-defined]
        assert engine.pool._timeout == 4.0  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_an_exhausted_pool_is_database_unavailable(tmp_path: Path) -> None:
    url = resolve_url(str(tmp_path / "small.sqlite"))
    db = EngineDatabase(url, make_engine(url, PoolSettings(size=1, max_overflow=0, timeout=0.1)))
    try:
        with db.read() as holding:
            holding.execute(text("select 1"))  # takes the only connection
            busy = pytest.raises(DatabaseUnavailableError, match=r"busy or unreachable.*try again")
            with busy, db.read() as waiting:
                waiting.execute(text("select 1"))
    finally:
        db.dispose()


def test_a_sqlite_lock_held_past_the_busy_timeout_is_database_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "locked.sqlite"
    monkeypatch.setenv("WMM_SQLITE_BUSY_TIMEOUT", "0.1")
    db = connect(str(path), create=True)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        with db.write() as session:
            session.execute(text("create table t (x integer)"))
        holder.execute("BEGIN IMMEDIATE")
        locked = pytest.raises(DatabaseUnavailableError, match="database is locked")
        with locked, db.write() as session:
            session.execute(text("insert into t values (1)"))
        holder.rollback()
        with db.write() as session:  # the lock is free again: the same write works
            session.execute(text("insert into t values (1)"))
    finally:
        holder.close()
        db.dispose()


def test_other_database_errors_are_not_called_busy(tmp_path: Path) -> None:
    db = connect(str(tmp_path / "plain.sqlite"), create=True)
    try:
        with pytest.raises(Exception) as caught, db.read() as session:
            session.execute(text("select * from no_such_table"))
        assert not isinstance(caught.value, DatabaseUnavailableError)
    finally:
        db.dispose()


def test_writers_of_one_process_take_turns_and_a_long_wait_is_database_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "turns.sqlite"
    monkeypatch.setenv("WMM_SQLITE_BUSY_TIMEOUT", "0.2")
    db = connect(str(path), create=True)
    with db.write() as session:
        session.execute(text("create table t (x integer)"))
    other = connect(str(path))  # a second Database on the same file waits in the same line
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with db.write() as session:
            session.execute(text("insert into t values (1)"))
            holding.set()
            release.wait(10)

    try:
        holder = threading.Thread(target=hold)
        holder.start()
        assert holding.wait(10)
        waited = pytest.raises(DatabaseUnavailableError, match="other writes of this server")
        with waited, other.write() as session:
            session.execute(text("insert into t values (2)"))
        after = threading.Thread(target=lambda: _insert(other, 3))
        after.start()  # waits for its turn instead of failing
        release.set()
        holder.join(10)
        after.join(10)
        with db.read() as session:
            assert sorted(session.scalars(text("select x from t"))) == [1, 3]
    finally:
        release.set()
        db.dispose()
        other.dispose()


def _insert(db: EngineDatabase, value: int) -> None:
    with db.write() as session:
        session.execute(text("insert into t values (:x)"), {"x": value})
