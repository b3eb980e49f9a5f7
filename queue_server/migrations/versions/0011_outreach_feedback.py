"""feedback given at an outreach site is marked for its sync log

Revision ID: 0011_outreach_feedback
Revises: 0004_counter_guards
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = "0011_outreach_feedback"
down_revision = "0004_counter_guards"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "feedback",
        sa.Column("sync_pending", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("feedback", "sync_pending")
