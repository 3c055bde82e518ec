"""sessions end at sign-out (session epoch); API tokens expire

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:40:00
"""

import sqlalchemy as sa
from alembic import op

import cnht.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("api_token_expires_at", cnht.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("session_epoch")
        batch_op.drop_column("api_token_expires_at")
