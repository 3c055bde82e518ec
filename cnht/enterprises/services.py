"""State changes for enterprises. Called by the API, web views, importer, demo loader and CLI.

``apply`` writes loaded (validated) data onto an Enterprise and touches only what differs, so that
re-applying the same data is a no-op: no UPDATE, no audit entry, no reindex.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from cnht.db import utcnow
from cnht.enterprises.audit import AuditLog
from cnht.enterprises.classify import classify_product
from cnht.enterprises.models import (
    Attachment,
    CapacityStatement,
    Certification,
    Enterprise,
    EnterpriseMaterial,
    EnterpriseProcess,
    EnterpriseProduct,
    Equipment,
    enterprise_sector,
    mark_changed,
)
from cnht.enterprises.rules import classify_size
from cnht.reference.models import ProductCategory, Sector

SCALAR_FIELDS = (
    "name",
    "name_en",
    "short_name",
    "province_code",
    "address",
    "ownership",
    "founded_year",
    "employees",
    "revenue_bn_vnd",
    "charter_capital_bn_vnd",
    "export_markets",
    "key_customers",
    "email",
    "phone",
    "website",
    "description",
    "description_en",
)

# child collection → (model, loaded-dict keys in column order)
CHILD_SPECS: dict[str, tuple[type, tuple[str, ...]]] = {
    "products": (EnterpriseProduct, ("name", "category_code", "description")),
    "processes": (EnterpriseProcess, ("name",)),
    "materials": (EnterpriseMaterial, ("name",)),
    "equipment": (Equipment, ("machine_type", "brand", "count", "key_spec")),
    "certifications": (Certification, ("standard", "standard_key", "number", "issuer", "valid_until")),
    "capacities": (CapacityStatement, ("product", "quantity", "unit", "period", "note")),
}


def eager_options():
    return (
        selectinload(Enterprise.sectors),
        selectinload(Enterprise.products).joinedload(EnterpriseProduct.category),
        selectinload(Enterprise.processes),
        selectinload(Enterprise.materials),
        selectinload(Enterprise.equipment),
        selectinload(Enterprise.certifications),
        selectinload(Enterprise.capacities),
    )


def card_options():
    """What a supplier card shows (the search page loads twenty at a time): not the processes,
    materials, machines or product categories the profile lists."""
    return (
        selectinload(Enterprise.sectors),
        selectinload(Enterprise.products),
        selectinload(Enterprise.certifications),
        selectinload(Enterprise.capacities),
    )


def get_by_tax_code(
    session: Session, tax_code: str, *, include_deleted: bool = False, full: bool = True
) -> Enterprise | None:
    stmt = select(Enterprise).where(Enterprise.tax_code == tax_code)
    if not include_deleted:
        stmt = stmt.where(Enterprise.deleted_at.is_(None))
    if full:
        stmt = stmt.options(*eager_options())
    return session.scalars(stmt).first()


def get_by_ref(session: Session, ref: str, *, full: bool = True) -> Enterprise | None:
    """By public ref: a tax code, or ``id-<n>`` for a firm without one."""
    ref = (ref or "").strip()
    if ref.startswith("id-"):
        digits = ref[3:]
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:  # 64-bit ids only
            return None
        ent_id = int(digits)
        stmt = select(Enterprise).where(
            Enterprise.id == ent_id, Enterprise.tax_code.is_(None), Enterprise.deleted_at.is_(None)
        )
        if full:
            stmt = stmt.options(*eager_options())
        return session.scalars(stmt).first()
    return get_by_tax_code(session, ref, full=full)


def by_refs(session: Session, refs: list[str], options: tuple | None = None) -> list[Enterprise]:
    """Active enterprises for public refs, in the order given (unknown refs left out): the facts a
    supplier card or the compare table shows, in one round of queries."""
    tax_codes = [r for r in refs if not r.startswith("id-")]
    ids = [int(r[3:]) for r in refs if r.startswith("id-") and r[3:].isdigit() and len(r) <= 21]
    if not tax_codes and not ids:
        return []
    # only the parts that have refs: SQLite plans "tax_code IN (…) OR id IN (<empty>)" as a scan of
    # every firm (48 ms a search page at 100,000 firms), a lookup by tax code without it
    wanted = []
    if tax_codes:
        wanted.append(Enterprise.tax_code.in_(tax_codes))
    if ids:
        wanted.append(Enterprise.id.in_(ids) & Enterprise.tax_code.is_(None))
    found = session.scalars(
        select(Enterprise)
        .where(Enterprise.deleted_at.is_(None), or_(*wanted))
        .options(*(eager_options() if options is None else options))
    ).all()
    by_ref = {e.ref: e for e in found}
    return [by_ref[r] for r in refs if r in by_ref]


def _child_rows(
    name: str, data: dict[str, Any], sectors: list[str], known_categories: set[str]
) -> list[tuple]:
    """Rows of a child collection as tuples in CHILD_SPECS order, from loaded data."""
    _model, keys = CHILD_SPECS[name]
    rows = []
    for item in data.get(name) or []:
        if name in ("processes", "materials"):
            rows.append((item,))
            continue
        item = dict(item)
        if name == "products":
            category = item.pop("category", None)
            if category not in known_categories:
                category = classify_product(item["name"], sectors)
            item["category_code"] = category
        rows.append(tuple(item.get(k) for k in keys))
    return rows


def _current_rows(ent: Enterprise, name: str) -> list[tuple]:
    _model, keys = CHILD_SPECS[name]
    return [tuple(getattr(child, k) for k in keys) for child in getattr(ent, name)]


@dataclass
class ApplyResult:
    enterprise: Enterprise
    status: str  # created | updated | unchanged
    changed_fields: list[str]


def _categories(session: Session) -> set[str]:
    cache = session.info.get("_category_codes")
    if cache is None:
        cache = set(session.scalars(select(ProductCategory.code)))
        session.info["_category_codes"] = cache
    return cache


def _sectors(session: Session) -> dict[str, Sector]:
    cache = session.info.get("_sector_objs")
    if cache is None:
        cache = {s.code: s for s in session.scalars(select(Sector))}
        session.info["_sector_objs"] = cache
    return cache


def apply(
    session: Session, ent: Enterprise, data: dict[str, Any], keep: dict[str, list[int | None]] | None = None
) -> list[str]:
    """Write loaded data onto ``ent`` (fields absent from ``data`` are left alone); return the names
    of the fields that changed. ``keep`` names, per child list, the existing child id each new row
    continues (None: a new row): the editor's rows keep their identity, and a certificate its scans,
    when a row above is removed. Without it rows are matched by position (spreadsheets, the API)."""
    changed: list[str] = []
    for field in SCALAR_FIELDS:
        if field not in data:
            continue
        new = data[field]
        if field in ("export_markets", "key_customers"):
            new = list(new or [])
        if getattr(ent, field) != new:
            setattr(ent, field, new)
            changed.append(field)
    if data.get("verification_status") and data["verification_status"] != ent.verification_status:
        ent.verification_status = data["verification_status"]
        changed.append("verification_status")

    if "sectors" in data:
        sector_objs = _sectors(session)
        wanted = sorted(data["sectors"])
        if sorted(s.code for s in ent.sectors) != wanted:
            ent.sectors = [sector_objs[c] for c in wanted]
            changed.append("sectors")
    sectors = [s.code for s in ent.sectors]
    categories = _categories(session)

    for name, (model, keys) in CHILD_SPECS.items():
        if name not in data:
            continue
        wanted_rows = _child_rows(name, data, sectors, categories)
        if _current_rows(ent, name) == wanted_rows:
            continue
        existing = list(getattr(ent, name))
        if keep is not None and name in keep:
            by_id = {c.id: c for c in existing}
            existing = [by_id.pop(i, None) if i is not None else None for i in keep[name]]
        # Update rows in place where possible, so child ids (and attachments to them) survive edits.
        new_children = []
        for pos, row in enumerate(wanted_rows):
            child = existing[pos] if pos < len(existing) and existing[pos] is not None else model()
            for key, value in zip(keys, row, strict=True):
                if getattr(child, key, None) != value:
                    setattr(child, key, value)
            child.position = pos
            new_children.append(child)
        setattr(ent, name, new_children)
        changed.append(name)

    size = classify_size(ent.employees, ent.revenue_bn_vnd, ent.charter_capital_bn_vnd)
    if size != ent.size_class:
        ent.size_class = size
        if ent.id is not None:
            changed.append("size_class")
    return changed


def prefetch(session: Session, tax_codes: list[str]) -> dict[str, Enterprise]:
    """The enterprises (soft-deleted too) with these tax codes, children loaded: one round trip for a
    whole batch of import rows."""
    if not tax_codes:
        return {}
    stmt = select(Enterprise).where(Enterprise.tax_code.in_(tax_codes)).options(*eager_options())
    return {e.tax_code: e for e in session.scalars(stmt)}


def upsert(
    session: Session, data: dict[str, Any], existing: dict[str, Enterprise] | None = None
) -> ApplyResult:
    """Create or update by tax code (a soft-deleted enterprise is restored). ``existing``: a prefetched
    map for a batch; a tax code absent from it is known not to exist."""
    if existing is not None:
        ent = existing.get(data["tax_code"])
    else:
        ent = get_by_tax_code(session, data["tax_code"], include_deleted=True)
    if ent is None:
        ent = Enterprise(
            tax_code=data["tax_code"],
            export_markets=[],
            key_customers=[],
            verification_status=data.get("verification_status") or "unverified",
        )
        # Fill the record before adding it, so no autoflush inserts it half-built (its audit trail
        # must show one "create", not a create followed by updates).
        apply(session, ent, data)
        session.add(ent)
        return ApplyResult(ent, "created", [])
    changed = apply(session, ent, data)
    if ent.deleted_at is not None:
        ent.deleted_at = None
        changed.append("deleted_at")
    return ApplyResult(ent, "updated" if changed else "unchanged", changed)


def upsert_untaxed(
    session: Session, data: dict[str, Any], ent: Enterprise | None, *, fill: bool = False
) -> ApplyResult:
    """Create a firm that has no tax code, or update the one it was identified as (by name and
    province; ``fill``: merge as staff decided, see ``merge_fill``)."""
    if ent is not None and fill:
        changed = merge_fill(session, ent, data)
        return ApplyResult(ent, "updated" if changed else "unchanged", changed)
    if ent is None:
        ent = Enterprise(
            tax_code=None,
            export_markets=[],
            key_customers=[],
            verification_status=data.get("verification_status") or "unverified",
        )
        apply(session, ent, {k: v for k, v in data.items() if k != "tax_code"})
        session.add(ent)
        return ApplyResult(ent, "created", [])
    changed = apply(session, ent, {k: v for k, v in data.items() if k != "tax_code"})
    return ApplyResult(ent, "updated" if changed else "unchanged", changed)


def merge_fill(session: Session, ent: Enterprise, data: dict[str, Any]) -> list[str]:
    """Merge an incoming record into ``ent``: its non-empty values win, empty ones leave ``ent`` as it
    is; a tax code is taken only when ``ent`` has none."""
    fill = {k: v for k, v in data.items() if v not in (None, "", [], {}) and k != "tax_code"}
    changed = apply(session, ent, fill)
    if data.get("tax_code") and not ent.tax_code:
        ent.tax_code = data["tax_code"]
        changed.append("tax_code")
    return changed


def bulk_create(session: Session, datas: list[dict[str, Any]]) -> list[int]:
    """Create enterprises none of whose tax codes exists yet, with batched INSERTs instead of one ORM
    object graph per row: the import's fast path. Writes the same rows as ``upsert`` would, the audit
    "create" entries and the search-index bookkeeping included."""
    if not datas:
        return []
    now = utcnow()
    ent_rows = []
    for d in datas:
        row = {f: d.get(f) for f in SCALAR_FIELDS}
        row["export_markets"] = list(d.get("export_markets") or [])
        row["key_customers"] = list(d.get("key_customers") or [])
        row.update(
            tax_code=d["tax_code"],
            verification_status=d.get("verification_status") or "unverified",
            size_class=classify_size(
                d.get("employees"), d.get("revenue_bn_vnd"), d.get("charter_capital_bn_vnd")
            ),
            created_at=now,
            updated_at=now,
        )
        ent_rows.append(row)
    ids = session.scalars(
        insert(Enterprise).returning(Enterprise.id, sort_by_parameter_order=True), ent_rows
    ).all()
    categories = _categories(session)
    sector_rows, children = [], {name: [] for name in CHILD_SPECS}
    for ent_id, d in zip(ids, datas, strict=True):
        sectors = sorted(d.get("sectors") or [])
        sector_rows.extend({"enterprise_id": ent_id, "sector_code": c} for c in sectors)
        for name, (_model, keys) in CHILD_SPECS.items():
            for pos, values in enumerate(_child_rows(name, d, sectors, categories)):
                children[name].append(
                    {"enterprise_id": ent_id, "position": pos, **dict(zip(keys, values, strict=True))}
                )
    if sector_rows:
        session.execute(insert(enterprise_sector), sector_rows)
    for name, rows in children.items():
        if rows:
            session.execute(insert(CHILD_SPECS[name][0]), rows)

    actor, user_id = session.info.get("actor", "system"), session.info.get("user_id")
    session.execute(
        insert(AuditLog),
        [
            {
                "at": now,
                "actor": actor,
                "user_id": user_id,
                "entity_type": "enterprise",
                "entity_id": ent_id,
                "action": "create",
                "new_value": json.dumps({"tax_code": d["tax_code"], "name": d["name"]}, ensure_ascii=False),
            }
            for ent_id, d in zip(ids, datas, strict=True)
        ],
    )
    mark_changed(session, ids)
    return list(ids)


def soft_delete(session: Session, ent: Enterprise) -> None:
    if ent.deleted_at is None:
        ent.deleted_at = utcnow()


def active_query():
    return select(Enterprise).where(Enterprise.deleted_at.is_(None))


def count_active(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.deleted_at.is_(None)))


def featured(session: Session, *, sector: str | None = None, province: str | None = None, limit: int = 12):
    """Enterprises to show on a sector or province page: most verified first, then recently updated."""
    stmt = active_query()
    if sector:
        stmt = stmt.join(
            enterprise_sector,
            (enterprise_sector.c.enterprise_id == Enterprise.id)
            & (enterprise_sector.c.sector_code == sector),
        )
    if province:
        stmt = stmt.where(Enterprise.province_code == province)
    return session.scalars(
        stmt.order_by(Enterprise.verification_status.desc(), Enterprise.updated_at.desc()).limit(limit)
    ).all()


def recently_updated(session: Session, limit: int = 6):
    return session.scalars(
        active_query().order_by(Enterprise.updated_at.desc(), Enterprise.id.desc()).limit(limit)
    ).all()


def recently_verified(session: Session, limit: int = 6):
    return session.scalars(
        active_query()
        .where(
            Enterprise.verification_status.in_(("staff_assessed", "documents_checked")),
            Enterprise.verified_at.is_not(None),
        )
        .order_by(Enterprise.verified_at.desc(), Enterprise.id.desc())
        .limit(limit)
    ).all()


STALE_AFTER = timedelta(days=365)
AWAITING_LEVELS = ("unverified", "self_declared")


def awaiting_verification(session: Session, limit: int = 20) -> tuple[list[Enterprise], int]:
    """Profiles staff have not checked yet (most recently updated first), and how many there are."""
    cond = Enterprise.verification_status.in_(AWAITING_LEVELS)
    rows = session.scalars(
        active_query().where(cond).order_by(Enterprise.updated_at.desc()).limit(limit)
    ).all()
    n = session.scalar(
        select(func.count()).select_from(Enterprise).where(Enterprise.deleted_at.is_(None), cond)
    )
    return list(rows), n or 0


def verification_queue(
    session: Session, *, sector=None, province=None, level=None, q=None, page: int = 1, per_page: int = 50
) -> dict:
    """Profiles awaiting staff verification, filtered, most recently updated first, a page at a time."""
    stmt = filtered_query({"sector": sector, "province": province})
    levels = (level,) if level in AWAITING_LEVELS else AWAITING_LEVELS
    stmt = stmt.where(Enterprise.verification_status.in_(levels))
    if q:
        like = f"%{q.strip()[:100]}%"
        stmt = stmt.where(Enterprise.name.ilike(like) | Enterprise.tax_code.like(like))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = session.scalars(
        stmt.options(selectinload(Enterprise.sectors))
        .order_by(Enterprise.updated_at.desc(), Enterprise.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return {"total": total, "page": page, "per_page": per_page, "items": list(items)}


def stale_profiles(session: Session, limit: int = 20) -> tuple[list[Enterprise], int]:
    """Profiles not updated for a year (oldest first), and how many there are."""
    stmt = active_query().where(Enterprise.updated_at < utcnow() - STALE_AFTER)
    rows = session.scalars(stmt.order_by(Enterprise.updated_at).limit(limit)).all()
    return list(rows), session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def filtered_query(args: dict):
    """Active enterprises filtered by sector, province (2025 code), size class and verification level."""
    stmt = active_query()
    if args.get("sector"):
        stmt = stmt.where(
            Enterprise.id.in_(
                select(enterprise_sector.c.enterprise_id).where(
                    enterprise_sector.c.sector_code == args["sector"]
                )
            )
        )
    if args.get("province"):
        stmt = stmt.where(Enterprise.province_code == args["province"])
    if args.get("size"):
        stmt = stmt.where(Enterprise.size_class == args["size"])
    if args.get("verification"):
        stmt = stmt.where(Enterprise.verification_status == args["verification"])
    return stmt


def paginate(session: Session, stmt, page: int, per_page: int) -> dict:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = session.scalars(
        stmt.options(selectinload(Enterprise.sectors))
        .order_by(Enterprise.name, Enterprise.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return {"total": total, "page": page, "per_page": per_page, "items": items}


# ---- self-service edits ------------------------------------------------------------------------

SECTIONS = {
    "general": (
        "name_en",
        "short_name",
        "address",
        "description",
        "description_en",
        "employees",
        "revenue_bn_vnd",
        "charter_capital_bn_vnd",
        "founded_year",
        "ownership",
        "email",
        "phone",
        "website",
        "export_markets",
        "key_customers",
    ),
    "products": ("products",),
    "processes": ("processes",),
    "materials": ("materials",),
    "equipment": ("equipment",),
    "certifications": ("certifications",),
    "capacities": ("capacities",),
}
LIST_SECTIONS = ("products", "processes", "materials", "equipment", "certifications", "capacities")


def edit_section(
    session: Session,
    ent: Enterprise,
    section: str,
    data: dict[str, Any],
    *,
    by_staff: bool,
    keep: list[int | None] | None = None,
) -> list[str]:
    """Apply one section of the profile editor (loaded, validated data); fields of other sections are
    ignored. An SME's own edit of an unverified profile makes it self-declared. Returns what changed."""
    data = {k: v for k, v in data.items() if k in SECTIONS[section]}
    changed = apply(session, ent, data, keep={section: keep} if keep is not None else None)
    if changed and ent.verification_status == "unverified" and not by_staff:
        ent.verification_status = "self_declared"
    return changed


def add_attachment(
    ent: Enterprise,
    *,
    kind: str,
    filename: str,
    stored_name: str,
    content_type: str,
    size_bytes: int,
    caption: str | None,
    certification: Certification | None = None,
) -> Attachment:
    att = Attachment(
        kind=kind,
        certification=certification,
        filename=filename[:255],
        stored_name=stored_name,
        content_type=content_type,
        size_bytes=size_bytes,
        uploaded_at=utcnow(),
        caption=(caption or "").strip()[:255] or None,
    )
    ent.attachments.append(att)
    return att


def remove_attachment(ent: Enterprise, att_id: int) -> Attachment | None:
    """Detach the attachment (the caller deletes the stored file after the commit)."""
    att = next((a for a in ent.attachments if a.id == att_id), None)
    if att is not None:
        ent.attachments.remove(att)
    return att


def attachment_by_public_id(session: Session, public_id: str) -> Attachment | None:
    if len(public_id) != 32 or not public_id.isalnum():
        return None
    return session.scalar(select(Attachment).where(Attachment.public_id == public_id))


def history(session: Session, ent: Enterprise, limit: int = 300):
    return session.scalars(
        select(AuditLog)
        .where(AuditLog.entity_type == "enterprise", AuditLog.entity_id == ent.id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    ).all()
