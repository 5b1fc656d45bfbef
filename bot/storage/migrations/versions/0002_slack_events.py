"""Slack deliveries already claimed, so a retried event is not answered twice.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_events",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_slack_events_claimed_at", "slack_events", ["claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_slack_events_claimed_at", "slack_events")
    op.drop_table("slack_events")
