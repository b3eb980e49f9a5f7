"""the local day each centre's screens and counters were last started for

Revision ID: 0010_centre_day
Revises: 0005_revocation
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = "0010_centre_day"
down_revision = "0005_revocation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("centres") as batch:
        batch.add_column(sa.Column("day", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("centres") as batch:
        batch.drop_column("day")
