"""Requirements and connections: state changes and permission rules shared by the API and pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cnht.accounts.models import User
from cnht.db import utcnow
from cnht.enterprises.models import Enterprise
from cnht.matching.engine import Match, RequirementSpec, match, opportunities
from cnht.matching.models import STAGES, Connection, SourcingRequirement

REQ_FIELDS = {"title": "title", "description": "description", "sector": "sector_code", "category": "category_code",
              "processes": "processes", "materials": "materials", "specifications": "specifications",
              "quantity": "quantity", "quantity_unit": "quantity_unit", "frequency": "frequency",
              "certifications_required": "certifications_required",
              "certifications_preferred": "certifications_preferred", "provinces_required": "provinces_required",
              "provinces_preferred": "provinces_preferred", "min_employees": "min_employees",
              "target_price": "target_price", "deadline": "deadline", "visibility": "visibility",
              "status": "status", "buyer_name": "buyer_name"}


def is_staff(user: User | None) -> bool:
    return user is not None and user.role in ("admin", "staff")


def can_view(user: User | None, req: SourcingRequirement) -> bool:
    if req.visibility == "public" and req.status == "open":
        return True
    return user is not None and (is_staff(user) or req.owner_id == user.id)


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
    req = SourcingRequirement(owner_id=owner.id, status="open", processes=[], materials=[],
                              certifications_required=[], certifications_preferred=[], provinces_required=[],
                              provinces_preferred=[])
    apply_requirement(req, data)
    if not req.buyer_name:
        req.buyer_name = owner.organisation or owner.full_name
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
    reqs = list(session.scalars(visible_requirements(session, user).where(
        SourcingRequirement.status == "open").limit(500)))
    return opportunities(session, ent.id, reqs, limit=limit, weights=weights)


def connect(session: Session, req: SourcingRequirement, ent: Enterprise, *, stage: str, by: User,
            initiated_by: str, score: float | None = None, note: str | None = None) -> Connection:
    """Create the connection or move it forward (never backwards, except to 'declined')."""
    conn = session.scalar(select(Connection).where(Connection.requirement_id == req.id,
                                                   Connection.enterprise_id == ent.id))
    now = utcnow().isoformat(timespec="seconds")
    if conn is None:
        conn = Connection(requirement_id=req.id, enterprise_id=ent.id, stage=stage, initiated_by=initiated_by,
                          score=score, note=note, history=[{"stage": stage, "at": now, "by": by.id}])
        session.add(conn)
    elif stage == "declined" or STAGES.index(stage) > STAGES.index(conn.stage):
        conn.stage = stage
        conn.history = [*conn.history, {"stage": stage, "at": now, "by": by.id}]
        if note:
            conn.note = note
    session.flush()
    return conn
