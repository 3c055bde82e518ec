"""Claims: an SME user asks to manage an enterprise's profile, staff approve or reject it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cnht.accounts import services as accounts
from cnht.accounts.models import EnterpriseClaim, User
from cnht.db import utcnow
from cnht.enterprises.models import Enterprise
from cnht.enterprises.services import get_by_tax_code
from cnht.i18n import Msg, UserError
from cnht.mail import send_mail


class ClaimError(UserError, ValueError):
    pass


def file_claim(
    session: Session, user: User, tax_code: str, position: str | None = None, message: str | None = None
) -> EnterpriseClaim:
    """An SME user asks to manage the profile of the enterprise with this tax code (staff decide)."""
    ent = get_by_tax_code(session, tax_code, full=False)
    if ent is None:
        raise ClaimError(
            Msg(
                f"Không có doanh nghiệp mã số thuế {tax_code} trong cơ sở dữ liệu. "
                "Hãy liên hệ Sở Công Thương để được bổ sung.",
                f"No enterprise with tax code {tax_code}. Contact the Department to be added.",
            )
        )
    if user.enterprise_id == ent.id:
        raise ClaimError(Msg("Bạn đã quản lý doanh nghiệp này", "You already manage this enterprise"))
    dup = session.scalar(
        select(EnterpriseClaim).where(
            EnterpriseClaim.user_id == user.id,
            EnterpriseClaim.enterprise_id == ent.id,
            EnterpriseClaim.status == "pending",
        )
    )
    if dup is not None:
        raise ClaimError(Msg("Yêu cầu đang chờ duyệt", "A claim for this enterprise is already pending"))
    claim = EnterpriseClaim(
        user_id=user.id,
        enterprise_id=ent.id,
        position=(position or "").strip() or None,
        message=(message or "").strip() or None,
    )
    claim.enterprise = ent
    session.add(claim)
    session.flush()
    return claim


def decide_claim(
    session: Session, claim: EnterpriseClaim, *, approve: bool, by: User, note: str | None = None
) -> None:
    """Staff approve (the user then manages the enterprise) or reject a claim; the user is told by mail."""
    if claim.status != "pending":
        raise ClaimError(Msg("Yêu cầu này đã được xử lý.", "This claim was already decided."))
    claim.status = "approved" if approve else "rejected"
    claim.decided_by_id, claim.decided_at = by.id, utcnow()
    claim.decision_note = (note or "").strip()[:2000] or None
    name = claim.enterprise.name
    if approve:
        claim.user.enterprise_id = claim.enterprise_id
        subject = "Yêu cầu quản lý hồ sơ đã được duyệt / Your claim was approved"
        body = (
            f"Bạn đã có thể cập nhật hồ sơ {name} trên Cổng thông tin CNHT.\n"
            f"You can now edit the profile of {name} on the CNHT Portal."
        )
    else:
        subject = "Yêu cầu quản lý hồ sơ chưa được duyệt / Your claim was not approved"
        body = (
            f"Yêu cầu quản lý hồ sơ {name} chưa được duyệt. {claim.decision_note or ''}\n"
            f"Your claim for {name} was not approved."
        )
    send_mail(session, claim.user.email, subject, body, "claim_decision")


@accounts.registered.connect
def _claim_on_registration(session: Session, *, user: User, tax_code: str) -> Enterprise | None:
    """An SME registering with its tax code claims that enterprise in the same transaction."""
    if user.role != "sme" or not tax_code:
        return None
    return file_claim(session, user, tax_code).enterprise
