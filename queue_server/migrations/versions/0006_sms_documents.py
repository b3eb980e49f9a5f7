"""SMS outbox, Track my Service documents, phone consent

Revision ID: 0006_sms_documents
Revises: 0003
Create Date: 2026-12-02

Messages to citizens are rows written with the change that causes them (unique per purpose and
subject) and sent later by a worker; documents are followed by a random ref; a phone number
given with a ticket or a document keeps the consent text shown, in both languages.
"""

from alembic import op
import sqlalchemy as sa
import queue_server.adapters.orm


revision = "0006_sms_documents"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("body", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", queue_server.adapters.orm.UTCDateTime(), nullable=False),
        sa.Column("expires_at", queue_server.adapters.orm.UTCDateTime(), nullable=False),
        sa.Column("lease_until", queue_server.adapters.orm.UTCDateTime(), nullable=True),
        sa.Column("created_at", queue_server.adapters.orm.UTCDateTime(), nullable=False),
        sa.Column("sent_at", queue_server.adapters.orm.UTCDateTime(), nullable=True),
        sa.Column("gateway_id", sa.String(length=100), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_sms_messages_centre_id_centres")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_messages")),
        sa.UniqueConstraint("purpose", "subject", name=op.f("uq_sms_messages_purpose_subject")),
    )
    op.create_index("ix_sms_messages_centre_id_id", "sms_messages", ["centre_id", "id"])
    op.create_index(op.f("ix_sms_messages_gateway_id"), "sms_messages", ["gateway_id"])
    op.create_index("ix_sms_messages_phone_created_at", "sms_messages", ["phone", "created_at"])
    op.create_index(
        "ix_sms_messages_status_next_try_at", "sms_messages", ["status", "next_try_at"]
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=10), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("phone_consent_at", queue_server.adapters.orm.UTCDateTime(), nullable=True),
        sa.Column("phone_consent_text", sa.JSON(), nullable=True),
        sa.Column("lodged_by", sa.Integer(), nullable=True),
        sa.Column("lodged_at", queue_server.adapters.orm.UTCDateTime(), nullable=False),
        sa.Column("updated_at", queue_server.adapters.orm.UTCDateTime(), nullable=False),
        sa.Column("ready_at", queue_server.adapters.orm.UTCDateTime(), nullable=True),
        sa.Column("closed_at", queue_server.adapters.orm.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_documents_centre_id_centres")
        ),
        sa.ForeignKeyConstraint(
            ["lodged_by"], ["users.id"], name=op.f("fk_documents_lodged_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_documents_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("ref", name=op.f("uq_documents_ref")),
    )
    op.create_index(
        "ix_documents_centre_status_updated", "documents", ["centre_id", "status", "updated_at"]
    )
    # Plain ADD COLUMNs: a batch (copy) of the tickets table on SQLite could drop its partial
    # unique index of one ticket per counter.
    op.add_column(
        "centres", sa.Column("notify_ahead", sa.Integer(), server_default="3", nullable=False)
    )
    op.add_column(
        "centres",
        sa.Column("document_return_days", sa.Integer(), server_default="60", nullable=False),
    )
    op.add_column("services", sa.Column("collect_service", sa.String(length=16), nullable=True))
    op.add_column("tickets", sa.Column("phone_consent_text", sa.JSON(), nullable=True))
    op.add_column("tickets", sa.Column("document_ref", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_column("document_ref")
        batch_op.drop_column("phone_consent_text")
    with op.batch_alter_table("services") as batch_op:
        batch_op.drop_column("collect_service")
    with op.batch_alter_table("centres") as batch_op:
        batch_op.drop_column("document_return_days")
        batch_op.drop_column("notify_ahead")
    op.drop_table("documents")
    op.drop_table("sms_messages")
