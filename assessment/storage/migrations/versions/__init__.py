"""Schema revisions of the wmm database, oldest first (Alembic loads them; nothing imports them).

Each file has `upgrade()` and `downgrade()`; write SQLite-compatible steps with `op.batch_alter_table`.
"""
