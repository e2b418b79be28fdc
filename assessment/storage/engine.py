"""Where the database is and how to connect to it: URL resolution, engines and transactions.

SQLite (the default, a local file) and PostgreSQL (chosen by URL) run the same code; this module hides
their differences (WAL, foreign keys, busy timeout and write locking on SQLite; pre-ping on PostgreSQL).

SQLite lets one writer in at a time. Writers of other processes wait in SQLite's busy handler, which
polls the file lock with sleeps of up to 100 ms; writers of the same process (a server's sessions)
first take turns on a lock of the process (`Database.write`), so they follow each other without
polling. With 16 threads starting responses at once that took the slowest write from 1.7 s to 0.08 s
and the 95th percentile from 113 ms to 37 ms (docs/benchmarks.md, "A room of phones").

Connection pools are sized for a room of phones (many reruns at once) and tunable through the
environment (`pool_settings`); a connection that cannot be had in time, or a SQLite file that stays
locked, is raised as `DatabaseUnavailableError`, which the pages answer with "try again".

The database URL comes from, in order: ``--db URL`` (passed in as ``url``), the environment variable
``WMM_DATABASE_URL``, and the default SQLite file. The default is ``data/wmm.sqlite`` inside the source
checkout when wmm runs from one (a ``pyproject.toml`` next to the ``assessment`` package), so a developer's
database sits next to the demo data and is ignored by git; an installed wmm uses a per-user file,
``$XDG_DATA_HOME/wmm/wmm.sqlite`` (``~/.local/share/wmm/wmm.sqlite``; ``%LOCALAPPDATA%\\wmm\\wmm.sqlite`` on
Windows), because the installation folder is usually not writable. A bare file path (``--db my.sqlite``)
means a SQLite file; ``postgres://`` and ``postgresql://`` URLs use the psycopg 3 driver.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from assessment.errors import (
    DatabaseMissingError,
    DatabaseSettingError,
    DatabaseUnavailableError,
    DatabaseURLError,
)

ENV_VAR = "WMM_DATABASE_URL"
DEFAULT_FILE_NAME = "wmm.sqlite"

#: How long a SQLite connection waits for another writer before giving up (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 30_000

#: Environment variables of the connection pool (see `pool_settings`).
POOL_SIZE_ENV = "WMM_DB_POOL_SIZE"
MAX_OVERFLOW_ENV = "WMM_DB_MAX_OVERFLOW"
POOL_TIMEOUT_ENV = "WMM_DB_POOL_TIMEOUT"
BUSY_TIMEOUT_ENV = "WMM_SQLITE_BUSY_TIMEOUT"

# Execution option that marks a transaction as a writer (SQLite: BEGIN IMMEDIATE).
_WRITE_OPTION = "wmm_write"


@dataclass(frozen=True)
class PoolSettings:
    """How many connections a process keeps and how long it waits for one.

    Attributes
    ----------
    size : connections kept open (``WMM_DB_POOL_SIZE``, default 10)
    max_overflow : extra connections opened under load and closed after (``WMM_DB_MAX_OVERFLOW``,
        default 20); a process uses at most ``size + max_overflow`` connections
    timeout : seconds a transaction waits for a free connection before `DatabaseUnavailableError`
        (``WMM_DB_POOL_TIMEOUT``, default 30)
    sqlite_busy_timeout : seconds a SQLite transaction waits for the write lock
        (``WMM_SQLITE_BUSY_TIMEOUT``, default 30)
    """

    size: int = 10
    max_overflow: int = 20
    timeout: float = 30.0
    sqlite_busy_timeout: float = SQLITE_BUSY_TIMEOUT_MS / 1000


def _number(environ: Mapping[str, str], name: str, default: float, *, whole: bool) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        value = -1
    if value < 0 or (name == POOL_SIZE_ENV and value < 1):
        kind = "a whole number" if whole else "a number of seconds"
        least = 1 if name == POOL_SIZE_ENV else 0
        raise DatabaseSettingError(f"{name} must be {kind} >= {least}; found {text!r}")
    return value


def pool_settings(environ: Mapping[str, str] | None = None) -> PoolSettings:
    """The pool settings from the environment (``WMM_DB_POOL_SIZE``, ``WMM_DB_MAX_OVERFLOW``,
    ``WMM_DB_POOL_TIMEOUT``, ``WMM_SQLITE_BUSY_TIMEOUT``); defaults where unset.

    Each Streamlit rerun that reads or writes holds one connection for its transaction, so the
    pool bounds how many respondents' clicks touch the database at once; the rest wait up to the
    timeout. With PostgreSQL, replicas x (size + max_overflow) must stay below the server's
    ``max_connections`` (README, "Deployment").

    Raises
    ------
    DatabaseSettingError
        If a value is not a number, or is negative (a pool size below 1).
    """
    env = os.environ if environ is None else environ
    default = PoolSettings()
    return PoolSettings(
        size=int(_number(env, POOL_SIZE_ENV, default.size, whole=True)),
        max_overflow=int(_number(env, MAX_OVERFLOW_ENV, default.max_overflow, whole=True)),
        timeout=_number(env, POOL_TIMEOUT_ENV, default.timeout, whole=False),
        sqlite_busy_timeout=_number(
            env, BUSY_TIMEOUT_ENV, default.sqlite_busy_timeout, whole=False
        ),
    )


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` means "the database is busy or away" rather than a bug or bad data: a
    pool timeout, a locked or busy SQLite file, a PostgreSQL connection that failed or broke."""
    if isinstance(error, PoolTimeoutError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, OperationalError):
        if isinstance(error.orig, sqlite3.OperationalError):
            text = str(error.orig).lower()
            return "locked" in text or "busy" in text
        return (
            True  # PostgreSQL: connection refused or lost, too many clients, server shutting down
        )
    return False


def _unavailable_error(error: BaseException) -> DatabaseUnavailableError:
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return DatabaseUnavailableError(
        f"the database is busy or unreachable ({detail}); nothing was lost, try again in a moment"
    )


def _checkout_root() -> Path | None:
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "assessment").is_dir() else None


def default_sqlite_path() -> Path:
    """The default SQLite file: ``data/wmm.sqlite`` in a source checkout, else a per-user file."""
    root = _checkout_root()
    if root is not None:
        return root / "data" / DEFAULT_FILE_NAME
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "wmm" / DEFAULT_FILE_NAME


def resolve_url(url: str | None = None) -> URL:
    """The database URL to use: ``url``, else ``WMM_DATABASE_URL``, else the default SQLite file.

    Raises
    ------
    DatabaseURLError
        If the URL cannot be parsed or names a backend other than SQLite or PostgreSQL.
    """
    text = (url or os.environ.get(ENV_VAR) or "").strip()
    if not text:
        return URL.create("sqlite", database=str(default_sqlite_path()))
    if "://" not in text:
        # A bare path is a SQLite file; ':memory:' is allowed for experiments.
        return URL.create("sqlite", database=text)
    try:
        parsed = make_url(text)
    except ArgumentError as exc:
        raise DatabaseURLError(
            f"cannot read the database URL {text!r} ({exc}); expected sqlite:///path/to/file.sqlite "
            "or postgresql+psycopg://user@host:5432/dbname"
        ) from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "postgres":
        backend = "postgresql"
    if backend == "postgresql":
        return parsed.set(drivername=f"postgresql+{driver or 'psycopg'}")
    if backend == "sqlite":
        return parsed
    raise DatabaseURLError(
        f"wmm stores campaigns in SQLite or PostgreSQL; the URL {shown(parsed)!r} names "
        f"{backend!r}. Use sqlite:///path/to/file.sqlite or postgresql+psycopg://user@host/dbname"
    )


def shown(url: URL) -> str:
    """The URL as it may appear in messages and logs (password hidden)."""
    return url.render_as_string(hide_password=True)


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL (None for other backends and in-memory databases)."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _sqlite_connect_listener(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: sqlite3.Connection, record: Any) -> None:
        _on_sqlite_connect(dbapi_connection, record, busy_timeout_ms=busy_timeout_ms)

    return on_connect


def _on_sqlite_connect(
    dbapi_connection: sqlite3.Connection,
    _record: Any,
    *,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's implicit BEGIN is deferred, which
    # lets two writers deadlock on the read-to-write upgrade); see the SQLAlchemy pysqlite docs.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # With WAL, NORMAL loses no committed data on an application crash and is much faster.
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    # A writer takes the write lock at BEGIN, so it waits (busy timeout) instead of failing later
    # when it tries to upgrade a read snapshot that another writer has moved past.
    writer = connection.get_execution_options().get(_WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def make_engine(url: URL, pool: PoolSettings | None = None) -> Engine:
    """An engine for ``url`` with the per-backend settings wmm relies on and a pool sized by
    ``pool`` (default: `pool_settings` from the environment)."""
    pool = pool or pool_settings()
    if url.get_backend_name() == "sqlite":
        if (url.database or "") in ("", ":memory:"):  # in memory: one connection, no pool to size
            engine = create_engine(url, connect_args={"check_same_thread": False})
        else:
            engine = create_engine(
                url,
                connect_args={"timeout": pool.sqlite_busy_timeout, "check_same_thread": False},
                pool_size=pool.size,
                max_overflow=pool.max_overflow,
                pool_timeout=pool.timeout,
            )
        busy_ms = round(pool.sqlite_busy_timeout * 1000)
        event.listen(engine, "connect", _sqlite_connect_listener(busy_ms))
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool.size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.timeout,
    )


_writer_locks: dict[str, threading.RLock] = {}
_writer_locks_guard = threading.Lock()


def _writer_lock(url: URL) -> threading.RLock | None:
    """The lock this process's writers of the SQLite file ``url`` take turns on (None: not a file).

    One per file, shared by every `Database` on it. Re-entrant, so a write opened inside another
    on the same thread behaves as before (it waits for SQLite's busy timeout).
    """
    path = sqlite_file(url)
    if path is None:
        return None
    key = os.path.realpath(path)
    with _writer_locks_guard:
        return _writer_locks.setdefault(key, threading.RLock())


class Transactions(Protocol):
    """Anything that hands out read and write transactions, as `Database` does: what storage
    helpers that run their own transaction (`assessment.storage.settings`) need of a database."""

    def read(self) -> AbstractContextManager[Session]:
        """One reading transaction."""
        ...

    def write(self) -> AbstractContextManager[Session]:
        """One writing transaction."""
        ...


@dataclass
class Database:
    """A connected database: the engine plus read and write transactions as ORM sessions.

    Use ``with db.write() as session:`` for anything that changes data (one transaction, committed
    at the end of the block, rolled back on an exception) and ``with db.read() as session:`` otherwise.
    The domain takes it as its ``Store`` (a protocol declared in ``assessment/campaigns/store.py``,
    which storage does not import).
    """

    url: URL
    engine: Engine
    _read: sessionmaker[Session] = field(init=False, repr=False)
    _write: sessionmaker[Session] = field(init=False, repr=False)
    _writers: threading.RLock | None = field(init=False, repr=False)
    _writer_wait: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            bind=self.engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )
        self._writers = _writer_lock(self.url)
        try:
            self._writer_wait = pool_settings().sqlite_busy_timeout
        except DatabaseSettingError:  # connect() has refused a bad setting before this point
            self._writer_wait = SQLITE_BUSY_TIMEOUT_MS / 1000

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def key(self) -> str:
        """A string that identifies this database (for caches); the password is hidden."""
        return shown(self.url)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One writing transaction: commit on success, roll back on any exception.

        Raises `DatabaseUnavailableError` when no connection or write lock could be had in time.
        On SQLite, the writers of this process take turns first (see the module's docstring).
        """
        with self._writers_turn():
            try:
                with self._write() as session, session.begin():
                    yield session
            except (DBAPIError, PoolTimeoutError) as error:
                if unavailable(error):
                    raise _unavailable_error(error) from error
                raise

    @contextmanager
    def _writers_turn(self) -> Iterator[None]:
        if self._writers is None:
            yield
            return
        if not self._writers.acquire(timeout=self._writer_wait):
            raise DatabaseUnavailableError(
                "the database is busy or unreachable (other writes of this server held it for "
                f"more than {self._writer_wait:g} s); nothing was lost, try again in a moment"
            )
        try:
            yield
        finally:
            self._writers.release()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """One reading transaction (never commits); `DatabaseUnavailableError` as in `write`."""
        try:
            with self._read() as session, session.begin():
                yield session
        except (DBAPIError, PoolTimeoutError) as error:
            if unavailable(error):
                raise _unavailable_error(error) from error
            raise

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def connect(url: str | URL | None = None, *, create: bool = False) -> Database:
    """A `Database` for ``url`` (see `resolve_url`) without checking its schema.

    Parameters
    ----------
    url : a URL, a SQLite file path, or None for ``WMM_DATABASE_URL`` / the default file
    create : whether a missing SQLite file (and its folder) may be created; otherwise a missing file
        raises `DatabaseMissingError` naming ``wmm db upgrade``

    Most callers want `assessment.storage.open_database`, which also refuses a database that needs
    a migration.
    """
    resolved = url if isinstance(url, URL) else resolve_url(url)
    path = sqlite_file(resolved)
    if path is not None and not path.exists():
        if not create:
            raise DatabaseMissingError(
                f"there is no database at {path}; create it with `wmm db upgrade` (with the same "
                f"--db or {ENV_VAR}), or point --db / {ENV_VAR} at an existing database"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
    return Database(resolved, make_engine(resolved))
