"""Migrations: upgrade from empty on both backends, the schema equals the models, every entry point
refuses a database that needs `wmm db upgrade` (or a newer wmm), 0003 unlinks existing data, and
0004 adds the campaigns' require_role setting (false for existing campaigns)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import bindparam, inspect, select, text
from storage.databases import QUESTIONNAIRE

from assessment.campaigns.management import (
    create_campaign,
    create_invitations,
    get_campaign,
    hash_token,
)
from assessment.errors import DatabaseURLError
from assessment.storage import (
    Database,
    DatabaseMissingError,
    MigrationNeededError,
    connect,
    current_revision,
    head_revision,
    needs_migration,
    open_database,
    resolve_url,
    settings,  # noqa: F401  (its table is part of the schema)
    upgrade,
)
from assessment.storage.engine import ENV_VAR, default_sqlite_path
from assessment.storage.migrate import alembic_config
from assessment.storage.models import (
    Base,
    Campaign,
    Invitation,
    Response,
    SubmittedToken,
    UTCDateTime,
)
from assessment.survey.responding import (
    resume_response,
    save_answers,
    start_response,
    submit_response,
)

TABLES = {
    "campaigns",
    "units",
    "campaign_targets",
    "invitations",
    "responses",
    "answers",
    "action_items",
    "benchmark_rows",
    "app_settings",
    "login_throttle",
}


def test_upgrade_from_empty_creates_the_schema_of_the_models(db_url: str) -> None:
    db = connect(db_url, create=True)
    try:
        assert current_revision(db) is None
        assert needs_migration(db)
        before, after = upgrade(db)
        assert (before, after) == (None, head_revision())
        assert not needs_migration(db)
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        assert upgrade(db) == (head_revision(), head_revision())  # a second run changes nothing
    finally:
        db.dispose()


def test_downgrade_to_base_and_upgrade_again(db_url: str) -> None:
    db = connect(db_url, create=True)
    upgrade(db)
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert not TABLES & set(inspect(db.engine).get_table_names())
    upgrade(db)
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    db.dispose()


def _downgrade(db: Database, revision: str) -> None:
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_0003_unlinks_invitations_and_tokens_and_cuts_times_to_the_day(db_url: str) -> None:
    db = connect(db_url, create=True)
    try:
        upgrade(db)
        info = create_campaign(db, name="Before", questionnaire=QUESTIONNAIRE, mode="invitation")
        invitations = create_invitations(db, info.code, 3)
        done, draft = (
            start_response(db, info.code, questionnaire=QUESTIONNAIRE, invitation=invitation)
            for invitation in invitations[:2]
        )
        submit_response(db, done.resume_token, questionnaire=QUESTIONNAIRE, answers={"CLA01": 3})
        # Back to the schema before 0003, with data as wmm wrote it then (raw SQL, so that later
        # models do not matter): each used invitation points to its response, times to the
        # microsecond, and the submitted response keeps its resume-token hash.
        _downgrade(db, "0002")
        precise = datetime(2025, 3, 4, 22, 47, 13, 123456, tzinfo=UTC)
        stamp = bindparam("at", type_=UTCDateTime())
        with db.engine.begin() as connection:
            for started, invitation in ((done, invitations[0]), (draft, invitations[1])):
                connection.execute(
                    text(
                        "UPDATE invitations SET used_at = :at, response_id = "
                        "(SELECT id FROM responses WHERE public_id = :public) "
                        "WHERE token_hash = :invitation"
                    ).bindparams(stamp),
                    {
                        "at": precise,
                        "public": started.response_id,
                        "invitation": hash_token(invitation),
                    },
                )
            connection.execute(
                text(
                    "UPDATE responses SET started_at = :at, updated_at = :at, submitted_at = "
                    "CASE WHEN status = 'submitted' THEN :at END, resume_token_hash = "
                    "CASE WHEN status = 'submitted' THEN :done ELSE resume_token_hash END"
                ).bindparams(stamp),
                {"at": precise, "done": hash_token(done.resume_token)},
            )
            linked = connection.execute(
                text("SELECT count(*) FROM invitations WHERE response_id IS NOT NULL")
            ).scalar()
            stored = connection.execute(
                select(Response.started_at).where(Response.public_id == done.response_id)
            ).scalar()
        assert (linked, stored) == (2, precise)

        assert upgrade(db) == ("0002", head_revision())

        columns = {c["name"] for c in inspect(db.engine).get_columns("invitations")}
        assert columns == {"id", "campaign_id", "token_hash", "created_at", "used_at"}
        day = datetime(2025, 3, 4, tzinfo=UTC)
        with db.read() as session:
            used = session.scalars(select(Invitation.used_at).order_by(Invitation.id)).all()
            rows = {
                r.public_id: (
                    r.status,
                    r.started_at,
                    r.updated_at,
                    r.submitted_at,
                    r.resume_token_hash,
                )
                for r in session.scalars(select(Response))
            }
            markers = [
                (m.token_hash, m.campaign_id, m.submitted_at)
                for m in session.scalars(select(SubmittedToken))
            ]
            campaign_id = session.scalar(select(Campaign.id).where(Campaign.code == info.code))
        assert used == [day, day, None]
        assert rows == {
            done.response_id: ("submitted", day, day, day, None),
            draft.response_id: ("draft", day, day, None, hash_token(draft.resume_token)),
        }
        assert markers == [(hash_token(done.resume_token), campaign_id, day)]
        # The old links still work: the submitted one says so, the draft goes on.
        assert resume_response(db, done.resume_token).status == "submitted"
        again = submit_response(db, done.resume_token, questionnaire=QUESTIONNAIRE)
        assert again.already_received and again.submitted_at == day
        saved = save_answers(db, draft.resume_token, {"CLA01": 4}, questionnaire=QUESTIONNAIRE)
        assert saved.answers == {"CLA01": 4}

        # The downgrade brings the column back, empty; upgrading again is clean.
        _downgrade(db, "0002")
        with db.engine.connect() as connection:
            unlinked = connection.execute(
                text("SELECT count(*) FROM invitations WHERE response_id IS NULL")
            ).scalar()
        assert unlinked == 3
        assert "submitted_tokens" not in inspect(db.engine).get_table_names()
        assert upgrade(db) == ("0002", head_revision())
    finally:
        db.dispose()


def test_0004_adds_require_role_false_for_existing_campaigns(db_url: str) -> None:
    db = connect(db_url, create=True)
    try:
        upgrade(db)
        info = create_campaign(db, name="Required", questionnaire=QUESTIONNAIRE, require_role=True)
        assert info.require_role
        start_response(db, info.code, questionnaire=QUESTIONNAIRE, role="other")
        # Back to the schema before 0004: the setting is gone; the campaign and its response stay
        # (a copied-and-dropped campaigns table would take its responses with it on SQLite).
        _downgrade(db, "0003")
        columns = {c["name"] for c in inspect(db.engine).get_columns("campaigns")}
        assert "require_role" not in columns
        assert upgrade(db) == ("0003", head_revision())
        # A campaign from before 0004 does not require the role, as it did not then.
        again = get_campaign(db, info.code)
        assert (again.require_role, again.drafts) == (False, 1)
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO campaigns (code, name, questionnaire_id, questionnaire_version, "
                    "questionnaire_sha256, status, mode, min_group_size, languages, import_salt, "
                    "created_at, updated_at) VALUES ('raw2345678', 'Raw', 'work-management', "
                    "'1.0.0', :sha, 'open', 'open', 5, '[\"en\"]', :salt, :at, :at)"
                ).bindparams(bindparam("at", type_=UTCDateTime())),
                {"sha": info.questionnaire_sha256, "salt": "00" * 32, "at": info.created_at},
            )
        # A row written without the column (older code, raw SQL) gets the server default.
        assert get_campaign(db, "raw2345678").require_role is False
    finally:
        db.dispose()


def test_open_database_refuses_an_empty_database_naming_wmm_db_upgrade(db_url: str) -> None:
    empty = connect(db_url, create=True)
    with empty.engine.connect():  # creates the SQLite file; no tables
        pass
    empty.dispose()
    with pytest.raises(MigrationNeededError) as caught:
        open_database(db_url)
    message = str(caught.value)
    assert "`wmm db upgrade`" in message
    assert "has no wmm tables yet" in message
    assert head_revision() in message


def test_open_database_refuses_a_database_migrated_by_a_newer_wmm(db_url: str) -> None:
    db = connect(db_url, create=True)
    upgrade(db)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe'"))
    db.dispose()
    with pytest.raises(MigrationNeededError, match=r"f00dcafe.*newer wmm.*Upgrade wmm"):
        open_database(db.url)


def test_open_database_accepts_a_current_database(db: Database) -> None:
    opened = open_database(db.url)
    try:
        assert opened.key == db.key
    finally:
        opened.dispose()


def test_create_if_empty_builds_a_fresh_database(db_url: str) -> None:
    opened = open_database(db_url, create_if_empty=True)
    try:
        assert current_revision(opened) == head_revision()
    finally:
        opened.dispose()


def test_a_missing_sqlite_file_is_not_created_and_names_wmm_db_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "wmm.sqlite"
    with pytest.raises(DatabaseMissingError, match=r"no database at .*`wmm db upgrade`"):
        open_database(str(path))
    assert not path.exists()
    assert not path.parent.exists()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    db = connect(str(tmp_path / "w.sqlite"), create=True)
    try:
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("given", "environment", "expected"),
    [
        ("sqlite:///x.sqlite", None, "sqlite:///x.sqlite"),
        ("my.sqlite", None, "sqlite:///my.sqlite"),
        (None, "sqlite:////tmp/env.sqlite", "sqlite:////tmp/env.sqlite"),
        ("sqlite:///flag.sqlite", "sqlite:////tmp/env.sqlite", "sqlite:///flag.sqlite"),
        ("postgres://u@h/db", None, "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h:5433/db", None, "postgresql+psycopg://u@h:5433/db"),
        ("postgresql+psycopg://u:secret@h/db", None, "postgresql+psycopg://u:***@h/db"),
    ],
    ids=[
        "url",
        "bare-path",
        "environment",
        "flag-beats-environment",
        "postgres-alias",
        "postgresql",
        "password-hidden",
    ],
)
def test_resolve_url(
    monkeypatch: pytest.MonkeyPatch, given: str | None, environment: str | None, expected: str
) -> None:
    if environment is None:
        monkeypatch.delenv(ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(ENV_VAR, environment)
    assert resolve_url(given).render_as_string(hide_password=True) == expected


def test_default_url_is_the_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    url = resolve_url(None)
    assert url.get_backend_name() == "sqlite"
    assert url.database == str(default_sqlite_path())
    assert default_sqlite_path().name == "wmm.sqlite"


@pytest.mark.parametrize(
    "url",
    ["mysql://u@h/db", "oracle://h/x", "sqlite:/broken://"],
    ids=["mysql", "oracle", "garbage"],
)
def test_unsupported_urls_are_refused_with_the_supported_forms(url: str) -> None:
    with pytest.raises(DatabaseURLError, match=r"sqlite:///.*postgresql\+psycopg://"):
        resolve_url(url)
