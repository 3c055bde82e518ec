"""an English introduction for each enterprise (FDI buyers; searched too)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enterprise") as batch:
        batch.add_column(sa.Column("description_en", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enterprise") as batch:
        batch.drop_column("description_en")
