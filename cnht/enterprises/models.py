"""Enterprise capability records.

An enterprise owns ordered child rows (products, processes, materials, equipment, certifications,
capacity statements, attachments); every change to any of them is written to the audit log by
``cnht.audit``.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    case,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import Grouping

from cnht.db import Base, TimestampMixin, local_today
from cnht.reference.models import ProductCategory, Province, Sector

OWNERSHIP_TYPES = ("private", "state", "fdi", "joint_venture")
VERIFICATION_LEVELS = ("unverified", "self_declared", "documents_checked", "staff_assessed")

enterprise_sector = Table(
    "enterprise_sector",
    Base.metadata,
    Column("enterprise_id", ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True),
    Column("sector_code", ForeignKey("sector.code"), primary_key=True),
)


class Enterprise(TimestampMixin, Base):
    __tablename__ = "enterprise"
    __table_args__ = (
        # Only the removed firms: an index holding every live firm under NULL made SQLite (which keeps
        # no statistics here) read all of them for "deleted_at IS NULL AND tax_code IN (…)".
        Index(
            "ix_enterprise_deleted_at",
            "deleted_at",
            sqlite_where=text("deleted_at IS NOT NULL"),
            postgresql_where=text("deleted_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None only for firms imported from lists without one (see ``ref``).
    tax_code: Mapped[str | None] = mapped_column(String(14), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str | None] = mapped_column(String(255))
    short_name: Mapped[str | None] = mapped_column(String(120))
    province_code: Mapped[str] = mapped_column(ForeignKey("province.code"), index=True)
    address: Mapped[str | None] = mapped_column(String(500))
    ownership: Mapped[str | None] = mapped_column(String(16))
    founded_year: Mapped[int | None]
    employees: Mapped[int | None]
    revenue_bn_vnd: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    charter_capital_bn_vnd: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    size_class: Mapped[str | None] = mapped_column(String(8), index=True)
    export_markets: Mapped[list[str]] = mapped_column(JSON, default=list)
    key_customers: Mapped[list[str]] = mapped_column(JSON, default=list)
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    website: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)  # for FDI buyers; shown first in English
    verification_status: Mapped[str] = mapped_column(String(24), default="unverified", index=True)
    verified_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]

    province: Mapped[Province] = relationship(lazy="joined")
    sectors: Mapped[list[Sector]] = relationship(secondary=enterprise_sector, order_by=Sector.code)
    products: Mapped[list[EnterpriseProduct]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="EnterpriseProduct.position"
    )
    processes: Mapped[list[EnterpriseProcess]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="EnterpriseProcess.position"
    )
    materials: Mapped[list[EnterpriseMaterial]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="EnterpriseMaterial.position"
    )
    equipment: Mapped[list[Equipment]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Equipment.position"
    )
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Certification.position"
    )
    capacities: Mapped[list[CapacityStatement]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="CapacityStatement.position"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Attachment.id"
    )

    @property
    def ref(self) -> str:
        """Public key in URLs: the tax code, or ``id-<n>`` for a firm without one."""
        return self.tax_code or f"id-{self.id}"

    @property
    def valid_certifications(self) -> list[Certification]:
        return [c for c in self.certifications if not c.expired]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<Enterprise {self.tax_code} {self.name!r}>"


class _Child:
    """Columns shared by the ordered child rows of an enterprise."""

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class EnterpriseProduct(_Child, Base):
    __tablename__ = "enterprise_product"
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    category_code: Mapped[str | None] = mapped_column(ForeignKey("product_category.code"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    enterprise: Mapped[Enterprise] = relationship(back_populates="products")
    category: Mapped[ProductCategory | None] = relationship()

    def audit_label(self) -> str:
        return self.name


class EnterpriseProcess(_Child, Base):
    __tablename__ = "enterprise_process"
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    enterprise: Mapped[Enterprise] = relationship(back_populates="processes")

    def audit_label(self) -> str:
        return self.name


class EnterpriseMaterial(_Child, Base):
    __tablename__ = "enterprise_material"
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    enterprise: Mapped[Enterprise] = relationship(back_populates="materials")

    def audit_label(self) -> str:
        return self.name


class Equipment(_Child, Base):
    __tablename__ = "equipment"
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    machine_type: Mapped[str] = mapped_column(String(255))
    brand: Mapped[str | None] = mapped_column(String(120))
    count: Mapped[int | None]
    key_spec: Mapped[str | None] = mapped_column(String(255))  # e.g. "250 tấn", "±0,005 mm"
    enterprise: Mapped[Enterprise] = relationship(back_populates="equipment")

    def audit_label(self) -> str:
        parts = [self.machine_type, self.brand, self.key_spec]
        label = " · ".join(p for p in parts if p)
        return f"{label} ×{self.count}" if self.count else label


class Certification(_Child, Base):
    __tablename__ = "certification"
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    standard: Mapped[str] = mapped_column(String(120))  # as written: "ISO 9001:2015"
    standard_key: Mapped[str] = mapped_column(String(120), index=True)  # normalised: "ISO 9001"
    number: Mapped[str | None] = mapped_column(String(120))
    issuer: Mapped[str | None] = mapped_column(String(255))
    valid_until: Mapped[date | None] = mapped_column(Date)
    enterprise: Mapped[Enterprise] = relationship(back_populates="certifications")

    @property
    def expired(self) -> bool:
        """Past its validity date (Vietnam's today): shown as such, left out of filters and matching."""
        return self.valid_until is not None and self.valid_until < local_today()

    def audit_label(self) -> str:
        extra = [
            x for x in (self.number, self.issuer, self.valid_until and self.valid_until.isoformat()) if x
        ]
        return f"{self.standard} ({', '.join(extra)})" if extra else self.standard


class CapacityStatement(_Child, Base):
    __tablename__ = "capacity_statement"
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    product: Mapped[str] = mapped_column(String(255))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    unit: Mapped[str | None] = mapped_column(String(40))  # "chiếc", "đôi", "tấn"
    period: Mapped[str | None] = mapped_column(String(16))  # day | month | year
    note: Mapped[str | None] = mapped_column(String(500))
    enterprise: Mapped[Enterprise] = relationship(back_populates="capacities")

    def audit_label(self) -> str:
        qty = f"{self.quantity.normalize():f}" if self.quantity is not None else "?"
        return f"{self.product}: {qty} {self.unit or ''}/{self.period or ''}".strip()


class Attachment(Base):
    """A photo or document stored under the instance folder."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    # the id in URLs: unguessable, so a private document cannot be found by counting
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: secrets.token_hex(16))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # photo (public) | document | certificate (private)
    # the certificate a scan belongs to (uploaded from its row in the editor); kept when the row goes
    certification_id: Mapped[int | None] = mapped_column(
        ForeignKey("certification.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))  # original name, for display
    stored_name: Mapped[str] = mapped_column(String(255), unique=True)
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int]
    caption: Mapped[str | None] = mapped_column(String(255))
    uploaded_at: Mapped[datetime]
    enterprise: Mapped[Enterprise] = relationship(back_populates="attachments")
    certification: Mapped[Certification | None] = relationship()

    @property
    def is_public(self) -> bool:
        """Photos are shown on the public profile; certificate scans and documents are private."""
        return self.kind == "photo"

    def audit_label(self) -> str:
        return f"{self.kind}: {self.filename}"


Index("ix_enterprise_name", Enterprise.name)


# session.info key: ids of enterprises changed in this transaction (the search index follows them)
CHANGED_KEY = "cnht.enterprises.changed"


def mark_changed(session, ids) -> None:
    """Record changes made without the ORM unit of work (bulk inserts), so listeners still see them."""
    session.info.setdefault(CHANGED_KEY, set()).update(ids)


VERIFICATION_ORDER = ("staff_assessed", "documents_checked", "self_declared")  # then unverified


def verified_first():
    """ORDER BY expression: staff-assessed, then documents checked, self-declared, unverified. Written
    with literals, not bound parameters: ix_enterprise_verified_recent is on this very expression, and
    a database uses an index on an expression only for the same expression."""
    return case(
        *(
            (Enterprise.verification_status == literal_column(f"'{v}'"), literal_column(str(i)))
            for i, v in enumerate(VERIFICATION_ORDER)
        ),
        else_=literal_column(str(len(VERIFICATION_ORDER))),
    )


# live firms, verified and recently updated first: a match walks it and stops at its limit instead of
# sorting every member of a large category (43,000 of 100,000 firms: 85 ms → 2 ms)
Index(
    "ix_enterprise_verified_recent",
    Grouping(verified_first()),  # in parentheses: PostgreSQL takes an expression only so
    Enterprise.updated_at.desc(),
    Enterprise.id,
    sqlite_where=text("deleted_at IS NULL"),
    postgresql_where=text("deleted_at IS NULL"),
)
