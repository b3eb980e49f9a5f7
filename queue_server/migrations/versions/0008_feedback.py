"""feedback, pausing a service, a service's target wait, tickets by centre and day

Revision ID: 0008_feedback
Revises: 0007_appointments
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa
import queue_server.adapters.orm


revision = "0008_feedback"
down_revision = "0007_appointments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("services") as batch:
        batch.add_column(sa.Column("paused_reason_en", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("paused_reason_sw", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column("target_wait_s", sa.Integer(), nullable=False, server_default="3600")
        )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("wait_ok", sa.Boolean(), nullable=True),
        sa.Column("fee", sa.String(length=16), nullable=True),
        sa.Column("asked_for_money", sa.String(length=16), nullable=True),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("given_at", queue_server.adapters.orm.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_feedback_centre_id_centres")
        ),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counters.id"], name=op.f("fk_feedback_counter_id_counters")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_feedback_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_feedback_ticket_id_tickets")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_feedback_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_feedback_ticket_id")),
    )
    op.create_index("ix_feedback_centre_day", "feedback", ["centre_id", "day"], unique=False)
    op.create_index("ix_tickets_centre_day", "tickets", ["centre_id", "day"], unique=False)
    op.create_table(
        "report_days",
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service", sa.String(length=16), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("no_show", sa.Integer(), nullable=False),
        sa.Column("fees_kes", sa.Integer(), nullable=False),
        sa.Column("fees_sponsored_kes", sa.Integer(), nullable=False),
        sa.Column("wait_p50_s", sa.Integer(), nullable=True),
        sa.Column("wait_p90_s", sa.Integer(), nullable=True),
        sa.Column("service_p50_s", sa.Integer(), nullable=True),
        sa.Column("made_at", queue_server.adapters.orm.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_report_days_centre_id_centres")
        ),
        sa.PrimaryKeyConstraint("centre_id", "day", "service", name=op.f("pk_report_days")),
    )


def downgrade() -> None:
    op.drop_table("report_days")
    op.drop_index("ix_tickets_centre_day", table_name="tickets")
    op.drop_index("ix_feedback_centre_day", table_name="feedback")
    op.drop_table("feedback")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("target_wait_s")
        batch.drop_column("paused_reason_sw")
        batch.drop_column("paused_reason_en")
