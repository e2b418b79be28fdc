"""Workshop votes: which statements to discuss, counted per statement; a ballot keeps only a token hash.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("max_choices", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("voters", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_votes_status")),
        sa.CheckConstraint("max_choices >= 1", name=op.f("ck_votes_max_choices")),
        sa.CheckConstraint("voters >= 0", name=op.f("ck_votes_voters")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_votes_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
        sa.UniqueConstraint("code", name=op.f("uq_votes_code")),
    )
    op.create_index(op.f("ix_votes_campaign_id"), "votes", ["campaign_id"], unique=False)
    op.create_table(
        "vote_tallies",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=60), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.CheckConstraint("votes >= 0", name=op.f("ck_vote_tallies_votes")),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["votes.id"],
            name=op.f("fk_vote_tallies_vote_id_votes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("vote_id", "item", name=op.f("pk_vote_tallies")),
    )
    op.create_table(
        "vote_ballots",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["votes.id"],
            name=op.f("fk_vote_ballots_vote_id_votes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("vote_id", "token_hash", name=op.f("pk_vote_ballots")),
    )


def downgrade() -> None:
    op.drop_table("vote_ballots")
    op.drop_table("vote_tallies")
    op.drop_index(op.f("ix_votes_campaign_id"), table_name="votes")
    op.drop_table("votes")
