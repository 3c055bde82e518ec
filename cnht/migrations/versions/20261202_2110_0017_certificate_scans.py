"""a certificate scan names the certificate it belongs to (uploaded from its row in the editor)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 21:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachment") as batch:
        batch.add_column(sa.Column("certification_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_attachment_certification_id"), ["certification_id"])
        batch.create_foreign_key(
            batch.f("fk_attachment_certification_id_certification"),
            "certification",
            ["certification_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("attachment") as batch:
        batch.drop_constraint(batch.f("fk_attachment_certification_id_certification"), type_="foreignkey")
        batch.drop_index(batch.f("ix_attachment_certification_id"))
        batch.drop_column("certification_id")
