"""Localisation-rate surveys (điều tra tỷ lệ nội địa hóa): campaigns, respondents, their product returns
and input lines, and the programme targets the results are read against."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cnht.db import Base, TimestampMixin

CAMPAIGN_STATUSES = ("draft", "open", "closed", "published")
RESPONDENT_STATUSES = ("invited", "draft", "submitted", "validated", "returned")
METRICS = ("procurement", "lvc_indirect", "lvc_direct")
TARGET_KINDS = ("absolute", "pp", "relative")  # a level in %, + percentage points, + relative %
WHY_NOT_LOCAL = ("no_supplier", "quality", "price", "lead_time", "volume", "other")
Money = Numeric(16, 2)  # million VND


class Campaign(TimestampMixin, Base):
    __tablename__ = "loc_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)  # the fiscal year surveyed
    name: Mapped[str] = mapped_column(String(255))
    basis: Mapped[str] = mapped_column(String(4), default="fob")  # fob | exw
    deadline: Mapped[date | None] = mapped_column(Date)
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    provinces: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    reminder_days: Mapped[int] = mapped_column(default=7)
    published_at: Mapped[datetime | None]
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)  # the figures as published (frozen)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    respondents: Mapped[list[Respondent]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="Respondent.id"
    )


class Respondent(TimestampMixin, Base):
    """A firm asked to answer (an FDI assembler or a domestic final producer), with its private link."""

    __tablename__ = "loc_respondent"
    __table_args__ = (UniqueConstraint("campaign_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("loc_campaign.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(48), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="invited", index=True)
    role: Mapped[str] = mapped_column(
        String(8), default="final"
    )  # final producer | supplier (labelled apart)
    method: Mapped[str] = mapped_column(
        String(12), default="lvc_indirect"
    )  # the LVC formula it keeps all year
    contact_email: Mapped[str | None] = mapped_column(String(255))
    submitted_at: Mapped[datetime | None]
    validated_at: Mapped[datetime | None]
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reminded_at: Mapped[datetime | None]
    reminders: Mapped[int] = mapped_column(default=0)
    flags: Mapped[list[dict]] = mapped_column(JSON, default=list)  # validation warnings, kept with the return
    note: Mapped[str | None] = mapped_column(Text)  # staff's note when returning it

    campaign: Mapped[Campaign] = relationship(back_populates="respondents")
    enterprise = relationship("Enterprise")
    products: Mapped[list[ProductReturn]] = relationship(
        back_populates="respondent", cascade="all, delete-orphan", order_by="ProductReturn.position"
    )


class ProductReturn(Base):
    """One product's figures for the year, with the sums every metric needs (kept, so aggregation is a
    sum over products, not a pass over every input line)."""

    __tablename__ = "loc_product"

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("loc_respondent.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(255))
    hs_code: Mapped[str | None] = mapped_column(String(10))
    vsic_code: Mapped[str | None] = mapped_column(String(8))
    output_qty: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    unit: Mapped[str | None] = mapped_column(String(40))
    ex_works: Mapped[Decimal | None] = mapped_column(Money)
    fob: Mapped[Decimal | None] = mapped_column(Money)
    other_costs: Mapped[Decimal | None] = mapped_column(Money)
    labour: Mapped[Decimal | None] = mapped_column(Money)
    overhead: Mapped[Decimal | None] = mapped_column(Money)
    profit: Mapped[Decimal | None] = mapped_column(Money)
    # computed at save time
    materials: Mapped[Decimal | None] = mapped_column(Money)
    vnm: Mapped[Decimal | None] = mapped_column(Money)
    purchases: Mapped[Decimal | None] = mapped_column(Money)
    local: Mapped[Decimal | None] = mapped_column(Money)
    local_vn_owned: Mapped[Decimal | None] = mapped_column(Money)
    local_fdi: Mapped[Decimal | None] = mapped_column(Money)
    local_undetermined: Mapped[Decimal | None] = mapped_column(Money)
    direct_numerator: Mapped[Decimal | None] = mapped_column(Money)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)

    respondent: Mapped[Respondent] = relationship(back_populates="products")
    inputs: Mapped[list[InputLine]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="InputLine.position"
    )


class InputLine(Base):
    __tablename__ = "loc_input"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("loc_product.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(255))
    value: Mapped[Decimal] = mapped_column(Money)  # CIF for imports, the VAT-invoice price otherwise
    origin: Mapped[str] = mapped_column(String(12))
    supplier_tax_code: Mapped[str | None] = mapped_column(String(14))
    hs6: Mapped[str | None] = mapped_column(String(6), index=True)
    category_code: Mapped[str | None] = mapped_column(String(20))
    declared: Mapped[bool] = mapped_column(default=False)  # the supplier's origin declaration (originating)
    why_not_local: Mapped[str | None] = mapped_column(String(12))

    product: Mapped[ProductReturn] = relationship(back_populates="inputs")


class Target(TimestampMixin, Base):
    """A programme target as its document writes it: an absolute level, + percentage points or + relative %
    over a base year whose value may be unknown."""

    __tablename__ = "loc_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    # a portal sector code, or a programme's own sector name ("rubber–plastics", "food processing")
    sector_code: Mapped[str] = mapped_column(String(60), index=True)
    province_code: Mapped[str | None] = mapped_column(ForeignKey("province.code"))
    metric: Mapped[str] = mapped_column(String(12), default="lvc_indirect")
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    base_year: Mapped[int | None]
    base_value: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    target_year: Mapped[int]
    source: Mapped[str] = mapped_column(String(500))
