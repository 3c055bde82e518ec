"""Audit trail of every change to an enterprise: who, when, which field, before and after.

A ``before_flush`` listener inspects the session, so every write path (web, API, import, CLI,
demo loader) is audited without calling anything. The acting user is taken from
``session.info["actor"]`` (a label such as "user:12", "import:list.xlsx" or "cli").
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from cnht.db import Base, utcnow
from cnht.enterprises.models import Enterprise

# Collections of an enterprise whose changes are recorded as one field with before/after lists.
AUDITED_COLLECTIONS = (
    "sectors",
    "products",
    "processes",
    "materials",
    "equipment",
    "certifications",
    "capacities",
    "attachments",
)
_SKIPPED_COLUMNS = {"id", "created_at", "updated_at"}


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(120), default="system")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(16))  # create | update | delete | restore
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


Index("ix_audit_log_entity", AuditLog.entity_type, AuditLog.entity_id, AuditLog.at)


def set_actor(session: Session, actor: str, user_id: int | None = None) -> None:
    """Who the following changes are by (set once per request, CLI command or job)."""
    session.info["actor"] = actor
    session.info["user_id"] = user_id


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "audit_label"):
        return value.audit_label()
    if hasattr(value, "code") and hasattr(value, "name_vi"):  # Sector
        return value.code
    return value


def _dump(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return json.dumps([_plain(v) for v in value], ensure_ascii=False)
    value = _plain(value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _collection_before(state, name: str, current: list) -> list:
    hist = state.attrs[name].history
    before = [x for x in current if x not in hist.added] + list(hist.deleted)
    # keep the original order where we can: unchanged items first in their positions
    return sorted(before, key=lambda x: getattr(x, "position", 0) or 0)


def _entries_for(session: Session, ent: Enterprise, changed_children: dict[str, list]) -> list[dict]:
    state = inspect(ent)
    entries: list[dict] = []
    for attr in state.mapper.column_attrs:
        if attr.key in _SKIPPED_COLUMNS:
            continue
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if _dump(old) == _dump(new):
            continue
        entries.append({"field": attr.key, "old": _dump(old), "new": _dump(new)})
    for name in AUDITED_COLLECTIONS:
        current = list(getattr(ent, name))
        hist = state.attrs[name].history
        if not (hist.added or hist.deleted or changed_children.get(name)):
            continue
        before = _collection_before(state, name, current)
        old_labels = [_child_label_before(c) for c in before]
        new_labels = [_plain(c) for c in current]
        if old_labels != new_labels:
            entries.append(
                {
                    "field": name,
                    "old": json.dumps(old_labels, ensure_ascii=False),
                    "new": json.dumps(new_labels, ensure_ascii=False),
                }
            )
    return entries


def _child_label_before(child) -> str:
    """Label of a child as it was before the pending changes to its own columns."""
    if not hasattr(child, "audit_label"):
        return _plain(child)
    state = inspect(child)
    if state.transient or state.pending:
        return child.audit_label()
    saved = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.deleted:
            saved[attr.key] = getattr(child, attr.key)
            child.__dict__[attr.key] = hist.deleted[0]
    try:
        return child.audit_label()
    finally:
        child.__dict__.update(saved)


_CHILD_TO_COLLECTION = {
    "EnterpriseProduct": "products",
    "EnterpriseProcess": "processes",
    "EnterpriseMaterial": "materials",
    "Equipment": "equipment",
    "Certification": "certifications",
    "CapacityStatement": "capacities",
    "Attachment": "attachments",
}


def _before_flush(session: Session, _ctx, _instances) -> None:
    actor = session.info.get("actor", "system")
    user_id = session.info.get("user_id")
    touched: dict[int, tuple[Enterprise, dict[str, list]]] = {}
    for obj in list(session.dirty) + list(session.new) + list(session.deleted):
        coll = _CHILD_TO_COLLECTION.get(type(obj).__name__)
        if coll and obj in session.dirty and session.is_modified(obj) and obj.enterprise is not None:
            ent = obj.enterprise
            touched.setdefault(id(ent), (ent, {}))[1].setdefault(coll, []).append(obj)
        elif isinstance(obj, Enterprise):
            touched.setdefault(id(obj), (obj, {}))

    pending_logs: list[AuditLog] = []
    created: list[Enterprise] = []
    for ent, children in touched.values():
        if ent in session.new:
            created.append(ent)
            continue
        if ent in session.deleted:
            pending_logs.append(
                AuditLog(
                    actor=actor,
                    user_id=user_id,
                    entity_type="enterprise",
                    entity_id=ent.id,
                    action="purge",
                    old_value=ent.tax_code,
                )
            )
            continue
        for entry in _entries_for(session, ent, children):
            action = "update"
            if entry["field"] == "deleted_at":
                action = "delete" if entry["new"] else "restore"
            pending_logs.append(
                AuditLog(
                    actor=actor,
                    user_id=user_id,
                    entity_type="enterprise",
                    entity_id=ent.id,
                    action=action,
                    field=entry["field"],
                    old_value=entry["old"],
                    new_value=entry["new"],
                )
            )
    session.add_all(pending_logs)
    if created:
        session.info.setdefault("_audit_created", []).extend(created)


def _after_flush(session: Session, _ctx) -> None:
    # New enterprises only have an id after the INSERT: log their creation now.
    created = session.info.pop("_audit_created", [])
    if not created:
        return
    actor = session.info.get("actor", "system")
    user_id = session.info.get("user_id")
    rows = [
        {
            "at": utcnow(),
            "actor": actor,
            "user_id": user_id,
            "entity_type": "enterprise",
            "entity_id": ent.id,
            "action": "create",
            "field": None,
            "old_value": None,
            "new_value": json.dumps({"tax_code": ent.tax_code, "name": ent.name}, ensure_ascii=False),
        }
        for ent in created
    ]
    session.connection().execute(AuditLog.__table__.insert(), rows)


def install() -> None:
    """Attach the listeners once per process."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
