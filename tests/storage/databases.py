"""Database fixtures for storage tests: every test runs once on SQLite and once on PostgreSQL.

PostgreSQL: the server at ``WMM_TEST_POSTGRES_URL`` (default 127.0.0.1:5432, user postgres, database
test, trust auth). Each test gets a fresh schema (via ``search_path``) that is dropped afterwards, and
leftovers of this session are dropped at its end. A missing server skips the PostgreSQL half locally
and fails it under CI=true (`support.require`).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from support import require

from assessment.campaigns.management import CampaignInfo, UnitSpec, create_campaign
from assessment.results.campaign_answers import clear_caches
from assessment.storage import (
    Database,
    connect,
    settings,  # noqa: F401  (its table is emptied too)
    upgrade,
)
from assessment.storage.models import Base

POSTGRES_URL = os.environ.get(
    "WMM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SCHEMA_PREFIX = f"wmm_test_{os.getpid()}_"
QUESTIONNAIRE = "work-management@1.0.0"
UNITS = (UnitSpec("Operations", None, 40), UnitSpec("Support", "Operations", 12), UnitSpec("Sales"))


def _admin_conninfo() -> str:
    url = make_url(POSTGRES_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_reachable() -> bool:
    import psycopg

    try:
        with psycopg.connect(_admin_conninfo(), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _admin_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(_admin_conninfo(), autocommit=True) as connection:
        connection.execute(sql)


@pytest.fixture(scope="session")
def postgres_available() -> Iterator[bool]:
    available = postgres_reachable()
    yield available
    if available:
        import psycopg

        with psycopg.connect(_admin_conninfo(), autocommit=True) as connection:
            leftovers = connection.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                (SCHEMA_PREFIX + "%",),
            ).fetchall()
            for (name,) in leftovers:
                connection.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of an empty database (no tables): a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("db") / "wmm.sqlite")
        return
    available = request.getfixturevalue("postgres_available")
    require(
        available,
        f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string(hide_password=True)}",
        "start a server (trust auth, database 'test') or set WMM_TEST_POSTGRES_URL",
    )
    schema = SCHEMA_PREFIX + secrets.token_hex(4)
    _admin_execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            make_url(POSTGRES_URL)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        _admin_execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session; each test gets a copy (faster than migrating)."""
    path = tmp_path_factory.mktemp("template") / "wmm.sqlite"
    database = connect(str(path), create=True)
    upgrade(database)
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_shared_url(postgres_available: bool) -> str | None:
    """A PostgreSQL schema migrated once per session; `db` empties its tables before each test."""
    if not postgres_available:
        return None
    schema = SCHEMA_PREFIX + "shared_" + secrets.token_hex(3)
    _admin_execute(f'CREATE SCHEMA "{schema}"')
    url = _schema_url(schema)
    database = connect(url)
    upgrade(database)
    database.dispose()
    return url


def _schema_url(schema: str) -> str:
    return (
        make_url(POSTGRES_URL)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database on each backend; disposed after the test.

    The schema comes from the real migrations (run once per session); tests that need an empty or
    specially prepared database use `db_url` instead.
    """
    if request.param == "sqlite":
        path = tmp_path / "wmm.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        database = connect(str(path))
    else:
        url = request.getfixturevalue("postgres_shared_url")
        require(
            url is not None,
            f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string(hide_password=True)}",
            "start a server (trust auth, database 'test') or set WMM_TEST_POSTGRES_URL",
        )
        database = connect(url)
        # DELETE is ~50x faster than TRUNCATE on these tiny tables; children first.
        with database.engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.exec_driver_sql(f'DELETE FROM "{table.name}"')
    clear_caches()
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def campaign(db: Database) -> CampaignInfo:
    """An open campaign on work-management 1.0.0 with three units and a target."""
    return create_campaign(
        db,
        name="Spring survey",
        questionnaire=QUESTIONNAIRE,
        organisation="Example Ltd",
        units=UNITS,
        targets={"clarity": 3},
    )
