"""Buyer tools: inquiries to a supplier (mailed to its users, kept in its inbox) and shortlists."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cnht.accounts.models import User
from cnht.db import utcnow
from cnht.enterprises.models import Enterprise
from cnht.mail import send_mail
from cnht.portal.models import Inquiry, Shortlist, ShortlistItem

DEFAULT_LIST = "Danh sách của tôi"


def send_inquiry(session: Session, sender: User, ent: Enterprise, data: dict, *, inbox_link: str) -> Inquiry:
    """Store the inquiry and mail every active user of the enterprise (``inbox_link`` opens their inbox)."""
    subject, message = data["subject"][:255], data["message"][:5000]
    inq = Inquiry(
        sender_id=sender.id,
        enterprise_id=ent.id,
        subject=subject,
        message=message,
        contact_email=(data.get("contact_email") or sender.email)[:255],
        contact_phone=(data.get("contact_phone") or "")[:64] or None,
    )
    session.add(inq)
    for u in session.scalars(select(User).where(User.enterprise_id == ent.id, User.is_active)):
        send_mail(
            session,
            u.email,
            f"Yêu cầu mới / New inquiry: {subject}",
            f"{sender.full_name} ({sender.organisation or sender.email}) gửi yêu cầu tới {ent.name}:\n\n"
            f"{message}\n\n{inbox_link}",
            "inquiry",
        )
    session.flush()
    return inq


def inbox(session: Session, user: User) -> list[Inquiry]:
    return list(
        session.scalars(
            select(Inquiry)
            .where(Inquiry.enterprise_id == (user.enterprise_id or -1))
            .order_by(Inquiry.created_at.desc())
        )
    )


def mark_read(items: list[Inquiry]) -> set[int]:
    """Mark the unread inquiries read; returns their ids (the page highlights them once)."""
    unread = {i.id for i in items if i.read_at is None}
    now = utcnow()
    for i in items:
        if i.read_at is None:
            i.read_at = now
    return unread


def unread_count(session: Session, user: User | None) -> int:
    if user is None or user.role != "sme" or not user.enterprise_id:
        return 0
    return (
        session.scalar(
            select(func.count())
            .select_from(Inquiry)
            .where(Inquiry.enterprise_id == user.enterprise_id, Inquiry.read_at.is_(None))
        )
        or 0
    )


def shortlists_of(session: Session, user: User) -> list[Shortlist]:
    return list(
        session.scalars(select(Shortlist).where(Shortlist.owner_id == user.id).order_by(Shortlist.id))
    )


def add_to_shortlist(
    session: Session, user: User, ent: Enterprise, *, name: str | None = None, note: str | None = None
) -> Shortlist:
    """Add the enterprise to the user's list of that name (created on first use); adding twice is a no-op."""
    name = (name or "")[:120] or DEFAULT_LIST
    sl = session.scalar(select(Shortlist).where(Shortlist.owner_id == user.id, Shortlist.name == name))
    if sl is None:
        sl = Shortlist(owner_id=user.id, name=name)
        session.add(sl)
        session.flush()
    if not any(i.enterprise_id == ent.id for i in sl.items):
        sl.items.append(ShortlistItem(enterprise_id=ent.id, note=(note or "")[:500] or None))
    return sl


def remove_from_shortlist(sl: Shortlist, item_id: int) -> None:
    sl.items = [i for i in sl.items if i.id != item_id]
