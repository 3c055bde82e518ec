"""attachments addressed by an unguessable public id

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:30:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_id", sa.String(length=32), nullable=True))
    att = sa.table("attachment", sa.column("id", sa.Integer), sa.column("public_id", sa.String))
    conn = op.get_bind()
    for (att_id,) in conn.execute(sa.select(att.c.id)).all():
        conn.execute(att.update().where(att.c.id == att_id).values(public_id=secrets.token_hex(16)))
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.alter_column("public_id", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_attachment_public_id"), ["public_id"])


def downgrade() -> None:
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_attachment_public_id"), type_="unique")
        batch_op.drop_column("public_id")
