"""Export enterprises to XLSX or CSV in the import template, so that an export imports back to the
same data (round trip). Detail lists use the pipe form the importer reads:
"ISO 9001:2015 | VN123 | QUACERT | 2027-05-01".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cnht.enterprises.models import Enterprise
from cnht.enterprises.services import eager_options
from cnht.labels import OWNERSHIP_SHEET
from cnht.reference import sector_label
from ingest.columns import COLUMNS, TEMPLATE_FIELDS
from ingest.writers import write_table

# the template's columns, then what the template lacks but a full copy needs
EXPORT_FIELDS = TEMPLATE_FIELDS + [
    "description_en",
    "short_name",
    "materials",
    "charter_capital_bn_vnd",
    "equipment",
    "capacities",
    "verification_status",
]
EXTRA_HEADERS = {"equipment": "Máy móc thiết bị", "capacities": "Năng lực sản xuất"}
WIDTHS = {
    "tax_code": 14,
    "name": 45,
    "name_en": 35,
    "province": 16,
    "address": 40,
    "sectors": 14,
    "products": 45,
    "processes": 40,
    "certifications": 40,
    "description": 60,
    "description_en": 60,
    "email": 28,
    "website": 28,
    "phone": 16,
}


def header(field: str) -> str:
    return EXTRA_HEADERS.get(field) or COLUMNS[field][0]


def _num(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}".replace(".", ",")


def _pipe(*parts) -> str:
    values = ["" if p is None else (p.isoformat() if hasattr(p, "isoformat") else str(p)) for p in parts]
    while values and not values[-1]:
        values.pop()
    return " | ".join(values)


def row(ent: Enterprise) -> dict[str, str]:
    return {
        "tax_code": ent.tax_code,
        "name": ent.name,
        "name_en": ent.name_en or "",
        "province": ent.province.name,
        "address": ent.address or "",
        "sectors": "; ".join(sector_label(s.code) for s in ent.sectors),
        "products": "; ".join(p.name for p in ent.products),
        "processes": "; ".join(p.name for p in ent.processes),
        "certifications": "; ".join(
            _pipe(c.standard, c.number, c.issuer, c.valid_until) for c in ent.certifications
        ),
        "employees": "" if ent.employees is None else str(ent.employees),
        "revenue_bn_vnd": _num(ent.revenue_bn_vnd),
        "founded_year": "" if ent.founded_year is None else str(ent.founded_year),
        "ownership": OWNERSHIP_SHEET.get(ent.ownership or "", ""),
        "export_markets": "; ".join(ent.export_markets or []),
        "key_customers": "; ".join(ent.key_customers or []),
        "email": ent.email or "",
        "phone": ent.phone or "",
        "website": ent.website or "",
        "description": ent.description or "",
        "description_en": ent.description_en or "",
        "short_name": ent.short_name or "",
        "materials": "; ".join(m.name for m in ent.materials),
        "charter_capital_bn_vnd": _num(ent.charter_capital_bn_vnd),
        "equipment": "; ".join(_pipe(q.machine_type, q.brand, q.count, q.key_spec) for q in ent.equipment),
        "capacities": "; ".join(
            _pipe(c.product, _num(c.quantity), c.unit, c.period, c.note) for c in ent.capacities
        ),
        "verification_status": ent.verification_status,
    }


def iter_enterprises(
    session: Session, ids: Iterable[int] | None = None, chunk: int = 500
) -> Iterator[Enterprise]:
    """Active enterprises (or the given ids, in that order), loaded in chunks: memory stays flat."""
    if ids is None:
        ids = session.scalars(
            select(Enterprise.id).where(Enterprise.deleted_at.is_(None)).order_by(Enterprise.id)
        ).all()
    ids = list(ids)
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        ents = {
            e.id: e
            for e in session.scalars(
                select(Enterprise)
                .where(Enterprise.id.in_(part), Enterprise.deleted_at.is_(None))
                .options(*eager_options())
            )
        }
        for ent_id in part:
            if ent_id in ents:
                yield ents[ent_id]
        session.expunge_all()


def export(session: Session, path: str | Path, ids: Iterable[int] | None = None) -> int:
    """Write the enterprises to ``path`` (.xlsx or .csv, by suffix); returns how many."""
    rows = ([row(ent)[f] for f in EXPORT_FIELDS] for ent in iter_enterprises(session, ids))
    return write_table(
        path,
        [header(f) for f in EXPORT_FIELDS],
        rows,
        sheet="Doanh nghiệp",
        widths=[WIDTHS.get(f, 18) for f in EXPORT_FIELDS],
    )
