"""Enterprise → search document: the portal's side of the index. Rows or ORM objects become
``EnterpriseFacts``, and those the library's ``SearchDoc``."""

from __future__ import annotations

from dataclasses import dataclass, field

from vnsearch.documents import SearchDoc

_LEGAL_FORMS_SHORT = (
    ("công ty trách nhiệm hữu hạn", "công ty tnhh"),
    ("công ty cổ phần", "công ty cp"),
)


def _aliases(name: str, name_en: str | None, short_name: str | None) -> str:
    parts = [name_en or "", short_name or ""]
    low = name.lower()
    for long, short in _LEGAL_FORMS_SHORT:  # people write "Cty TNHH", "Công ty CP"
        if long in low:
            parts.append(short)
    return " ; ".join(p for p in parts if p)


@dataclass
class EnterpriseFacts:
    """The enterprise values a search document is made of (from ORM objects or from plain rows)."""

    id: int
    tax_code: str
    name: str
    name_en: str | None
    short_name: str | None
    province_code: str
    province_name: str
    province_ascii: str
    address: str | None
    ownership: str | None
    size_class: str | None
    verification: str
    description: str | None
    key_customers: list[str] | None = None
    description_en: str | None = None  # an English introduction, SME-written or staff-entered
    sectors: list[str] = field(default_factory=list)
    products: list[tuple[str, str | None]] = field(default_factory=list)  # (name, category label)
    processes: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)
    equipment: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    certifications: list[tuple[str, str]] = field(default_factory=list)  # (as written, key)


def build_doc(e: EnterpriseFacts) -> SearchDoc:
    products = [name for name, _ in e.products]
    categories = sorted({cat for _, cat in e.products if cat})
    equipment = [" ".join(x for x in q if x) for q in e.equipment]
    return SearchDoc(
        id=e.id,
        tax_code=e.tax_code or f"id-{e.id}",  # the enterprise's public ref
        name=e.name,
        name_en=e.name_en,
        province_code=e.province_code,
        province_name=e.province_name,
        sectors=sorted(e.sectors),
        ownership=e.ownership,
        size_class=e.size_class,
        verification=e.verification,
        certifications=sorted({key for _, key in e.certifications}),
        texts={
            "name": e.name,
            "alias": _aliases(e.name, e.name_en, e.short_name),
            "products": " ; ".join(products),
            "processes": " ; ".join(e.processes),
            "certs": " ; ".join(std for std, _ in e.certifications),
            "materials": " ; ".join(e.materials),
            "equipment": " ; ".join(equipment),
            "customers": " ; ".join(str(c) for c in (e.key_customers or []) if c),
            "loc": " ; ".join(x for x in (e.province_name, e.province_ascii, e.address or "") if x),
            "cats": " ; ".join(categories),
            # both introductions: an FDI buyer's English words find the firm too
            "desc": " ; ".join(x for x in (e.description, e.description_en) if x),
        },
        products=products,
        categories=categories,
        description=e.description or "",
    )


def from_enterprise(ent) -> SearchDoc:
    province = ent.province
    return build_doc(
        EnterpriseFacts(
            id=ent.id,
            tax_code=ent.tax_code,
            name=ent.name,
            name_en=ent.name_en,
            short_name=ent.short_name,
            province_code=ent.province_code,
            province_name=province.name if province is not None else "",
            province_ascii=province.name_ascii if province is not None else "",
            address=ent.address,
            ownership=ent.ownership,
            size_class=ent.size_class,
            verification=ent.verification_status,
            description=ent.description,
            key_customers=ent.key_customers,
            description_en=ent.description_en,
            sectors=[s.code for s in ent.sectors],
            products=[(p.name, p.category.name_vi if p.category is not None else None) for p in ent.products],
            processes=[p.name for p in ent.processes],
            materials=[m.name for m in ent.materials],
            equipment=[(q.machine_type, q.brand, q.key_spec) for q in ent.equipment],
            # an expired certificate is not held: no filter, facet or boost finds the firm by it
            certifications=[(c.standard, c.standard_key) for c in ent.certifications if not c.expired],
        )
    )
