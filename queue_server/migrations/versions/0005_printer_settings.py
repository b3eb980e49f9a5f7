"""Per-printer settings (must it answer status, how long may a job wait); jobs being sent

Revision ID: 0005_printer_settings
Revises: 0011_outreach_feedback
Create Date: 2026-12-02

`printer_status` "optional" lets a printer that never answers DLE EOT print anyway; a job not
printed within `print_expiry_s` of its ticket becomes `expired` instead of printing late.
"""

from alembic import op
import sqlalchemy as sa
import queue_server.adapters.orm


revision = "0005_printer_settings"
down_revision = "0011_outreach_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "print_jobs",
        sa.Column("sending_at", queue_server.adapters.orm.UTCDateTime(), nullable=True),
    )
    op.add_column(
        "devices",
        sa.Column(
            "printer_status", sa.String(length=16), server_default="required", nullable=False
        ),
    )
    op.add_column(
        "devices", sa.Column("print_expiry_s", sa.Integer(), server_default="300", nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch_op:
        batch_op.drop_column("print_expiry_s")
        batch_op.drop_column("printer_status")
    with op.batch_alter_table("print_jobs") as batch_op:
        batch_op.drop_column("sending_at")
