"""counter version and the time a ticket's present counter called it

Revision ID: 0004_counter_guards
Revises: 0010_centre_day
Create Date: 2026-12-02

Every counter action first moves the counter's version on, only from the version it read
(`UPDATE counters SET version = version + 1 WHERE id = :id AND version = :seen`): two screens
of one counter acting at once cannot both succeed, on SQLite or PostgreSQL. A transfer keeps
`called_at` (the first call), so the time at the present counter is kept apart.
"""

import sqlalchemy as sa
from alembic import op

from queue_server.adapters.orm import UTCDateTime

revision = "0004_counter_guards"
down_revision = "0010_centre_day"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "counters", sa.Column("version", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("tickets", sa.Column("counter_called_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("counter_called_at")
    with op.batch_alter_table("counters") as batch:
        batch.drop_column("version")
