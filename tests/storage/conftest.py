"""Fixtures of the storage tests: `db_url` / `db` on SQLite and PostgreSQL, and a small campaign."""

from __future__ import annotations

from storage.databases import (  # noqa: F401  (fixtures)
    campaign,
    db,
    db_url,
    postgres_available,
    postgres_shared_url,
    sqlite_template,
)
