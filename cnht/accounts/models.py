"""User accounts, roles, enterprise claims and the mail outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cnht.db import Base, TimestampMixin, utcnow

ROLES = ("admin", "staff", "sme", "buyer")
SELF_REGISTER_ROLES = ("sme", "buyer")


class User(TimestampMixin, Base):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(255), default="")
    organisation: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="SET NULL"))
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    api_token_expires_at: Mapped[datetime | None]
    # raised at sign-out: every session and remember-me cookie issued before it stops working
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    lang: Mapped[str] = mapped_column(String(2), default="vi")

    enterprise = relationship("Enterprise", lazy="joined")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The epoch ends sessions at sign-out; the hash tail ends them when the password changes.
        return f"{self.id}:{self.session_epoch or 0}:{self.password_hash[-12:]}"

    @property
    def is_staff(self) -> bool:
        return self.role in ("admin", "staff")

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


CLAIM_STATUSES = ("pending", "approved", "rejected")


class EnterpriseClaim(Base):
    """An SME user asking to manage an enterprise profile; staff approve or reject."""

    __tablename__ = "enterprise_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    position: Mapped[str | None] = mapped_column(String(120))  # the claimant's job title
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    enterprise = relationship("Enterprise")
