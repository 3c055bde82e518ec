"""sourcing requirements and connections

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 21:34:46.264073
"""

import sqlalchemy as sa
from alembic import op

import cnht.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sourcing_requirement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("sector_code", sa.String(length=32), nullable=True),
        sa.Column("category_code", sa.String(length=64), nullable=True),
        sa.Column("processes", sa.JSON(), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("specifications", sa.Text(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("quantity_unit", sa.String(length=40), nullable=True),
        sa.Column("frequency", sa.String(length=80), nullable=True),
        sa.Column("certifications_required", sa.JSON(), nullable=False),
        sa.Column("certifications_preferred", sa.JSON(), nullable=False),
        sa.Column("provinces_required", sa.JSON(), nullable=False),
        sa.Column("provinces_preferred", sa.JSON(), nullable=False),
        sa.Column("min_employees", sa.Integer(), nullable=True),
        sa.Column("target_price", sa.String(length=120), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("visibility", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("buyer_name", sa.String(length=255), nullable=True),
        sa.Column("created_at", cnht.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cnht.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["product_category.code"],
            name=op.f("fk_sourcing_requirement_category_code_product_category"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_sourcing_requirement_owner_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sector_code"], ["sector.code"], name=op.f("fk_sourcing_requirement_sector_code_sector")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sourcing_requirement")),
    )
    with op.batch_alter_table("sourcing_requirement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sourcing_requirement_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sourcing_requirement_status"), ["status"], unique=False)

    op.create_table(
        "connection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("initiated_by", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("contract_value_mvnd", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("contract_signed_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("created_at", cnht.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cnht.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_connection_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["sourcing_requirement.id"],
            name=op.f("fk_connection_requirement_id_sourcing_requirement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connection")),
        sa.UniqueConstraint("requirement_id", "enterprise_id", name=op.f("uq_connection_requirement_id")),
    )
    with op.batch_alter_table("connection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connection_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_connection_stage"), ["stage"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("connection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connection_stage"))
        batch_op.drop_index(batch_op.f("ix_connection_enterprise_id"))

    op.drop_table("connection")
    with op.batch_alter_table("sourcing_requirement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sourcing_requirement_status"))
        batch_op.drop_index(batch_op.f("ix_sourcing_requirement_owner_id"))

    op.drop_table("sourcing_requirement")
