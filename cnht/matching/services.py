"""Requirements and connections: every state change, its permission rule and its notifications, shared
by the API, the pages and the CLI."""

from __future__ import annotations

from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from cnht.accounts.models import User
from cnht.db import utcnow
from cnht.enterprises.models import Enterprise, enterprise_sector
from cnht.i18n import Msg, UserError
from cnht.mail import send_mail
from cnht.matching.engine import Match, RequirementSpec, match, opportunities
from cnht.matching.models import (
    BUYER_STAGES,
    REQUIREMENT_STATUSES,
    REVEALING_STAGES,
    SME_STAGES,
    STAGES,
    SUCCESS_STAGE,
    Connection,
    SourcingRequirement,
)

REQ_FIELDS = {
    "title": "title",
    "description": "description",
    "sector": "sector_code",
    "category": "category_code",
    "processes": "processes",
    "materials": "materials",
    "specifications": "specifications",
    "quantity": "quantity",
    "quantity_unit": "quantity_unit",
    "frequency": "frequency",
    "certifications_required": "certifications_required",
    "certifications_preferred": "certifications_preferred",
    "provinces_required": "provinces_required",
    "provinces_preferred": "provinces_preferred",
    "min_employees": "min_employees",
    "target_price": "target_price",
    "deadline": "deadline",
    "visibility": "visibility",
    "status": "status",
    "buyer_name": "buyer_name",
    "buyer_shown": "buyer_shown",
}


def is_staff(user: User | None) -> bool:
    return user is not None and user.is_staff


def can_view(user: User | None, req: SourcingRequirement) -> bool:
    if req.visibility == "public" and req.status == "open":
        return True
    return user is not None and (is_staff(user) or req.owner_id == user.id)


def buyer_label(user: User | None, req: SourcingRequirement) -> str | None:
    """The buyer as this viewer may see it: the owner, staff and a supplier the buyer has turned to
    see the organisation; everyone else what the buyer chose to show."""
    if req.public_buyer == req.buyer_name or can_edit(user, req):
        return req.buyer_name
    if user is not None and user.enterprise_id is not None:
        for c in req.connections:
            if c.enterprise_id == user.enterprise_id and (
                c.stage in REVEALING_STAGES
                or any(h.get("stage") in REVEALING_STAGES for h in c.history or [])
            ):
                return req.buyer_name
    return req.public_buyer


def for_viewer(user: User | None, reqs):
    """Requirements with ``shown_buyer`` set for this viewer (what the API and the pages show)."""
    for req in reqs:
        req.shown_buyer = buyer_label(user, req)
    return reqs


def can_edit(user: User | None, req: SourcingRequirement) -> bool:
    return user is not None and (is_staff(user) or req.owner_id == user.id)


def apply_requirement(req: SourcingRequirement, data: dict[str, Any]) -> None:
    for key, attr in REQ_FIELDS.items():
        if key in data:
            value = data[key]
            if isinstance(value, list):
                value = list(value)
            setattr(req, attr, value)


def create_requirement(session: Session, data: dict[str, Any], owner: User) -> SourcingRequirement:
    req = SourcingRequirement(
        owner_id=owner.id,
        status="open",
        processes=[],
        materials=[],
        certifications_required=[],
        certifications_preferred=[],
        provinces_required=[],
        provinces_preferred=[],
    )
    apply_requirement(req, data)
    if not req.buyer_name:
        # the organisation, never the person: requirements are public and a name is personal data
        req.buyer_name = owner.organisation
    session.add(req)
    session.flush()
    return req


def visible_requirements(session: Session, user: User | None, *, status: str | None = "open"):
    stmt = select(SourcingRequirement)
    if status:
        stmt = stmt.where(SourcingRequirement.status == status)
    if not is_staff(user):
        cond = SourcingRequirement.visibility == "public"
        if user is not None:
            cond = cond | (SourcingRequirement.owner_id == user.id)
        stmt = stmt.where(cond)
    return stmt.order_by(SourcingRequirement.created_at.desc(), SourcingRequirement.id.desc())


def matches_for(session: Session, req: SourcingRequirement, *, limit: int = 20, weights=None) -> list[Match]:
    return match(session, RequirementSpec.from_requirement(req), limit=limit, weights=weights)


def opportunities_for(session: Session, ent: Enterprise, user: User | None, *, limit: int = 20, weights=None):
    reqs = list(
        session.scalars(
            visible_requirements(session, user).where(SourcingRequirement.status == "open").limit(500)
        )
    )
    return opportunities(session, ent.id, reqs, limit=limit, weights=weights)


def connect(
    session: Session,
    req: SourcingRequirement,
    ent: Enterprise,
    *,
    stage: str,
    by: User,
    initiated_by: str,
    score: float | None = None,
    note: str | None = None,
) -> Connection:
    """Create the connection or move it forward (never backwards, except to 'declined')."""
    return _move(
        session,
        _existing(session, req, ent),
        req,
        ent,
        stage=stage,
        by=by,
        initiated_by=initiated_by,
        score=score,
        note=note,
    )


def _move(
    session: Session,
    conn: Connection | None,
    req: SourcingRequirement,
    ent: Enterprise,
    *,
    stage: str,
    by: User,
    initiated_by: str,
    score: float | None,
    note: str | None,
) -> Connection:
    now = utcnow().isoformat(timespec="seconds")
    if conn is None:
        conn = Connection(
            requirement_id=req.id,
            enterprise_id=ent.id,
            stage=stage,
            initiated_by=initiated_by,
            score=score,
            note=note,
            history=[{"stage": stage, "at": now, "by": by.id}],
        )
        session.add(conn)
    elif stage == "declined" or STAGES.index(stage) > STAGES.index(conn.stage):
        conn.stage = stage
        conn.history = [*conn.history, {"stage": stage, "at": now, "by": by.id}]
        if note:
            conn.note = note
    session.flush()
    return conn


class ConnectionRefused(UserError):
    """The user may not set this stage on this connection."""


def _existing(session: Session, req: SourcingRequirement, ent: Enterprise) -> Connection | None:
    return session.scalar(
        select(Connection).where(Connection.requirement_id == req.id, Connection.enterprise_id == ent.id)
    )


def may_set_stage(
    user: User, req: SourcingRequirement, ent: Enterprise, stage: str, conn: Connection | None = None
) -> bool:
    """Staff set any stage; the requirement's owner the buyer's stages — a contract only with a supplier
    already in touch; the supplier its own stages, and it confirms a contract the buyer recorded."""
    if is_staff(user):
        return True
    if req.owner_id == user.id:
        if stage == SUCCESS_STAGE and conn is None:
            return False
        return stage in BUYER_STAGES
    if user.role == "sme" and user.enterprise_id == ent.id:
        if stage == SUCCESS_STAGE:
            return conn is not None and conn.stage == SUCCESS_STAGE and conn.contract_confirmed_at is None
        return stage in SME_STAGES
    return False


def initiated_by(user: User, req: SourcingRequirement) -> str:
    return "staff" if is_staff(user) else "buyer" if req.owner_id == user.id else "sme"


def set_connection_stage(
    session: Session,
    req: SourcingRequirement,
    ent: Enterprise,
    stage: str,
    *,
    by: User,
    link: str,
    note: str | None = None,
    score: float | None = None,
    contract_value_mvnd=None,
    contract_signed_on=None,
) -> Connection:
    """Connect a supplier to a requirement or move the connection on, and tell the other side.
    ``link`` is the requirement's page, for the mails. Raises ``ConnectionRefused``."""
    existing = _existing(session, req, ent)
    if not may_set_stage(by, req, ent, stage, existing):
        raise ConnectionRefused(Msg("Bạn không được đặt bước này", "You may not set this stage"))
    confirming = stage == SUCCESS_STAGE and existing is not None and existing.stage == SUCCESS_STAGE
    if confirming and not is_staff(by) and by.role == "sme":
        existing.contract_confirmed_at, existing.contract_confirmed_by_id = utcnow(), by.id
        existing.history = [
            *existing.history,
            {"stage": "contract_confirmed", "at": utcnow().isoformat(timespec="seconds"), "by": by.id},
        ]
        session.flush()
        return existing
    conn = _move(  # the connection was looked up once, above
        session,
        existing,
        req,
        ent,
        stage=stage,
        by=by,
        initiated_by=initiated_by(by, req),
        score=score,
        note=note,
    )
    if stage == SUCCESS_STAGE:
        conn.contract_value_mvnd = contract_value_mvnd
        conn.contract_signed_on = contract_signed_on
        if is_staff(by):  # staff saw the contract: it counts at once
            conn.contract_confirmed_at, conn.contract_confirmed_by_id = utcnow(), by.id
        else:  # the buyer's word: the supplier confirms before it counts
            conn.contract_confirmed_at = conn.contract_confirmed_by_id = None
            _notify_enterprise(
                session,
                ent,
                f"Xác nhận hợp đồng / Please confirm the contract: {req.title}",
                f"{req.buyer_name or 'Bên mua'} ghi nhận đã ký hợp đồng với doanh nghiệp cho yêu cầu "
                f"“{req.title}”. Hãy xác nhận để kết quả được tính.\n"
                f"{req.buyer_name or 'A buyer'} recorded a signed contract with you for “{req.title}”. "
                f"Please confirm it so that it counts.\n\n{link}",
            )
    buyer = req.buyer_name
    if stage in ("invited", "proposed"):
        _notify_enterprise(
            session,
            ent,
            f"Lời mời báo giá / Invitation to quote: {req.title}",
            f"{buyer or 'Bên mua'} mời doanh nghiệp báo giá cho yêu cầu “{req.title}”.\n"
            f"{buyer or 'A buyer'} invites you to quote for “{req.title}”.\n\n{link}",
        )
    if stage in ("interested", "proposed") and req.owner is not None:
        send_mail(
            session,
            req.owner.email,
            f"Nhà cung ứng phù hợp / Supplier match: {ent.name}",
            f"{ent.name} ({ent.ref}) phù hợp với yêu cầu “{req.title}”.\n"
            f"{ent.name} fits your requirement “{req.title}”.\n\n{link}",
            "connection",
        )
    session.flush()
    return conn


def _notify_enterprise(session: Session, ent: Enterprise, subject: str, body: str) -> None:
    emails = {
        u.email for u in session.scalars(select(User).where(User.enterprise_id == ent.id, User.is_active))
    }
    if ent.email:
        emails.add(ent.email)
    for email in sorted(emails):
        send_mail(session, email, subject, body, "connection")


def set_requirement_status(req: SourcingRequirement, status: str) -> None:
    if status not in REQUIREMENT_STATUSES:
        raise UserError(Msg("Trạng thái không hợp lệ", "Unknown status"))
    req.status = status


def public_open_requirements(session: Session, limit: int = 5) -> list[SourcingRequirement]:
    return list(
        session.scalars(
            select(SourcingRequirement)
            .where(SourcingRequirement.status == "open", SourcingRequirement.visibility == "public")
            .order_by(SourcingRequirement.created_at.desc(), SourcingRequirement.id.desc())
            .limit(limit)
        )
    )


def connections_visible_to(session: Session, user: User, limit: int = 300) -> list[Connection]:
    """Staff see every connection; a buyer those of its requirements; a supplier its own."""
    stmt = select(Connection).join(SourcingRequirement).order_by(Connection.updated_at.desc())
    if not is_staff(user):
        if user.role == "buyer":
            stmt = stmt.where(SourcingRequirement.owner_id == user.id)
        else:
            stmt = stmt.where(Connection.enterprise_id == (user.enterprise_id or -1))
    return list(session.scalars(stmt.limit(limit)))


def connections_of(session: Session, ent: Enterprise) -> dict[int, Connection]:
    """The enterprise's connections by requirement id."""
    return {
        c.requirement_id: c
        for c in session.scalars(select(Connection).where(Connection.enterprise_id == ent.id))
    }


# Published figures follow the localisation tables' primary rule (fewer than MIN_FIRMS firms, or one
# firm holding more than DOMINANCE of the value, and the value is withheld) plus the secondary rule for
# a breakdown whose cells add up to the published total: a lone withheld cell takes a second with it.
MIN_FIRMS = 3
DOMINANCE = 0.85


def _disclosure_min() -> int:
    from flask import current_app, has_app_context  # noqa: PLC0415 — configuration when an app runs

    if not has_app_context():
        return MIN_FIRMS
    try:  # stricter only: a malformed or smaller setting keeps the default
        return max(MIN_FIRMS, int(current_app.config.get("DISCLOSURE_MIN_CONTRIBUTORS") or MIN_FIRMS))
    except ValueError:
        return MIN_FIRMS


def success_counts(session: Session, by: str, *, public: bool = False) -> list[dict]:
    """The programme's key figure: successful connections (contracts signed and confirmed) and their
    value, by sector, province or year. ``public``: a contract value that would reveal one firm's
    contracts is withheld (None, ``withheld`` true); the count of connections stays."""
    confirmed = (Connection.stage == SUCCESS_STAGE, Connection.contract_confirmed_at.is_not(None))
    if by == "sector":
        key = enterprise_sector.c.sector_code
        src = select(key, Connection.enterprise_id, Connection.contract_value_mvnd).join(
            enterprise_sector, enterprise_sector.c.enterprise_id == Connection.enterprise_id
        )
    elif by == "province":
        key = Enterprise.province_code
        src = select(key, Connection.enterprise_id, Connection.contract_value_mvnd).join(
            Enterprise, Enterprise.id == Connection.enterprise_id
        )
    else:
        key = extract("year", func.coalesce(Connection.contract_signed_on, Connection.updated_at))
        src = select(key, Connection.enterprise_id, Connection.contract_value_mvnd)
    groups: dict[Any, dict[int, float]] = {}
    counts: dict[Any, int] = {}
    for k, eid, value in session.execute(src.where(*confirmed)):
        k = str(int(k)) if by == "year" else k
        firms = groups.setdefault(k, {})
        firms[eid] = firms.get(eid, 0.0) + float(value or 0)
        counts[k] = counts.get(k, 0) + 1
    items = [
        {
            "key": k,
            "connections": counts[k],
            "contract_value_mvnd": sum(groups[k].values()),
            "withheld": False,
        }
        for k in sorted(groups)
    ]
    if public:
        _withhold(items, groups, additive=by != "sector")  # a firm may be in several sectors
    return items


def reveals_a_firm(firms: dict[int, float]) -> bool:
    """Whether publishing the sum of these firms' contract values would reveal one firm's."""
    total = sum(firms.values())
    return len(firms) < _disclosure_min() or (total > 0 and max(firms.values()) > DOMINANCE * total)


def _withhold(items: list[dict], groups: dict[Any, dict[int, float]], *, additive: bool) -> None:
    for it in items:
        if reveals_a_firm(groups[it["key"]]):
            it["withheld"] = True
    if additive and sum(it["withheld"] for it in items) == 1:
        shown = [it for it in items if not it["withheld"]]
        if shown:  # the smallest other cell: the least information lost
            min(shown, key=lambda it: it["contract_value_mvnd"])["withheld"] = True
    for it in items:
        if it["withheld"]:
            it["contract_value_mvnd"] = None
