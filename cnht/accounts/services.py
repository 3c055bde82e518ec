"""Account operations. Passwords are hashed with scrypt (werkzeug)."""

from __future__ import annotations

import re
from typing import Any

from blinker import Namespace
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from cnht.accounts.models import ROLES, EnterpriseClaim, User
from cnht.i18n import Msg, UserError

signals = Namespace()
# sent by ``register`` with user= and tax_code=; a listener may raise UserError to refuse the registration
registered = signals.signal("cnht.accounts.registered")

MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(UserError, ValueError):
    pass


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def create_account(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    full_name: str = "",
    enterprise_id: int | None = None,
) -> User:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(Msg(f"Email không hợp lệ: {email}", f"Invalid email: {email}"))
    if role not in ROLES:
        raise AccountError(Msg(f"Vai trò không hợp lệ: {role}", f"Unknown role: {role}"))
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            Msg(
                f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự",
                f"Password needs at least {MIN_PASSWORD} characters",
            )
        )
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(Msg(f"Email {email} đã được dùng", f"Email {email} is already registered"))
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        full_name=full_name,
        enterprise_id=enterprise_id,
    )
    session.add(user)
    session.flush()
    return user


def register(session: Session, data: dict, *, lang: str) -> tuple[User, Any]:
    """A self-registered SME or buyer; an SME that gives its tax code also files a claim for it.
    Returns the user and what a listener of ``registered`` returned (the claimed enterprise)."""
    user = create_account(
        session,
        email=data["email"],
        password=data["password"],
        role=data["role"],
        full_name=data["full_name"].strip(),
    )
    user.organisation = (data.get("organisation") or "").strip() or None
    user.phone = (data.get("phone") or "").strip() or None
    user.lang = lang
    # an SME that gives its tax code claims that profile (the enterprises feature listens)
    results = registered.send(session, user=user, tax_code=(data.get("tax_code") or "").strip())
    claimed = next((r for _fn, r in results if r is not None), None)
    return user, claimed


def set_password(user: User, password: str) -> None:
    """A new password (reset or change): unlocks the account; the session id embeds the hash, so
    every other session ends."""
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    # a reset usually follows a compromise: the API token goes too
    user.api_token_hash, user.api_token_expires_at = None, None


def pending_claims(session: Session) -> list[EnterpriseClaim]:
    return list(
        session.scalars(
            select(EnterpriseClaim)
            .where(EnterpriseClaim.status == "pending")
            .order_by(EnterpriseClaim.created_at)
        )
    )


def claims_of(session: Session, user: User) -> list[EnterpriseClaim]:
    return list(
        session.scalars(
            select(EnterpriseClaim)
            .where(EnterpriseClaim.user_id == user.id)
            .order_by(EnterpriseClaim.created_at.desc())
        )
    )


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def recent_users(session: Session, limit: int = 200) -> list[User]:
    return list(session.scalars(select(User).order_by(User.created_at.desc()).limit(limit)))
