"""Where the database is and how to connect to it: URL resolution, engines and transactions.

SQLite (the default, a local file) and PostgreSQL (chosen by URL) run the same code; this module hides
their differences (WAL, foreign keys, busy timeout and write locking on SQLite; pre-ping on PostgreSQL).

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
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from assessment.errors import DatabaseMissingError, DatabaseURLError

ENV_VAR = "WMM_DATABASE_URL"
DEFAULT_FILE_NAME = "wmm.sqlite"

#: How long a SQLite connection waits for another writer before giving up (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 30_000

# Execution option that marks a transaction as a writer (SQLite: BEGIN IMMEDIATE).
_WRITE_OPTION = "wmm_write"


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


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's implicit BEGIN is deferred, which
    # lets two writers deadlock on the read-to-write upgrade); see the SQLAlchemy pysqlite docs.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # With WAL, NORMAL loses no committed data on an application crash and is much faster.
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    # A writer takes the write lock at BEGIN, so it waits (busy timeout) instead of failing later
    # when it tries to upgrade a read snapshot that another writer has moved past.
    writer = connection.get_execution_options().get(_WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def make_engine(url: URL) -> Engine:
    """An engine for ``url`` with the per-backend settings wmm relies on."""
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


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

    def __post_init__(self) -> None:
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            bind=self.engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def key(self) -> str:
        """A string that identifies this database (for caches); the password is hidden."""
        return shown(self.url)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One writing transaction: commit on success, roll back on any exception."""
        with self._write() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """One reading transaction (never commits)."""
        with self._read() as session, session.begin():
            yield session

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
