"""Account operations. Passwords are hashed with scrypt (werkzeug)."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from cnht.accounts.models import ROLES, User
from cnht.i18n import Msg

MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    def __init__(self, msg: Msg):
        super().__init__(str(msg))
        self.msg = msg


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
        from cnht.enterprises.services import get_by_tax_code

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
