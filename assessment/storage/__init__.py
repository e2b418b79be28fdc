"""Storage of campaigns and responses: database URL and engines, schema models and migrations.

`open_database(url)` is the entry point; it refuses a database that needs `wmm db upgrade`.
"""

from assessment.errors import DatabaseMissingError, MigrationNeededError
from assessment.storage.engine import Database, connect, resolve_url
from assessment.storage.migrate import (
    check_schema,
    current_revision,
    head_revision,
    needs_migration,
    open_database,
    upgrade,
)

__all__ = [
    "Database",
    "DatabaseMissingError",
    "MigrationNeededError",
    "check_schema",
    "connect",
    "current_revision",
    "head_revision",
    "needs_migration",
    "open_database",
    "resolve_url",
    "upgrade",
]
