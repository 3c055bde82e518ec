"""import job outcome kept in both languages

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_en", sa.Text(), nullable=True))
    # Outcomes written before this revision were one "Vietnamese / English" string: separate them once.
    job = sa.table(
        "import_job",
        sa.column("id", sa.Integer),
        sa.column("message", sa.Text),
        sa.column("message_en", sa.Text),
    )
    conn = op.get_bind()
    for job_id, message in conn.execute(
        sa.select(job.c.id, job.c.message).where(job.c.message.contains(" / "))
    ):
        vi, en = message.split(" / ", 1)
        conn.execute(job.update().where(job.c.id == job_id).values(message=vi, message_en=en))


def downgrade() -> None:
    job = sa.table("import_job", sa.column("message", sa.Text), sa.column("message_en", sa.Text))
    op.get_bind().execute(
        job.update()
        .where(job.c.message_en.is_not(None))
        .values(message=job.c.message + " / " + job.c.message_en)
    )
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.drop_column("message_en")
