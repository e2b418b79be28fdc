"""Start-up: a fresh database is created and seeded once, the facilitator password is resolved (and a
generated one printed once, stored only as a hash), reruns and several processes agree, and the
terminal message says where the survey is and how to log in."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from support import ROOT

from assessment import startup as bootstrap
from assessment.access.auth import verify_password
from assessment.campaigns.management import list_campaigns
from assessment.startup import (
    PASSWORD_SETTING,
    facilitator_password,
    open_or_create,
    prepare,
    wants_demo,
)
from assessment.storage import Database, MigrationNeededError, connect, upgrade
from assessment.storage.migrate import alembic_config
from assessment.storage.settings import claim_setting, get_setting, set_setting

NO_DEMO = {"WMM_DEMO": "0"}
BASE = "https://survey.example.org"


@pytest.fixture(autouse=True)
def _base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WMM_BASE_URL", BASE)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'wmm.sqlite'}"


@pytest.fixture
def db(url: str) -> Any:
    database = connect(url, create=True)
    upgrade(database)
    yield database
    database.dispose()


def _password_in(announcement: str) -> str | None:
    found = re.search(r"Log in with this password: (\S+)", announcement)
    return found.group(1) if found else None


# -- the database ---------------------------------------------------------------------------------


def test_a_new_database_is_created_once(url: str) -> None:
    first, created = open_or_create(url)
    first.dispose()
    again, created_again = open_or_create(url)
    again.dispose()
    assert (created, created_again) == (True, False)


def test_an_older_schema_is_not_migrated_behind_the_operators_back(db: Database, url: str) -> None:
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    with pytest.raises(MigrationNeededError, match="wmm db upgrade"):
        open_or_create(url)


@pytest.mark.parametrize(
    ("setting", "sqlite", "expected"),
    [
        pytest.param(None, True, True, id="sqlite-by-default"),
        pytest.param(None, False, False, id="postgres-not-by-default"),
        pytest.param("1", False, True, id="postgres-when-asked"),
        pytest.param("yes", False, True, id="yes"),
        pytest.param("0", True, False, id="never"),
        pytest.param("false", True, False, id="false"),
    ],
)
def test_wants_demo(setting: str | None, sqlite: bool, expected: bool, url: str) -> None:
    database = connect(
        url if sqlite else "postgresql+psycopg://nobody@127.0.0.1:1/none", create=True
    )
    environ = {} if setting is None else {"WMM_DEMO": setting}
    try:
        assert wants_demo(database, environ) is expected
    finally:
        database.dispose()


# -- settings -------------------------------------------------------------------------------------


def test_settings_get_set_and_claim(db: Database) -> None:
    assert get_setting(db, "k") is None
    assert claim_setting(db, "k", "first") == "first"
    assert claim_setting(db, "k", "second") == "first"  # the first claim wins
    set_setting(db, "k", "replaced")
    assert get_setting(db, "k") == "replaced"
    for bad in ("", " ", "x" * 61):
        with pytest.raises(ValueError, match="non-empty text of at most 60"):
            get_setting(db, bad)


# -- the facilitator password ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "secrets", "origin", "password"),
    [
        pytest.param(
            {"WMM_ADMIN_PASSWORD": "from-the-environment"},
            {},
            "environment",
            "from-the-environment",
            id="env",
        ),
        pytest.param(
            {}, {"admin_password": "from-secrets"}, "secrets", "from-secrets", id="secrets"
        ),
        pytest.param(
            {"WMM_ADMIN_PASSWORD": "from-the-environment"},
            {"admin_password": "from-secrets"},
            "environment",
            "from-the-environment",
            id="env-before-secrets",
        ),
    ],
)
def test_a_configured_password_is_used_and_nothing_is_stored(
    db: Database, environ: dict[str, str], secrets: dict[str, str], origin: str, password: str
) -> None:
    source = facilitator_password(db, environ, secrets)
    assert source.origin == origin
    assert verify_password(password, source.password_hash)
    assert source.generated_password is None
    assert get_setting(db, PASSWORD_SETTING) is None


def test_a_generated_password_is_stored_as_a_hash_and_given_out_once(db: Database) -> None:
    first = facilitator_password(db, {}, {})
    assert first.origin == "generated" and first.generated_password
    stored = get_setting(db, PASSWORD_SETTING)
    assert stored == first.password_hash
    assert first.generated_password not in (stored or "")
    assert verify_password(first.generated_password, stored or "")
    second = facilitator_password(db, {}, {})
    assert (second.origin, second.generated_password) == ("stored", None)
    assert second.password_hash == stored


def test_a_password_stored_meanwhile_by_another_process_wins(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim_setting(db, PASSWORD_SETTING, "scrypt$other-process")
    looks = iter([None])  # the first look happens before the other process stored its hash

    def late_get(database: Database, key: str) -> str | None:
        return next(looks, get_setting(database, key))

    monkeypatch.setattr(bootstrap, "get_setting", late_get)
    source = facilitator_password(db, {}, {})
    assert (source.origin, source.password_hash) == ("stored", "scrypt$other-process")
    assert source.generated_password is None


# -- prepare and its message ----------------------------------------------------------------------


def test_first_run_seeds_the_demo_and_prints_its_link_and_a_password_once(url: str) -> None:
    prepared = prepare(url, environ={}, secrets={})
    startup = prepared.startup
    try:
        assert startup.created and startup.demo is not None
        assert startup.demo.campaigns_created == 2
        open_demo = [c for c in list_campaigns(startup.db) if c.accepts_answers()]
        assert startup.demo_survey_url == f"{BASE}/?c={open_demo[0].code}"
        message = prepared.announcement
        assert f"  {BASE}/?c={open_demo[0].code}" in message
        assert f"Facilitator pages: {BASE}/dashboard and {BASE}/campaigns" in message
        password = _password_in(message)
        assert password and verify_password(password, startup.password_hash or "")
        assert password not in repr(startup)  # what the app keeps holds no clear text
    finally:
        startup.db.dispose()

    rerun = prepare(url, environ={}, secrets={})
    try:
        assert not rerun.startup.created and rerun.startup.demo is None
        assert _password_in(rerun.announcement) is None
        assert "generated and printed on the first start" in rerun.announcement
        assert "WMM_ADMIN_PASSWORD=" in rerun.announcement
        assert rerun.startup.password_hash == startup.password_hash
        assert rerun.startup.demo_survey_url == startup.demo_survey_url
        assert len(list_campaigns(rerun.startup.db)) == 2
    finally:
        rerun.startup.db.dispose()


@pytest.mark.parametrize(
    ("environ", "secrets", "says"),
    [
        pytest.param(
            {**NO_DEMO, "WMM_ADMIN_PASSWORD": "a-long-passphrase"},
            {},
            "WMM_ADMIN_PASSWORD.",
            id="environment",
        ),
        pytest.param(
            NO_DEMO, {"admin_password": "a-long-passphrase"}, "admin_password from", id="secrets"
        ),
        pytest.param(
            NO_DEMO,
            {"auth": {"client_id": "x", "server_metadata_url": "https://idp/.well-known"}},
            "identity provider (OIDC",
            id="oidc",
        ),
    ],
)
def test_the_message_says_how_to_log_in(
    url: str, environ: dict[str, str], secrets: dict[str, Any], says: str
) -> None:
    prepared = prepare(url, environ=environ, secrets=secrets)
    try:
        assert says in prepared.announcement
        assert _password_in(prepared.announcement) is None
        assert prepared.startup.demo is None and prepared.startup.demo_survey_url is None
        assert "Demo survey" not in prepared.announcement
        assert "pw" not in prepared.announcement
    finally:
        prepared.startup.db.dispose()


def test_with_oidc_no_password_is_generated(url: str) -> None:
    prepared = prepare(url, environ=NO_DEMO, secrets={"auth": {"client_id": "x"}})
    try:
        assert prepared.startup.login == "oidc"
        assert prepared.startup.password_hash is None
        assert get_setting(prepared.startup.db, PASSWORD_SETTING) is None
    finally:
        prepared.startup.db.dispose()


_PROCESS = """
import json, re, sys
from assessment.startup import prepare
prepared = prepare(sys.argv[1], environ={}, secrets={})
found = re.search(r"Log in with this password: (\\S+)", prepared.announcement)
print(json.dumps({
    "created": prepared.startup.created,
    "seeded": prepared.startup.demo is not None,
    "origin": prepared.startup.password_origin,
    "hash": prepared.startup.password_hash,
    "password": found.group(1) if found else None,
}))
"""


@pytest.mark.slow
def test_several_processes_starting_at_once_create_seed_and_generate_once(url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("WMM_ADMIN_PASSWORD", "WMM_DEMO")}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _PROCESS, url],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert sum(r["created"] for r in results) == 1
    assert sum(r["seeded"] for r in results) == 1
    assert len({r["hash"] for r in results}) == 1  # all processes accept the same password
    printed = [r["password"] for r in results if r["password"]]
    assert len(printed) == 1  # printed by exactly one process
    assert verify_password(printed[0], results[0]["hash"])
    database = connect(url)
    try:
        assert len(list_campaigns(database)) == 2
        assert get_setting(database, PASSWORD_SETTING) == results[0]["hash"]
    finally:
        database.dispose()
