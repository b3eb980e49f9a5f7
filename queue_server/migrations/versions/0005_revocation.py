"""Revocation: users left out of the configuration, and tokens signed out

Revision ID: 0005_revocation
Revises: 0009_outreach
Create Date: 2026-12-02

A user left out of the configuration stays (their history names them) but is inactive; a
token that signed out is kept until it would have expired, and refused meanwhile.
"""

from alembic import op
import sqlalchemy as sa
import queue_server.adapters.orm


revision = "0005_revocation"
down_revision = "0009_outreach"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revoked_tokens",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", queue_server.adapters.orm.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_revoked_tokens")),
    )
    op.create_index(
        op.f("ix_revoked_tokens_expires_at"), "revoked_tokens", ["expires_at"]
    )
    op.add_column(
        "users", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("active")
    op.drop_index(op.f("ix_revoked_tokens_expires_at"), table_name="revoked_tokens")
    op.drop_table("revoked_tokens")
