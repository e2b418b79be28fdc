"""Start-up of the app: open the database (creating it and seeding the demo organisation on a fresh
machine), settle how facilitators log in, and word the one message for the person at the terminal.

Safe to run again and from several processes at once: only the process that created the schema
seeds the demo, and a generated facilitator password is claimed in the database by exactly one of
them. The library prints nothing; the app prints `Startup.announcement` once per process.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import inspect
from sqlalchemy.engine import URL

from assessment.access.auth import PasswordSource, oidc_configured, resolve_password
from assessment.campaigns.management import list_campaigns, survey_url
from assessment.demo.seed import ORGANISATION, WAVES, DemoSeed, seed_demo
from assessment.storage import (
    Database,
    check_schema,
    connect,
    current_revision,
    resolve_url,
    upgrade,
)
from assessment.storage.engine import shown
from assessment.storage.models import Base
from assessment.storage.settings import claim_setting, get_setting
from assessment.survey.site_address import base_url, unreachable_hint

#: Where the hash of a generated facilitator password is kept (table app_settings).
PASSWORD_SETTING = "facilitator_password_hash"
#: ``WMM_DEMO``: unset seeds the demo into a freshly created SQLite database only; ``1`` also into a
#: fresh PostgreSQL database; ``0`` never.
DEMO_ENV = "WMM_DEMO"
_NO = {"0", "false", "no", "off"}
_YES = {"1", "true", "yes", "on"}
#: The demo campaign whose survey link the first run shows (the wave that is still open).
DEMO_CAMPAIGN = WAVES[-1][0]


_announced: set[str] = set()


def database_url(url: str | None = None) -> str:
    """The database start-up opens: ``url``, else ``WMM_DATABASE_URL``, else the default SQLite file.

    As full text (the password kept), for `prepare` and as the key of this process's start-up cache;
    never show it (messages use the URL with the password hidden).
    """
    return resolve_url(url).render_as_string(hide_password=False)


def claim_announcement(database_url: str) -> bool:
    """True the first time it is asked for a database in this process: whoever gets True prints
    the start-up message (`wmm serve` before the server starts, else the app's first page)."""
    if database_url in _announced:
        return False
    _announced.add(database_url)
    return True


class _ClaimedElsewhere(Exception):
    """Another process stored its generated password first; use that one."""


@dataclass(frozen=True)
class Startup:
    """What the app needs from start-up, kept for the life of the process (no clear-text secrets).

    Attributes
    ----------
    db : the open database, at the current schema
    login : ``password`` (a form) or ``oidc`` (`st.login`, when ``[auth]`` is configured)
    password_hash : the facilitator password's scrypt hash (None with OIDC)
    password_origin : environment, secrets, stored or generated (None with OIDC)
    created : whether this process created the database schema
    demo : what seeding did, when this process seeded the demo organisation
    demo_survey_url : the survey link of the open demo campaign, when there is one
    """

    db: Database
    login: Literal["password", "oidc"]
    password_hash: str | None
    password_origin: str | None
    created: bool
    demo: DemoSeed | None
    demo_survey_url: str | None


@dataclass(frozen=True)
class Prepared:
    """The result of `prepare`: the `Startup` to keep, and the message to print once and forget."""

    startup: Startup
    announcement: str


def _has_wmm_tables(db: Database) -> bool:
    return bool(set(inspect(db.engine).get_table_names()) & set(Base.metadata.tables))


def open_or_create(url: str | URL | None = None) -> tuple[Database, bool]:
    """The database at ``url`` (see `assessment.storage.resolve_url`), created when it is new.

    Returns the database and whether this call created its schema. Of several processes starting on
    the same new database, exactly one gets True (the upgrade holds the write lock while it looks).

    Raises
    ------
    MigrationNeededError
        If the database exists at another schema revision (fix: ``wmm db upgrade``).
    """
    db = connect(url, create=True)
    try:
        created = False
        if current_revision(db) is None and not _has_wmm_tables(db):
            before, _ = upgrade(db)
            created = before is None
        check_schema(db)
    except BaseException:
        db.dispose()
        raise
    return db, created


def wants_demo(db: Database, environ: Mapping[str, str]) -> bool:
    """Whether a freshly created database gets the demo organisation (see `DEMO_ENV`)."""
    setting = environ.get(DEMO_ENV, "").strip().lower()
    if setting in _NO:
        return False
    if setting in _YES:
        return True
    return db.is_sqlite


def demo_survey_url(db: Database) -> str | None:
    """The survey link of the open demo campaign, or None when the database has none."""
    for campaign in list_campaigns(db):
        if (
            campaign.organisation == ORGANISATION
            and campaign.name == DEMO_CAMPAIGN
            and campaign.accepts_answers()
        ):
            return survey_url(campaign.code)
    return None


def facilitator_password(
    db: Database, environ: Mapping[str, str], secrets: Mapping[str, Any]
) -> PasswordSource:
    """The facilitator password hash (`assessment.access.auth.resolve_password`), stored in ``app_settings``.

    When several processes generate a password at once, the first stored wins and the others
    report it as ``stored`` (so only one clear-text password is ever printed, and it works).
    """

    def store(password_hash: str) -> None:
        if claim_setting(db, PASSWORD_SETTING, password_hash) != password_hash:
            raise _ClaimedElsewhere

    def load() -> str | None:
        return get_setting(db, PASSWORD_SETTING)

    try:
        return resolve_password(
            environ=environ, streamlit_secrets=secrets, load_stored=load, store=store
        )
    except _ClaimedElsewhere:
        return resolve_password(
            environ=environ, streamlit_secrets=secrets, load_stored=load, store=store
        )


def prepare(
    url: str | URL | None = None,
    *,
    environ: Mapping[str, str],
    secrets: Mapping[str, Any] | None = None,
) -> Prepared:
    """Open (or create and seed) the database and settle the facilitator login.

    Parameters
    ----------
    url : the database URL; None means ``WMM_DATABASE_URL`` or the default SQLite file
    environ : the environment (``WMM_ADMIN_PASSWORD``, ``WMM_DEMO``)
    secrets : Streamlit secrets (``admin_password``, an ``[auth]`` section for OIDC)
    """
    secrets = secrets or {}
    db, created = open_or_create(url)
    try:
        demo = seed_demo(db) if created and wants_demo(db, environ) else None
        if oidc_configured(secrets):
            login: Literal["password", "oidc"] = "oidc"
            source: PasswordSource | None = None
        else:
            login = "password"
            source = facilitator_password(db, environ, secrets)
        startup = Startup(
            db=db,
            login=login,
            password_hash=source.password_hash if source else None,
            password_origin=source.origin if source else None,
            created=created,
            demo=demo,
            demo_survey_url=demo_survey_url(db),
        )
    except BaseException:
        db.dispose()
        raise
    generated = source.generated_password if source else None
    return Prepared(startup, announcement(startup, generated_password=generated))


_LOGIN_HOW = {
    "environment": "with the password in the environment variable WMM_ADMIN_PASSWORD.",
    "secrets": "with admin_password from .streamlit/secrets.toml.",
    "stored": (
        "with the password generated and printed on the first start (only its hash is stored).\n"
        "  Lost it? Start the app with WMM_ADMIN_PASSWORD=<a password of your choice>."
    ),
}


def announcement(startup: Startup, *, generated_password: str | None = None) -> str:
    """The start-up message: database, demo survey link, where facilitators log in and how."""
    site = base_url()
    rule = "-" * 72
    lines = [rule, "Work management maturity is ready.", f"Database: {shown(startup.db.url)}"]
    if startup.created:
        seeded = " and seeded the demo organisation" if startup.demo else ""
        lines[-1] += f" (created now{seeded})"
    if startup.demo_survey_url:
        lines += [
            "",
            "Demo survey (open it on a phone or in a browser; anyone with the link can answer):",
            f"  {startup.demo_survey_url}",
        ]
        hint = unreachable_hint(startup.demo_survey_url)
        if hint:
            lines += textwrap.wrap(
                f"Note: {hint}", width=72, initial_indent="  ", subsequent_indent="  "
            )
    lines += ["", f"Facilitator pages: {site}/dashboard and {site}/campaigns"]
    if startup.login == "oidc":
        lines.append(
            "  Log in with your identity provider (OIDC, [auth] in .streamlit/secrets.toml)."
        )
    elif generated_password is not None:
        lines += [
            f"  Log in with this password: {generated_password}",
            "  It was generated now and is shown only this once (only its hash is stored).",
            "  To choose your own, set WMM_ADMIN_PASSWORD or admin_password in "
            ".streamlit/secrets.toml.",
        ]
    else:
        lines.append(f"  Log in {_LOGIN_HOW[startup.password_origin or 'stored']}")
    lines.append(rule)
    return "\n".join(lines)
