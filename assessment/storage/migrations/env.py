"""Alembic environment: runs migrations on the connection `assessment.storage.migrate` hands over.

Without a connection (plain `alembic` use by a developer) it connects to the ``sqlalchemy.url``
option, or the URL wmm would use (``WMM_DATABASE_URL`` / the default SQLite file).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from assessment.storage import settings  # noqa: F401  (registers its table on Base)
from assessment.storage.engine import connect
from assessment.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    database = connect(config.get_main_option("sqlalchemy.url"), create=True)
    try:
        with database.engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        database.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
