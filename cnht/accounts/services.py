"""Account operations. Passwords are hashed with scrypt (werkzeug)."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from cnht.accounts.models import ROLES, EnterpriseClaim, User
from cnht.db import utcnow
from cnht.enterprises.models import Enterprise
from cnht.enterprises.services import get_by_tax_code
from cnht.i18n import Msg, UserError
from cnht.mail import send_mail

MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(UserError, ValueError):
    pass


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def create_account(session: Session, *, email: str, password: str, role: str, full_name: str = "",
                   tax_code: str | None = None) -> User:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(Msg(f"Email không hợp lệ: {email}", f"Invalid email: {email}"))
    if role not in ROLES:
        raise AccountError(Msg(f"Vai trò không hợp lệ: {role}", f"Unknown role: {role}"))
    if len(password) < MIN_PASSWORD:
        raise AccountError(Msg(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự",
                               f"Password needs at least {MIN_PASSWORD} characters"))
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(Msg(f"Email {email} đã được dùng", f"Email {email} is already registered"))
    enterprise_id = None
    if tax_code:
        ent = get_by_tax_code(session, tax_code.strip(), full=False)
        if ent is None:
            raise AccountError(Msg(f"Không có doanh nghiệp mã số thuế {tax_code}",
                                   f"No enterprise with tax code {tax_code}"))
        enterprise_id = ent.id
    user = User(email=email, password_hash=hash_password(password), role=role, full_name=full_name,
                enterprise_id=enterprise_id)
    session.add(user)
    session.flush()
    return user


def register(session: Session, data: dict, *, lang: str) -> tuple[User, Enterprise | None]:
    """A self-registered SME or buyer; an SME that gives its tax code also files a claim for it.
    Returns the user and the claimed enterprise (if any)."""
    user = create_account(session, email=data["email"], password=data["password"], role=data["role"],
                          full_name=data["full_name"].strip())
    user.organisation = (data.get("organisation") or "").strip() or None
    user.phone = (data.get("phone") or "").strip() or None
    user.lang = lang
    claimed = None
    if data["role"] == "sme" and (data.get("tax_code") or "").strip():
        claimed = file_claim(session, user, data["tax_code"].strip()).enterprise
    return user, claimed


def set_password(user: User, password: str) -> None:
    """A new password (reset or change): unlocks the account; the session id embeds the hash, so
    every other session ends."""
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None


def file_claim(session: Session, user: User, tax_code: str, position: str | None = None,
               message: str | None = None) -> EnterpriseClaim:
    """An SME user asks to manage the profile of the enterprise with this tax code (staff decide)."""
    ent = get_by_tax_code(session, tax_code, full=False)
    if ent is None:
        raise AccountError(Msg(f"Không có doanh nghiệp mã số thuế {tax_code} trong cơ sở dữ liệu. "
                               "Hãy liên hệ Sở Công Thương để được bổ sung.",
                               f"No enterprise with tax code {tax_code}. Contact the Department to be added."))
    if user.enterprise_id == ent.id:
        raise AccountError(Msg("Bạn đã quản lý doanh nghiệp này", "You already manage this enterprise"))
    dup = session.scalar(select(EnterpriseClaim).where(EnterpriseClaim.user_id == user.id,
                                                       EnterpriseClaim.enterprise_id == ent.id,
                                                       EnterpriseClaim.status == "pending"))
    if dup is not None:
        raise AccountError(Msg("Yêu cầu đang chờ duyệt", "A claim for this enterprise is already pending"))
    claim = EnterpriseClaim(user_id=user.id, enterprise_id=ent.id, position=(position or "").strip() or None,
                            message=(message or "").strip() or None)
    claim.enterprise = ent
    session.add(claim)
    session.flush()
    return claim


def decide_claim(session: Session, claim: EnterpriseClaim, *, approve: bool, by: User,
                 note: str | None = None) -> None:
    """Staff approve (the user then manages the enterprise) or reject a claim; the user is told by mail."""
    if claim.status != "pending":
        raise AccountError(Msg("Yêu cầu này đã được xử lý.", "This claim was already decided."))
    claim.status = "approved" if approve else "rejected"
    claim.decided_by_id, claim.decided_at = by.id, utcnow()
    claim.decision_note = (note or "").strip()[:2000] or None
    name = claim.enterprise.name
    if approve:
        claim.user.enterprise_id = claim.enterprise_id
        subject = "Yêu cầu quản lý hồ sơ đã được duyệt / Your claim was approved"
        body = (f"Bạn đã có thể cập nhật hồ sơ {name} trên Cổng thông tin CNHT.\n"
                f"You can now edit the profile of {name} on the CNHT Portal.")
    else:
        subject = "Yêu cầu quản lý hồ sơ chưa được duyệt / Your claim was not approved"
        body = (f"Yêu cầu quản lý hồ sơ {name} chưa được duyệt. {claim.decision_note or ''}\n"
                f"Your claim for {name} was not approved.")
    send_mail(session, claim.user.email, subject, body, "claim_decision")


def pending_claims(session: Session) -> list[EnterpriseClaim]:
    return list(session.scalars(select(EnterpriseClaim).where(EnterpriseClaim.status == "pending")
                                .order_by(EnterpriseClaim.created_at)))


def claims_of(session: Session, user: User) -> list[EnterpriseClaim]:
    return list(session.scalars(select(EnterpriseClaim).where(EnterpriseClaim.user_id == user.id)
                                .order_by(EnterpriseClaim.created_at.desc())))


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def recent_users(session: Session, limit: int = 200) -> list[User]:
    return list(session.scalars(select(User).order_by(User.created_at.desc()).limit(limit)))
