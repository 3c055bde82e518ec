"""enterprises waiting for the search index (written while the search cluster was unreachable)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 14:20:00
"""

import sqlalchemy as sa
from alembic import op

from cnht.db import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_backlog",
        sa.Column("enterprise_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("queued_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id"),
    )


def downgrade() -> None:
    op.drop_table("search_backlog")
