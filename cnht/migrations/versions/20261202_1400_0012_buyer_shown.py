"""a buyer chooses how a requirement names them: the organisation, "FDI firm (anonymous)" or no one

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sourcing_requirement") as batch:
        batch.add_column(
            sa.Column("buyer_shown", sa.String(length=10), nullable=False, server_default="name")
        )


def downgrade() -> None:
    with op.batch_alter_table("sourcing_requirement") as batch:
        batch.drop_column("buyer_shown")
