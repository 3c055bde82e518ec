"""The imports feature's writes and queries: import jobs started from the web, and staff decisions
on the duplicate-review queue."""

from __future__ import annotations

import json
from pathlib import Path

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cnht.db import utcnow
from cnht.enterprises import services
from cnht.enterprises.audit import AuditLog
from cnht.enterprises.models import Enterprise
from cnht.i18n import Msg, UserError
from cnht.imports.models import DuplicateDecision, DuplicateReview, ImportJob
from cnht.imports.schemas import ImportRow


class ReviewError(UserError, ValueError):
    pass


def review_groups(session: Session, limit: int | None = None) -> list[DuplicateReview]:
    """One representative (the best-scoring item) per incoming row awaiting a decision."""
    sub = (
        select(func.min(DuplicateReview.id))
        .where(DuplicateReview.status == "pending")
        .group_by(DuplicateReview.name_key, DuplicateReview.province_code)
    )
    stmt = select(DuplicateReview).where(DuplicateReview.id.in_(sub)).order_by(DuplicateReview.created_at)
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def recent_jobs(session: Session, limit: int = 30) -> list[ImportJob]:
    return list(session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)))


def create_job(
    session: Session, *, user_id: int, filename: str, stored_name: str, sheet: str | None
) -> ImportJob:
    """An uploaded file waiting for its preview and run."""
    job = ImportJob(
        user_id=user_id,
        filename=Path(filename).name[:255],
        stored_name=stored_name,
        sheet=(sheet or "").strip() or None,
    )
    session.add(job)
    session.flush()
    return job


def prepare_run(job: ImportJob, *, commit: bool, on_error: str, interrupted: bool = False) -> None:
    """Reset the job for a (dry or real) run; the caller commits, then starts ``jobs.start``. A run
    whose process ended (``interrupted``: its transaction rolled back with it) may be started again."""
    if job.status == "running" and not interrupted:
        raise UserError(Msg("Tệp đang được nhập.", "The file is being imported."))
    job.dry_run = not commit
    job.on_error = "abort" if on_error == "abort" else "skip"
    job.status, job.summary, job.message, job.message_en, job.rows_done = "running", None, None, None, 0


def group(session: Session, review: DuplicateReview) -> list[DuplicateReview]:
    """Every pending item for the same incoming row (one per candidate), best candidate first."""
    return list(
        session.scalars(
            select(DuplicateReview)
            .where(
                DuplicateReview.name_key == review.name_key,
                DuplicateReview.province_code == review.province_code,
                DuplicateReview.status == "pending",
            )
            .order_by(DuplicateReview.score.desc(), DuplicateReview.id)
        )
    )


def _remember(
    session: Session, review: DuplicateReview, ent_id: int, same: bool, user_id: int | None
) -> None:
    dec = session.scalar(
        select(DuplicateDecision).where(
            DuplicateDecision.name_key == review.name_key,
            DuplicateDecision.province_code == review.province_code,
            DuplicateDecision.enterprise_id == ent_id,
        )
    )
    if dec is None:
        session.add(
            DuplicateDecision(
                name_key=review.name_key,
                province_code=review.province_code,
                enterprise_id=ent_id,
                same=same,
                decided_by_id=user_id,
            )
        )
    else:
        dec.same, dec.decided_by_id, dec.decided_at = same, user_id, utcnow()


def _load(review: DuplicateReview) -> dict:
    try:
        return ImportRow().load(dict(review.row_data))
    except ValidationError as exc:  # reference data changed since the import
        raise ReviewError(
            Msg(
                f"Dữ liệu dòng không còn hợp lệ: {exc.messages}",
                f"The row is no longer valid: {exc.messages}",
            )
        ) from None


def decide(
    session: Session, review: DuplicateReview, target_id: int | None, user_id: int | None
) -> Enterprise:
    """``target_id``: merge the row into that candidate; ``None``: a different firm — create it.
    Every candidate of the row gets a remembered decision."""
    items = group(session, review)
    if not items:
        raise ReviewError(Msg("Mục này đã được xử lý", "This item was already decided"))
    candidates = {i.candidate_id for i in items}
    if target_id is not None and target_id not in candidates:
        raise ReviewError(
            Msg(
                "Doanh nghiệp được chọn không nằm trong danh sách đối chiếu",
                "The chosen enterprise is not one of the candidates",
            )
        )
    data = _load(items[0])
    session.info["user_id"] = user_id
    session.info["actor"] = f"user:{user_id} review:{items[0].source}"
    if target_id is not None:
        ent = session.get(Enterprise, target_id)
        services.merge_fill(session, ent, data)
        status = "merged"
    else:
        ent = services.upsert_untaxed(session, data, None).enterprise
        status = "distinct"
    session.flush()
    # The incoming record's own trail: what was merged or created, from which file and row.
    session.add(
        AuditLog(
            actor=session.info["actor"],
            user_id=user_id,
            entity_type="enterprise",
            entity_id=ent.id,
            action="merge" if target_id is not None else "create",
            field="import_row",
            new_value=json.dumps(
                {"source": items[0].source, "row": items[0].row_number, "record": items[0].row_data},
                ensure_ascii=False,
            ),
        )
    )
    now = utcnow()
    for item in items:
        _remember(session, item, item.candidate_id, item.candidate_id == target_id, user_id)
        item.status, item.decided_by_id, item.decided_at, item.result_id = status, user_id, now, ent.id
    return ent
