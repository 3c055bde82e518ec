"""Capability assessments: per-criterion scores with evidence, a grade, assessor, date and expiry,
and a public token for the verification page the confirmation letter's QR code opens."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cnht.db import Base, utcnow


def _token() -> str:
    return secrets.token_urlsafe(16)


class Assessment(Base):
    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    framework: Mapped[str] = mapped_column(String(40))  # criteria set id, e.g. "qd1358-2023"
    assessed_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    scores: Mapped[dict] = mapped_column(JSON)  # criterion code → {"score": 1|2|3, "evidence": str}
    total: Mapped[int]
    grade: Mapped[str] = mapped_column(String(1))
    notes: Mapped[str | None] = mapped_column(Text)
    letter_no: Mapped[str | None] = mapped_column(String(60))  # số văn bản xác nhận
    public_token: Mapped[str] = mapped_column(String(40), unique=True, default=_token)
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enterprise = relationship("Enterprise")
    assessor = relationship("User")

    @property
    def is_current(self) -> bool:
        return self.revoked_at is None and self.valid_until >= utcnow().date()
