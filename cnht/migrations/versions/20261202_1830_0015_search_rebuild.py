"""a search index rebuild in progress: changes meanwhile wait in the backlog

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 18:30:00
"""

import sqlalchemy as sa
from alembic import op

from cnht.db import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_rebuild",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("beat_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("search_rebuild")
