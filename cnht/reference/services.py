"""Load the packaged reference data into the database (idempotent)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from cnht import reference
from cnht.reference.models import LegacyProvince, ProductCategory, Province, Sector

# Research notes inside a few taxonomy labels ("… (nguồn thứ cấp chỉ ghi 'IC'; cần đối chiếu bản gốc)")
# are for maintainers, not for the people reading a profile.
_NOTE = re.compile(r"\s*\((?:nguồn thứ cấp|secondary source)[^)]*\)", re.I)


def _label(text: str) -> str:
    return _NOTE.sub("", text).strip()


def load_reference(session: Session) -> dict[str, int]:
    counts = {"provinces": 0, "legacy_provinces": 0, "sectors": 0, "product_categories": 0}
    for row in reference.provinces():
        session.merge(
            Province(
                code=row["new_code"],
                name=row["new_name"],
                name_ascii=row["new_name_ascii"],
                full_name=row["full_name"],
                kind=row["type"],
                merged_from=row["merged_from_old_names"],
            )
        )
        counts["provinces"] += 1
    session.flush()
    for row in reference.legacy_provinces():
        session.merge(
            LegacyProvince(old_code=row["old_code"], old_name=row["old_name"], new_code=row["new_code"])
        )
        counts["legacy_provinces"] += 1
    for sector in reference.SECTORS:
        session.merge(
            Sector(
                code=sector["code"],
                name_vi=sector["name_vi"],
                name_en=sector["name_en"],
                focus=bool(sector["focus"]),
            )
        )
        counts["sectors"] += 1
    session.flush()
    for row in reference.product_categories():
        session.merge(
            ProductCategory(
                code=row["code"],
                sector_code=row["sector"],
                group_vi=row["group_vi"],
                group_en=row["group_en"],
                name_vi=_label(row["item_vi"]),
                name_en=_label(row["item_en"]),
                basis=row["basis"],
                verification=row["verification"],
            )
        )
        counts["product_categories"] += 1
    session.flush()
    return counts
