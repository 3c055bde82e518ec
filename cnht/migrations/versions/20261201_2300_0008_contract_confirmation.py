"""a signed contract counts once the supplier or staff confirmed it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:00:00
"""

import sqlalchemy as sa
from alembic import op

import cnht.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Contracts recorded before this revision stay unconfirmed: nobody but the recording side saw them.
    with op.batch_alter_table("connection", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contract_confirmed_at", cnht.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("contract_confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_connection_contract_confirmed_by_id_user_account"),
            "user_account",
            ["contract_confirmed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("connection", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_connection_contract_confirmed_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("contract_confirmed_by_id")
        batch_op.drop_column("contract_confirmed_at")
