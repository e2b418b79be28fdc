"""Campaigns can require the role question: ``campaigns.require_role`` (false for every existing
campaign, so nothing changes for them until a facilitator turns it on).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both backends (SQLite supports it natively with a constant default).
    op.add_column(
        "campaigns",
        sa.Column("require_role", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # Not batch mode: on SQLite it would copy and drop the campaigns table, and dropping it with
    # foreign keys on deletes every unit, response and invitation by ON DELETE CASCADE.
    if op.get_bind().dialect.name == "sqlite" and sqlite3.sqlite_version_info < (3, 35, 0):
        raise RuntimeError(
            f"downgrading below revision 0004 needs SQLite 3.35 or newer (ALTER TABLE DROP "
            f"COLUMN); this Python has SQLite {sqlite3.sqlite_version}"
        )
    op.drop_column("campaigns", "require_role")
