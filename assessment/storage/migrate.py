"""Schema migrations run from code: upgrade, the current and expected revision, and the guard that
keeps the app and every command off a database whose schema is older (or newer) than the code.

Alembic is configured here, without an ``alembic.ini``: the scripts live in ``migrations/`` inside this
package, so migrations work the same from a checkout and from an installed wheel.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.engine import URL

from assessment.errors import MigrationNeededError
from assessment.storage.engine import ENV_VAR, Database, connect, shown
from assessment.storage.models import Base

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# Serialises concurrent upgrades on PostgreSQL (several replicas starting at once).
_PG_LOCK_ID = 0x776D6D  # "wmm"


def alembic_config() -> Config:
    """Alembic's configuration, built in code (``script_location`` inside the installed package)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The revision this version of wmm expects (the newest migration)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # only if the versions folder were empty, i.e. a broken installation
        raise MigrationNeededError(f"no migrations found in {MIGRATIONS_DIR}; reinstall wmm")
    return head


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def current_revision(db: Database) -> str | None:
    """The revision the database is at; None for a database wmm has never migrated."""
    with db.engine.connect() as connection:
        return _current(connection)


def needs_migration(db: Database) -> bool:
    """Whether the database is at another revision than `head_revision` (older, newer or empty)."""
    return current_revision(db) != head_revision()


def _known_revisions() -> set[str]:
    scripts = ScriptDirectory.from_config(alembic_config())
    return {script.revision for script in scripts.walk_revisions()}


def _has_tables(db: Database) -> bool:
    names = set(inspect(db.engine).get_table_names())
    return bool(names & set(Base.metadata.tables))


def check_schema(db: Database) -> None:
    """Refuse a database that needs a migration, with a message saying which command fixes it.

    Raises
    ------
    MigrationNeededError
        If the database is empty or at an older revision (fix: ``wmm db upgrade``), or at a revision
        this version of wmm does not know (fix: install the newer wmm that migrated it).
    """
    current = current_revision(db)
    head = head_revision()
    if current == head:
        return
    where = shown(db.url)
    if current is not None and current not in _known_revisions():
        raise MigrationNeededError(
            f"the database {where} is at schema revision {current}, which this version of wmm "
            f"does not know (it expects {head}); it was migrated by a newer wmm. Upgrade wmm "
            "(pip install -U work-maturity) instead of using this older version"
        )
    state = "has no wmm tables yet" if current is None else f"is at schema revision {current}"
    raise MigrationNeededError(
        f"the database {where} {state}, but this version of wmm needs revision {head}; run "
        f"`wmm db upgrade` (with the same --db or {ENV_VAR}) to create or migrate it"
    )


def upgrade(db: Database, revision: str = "head") -> tuple[str | None, str | None]:
    """Create or migrate the schema up to ``revision`` in one transaction; return (before, after)."""
    config = alembic_config()
    engine = db.engine.execution_options(wmm_write=True)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_ID})")
        before = _current(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        after = _current(connection)
    return before, after


def open_database(url: str | URL | None = None, *, create_if_empty: bool = False) -> Database:
    """Connect to the database and check that its schema is current; what the app and commands use.

    Parameters
    ----------
    url : a URL or SQLite file path; None means ``WMM_DATABASE_URL`` or the default SQLite file
    create_if_empty : create the schema when the database is new (no file yet, or no wmm tables);
        the app does this on a fresh machine. A database at an older revision is never migrated
        implicitly: that is ``wmm db upgrade``'s job.

    Raises
    ------
    MigrationNeededError
        If the schema is not current (see `check_schema`).
    """
    db = connect(url, create=create_if_empty)
    try:
        if create_if_empty and current_revision(db) is None and not _has_tables(db):
            upgrade(db)
        check_schema(db)
    except BaseException:
        db.dispose()
        raise
    return db
