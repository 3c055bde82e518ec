"""Import jobs and the duplicate-review queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cnht.db import Base, utcnow
from cnht.i18n import Msg

JOB_STATUSES = ("uploaded", "running", "done", "failed")


class ImportJob(Base):
    """A file uploaded by staff: previewed, dry-run, then committed by a background worker."""

    __tablename__ = "import_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(255))
    sheet: Mapped[str | None] = mapped_column(String(120))
    on_error: Mapped[str] = mapped_column(String(8), default="skip")
    dry_run: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="uploaded", index=True)
    rows_estimated: Mapped[int | None]
    rows_done: Mapped[int] = mapped_column(default=0)
    summary: Mapped[dict | None] = mapped_column(JSON)
    report_name: Mapped[str | None] = mapped_column(String(255))
    message: Mapped[str | None] = mapped_column(Text)  # outcome in Vietnamese
    message_en: Mapped[str | None] = mapped_column(Text)  # and in English

    @property
    def outcome(self) -> Msg | None:
        return Msg(self.message, self.message_en or self.message) if self.message else None

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


REVIEW_STATUSES = ("pending", "merged", "distinct")


class DuplicateReview(Base):
    """An imported row without a tax code that looks like an existing enterprise. Nothing is
    written until staff decide: merge into the candidate, or create it as a different firm."""

    __tablename__ = "duplicate_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(255))
    row_number: Mapped[int]
    row_data: Mapped[dict] = mapped_column(JSON)  # the validated record, JSON-safe
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255))
    province_code: Mapped[str] = mapped_column(String(8))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    result_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="SET NULL"))

    candidate = relationship("Enterprise", foreign_keys=[candidate_id])


Index("ix_duplicate_review_key", DuplicateReview.name_key, DuplicateReview.province_code)


class DuplicateDecision(Base):
    """Remembered answer to "is this name in this province the same firm as that enterprise?"."""

    __tablename__ = "duplicate_decision"
    __table_args__ = (UniqueConstraint("name_key", "province_code", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name_key: Mapped[str] = mapped_column(String(255))
    province_code: Mapped[str] = mapped_column(String(8))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    same: Mapped[bool]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
