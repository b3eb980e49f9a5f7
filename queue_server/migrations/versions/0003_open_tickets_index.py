"""open tickets found by status first, then day

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Finding a centre's open tickets from earlier days (on every issue and call) read the index
(centre, day, status) from the first day on record: every past ticket, a cost growing each
day. By (centre, status, day, service) it reads only the open ones, and today's waiting
counts per service come from the index alone.
"""

from alembic import op


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_tickets_open_by_day", table_name="tickets")
    op.create_index(
        "ix_tickets_by_status_day",
        "tickets",
        ["centre_id", "status", "day", "service_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_by_status_day", table_name="tickets")
    op.create_index(
        "ix_tickets_open_by_day", "tickets", ["centre_id", "day", "status"], unique=False
    )
