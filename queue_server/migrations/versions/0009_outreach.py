"""Huduma Mashinani: outreach centres, sponsored fees and the sites' sync log

Revision ID: 0009_outreach
Revises: 0008_feedback
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa
import queue_server.adapters.orm


revision = "0009_outreach"
down_revision = "0008_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "centres", sa.Column("kind", sa.String(length=16), server_default="centre", nullable=False)
    )
    op.add_column("centres", sa.Column("parent", sa.String(length=16), nullable=True))
    op.add_column("centres", sa.Column("starts", sa.Date(), nullable=True))
    op.add_column("centres", sa.Column("ends", sa.Date(), nullable=True))
    op.add_column("centres", sa.Column("location", sa.String(length=200), nullable=True))
    op.add_column("centres", sa.Column("sponsor", sa.String(length=100), nullable=True))
    op.add_column("tickets", sa.Column("fee_kes", sa.Integer(), server_default="0", nullable=False))
    op.add_column(
        "tickets",
        sa.Column("paid_by", sa.String(length=16), server_default="citizen", nullable=False),
    )
    op.add_column(
        "tickets",
        sa.Column("sync_pending", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.create_index("ix_tickets_sync_pending", "tickets", ["centre_id", "sync_pending"])
    op.add_column(
        "ticket_events",
        sa.Column("sync_pending", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.create_table(
        "sync_entries",
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("recorded_at", queue_server.adapters.orm.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_sync_entries_centre_id_centres")
        ),
        sa.PrimaryKeyConstraint("centre_id", "seq", name=op.f("pk_sync_entries")),
    )
    op.create_table(
        "sync_states",
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("acked_seq", sa.Integer(), nullable=False),
        sa.Column("last_success_at", queue_server.adapters.orm.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("skew_s", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_sync_states_centre_id_centres")
        ),
        sa.PrimaryKeyConstraint("centre_id", name=op.f("pk_sync_states")),
    )


def downgrade() -> None:
    op.drop_table("sync_states")
    op.drop_table("sync_entries")
    op.drop_column("ticket_events", "sync_pending")
    op.drop_index("ix_tickets_sync_pending", table_name="tickets")
    for column in ("sync_pending", "paid_by", "fee_kes"):
        op.drop_column("tickets", column)
    for column in ("sponsor", "location", "ends", "starts", "parent", "kind"):
        op.drop_column("centres", column)
