"""documents lodged at an outreach site are marked for its sync log

Revision ID: 0012_outreach_documents
Revises: 0005_printer_settings
Create Date: 2026-12-02

Documents already in the database start marked, so a site upgraded mid-event sends home the
documents it lodged before.
"""

from alembic import op
import sqlalchemy as sa


revision = "0012_outreach_documents"
down_revision = "0005_printer_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "documents",
        sa.Column("sync_pending", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("sync_pending")
