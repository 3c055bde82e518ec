"""Sourcing requirements and the connections made from them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cnht.db import Base, TimestampMixin
from cnht.i18n import Msg

REQUIREMENT_STATUSES = ("open", "closed", "fulfilled")
VISIBILITIES = ("public", "staff")
# Progress of a connection, in order; "declined" ends it without a contract.
STAGES = (
    "proposed",
    "shortlisted",
    "invited",
    "interested",
    "contacted",
    "quotation",
    "sample",
    "contract_signed",
    "declined",
)
SUCCESS_STAGE = "contract_signed"
# who may set which stage (staff: any)
BUYER_STAGES = frozenset(
    {"shortlisted", "invited", "contacted", "quotation", "sample", "contract_signed", "declined"}
)
SME_STAGES = frozenset({"interested", "declined"})
# how a requirement names its buyer to suppliers: the organisation, "an FDI firm", or no one
BUYER_SHOWN = ("name", "fdi", "anonymous")
# stages at which the buyer has turned to the supplier, who then may know who is asking
REVEALING_STAGES = frozenset({"invited", "contacted", "quotation", "sample", "contract_signed"})
_ANONYMOUS = {
    "fdi": Msg("Doanh nghiệp FDI (ẩn danh)", "FDI firm (anonymous)"),
    "anonymous": Msg("Bên mua (ẩn danh)", "Buyer (anonymous)"),
}


class SourcingRequirement(TimestampMixin, Base):
    """Yêu cầu tìm nhà cung ứng: what a buyer needs, described once."""

    __tablename__ = "sourcing_requirement"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    sector_code: Mapped[str | None] = mapped_column(ForeignKey("sector.code"))
    category_code: Mapped[str | None] = mapped_column(ForeignKey("product_category.code"))
    processes: Mapped[list[str]] = mapped_column(JSON, default=list)
    materials: Mapped[list[str]] = mapped_column(JSON, default=list)
    specifications: Mapped[str | None] = mapped_column(Text)  # tolerance, size, weight as written
    quantity: Mapped[int | None]
    quantity_unit: Mapped[str | None] = mapped_column(String(40))
    frequency: Mapped[str | None] = mapped_column(String(80))  # "một lần", "hằng tháng", "per year"…
    certifications_required: Mapped[list[str]] = mapped_column(JSON, default=list)  # normalised keys
    certifications_preferred: Mapped[list[str]] = mapped_column(JSON, default=list)
    provinces_required: Mapped[list[str]] = mapped_column(JSON, default=list)  # 2025 codes
    provinces_preferred: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_employees: Mapped[int | None]
    target_price: Mapped[str | None] = mapped_column(String(120))
    deadline: Mapped[date | None] = mapped_column(Date)
    visibility: Mapped[str] = mapped_column(String(8), default="public")
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    buyer_name: Mapped[str | None] = mapped_column(String(255))  # the organisation
    buyer_shown: Mapped[str] = mapped_column(String(10), default="name", server_default="name")

    owner = relationship("User")
    connections: Mapped[list[Connection]] = relationship(
        back_populates="requirement", cascade="all, delete-orphan", order_by="Connection.id"
    )

    @property
    def public_buyer(self) -> str | None:
        """The buyer as anyone may see it: what the buyer chose to show."""
        return _ANONYMOUS.get(self.buyer_shown or "name", self.buyer_name)


class Connection(TimestampMixin, Base):
    """One supplier put in touch with one requirement, and how far it went."""

    __tablename__ = "connection"
    __table_args__ = (UniqueConstraint("requirement_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("sourcing_requirement.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    initiated_by: Mapped[str] = mapped_column(String(8))  # buyer | sme | staff
    score: Mapped[float | None]
    contract_value_mvnd: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # million VND
    contract_signed_on: Mapped[date | None] = mapped_column(Date)
    # A contract counts in the programme's figures only once the other side (the supplier) or staff
    # confirmed it: one party's word is not a statistic.
    contract_confirmed_at: Mapped[datetime | None]
    contract_confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(Text)
    history: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{stage, at, by}]

    requirement: Mapped[SourcingRequirement] = relationship(back_populates="connections")
    enterprise = relationship("Enterprise")

    @property
    def contract_confirmed(self) -> bool:
        return self.stage == "contract_signed" and self.contract_confirmed_at is not None
