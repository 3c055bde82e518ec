"""requirements no longer show the posting person's name as the buyer

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 05:00:00
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Before this revision a buyer without an organisation was shown by their own name: clear exactly those.
    op.execute(
        """
        UPDATE sourcing_requirement SET buyer_name = NULL
        WHERE buyer_name IS NOT NULL AND EXISTS (
            SELECT 1 FROM user_account u
            WHERE u.id = sourcing_requirement.owner_id AND u.full_name = sourcing_requirement.buyer_name
              AND (u.organisation IS NULL OR u.organisation <> sourcing_requirement.buyer_name)
        )
        """
    )


def downgrade() -> None:
    pass  # the names are not restored: they should not have been public
