"""Service by Appointment: slot templates, closed days, slot usage and appointments

Revision ID: 0007_appointments
Revises: 0006_sms_documents
Create Date: 2026-12-02

A booking claims a place with a conditional update of its slot's usage row, so no slot holds
more than its capacity whatever the concurrency; one live booking per phone per service per
day is a partial unique index.
"""

import sqlalchemy as sa
from alembic import op

from queue_server.adapters.orm import UTCDateTime

revision = "0007_appointments"
down_revision = "0006_sms_documents"
branch_labels = None
depends_on = None

LIVE_WITH_PHONE = "status IN ('booked', 'checked_in') AND phone IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("centres") as batch:
        batch.add_column(
            sa.Column("booking_days", sa.Integer(), server_default="30", nullable=False)
        )
        batch.add_column(
            sa.Column("checkin_early_s", sa.Integer(), server_default="3600", nullable=False)
        )
        batch.add_column(
            sa.Column("checkin_late_s", sa.Integer(), server_default="900", nullable=False)
        )
    with op.batch_alter_table("services") as batch:
        batch.add_column(
            sa.Column("slot_templates", sa.JSON(), server_default="[]", nullable=False)
        )
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("appointment_ref", sa.String(length=8), nullable=True))
    op.create_table(
        "slot_usage",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("start", UTCDateTime(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_slot_usage_service_id_services")
        ),
        sa.PrimaryKeyConstraint("service_id", "start", name=op.f("pk_slot_usage")),
    )
    op.create_table(
        "closed_days",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["users.id"], name=op.f("fk_closed_days_closed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_closed_days_service_id_services")
        ),
        sa.PrimaryKeyConstraint("service_id", "day", name=op.f("pk_closed_days")),
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=8), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start", UTCDateTime(), nullable=False),
        sa.Column("end", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("phone_consent_at", UTCDateTime(), nullable=True),
        sa.Column("booked_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_appointments_centre_id_centres")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_appointments_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_appointments_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint(
            "centre_id", "idempotency_key", name=op.f("uq_appointments_centre_id_idempotency_key")
        ),
        sa.UniqueConstraint("public_id", name=op.f("uq_appointments_public_id")),
        sa.UniqueConstraint("ref", name=op.f("uq_appointments_ref")),
    )
    op.create_index(
        "ix_appointments_centre_day", "appointments", ["centre_id", "day", "start"], unique=False
    )
    op.create_index(
        "ix_appointments_status_start", "appointments", ["status", "start"], unique=False
    )
    op.create_index(
        "ux_appointments_one_per_phone",
        "appointments",
        ["service_id", "day", "phone"],
        unique=True,
        sqlite_where=sa.text(LIVE_WITH_PHONE),
        postgresql_where=sa.text(LIVE_WITH_PHONE),
    )


def downgrade() -> None:
    op.drop_index("ux_appointments_one_per_phone", table_name="appointments")
    op.drop_index("ix_appointments_status_start", table_name="appointments")
    op.drop_index("ix_appointments_centre_day", table_name="appointments")
    op.drop_table("appointments")
    op.drop_table("closed_days")
    op.drop_table("slot_usage")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("appointment_ref")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("slot_templates")
    with op.batch_alter_table("centres") as batch:
        batch.drop_column("checkin_late_s")
        batch.drop_column("checkin_early_s")
        batch.drop_column("booking_days")
