"""Staff decisions on the duplicate-review queue."""

from __future__ import annotations

import json

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cnht.audit import AuditLog
from cnht.db import utcnow
from cnht.enterprises import services
from cnht.enterprises.models import Enterprise
from cnht.i18n import Msg
from cnht.imports.models import DuplicateDecision, DuplicateReview


class ReviewError(ValueError):
    def __init__(self, msg: Msg):
        super().__init__(str(msg))
        self.msg = msg


def group(session: Session, review: DuplicateReview) -> list[DuplicateReview]:
    """Every pending item for the same incoming row (one per candidate), best candidate first."""
    return list(session.scalars(
        select(DuplicateReview).where(DuplicateReview.name_key == review.name_key,
                                      DuplicateReview.province_code == review.province_code,
                                      DuplicateReview.status == "pending")
        .order_by(DuplicateReview.score.desc(), DuplicateReview.id)))


def _remember(session: Session, review: DuplicateReview, ent_id: int, same: bool, user_id: int | None) -> None:
    dec = session.scalar(select(DuplicateDecision).where(
        DuplicateDecision.name_key == review.name_key, DuplicateDecision.province_code == review.province_code,
        DuplicateDecision.enterprise_id == ent_id))
    if dec is None:
        session.add(DuplicateDecision(name_key=review.name_key, province_code=review.province_code,
                                      enterprise_id=ent_id, same=same, decided_by_id=user_id))
    else:
        dec.same, dec.decided_by_id, dec.decided_at = same, user_id, utcnow()


def _load(review: DuplicateReview) -> dict:
    from ingest.importer import ImportRow

    try:
        return ImportRow().load(dict(review.row_data))
    except ValidationError as exc:  # reference data changed since the import
        raise ReviewError(Msg(f"Dữ liệu dòng không còn hợp lệ: {exc.messages}",
                              f"The row is no longer valid: {exc.messages}")) from None


def decide(session: Session, review: DuplicateReview, target_id: int | None, user_id: int | None) -> Enterprise:
    """``target_id``: merge the row into that candidate; ``None``: a different firm — create it.
    Every candidate of the row gets a remembered decision."""
    items = group(session, review)
    if not items:
        raise ReviewError(Msg("Mục này đã được xử lý", "This item was already decided"))
    candidates = {i.candidate_id for i in items}
    if target_id is not None and target_id not in candidates:
        raise ReviewError(Msg("Doanh nghiệp được chọn không nằm trong danh sách đối chiếu",
                              "The chosen enterprise is not one of the candidates"))
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
    session.add(AuditLog(actor=session.info["actor"], user_id=user_id, entity_type="enterprise", entity_id=ent.id,
                         action="merge" if target_id is not None else "create", field="import_row",
                         new_value=json.dumps({"source": items[0].source, "row": items[0].row_number,
                                               "record": items[0].row_data}, ensure_ascii=False)))
    now = utcnow()
    for item in items:
        _remember(session, item, item.candidate_id, item.candidate_id == target_id, user_id)
        item.status, item.decided_by_id, item.decided_at, item.result_id = status, user_id, now, ent.id
    return ent
