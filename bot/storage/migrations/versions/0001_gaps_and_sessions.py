"""The unanswered-question log and conversation state.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gaps",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("near_entry", sa.String(120), nullable=True),
        sa.Column("near_score", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("chosen_entry", sa.String(120), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index("ix_gaps_at", "gaps", ["at"])
    op.create_index("ix_gaps_status", "gaps", ["status"])
    op.create_table(
        "sessions",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sessions")
    op.drop_index("ix_gaps_status", "gaps")
    op.drop_index("ix_gaps_at", "gaps")
    op.drop_table("gaps")
