"""Reference tables, loaded from the packaged data by ``cnht init-db``."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cnht.db import Base


class Province(Base):
    """One of the 34 province-level units in force since 1 July 2025."""

    __tablename__ = "province"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    name_ascii: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(96))
    kind: Mapped[str] = mapped_column(String(16))  # tinh | thanh_pho
    merged_from: Mapped[str] = mapped_column(String(255), default="")


class LegacyProvince(Base):
    """The 63 former provinces (GSO codes as of 01/03/2025) and the unit each now belongs to."""

    __tablename__ = "legacy_province"
    old_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    old_name: Mapped[str] = mapped_column(String(64))
    new_code: Mapped[str] = mapped_column(ForeignKey("province.code"))


class Sector(Base):
    __tablename__ = "sector"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    focus: Mapped[bool] = mapped_column(default=False)


class ProductCategory(Base):
    """CNHT priority-product taxonomy (Decree 111/2015 annex and programme groups)."""

    __tablename__ = "product_category"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    sector_code: Mapped[str] = mapped_column(ForeignKey("sector.code"))
    group_vi: Mapped[str] = mapped_column(String(255))
    group_en: Mapped[str] = mapped_column(String(255))
    name_vi: Mapped[str] = mapped_column(String(512))
    name_en: Mapped[str] = mapped_column(String(512))
    basis: Mapped[str] = mapped_column(String(64))
    verification: Mapped[str] = mapped_column(String(64))
