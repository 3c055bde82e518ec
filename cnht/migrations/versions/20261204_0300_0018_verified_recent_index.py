"""live firms in match order (verified first, recently updated): a category's members are walked in it
instead of sorted

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# the expression cnht.enterprises.models.verified_first() renders, character for character: an index on
# an expression serves only a query with the same expression
ORDER = (
    "(CASE WHEN (verification_status = 'staff_assessed') THEN 0"
    " WHEN (verification_status = 'documents_checked') THEN 1"
    " WHEN (verification_status = 'self_declared') THEN 2 ELSE 3 END)"
)


def upgrade() -> None:
    op.create_index(
        "ix_enterprise_verified_recent",
        "enterprise",
        [sa.text(ORDER), sa.text("updated_at DESC"), "id"],
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_enterprise_verified_recent", table_name="enterprise")
