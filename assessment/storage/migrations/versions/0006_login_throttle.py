"""Login throttling: failed facilitator logins per account and per client (a keyed hash only), so
the growing lock holds across every app process (replica) sharing the database.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
# The lead re-chains this after the other revisions of issue 15 (0004) are merged.
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('account', 'client')", name=op.f("ck_login_throttle_kind")),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_login_throttle_failures")),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_login_throttle")),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
