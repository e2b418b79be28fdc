"""Unlink respondents: invitations lose their response reference, submitted responses their resume
token (kept, with no response reference, in ``submitted_tokens``), and every time about a respondent
is cut to the day (00:00 UTC).

What is removed cannot be restored: the downgrade brings the ``response_id`` column back empty.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Every stored time about a respondent: (table, column).
_RESPONDENT_TIMES = (
    ("responses", "started_at"),
    ("responses", "updated_at"),
    ("responses", "submitted_at"),
    ("invitations", "used_at"),
)


def _day(column: str) -> str:
    """SQL for the start (00:00 UTC) of the UTC day of ``column``, as this backend stores it."""
    if op.get_bind().dialect.name == "postgresql":
        # timestamptz -> UTC wall time -> midnight -> back to timestamptz, whatever the session zone.
        return f"date_trunc('day', {column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
    # SQLite keeps UTC as text 'YYYY-MM-DD HH:MM:SS.ffffff' (see models.UTCDateTime).
    return f"substr({column}, 1, 10) || ' 00:00:00.000000'"


def upgrade() -> None:
    op.create_table(
        "submitted_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_submitted_tokens_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_submitted_tokens")),
    )
    op.create_index(
        op.f("ix_submitted_tokens_campaign_id"), "submitted_tokens", ["campaign_id"], unique=False
    )
    for table, column in _RESPONDENT_TIMES:
        op.execute(f"UPDATE {table} SET {column} = {_day(column)} WHERE {column} IS NOT NULL")
    # Old resume links of submitted responses keep saying "already received"; the rows are written
    # in hash order, so not even their insertion order follows the responses.
    op.execute(
        "INSERT INTO submitted_tokens (token_hash, campaign_id, submitted_at) "
        "SELECT resume_token_hash, campaign_id, COALESCE(submitted_at, updated_at) FROM responses "
        "WHERE status = 'submitted' AND resume_token_hash IS NOT NULL "
        "ORDER BY resume_token_hash"
    )
    op.execute("UPDATE responses SET resume_token_hash = NULL WHERE status = 'submitted'")
    with op.batch_alter_table("invitations") as batch:
        batch.drop_constraint("fk_invitations_response_id_responses", type_="foreignkey")
        batch.drop_column("response_id")


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("response_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_invitations_response_id_responses",
            "responses",
            ["response_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.drop_index(op.f("ix_submitted_tokens_campaign_id"), table_name="submitted_tokens")
    op.drop_table("submitted_tokens")
