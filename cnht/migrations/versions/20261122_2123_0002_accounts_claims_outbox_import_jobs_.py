"""accounts, claims, outbox, import jobs, duplicate review

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:23:34.099141
"""

import sqlalchemy as sa
from alembic import op

import cnht.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_email", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", cnht.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", cnht.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_to_email"), ["to_email"], unique=False)

    op.create_table(
        "duplicate_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("province_code", sa.String(length=8), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("same", sa.Boolean(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", cnht.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_duplicate_decision_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_duplicate_decision_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_decision")),
        sa.UniqueConstraint(
            "name_key", "province_code", "enterprise_id", name=op.f("uq_duplicate_decision_name_key")
        ),
    )
    op.create_table(
        "duplicate_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("row_data", sa.JSON(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("province_code", sa.String(length=8), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", cnht.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", cnht.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["enterprise.id"],
            name=op.f("fk_duplicate_review_candidate_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_duplicate_review_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["enterprise.id"],
            name=op.f("fk_duplicate_review_result_id_enterprise"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_review")),
    )
    with op.batch_alter_table("duplicate_review", schema=None) as batch_op:
        batch_op.create_index("ix_duplicate_review_key", ["name_key", "province_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_duplicate_review_status"), ["status"], unique=False)

    op.create_table(
        "enterprise_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.String(length=120), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", cnht.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", cnht.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_enterprise_claim_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_enterprise_claim_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_enterprise_claim_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_claim")),
    )
    with op.batch_alter_table("enterprise_claim", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_claim_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_enterprise_claim_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_claim_user_id"), ["user_id"], unique=False)

    op.create_table(
        "import_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=255), nullable=False),
        sa.Column("sheet", sa.String(length=120), nullable=True),
        sa.Column("on_error", sa.String(length=8), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("rows_estimated", sa.Integer(), nullable=True),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("report_name", sa.String(length=255), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_at", cnht.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", cnht.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", cnht.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_import_job_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job")),
    )
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_job_status"), ["status"], unique=False)

    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.alter_column("tax_code", existing_type=sa.VARCHAR(length=14), nullable=True)

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("locked_until", cnht.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("api_token_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("lang", sa.String(length=2), nullable=False, server_default="vi"))
        batch_op.create_unique_constraint(batch_op.f("uq_user_account_api_token_hash"), ["api_token_hash"])


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_account_api_token_hash"), type_="unique")
        batch_op.drop_column("lang")
        batch_op.drop_column("api_token_hash")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("phone")
        batch_op.drop_column("organisation")

    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.alter_column("tax_code", existing_type=sa.VARCHAR(length=14), nullable=False)

    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_job_status"))

    op.drop_table("import_job")
    with op.batch_alter_table("enterprise_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_claim_user_id"))
        batch_op.drop_index(batch_op.f("ix_enterprise_claim_status"))
        batch_op.drop_index(batch_op.f("ix_enterprise_claim_enterprise_id"))

    op.drop_table("enterprise_claim")
    with op.batch_alter_table("duplicate_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duplicate_review_status"))
        batch_op.drop_index("ix_duplicate_review_key")

    op.drop_table("duplicate_review")
    op.drop_table("duplicate_decision")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_to_email"))

    op.drop_table("outbox_message")
