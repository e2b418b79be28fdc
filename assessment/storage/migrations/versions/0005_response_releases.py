"""Response releases: ``responses.release`` is the number of the release a submitted response was
first published in (NULL: not yet), so results advance in privacy-checked releases, not per answer.

Submitted responses stored before this revision may have been seen already, so they form release 1.

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
# The lead re-chains this after the other revisions of issue 12 (0003, 0004) are merged.
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy): on SQLite a copied ``responses`` table would be dropped,
    # and dropping it would cascade to the answers.
    op.add_column("responses", sa.Column("release", sa.Integer(), nullable=True))
    op.execute("UPDATE responses SET release = 1 WHERE status = 'submitted'")


def downgrade() -> None:
    # SQLite >= 3.35 drops a column in place, which keeps the answers of the responses.
    op.execute("ALTER TABLE responses DROP COLUMN release")
