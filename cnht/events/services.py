"""Matchmaking events: every state change with its permission rule and its notifications, shared by the
pages, the API and the CLI. The scheduling itself is :mod:`cnht.events.scheduler` (no database)."""

from __future__ import annotations

import logging
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from icalendar import Calendar
from icalendar import Event as VEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from cnht.accounts.models import User
from cnht.db import LOCAL_TZ, local_today, utcnow  # events happen in Vietnam: local wall-clock times
from cnht.enterprises import services as ent_services
from cnht.enterprises.rules import normalize_tax_code
from cnht.events import scheduler as sch
from cnht.events.models import (
    Event,
    EventSession,
    EventTable,
    MeetingRequest,
    Participant,
    WantedItem,
)
from cnht.i18n import Msg, UserError
from cnht.mail import send_mail

log = logging.getLogger(__name__)
PLACED = ("scheduled", "locked", "held", "no_show")
OPEN = ("pending", "accepted", "scheduled", "locked")
FOLLOW_UP_DAYS = (30, 90)
MIN_PROPOSAL_SCORE = 0.25  # below this the engine found nothing of the part in the profile


# ---------------------------------------------------------------- permissions


@dataclass(frozen=True)
class TokenActor:
    """A participant acting through the private link mailed to it (no account): for itself only."""

    participant_id: int
    is_staff = False
    role = "token"
    enterprise_id = None
    id = None


Actor = User | TokenActor | None  # who acts: an account, a participant's private link, or nobody


def is_staff(user: Actor) -> bool:
    return user is not None and user.is_staff


def acts_for(user: Actor, p: Participant) -> bool:
    """The participant's own account, the SME account of its enterprise, its private link, or staff."""
    if user is None:
        return False
    if isinstance(user, TokenActor):
        return user.participant_id == p.id
    if user.is_staff or (p.user_id is not None and p.user_id == user.id):
        return True
    return user.role == "sme" and p.enterprise_id is not None and user.enterprise_id == p.enterprise_id


def participant_of(event: Event, user: Actor) -> list[Participant]:
    """The participations the user acts for in this event (staff act for all, but own none)."""
    if user is None or user.is_staff:
        return []
    return [p for p in event.participants if acts_for(user, p)]


def by_token(session: Session, token: str | None) -> Participant | None:
    """The participant whose private agenda link carries this token (no account needed)."""
    if not token or len(token) > 64:
        return None
    return session.scalars(select(Participant).where(Participant.access_token == token)).first()


class EventError(UserError):
    """A refused event action, with the HTTP status the API answers with."""

    def __init__(self, msg: Msg, status: int = 400):
        super().__init__(msg)
        self.status = status


def _need(cond: bool) -> None:
    if not cond:
        raise EventError(Msg("Không có quyền thực hiện thao tác này", "You may not do this"), status=403)


# ---------------------------------------------------------------- slots


@dataclass(frozen=True)
class SlotInfo:
    index: int
    session_id: int
    session_name: str
    starts: datetime  # aware, Vietnam time
    ends: datetime

    @property
    def label(self) -> str:
        return f"{self.starts:%d/%m} {self.starts:%H:%M}–{self.ends:%H:%M}"


def slots(event: Event) -> list[SlotInfo]:
    """The meeting slots, in order: each session cut into meetings of the event's length with its breaks."""
    out: list[SlotInfo] = []
    step = timedelta(minutes=event.meeting_minutes + event.break_minutes)
    length = timedelta(minutes=event.meeting_minutes)
    for s in sorted(event.sessions, key=lambda s: (s.day, s.starts_at)):
        t = datetime.combine(s.day, s.starts_at, LOCAL_TZ)
        end = datetime.combine(s.day, s.ends_at, LOCAL_TZ)
        while t + length <= end:
            out.append(SlotInfo(len(out), s.id, s.name, t, t + length))
            t += step
    return out


def _has_meetings(event: Event) -> bool:
    return any(r.slot is not None for r in event.requests)


# ---------------------------------------------------------------- event set-up


EVENT_FIELDS = (
    "name",
    "organiser",
    "venue",
    "description",
    "starts_on",
    "ends_on",
    "registration_opens_at",
    "registration_closes_at",
    "request_mode",
    "scheduling_mode",
    "meeting_minutes",
    "break_minutes",
    "cap_per_participant",
    "cap_per_session",
    "request_expiry_days",
    "status",
)
TIMING = ("meeting_minutes", "break_minutes")


def save_event(session: Session, data: dict[str, Any], user: Actor, event: Event | None = None) -> Event:
    _need(is_staff(user))
    if event is None:
        event = Event(created_by_id=getattr(user, "id", None), schedule_info={})
        session.add(event)
    elif _has_meetings(event) and any(k in data and data[k] != getattr(event, k) for k in TIMING):
        raise EventError(
            Msg(
                "Đã xếp lịch: không đổi độ dài cuộc gặp hay giờ nghỉ (hãy xóa lịch trước)",
                "Meetings are scheduled: meeting length and breaks cannot change (clear the schedule first)",
            )
        )
    for key in EVENT_FIELDS:
        if key in data:
            setattr(event, key, data[key])
    session.flush()
    return event


def add_session(session: Session, event: Event, data: dict[str, Any], user: Actor) -> EventSession:
    _need(is_staff(user))
    if _has_meetings(event):
        raise EventError(
            Msg(
                "Đã xếp lịch: không thêm phiên (hãy xóa lịch trước)",
                "Meetings are scheduled: clear them first",
            )
        )
    s = EventSession(event=event, **data)
    session.add(s)
    session.flush()
    return s


def add_tables(session: Session, event: Event, data: dict[str, Any], user: Actor) -> list[EventTable]:
    """``count`` tables of one kind, numbered after the existing ones ("Bàn 1", "Bàn 2"…)."""
    _need(is_staff(user))
    kind = data["kind"]
    owner = None
    if kind == "booth":
        owner = _participant(event, data.get("owner_id"))
        if owner is None or owner.role != "supplier":
            raise EventError(Msg("Gian hàng phải thuộc một nhà cung ứng", "A booth belongs to a supplier"))
    prefix = {
        "public": "Bàn",
        "interpreter": "Bàn phiên dịch",
        "booth": "Gian",
        "online": "Phòng trực tuyến",
    }[kind]
    start = sum(1 for t in event.tables if t.kind == kind)
    made = []
    for i in range(data.get("count") or 1):
        label = data.get("label") if data.get("label") and (data.get("count") or 1) == 1 else None
        t = EventTable(
            event=event,
            kind=kind,
            label=label
            or f"{prefix} {start + i + 1}" + (f" ({data['language']})" if data.get("language") else ""),
            language=data.get("language") if kind == "interpreter" else None,
            owner_id=owner.id if owner else None,
            url=data.get("url") if kind == "online" else None,
        )
        session.add(t)
        made.append(t)
    session.flush()
    return made


def _participant(event: Event, pid: Any) -> Participant | None:
    try:
        pid = int(pid)
    except (TypeError, ValueError):
        return None
    return next((p for p in event.participants if p.id == pid), None)


def get_participant(event: Event, pid: Any) -> Participant | None:
    return _participant(event, pid)


# ---------------------------------------------------------------- participants


def _tokens(p: Participant) -> None:
    p.checkin_token = p.checkin_token or secrets.token_urlsafe(18)
    p.access_token = p.access_token or secrets.token_urlsafe(24)


def _join(
    session: Session, event: Event, ent, data: dict[str, Any], status: str, **extra: Any
) -> Participant:
    """A participation of ``ent`` in ``event`` from the loaded form or API data (one per firm and role)."""
    if any(p.enterprise_id == ent.id and p.role == data["role"] for p in event.participants):
        raise EventError(
            Msg("Doanh nghiệp này đã tham gia sự kiện", "This enterprise already takes part"), status=409
        )
    p = Participant(
        event=event,
        enterprise_id=ent.id,
        organisation=ent.name,
        role=data["role"],
        status=status,
        contact_name=data.get("contact_name") or "",
        contact_email=data.get("contact_email") or ent.email or "",
        contact_phone=data.get("contact_phone") or ent.phone,
        people=data.get("people") or [],
        interpreter=data.get("interpreter"),
        remote=bool(data.get("remote")),
        offers=data.get("offers"),
        seeks=data.get("seeks"),
        unavailable_slots=data.get("unavailable_slots") or [],
        **extra,
    )
    _tokens(p)
    session.add(p)
    session.flush()
    return p


def add_participant(session: Session, event: Event, data: dict[str, Any], user: Actor) -> Participant:
    """Staff add a participant from the database (by tax code or ref), confirmed at once."""
    _need(is_staff(user))
    ent = ent_services.get_by_ref(session, data["enterprise"], full=False)
    if ent is None:
        raise EventError(
            Msg("Không tìm thấy doanh nghiệp '{v}'", "No enterprise '{v}'", v=data["enterprise"]), 404
        )
    return _join(session, event, ent, data, "confirmed", cap=data.get("cap"))


def registration_open(event: Event, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if event.status not in ("registration", "requests"):
        return False
    if event.registration_opens_at and now < event.registration_opens_at:
        return False
    return not (event.registration_closes_at and now > event.registration_closes_at)


def register(session: Session, event: Event, data: dict[str, Any], user: Actor) -> Participant:
    """The public registration form: links the enterprise with this tax code, or creates it (unverified);
    the participation waits for staff approval."""
    if not registration_open(event):
        raise EventError(Msg("Sự kiện không nhận đăng ký lúc này", "Registration is closed"), status=409)
    tax = normalize_tax_code(data["tax_code"])
    ent = ent_services.get_by_tax_code(session, tax)
    if ent is None:
        res = ent_services.upsert(
            session,
            {
                "tax_code": tax,
                "name": data["organisation"],
                "province_code": data["province"],
                "sectors": [data["sector"]] if data.get("sector") else [],
                "email": data["contact_email"],
                "phone": data.get("contact_phone"),
            },
        )
        ent = res.enterprise
        session.flush()
    p = _join(
        session,
        event,
        ent,
        data,
        "pending",
        user_id=user.id if isinstance(user, User) and not user.is_staff else None,
    )
    send_mail(
        session,
        p.contact_email,
        f"Đã nhận đăng ký: {event.name} / Registration received",
        f"{event.name}\n\nĐăng ký của {p.organisation} đã được ghi nhận và chờ Ban tổ chức duyệt.\n"
        f"The registration of {p.organisation} is recorded and awaits the organiser's approval.\n",
        "event_registration",
    )
    return p


def set_participant_status(
    session: Session, p: Participant, status: str, user: Actor, link: str = ""
) -> None:
    _need(is_staff(user))
    if status == p.status:
        return
    p.status = status
    if status in ("declined", "withdrawn"):
        for r in _requests_of(p):
            if r.status in OPEN:
                _set_status(r, "cancelled", user, note="participant " + status)
    if status == "confirmed":
        send_mail(
            session,
            p.contact_email,
            f"Xác nhận tham dự: {p.event.name} / Participation confirmed",
            f"{p.event.name}\n\n{p.organisation}: Ban tổ chức đã xác nhận tham dự. / participation confirmed.\n"
            f"Lịch và yêu cầu gặp / Your agenda and meeting requests: {link}\n",
            "event_confirmed",
        )


def update_participant(session: Session, p: Participant, data: dict[str, Any], user: Actor) -> None:
    """Availability, people, interpreter, offers/seeks — by the participant itself or staff."""
    _need(acts_for(user, p))
    for key in (
        "people",
        "unavailable_slots",
        "interpreter",
        "remote",
        "offers",
        "seeks",
        "contact_name",
        "contact_email",
        "contact_phone",
    ):
        if key in data:
            setattr(p, key, data[key])
    if "cap" in data:
        _need(is_staff(user))
        p.cap = data["cap"]
    session.flush()


def _requests_of(p: Participant) -> list[MeetingRequest]:
    return [r for r in p.event.requests if p.id in (r.buyer_id, r.supplier_id)]


# ---------------------------------------------------------------- wanted parts


def add_items(
    session: Session, event: Event, buyer: Participant, lines: list[dict], user: Actor
) -> list[WantedItem]:
    """Staff (or the buyer) add wanted parts in bulk: one per line, "component | specification | volume"."""
    _need(acts_for(user, buyer))
    if buyer.role != "buyer":
        raise EventError(Msg("Chỉ bên mua có danh mục cần mua", "Only buyers have wanted parts"))
    made = []
    for line in lines:
        item = WantedItem(event=event, buyer_id=buyer.id, **line)
        session.add(item)
        made.append(item)
    session.flush()
    return made


def parse_item_lines(text: str) -> tuple[list[dict], list[Msg]]:
    rows, errors = [], []
    for n, raw in enumerate((text or "").splitlines(), 1):
        if not raw.strip():
            continue
        parts = [x.strip() for x in raw.split("|")]
        if not parts[0]:
            errors.append(Msg("Dòng {n}: thiếu tên linh kiện", "Line {n}: the component is missing", n=n))
            continue
        if len(parts[0]) > 255 or len(parts) > 3:
            errors.append(
                Msg(
                    "Dòng {n}: tên linh kiện | quy cách | sản lượng",
                    "Line {n}: component | spec | volume",
                    n=n,
                )
            )
            continue
        rows.append(
            {
                "component": parts[0],
                "specification": parts[1] if len(parts) > 1 and parts[1] else None,
                "volume": (parts[2][:120] if len(parts) > 2 and parts[2] else None),
            }
        )
    return rows, errors


def propose_for_item(
    session: Session, item: WantedItem, user: Actor, *, limit: int = 5, weights=None
) -> list[MeetingRequest]:
    """The matching engine ranks the event's confirmed suppliers for a wanted part; the best become
    proposals the buyer (and the supplier) accept or refuse."""
    from cnht.matching.engine import RequirementSpec, rank_among  # noqa: PLC0415 — the engine pulls in search

    _need(is_staff(user) or acts_for(user, item.buyer))
    event = item.event
    suppliers = {
        p.enterprise_id: p
        for p in event.participants
        if p.role == "supplier" and p.status == "confirmed" and p.enterprise_id is not None
    }
    if not suppliers:
        return []
    spec = RequirementSpec(
        title=item.component, description=item.specification or "", sector=item.sector_code
    )
    ranked = [
        m
        for m in rank_among(session, spec, list(suppliers), weights=weights)
        if m.score >= MIN_PROPOSAL_SCORE
    ]
    existing = {(r.buyer_id, r.supplier_id): r for r in event.requests}
    made = []
    for m in ranked:
        sup = suppliers.get(m.enterprise_id)
        if sup is None:
            continue
        if (item.buyer_id, sup.id) in existing:
            r = existing[(item.buyer_id, sup.id)]
            if r.item_id is None:
                r.item_id = item.id
            continue
        r = MeetingRequest(
            event=event,
            buyer_id=item.buyer_id,
            supplier_id=sup.id,
            item_id=item.id,
            requested_by="engine",
            score=m.score,
            status="pending",
            expires_at=utcnow() + timedelta(days=event.request_expiry_days),
            history=[],
        )
        _log(r, "proposed", user)
        session.add(r)
        made.append(r)
        if len(made) >= limit:
            break
    session.flush()
    return made


# ---------------------------------------------------------------- requests


def _log(r: MeetingRequest, what: str, user: Actor, **extra: Any) -> None:
    r.history = [
        *(r.history or []),
        {
            "at": utcnow().isoformat(timespec="seconds"),
            "what": what,
            "by": user.id if user else None,
            **extra,
        },
    ]


def _set_status(r: MeetingRequest, status: str, user: Actor, **extra: Any) -> None:
    if r.status == status:
        return
    had_slot = r.slot is not None
    r.status = status
    if status in ("cancelled", "declined", "expired") and had_slot:
        r.sequence += 1  # calendars remove it only with a higher SEQUENCE
    _log(r, status, user, **extra)


def _derive(r: MeetingRequest) -> str:
    """A request's state from the two sides' answers and the event's request mode."""
    if r.vetoed:
        return "declined"
    if r.event.request_mode == "opt_out":
        return "accepted"
    return (
        "accepted"
        if r.buyer_level in ("must", "like") and r.supplier_level in ("must", "like")
        else "pending"
    )


def side_of(user: Actor, r: MeetingRequest) -> str | None:
    if user is None:
        return None
    if acts_for(user, r.buyer) and not user.is_staff:
        return "buyer"
    if acts_for(user, r.supplier) and not user.is_staff:
        return "supplier"
    return "staff" if user.is_staff else None


def create_request(
    session: Session,
    event: Event,
    buyer: Participant,
    supplier: Participant,
    level: str,
    user: Actor,
    *,
    side: str | None = None,
    item: WantedItem | None = None,
    message: str | None = None,
    slot: int | None = None,
) -> MeetingRequest:
    """A request from either side (or staff on its behalf). "no" is not a request: it is a veto, given
    in answer to one."""
    if buyer.role != "buyer" or supplier.role != "supplier":
        raise EventError(
            Msg("Cuộc gặp là giữa một bên mua và một nhà cung ứng", "A meeting pairs a buyer and a supplier")
        )
    if side is None:
        side = (
            "buyer"
            if acts_for(user, buyer) and not is_staff(user)
            else "supplier"
            if acts_for(user, supplier)
            else None
        )
    _need(side is not None and (is_staff(user) or acts_for(user, buyer if side == "buyer" else supplier)))
    if event.status in ("closed",):
        raise EventError(Msg("Sự kiện đã kết thúc", "The event is over"), status=409)
    if buyer.status != "confirmed" or supplier.status != "confirmed":
        raise EventError(
            Msg("Hai bên phải được xác nhận tham dự", "Both sides must be confirmed"), status=409
        )
    if level not in ("must", "like"):
        raise EventError(Msg("Mức: must (nhất định gặp) hoặc like (muốn gặp)", "Level: must or like"))
    existing = next(
        (r for r in event.requests if r.buyer_id == buyer.id and r.supplier_id == supplier.id), None
    )
    if existing is not None and existing.status not in ("cancelled", "expired"):
        if (
            existing.requested_by == "engine"
            or (side == "buyer" and existing.buyer_level is None)
            or (side == "supplier" and existing.supplier_level is None)
        ):
            return respond(session, existing, "accept", user, level=level, side=side, slot=slot)
        raise EventError(
            Msg("Đã có yêu cầu gặp giữa hai bên", "A request between them already exists"), status=409
        )
    r = existing or MeetingRequest(event=event, buyer_id=buyer.id, supplier_id=supplier.id, history=[])
    r.event, r.buyer, r.supplier = event, buyer, supplier
    r.requested_by = side if side in ("buyer", "supplier") else "staff"
    r.buyer_level = level if side in ("buyer", "staff") else None
    r.supplier_level = level if side == "supplier" else None
    r.item_id = item.id if item else r.item_id
    r.message = message
    r.slot, r.table_id = None, None
    r.expires_at = utcnow() + timedelta(days=event.request_expiry_days)
    r.status = _derive(r)
    if event.scheduling_mode == "participants" and slot is not None:
        _check_pick(event, r, slot)
        r.slot = slot  # a pending pick blocks the slot on both sides until answered or expired
    _log(r, "requested", user, level=level, side=side)
    if existing is None:
        session.add(r)
    session.flush()
    if r.status == "accepted" and r.slot is not None:
        _place_pick(event, r, r.slot, user)
    other = supplier if side in ("buyer", "staff") else buyer
    _notify(
        session,
        other,
        f"Yêu cầu gặp mới: {event.name} / New meeting request",
        f"{(buyer if other is supplier else supplier).organisation} muốn gặp {other.organisation}.\n"
        f"{(buyer if other is supplier else supplier).organisation} would like to meet {other.organisation}.",
    )
    return r


def respond(
    session: Session,
    r: MeetingRequest,
    answer: str,
    user: Actor,
    *,
    level: str | None = None,
    side: str | None = None,
    slot: int | None = None,
) -> MeetingRequest:
    """The receiving side accepts (with its level) or refuses ("no", a veto); staff may answer for a side."""
    side = side or side_of(user, r)
    if side == "staff":
        _need(is_staff(user))
        side = "supplier" if r.supplier_level is None else "buyer"
    _need(side in ("buyer", "supplier") and (is_staff(user) or acts_for(user, getattr(r, side))))
    if r.status not in ("pending", "accepted", "scheduled"):
        raise EventError(
            Msg("Yêu cầu không còn chờ trả lời", "The request no longer awaits an answer"), status=409
        )
    value = "no" if answer == "decline" else (level or "like")
    if value not in ("must", "like", "no"):
        raise EventError(Msg("Mức: must, like hoặc no", "Level: must, like or no"))
    setattr(r, f"{side}_level", value)
    new = _derive(r)
    if new == "declined":
        if r.slot is not None:
            r.sequence += 1
        r.slot, r.table_id = (r.slot, r.table_id) if r.status in PLACED else (None, None)
        _set_status(r, "declined", user, side=side)
    elif r.status == "pending":
        _set_status(r, new, user, side=side, level=value)
        if new == "accepted" and r.event.scheduling_mode == "participants":
            pick = slot if slot is not None else r.slot
            if pick is not None:
                _place_pick(r.event, r, pick, user)
    else:
        _log(r, "level", user, side=side, level=value)
    session.flush()
    return r


def _busy(event: Event, pid: int, slot: int, ignore: int | None = None) -> int:
    return sum(
        1
        for r in event.requests
        if r.id != ignore
        and r.slot == slot
        and pid in (r.buyer_id, r.supplier_id)
        and r.status in ("pending", "accepted", "scheduled", "locked", "held")  # a no-show frees the slot
    )


def _check_pick(event: Event, r: MeetingRequest, slot: int) -> None:
    """A participant-picked slot, checked again at confirmation (two requests accepted for one slot is
    the classic double booking)."""
    valid = {s.index for s in slots(event)}
    if slot not in valid:
        raise EventError(Msg("Khung giờ không tồn tại", "No such slot"))
    for p in (r.buyer, r.supplier):
        if slot in (p.unavailable_slots or []) or _busy(event, p.id, slot, ignore=r.id) >= p.parallel:
            raise EventError(
                Msg("{o} đã bận vào khung giờ này", "{o} is busy in this slot", o=p.organisation), status=409
            )


def _place_pick(event: Event, r: MeetingRequest, slot: int, user: Actor) -> None:
    _check_pick(event, r, slot)
    problem, _ = build_problem(event)
    placed = {
        m.id: m.slot for m in event.requests if m.status in PLACED and m.slot is not None and m.id != r.id
    }
    placed[r.id] = slot
    tables = sch.assign_tables(
        problem,
        {k: v for k, v in placed.items() if k in problem.by_id},
        previous={m.id: m.table_id for m in event.requests if m.table_id},
    )
    if r.id not in tables:
        raise EventError(Msg("Hết bàn trong khung giờ này", "No table left in this slot"), status=409)
    r.slot, r.table_id = slot, tables[r.id]
    _set_status(r, "scheduled", user, slot=slot)


def cancel_request(session: Session, r: MeetingRequest, user: Actor, reason: str | None = None) -> None:
    _need(is_staff(user) or acts_for(user, r.buyer) or acts_for(user, r.supplier))
    if r.status in ("held", "no_show", "cancelled"):
        raise EventError(Msg("Không thể hủy ở trạng thái này", "Cannot be cancelled now"), status=409)
    was_placed = r.slot is not None
    _set_status(r, "cancelled", user, reason=reason)
    session.flush()
    if was_placed:
        for p in (r.buyer, r.supplier):
            _notify(
                session,
                p,
                f"Hủy cuộc gặp: {r.event.name} / Meeting cancelled",
                f"{r.buyer.organisation} – {r.supplier.organisation}: cuộc gặp đã hủy / the meeting is cancelled.",
            )


def expire_requests(session: Session, event: Event, now: datetime | None = None) -> int:
    """Unanswered requests past their date expire: they block other people's slots otherwise."""
    now = now or utcnow()
    n = 0
    for r in event.requests:
        if r.status == "pending" and r.expires_at is not None and r.expires_at < now:
            _set_status(r, "expired", None)
            r.slot, r.table_id = None, None
            n += 1
    if n:
        session.flush()
    return n


def set_lock(session: Session, r: MeetingRequest, locked: bool, user: Actor) -> None:
    _need(is_staff(user))
    if locked and r.status == "scheduled":
        _set_status(r, "locked", user)
    elif not locked and r.status == "locked":
        _set_status(r, "scheduled", user)
    session.flush()


def assign_person(session: Session, r: MeetingRequest, side: str, person: str, user: Actor) -> None:
    """Who of the organisation's people takes this meeting (an unassigned meeting is where no-shows happen)."""
    p = r.buyer if side == "buyer" else r.supplier
    _need(acts_for(user, p))
    names = [x.get("name") for x in p.people or []]
    if person and names and person not in names:
        raise EventError(
            Msg("Người này không có trong danh sách của đơn vị", "Not one of the organisation's people")
        )
    clash = [
        m
        for m in _requests_of(p)
        if m.id != r.id and m.slot == r.slot and r.slot is not None and getattr(m, f"{side}_person") == person
    ]
    if person and clash:
        raise EventError(
            Msg("{n} đã có cuộc gặp khác vào giờ này", "{n} has another meeting then", n=person), 409
        )
    setattr(r, f"{side}_person", person or None)
    _log(r, "person", user, side=side, person=person)
    session.flush()


# ---------------------------------------------------------------- scheduling


def weight_of(r: MeetingRequest) -> int:
    if r.must:
        return sch.MUST_WEIGHT
    return sch.MUTUAL_WEIGHT if r.mutual else sch.ONE_SIDED_WEIGHT


def build_problem(event: Event) -> tuple[sch.Problem, list[SlotInfo]]:
    """The event as the scheduler sees it. Meetings already held, checked in or locked keep their slot."""
    infos = slots(event)
    all_slots = [sch.Slot(s.index, s.session_id) for s in infos]
    everything = frozenset(s.index for s in infos)
    booths = {t.owner_id for t in event.tables if t.kind == "booth"}
    parties = {}
    for p in event.participants:
        cap = p.cap if p.cap is not None else event.cap_per_participant
        if p.cap is not None and event.cap_per_participant is not None:
            cap = min(p.cap, event.cap_per_participant)
        parties[p.id] = sch.Party(
            p.id,
            everything - set(p.unavailable_slots or []),
            cap=cap,
            session_cap=event.cap_per_session,
            people=p.parallel,
            active=p.status == "confirmed",
            remote=p.remote,
            booth=p.id in booths,
        )
    reqs = []
    for r in event.requests:
        status = r.status
        locked = r.slot if status in ("locked", "held", "no_show") and r.slot is not None else None
        if status in ("held", "no_show"):
            status = "locked"
        lang = r.buyer.interpreter or r.supplier.interpreter
        reqs.append(
            sch.Request(
                r.id,
                r.buyer_id,
                r.supplier_id,
                weight=weight_of(r),
                must=r.must,
                status=status,
                language=lang,
                locked_slot=locked,
                previous_slot=r.slot if status == "scheduled" else None,
            )
        )
    tables = [sch.Table(t.id, t.kind, t.language, t.owner_id) for t in event.tables]
    return sch.Problem(all_slots, parties, reqs, tables), infos


def run_schedule(session: Session, event: Event, user: Actor, *, seconds: float = 3.0) -> sch.Schedule:
    """Organiser-optimised schedule. Once an agenda is published it is a re-plan: published meetings stay
    where they are unless a change forces them to move; locked and held ones never move."""
    _need(is_staff(user))
    if not event.sessions or not event.tables:
        raise EventError(Msg("Cần có phiên và bàn gặp trước khi xếp lịch", "Add sessions and tables first"))
    expire_requests(session, event)
    problem, infos = build_problem(event)
    published = {r.id: r.slot for r in event.requests if r.status == "scheduled" and r.slot is not None}
    tables = {r.id: r.table_id for r in event.requests if r.table_id is not None}
    # the native solver runs in its own process: should it crash, the site stays up with the greedy plan
    if event.agenda_stage:
        result = sch.replan(problem, published, tables, seconds=seconds, isolate=True)
    else:
        result = sch.solve(problem, seconds=seconds, isolate=True)
    if result.solver_status in ("SOLVER_CRASHED", "SOLVER_TIMEOUT"):
        log.error("event %s: CP-SAT %s; the priority-greedy schedule is kept", event.id, result.solver_status)
    problems = sch.violations(problem, result)
    if problems:  # never write a schedule that breaks a hard constraint
        raise EventError(
            Msg("Lịch không hợp lệ: {e}", "Invalid schedule: {e}", e="; ".join(problems[:3])), 500
        )
    for r in event.requests:
        new_slot = result.slot_of.get(r.id)
        new_table = result.table_of.get(r.id)
        if r.status in ("held", "no_show", "locked"):
            r.table_id = new_table or r.table_id
            continue
        if new_slot is None:
            if r.slot is not None and r.status == "scheduled":
                r.sequence += 1  # calendars drop it
                _log(r, "unscheduled", user)
                r.status = "accepted"
            if r.status == "accepted":
                r.slot, r.table_id = None, None
            # a pending pick (participants mode) keeps blocking its slot; a cancelled meeting keeps its
            # last slot for the calendar's CANCEL
            r.unscheduled = result.unscheduled.get(r.id, {})
            continue
        if r.slot is not None and (r.slot != new_slot or r.table_id != new_table):
            r.sequence += 1
        if r.slot != new_slot:
            _log(r, "slot", user, slot=new_slot)
        r.slot, r.table_id, r.unscheduled = new_slot, new_table, {}
        if r.status == "accepted":
            r.status = "scheduled"
    event.schedule_info = {
        "at": utcnow().isoformat(timespec="seconds"),
        "method": result.method,
        "solver_status": result.solver_status,
        "objective": result.objective,
        "bound": result.bound,
        "bound_source": result.bound_source,
        "weight_bound": result.weight_bound,
        "gap": None if result.gap is None else round(result.gap, 4),
        "seconds": round(result.seconds, 2),
        "meetings": len(result.slot_of),
        "unscheduled": len(result.unscheduled),
        "moved": len(result.moved),
        "dropped": len(result.dropped),
        "idle_gaps": sum(sch.gaps(problem, result.slot_of).values()),
        "replan": bool(event.agenda_stage),
    }
    if event.status in ("draft", "registration", "requests"):
        event.status = "scheduling"
    session.flush()
    return result


def publish(session: Session, event: Event, stage: str, user: Actor, link_for) -> int:
    """Send the preliminary or final agenda to every confirmed participant; returns how many mails."""
    _need(is_staff(user))
    event.agenda_stage = stage
    event.status = stage
    n = 0
    for p in event.participants:
        if p.status != "confirmed" or not p.contact_email:
            continue
        mine = [r for r in agenda(event, p)]
        label = (
            "Lịch gặp dự kiến / Preliminary agenda"
            if stage == "preliminary"
            else "Lịch gặp chính thức / Final agenda"
        )
        lines = [f"{m['slot'].label}  {m['table'] or ''}  {m['counterpart']}" for m in mine]
        send_mail(
            session,
            p.contact_email,
            f"{label}: {event.name}",
            f"{event.name} — {p.organisation}\n\n"
            + ("\n".join(lines) or "(chưa có cuộc gặp / no meetings yet)")
            + f"\n\nXem, in, tải lịch (ICS) / view, print, download (ICS): {link_for(p)}\n",
            "event_agenda",
        )
        n += 1
    session.flush()
    return n


def agenda(event: Event, p: Participant) -> list[dict]:
    infos = {s.index: s for s in slots(event)}
    out = []
    for r in sorted(_requests_of(p), key=lambda r: (r.slot if r.slot is not None else 10**6, r.id)):
        if r.slot is None or r.status not in PLACED or r.slot not in infos:
            continue
        other = r.supplier if p.id == r.buyer_id else r.buyer
        out.append(
            {
                "request": r,
                "slot": infos[r.slot],
                "table": r.table.label if r.table else None,
                "table_url": r.table.url if r.table and r.table.kind == "online" else None,
                "counterpart": other.organisation,
                "counterpart_participant": other,
                "person": r.buyer_person if p.id == r.buyer_id else r.supplier_person,
                "their_person": r.supplier_person if p.id == r.buyer_id else r.buyer_person,
                "item": r.item.component if r.item else None,
                "side": "buyer" if p.id == r.buyer_id else "supplier",
            }
        )
    return out


def table_sheets(event: Event) -> list[dict]:
    """One sheet per table: who meets there in each slot (the fallback when the venue's Wi-Fi fails)."""
    infos = slots(event)
    by_table: dict[int, dict[int, MeetingRequest]] = defaultdict(dict)
    for r in event.requests:
        if r.table_id is not None and r.slot is not None and r.status in PLACED:
            by_table[r.table_id][r.slot] = r
    return [
        {"table": t, "rows": [(s, by_table[t.id].get(s.index)) for s in infos]}
        for t in event.tables
        if by_table.get(t.id)
    ]


# ---------------------------------------------------------------- calendars


def ics(event: Event, p: Participant, uid_host: str, *, request: MeetingRequest | None = None) -> bytes:
    """The participant's meetings as iCalendar: one VEVENT per meeting with a stable UID, SEQUENCE raised
    on every change; cancelled or unscheduled meetings stay in the feed as STATUS:CANCELLED (a single
    meeting's file is METHOD:CANCEL then), so calendars remove them."""
    infos = {s.index: s for s in slots(event)}
    cal = Calendar()
    cal.add("prodid", "-//CNHT Portal//Matchmaking//VI")
    cal.add("version", "2.0")
    chosen = [request] if request is not None else _requests_of(p)
    cancelled_only = request is not None and (
        request.status in ("cancelled", "declined", "expired") or request.slot is None
    )
    cal.add("method", "CANCEL" if cancelled_only else "PUBLISH")
    cal.add("x-wr-calname", f"{event.name} — {p.organisation}")
    for r in chosen:
        last_slot = r.slot if r.slot is not None else _last_slot(r)
        if last_slot is None or last_slot not in infos:
            continue
        live = r.status in PLACED and r.slot is not None
        if not live and r.sequence == 0:
            continue  # never on a calendar
        s = infos[last_slot]
        other = r.supplier if p.id == r.buyer_id else r.buyer
        ev = VEvent()
        ev.add("uid", f"event-{event.id}-meeting-{r.id}@{uid_host}")
        ev.add("sequence", r.sequence)
        ev.add("dtstamp", (r.updated_at or utcnow()).astimezone(UTC))
        ev.add("dtstart", s.starts.astimezone(UTC))
        ev.add("dtend", s.ends.astimezone(UTC))
        ev.add("summary", f"B2B: {p.organisation} – {other.organisation}")
        where = [event.venue or "", r.table.label if r.table else ""]
        ev.add("location", ", ".join(x for x in where if x))
        desc = [event.name]
        if r.item:
            desc.append(f"Linh kiện / part: {r.item.component}")
        if r.table and r.table.url:
            desc.append(r.table.url)
        ev.add("description", "\n".join(desc))
        ev.add("status", "CONFIRMED" if live else "CANCELLED")
        cal.add_component(ev)
    return cal.to_ical()


def _last_slot(r: MeetingRequest) -> int | None:
    for h in reversed(r.history or []):
        if h.get("what") == "slot" and h.get("slot") is not None:
            return h["slot"]
    return None


# ---------------------------------------------------------------- day of the event


def check_in(session: Session, event: Event, token: str, user: Actor) -> Participant:
    _need(is_staff(user))
    p = next((x for x in event.participants if secrets.compare_digest(x.checkin_token, token or "")), None)
    if p is None:
        raise EventError(Msg("Mã check-in không đúng", "Unknown check-in code"), status=404)
    if p.checked_in_at is None:
        p.checked_in_at = utcnow()
        session.flush()
    return p


def _attendance_status(r: MeetingRequest) -> str:
    if r.attendance_override:
        return "held" if r.attendance_override == "held" else "no_show"
    answers = (r.buyer_attendance, r.supplier_attendance)
    if "not_held" in answers:  # one "did not happen" is enough
        return "no_show"
    if answers == ("held", "held"):  # held is confirmed by both sides
        return "held"
    return r.status if r.status not in ("held", "no_show") else "scheduled"


def record_attendance(
    session: Session,
    r: MeetingRequest,
    value: str,
    user: Actor,
    *,
    side: str | None = None,
) -> None:
    """Each side says whether the meeting happened (one "did not happen" makes it a no-show); staff may
    override either way."""
    if r.slot is None or r.status not in PLACED:
        raise EventError(Msg("Cuộc gặp chưa được xếp lịch", "The meeting is not scheduled"), status=409)
    side = side or side_of(user, r)
    if side == "staff":
        _need(is_staff(user))
        r.attendance_override = value
        r.status = _attendance_status(r)
        _log(r, "attendance_override", user, value=value)
        session.flush()
        return
    _need(side in ("buyer", "supplier") and acts_for(user, getattr(r, side)))
    setattr(r, f"{side}_attendance", value)
    new = _attendance_status(r)
    if new != r.status:
        _set_status(r, new, user, side=side)
    session.flush()


def standby(event: Event, slot: int) -> list[MeetingRequest]:
    """Accepted pairs without a meeting who are both checked in and free at ``slot`` — the people to offer
    a freed slot to."""
    problem, _ = build_problem(event)
    out = []
    for r in event.requests:
        if r.status != "accepted" or r.slot is not None:
            continue
        if not (r.buyer.checked_in_at and r.supplier.checked_in_at):
            continue
        if slot in (r.buyer.unavailable_slots or []) or slot in (r.supplier.unavailable_slots or []):
            continue
        if (
            _busy(event, r.buyer_id, slot) >= r.buyer.parallel
            or _busy(event, r.supplier_id, slot) >= r.supplier.parallel
        ):
            continue
        out.append(r)
    out.sort(key=lambda r: (-weight_of(r), r.id))
    del problem
    return out


def place_standby(session: Session, r: MeetingRequest, slot: int, user: Actor) -> None:
    _need(is_staff(user))
    if r not in standby(r.event, slot):
        raise EventError(
            Msg("Cặp này không sẵn sàng vào khung giờ này", "This pair is not free in this slot"), 409
        )
    # tables freed by no-shows and cancellations count as free
    problem, _ = build_problem(r.event)
    placed = {
        m.id: m.slot
        for m in r.event.requests
        if m.status in ("scheduled", "locked", "held") and m.slot is not None
    }
    placed[r.id] = slot
    tables = sch.assign_tables(
        problem, placed, previous={m.id: m.table_id for m in r.event.requests if m.table_id}
    )
    if r.id not in tables:
        raise EventError(Msg("Hết bàn trong khung giờ này", "No table left in this slot"), status=409)
    r.slot, r.table_id = slot, tables[r.id]
    _set_status(r, "scheduled", user, slot=slot, standby=True)
    _log(r, "slot", user, slot=slot)
    session.flush()
    for p in (r.buyer, r.supplier):
        _notify(
            session,
            p,
            f"Cuộc gặp bổ sung: {r.event.name} / Extra meeting",
            f"{r.buyer.organisation} – {r.supplier.organisation}: {slots(r.event)[slot].label}, "
            f"{r.table.label if r.table else ''}",
        )


def board(event: Event, now: datetime | None = None) -> dict:
    """The staff's live view: the current and next slot, who is checked in, meetings by state."""
    now = (now or utcnow()).astimezone(LOCAL_TZ)
    infos = slots(event)
    current = next((s for s in infos if s.starts <= now < s.ends), None)
    nxt = next((s for s in infos if s.starts > now), None)
    by_status = Counter(r.status for r in event.requests)
    confirmed = [p for p in event.participants if p.status == "confirmed"]
    return {
        "current": current,
        "next": nxt,
        "checked_in": sum(1 for p in confirmed if p.checked_in_at),
        "confirmed": len(confirmed),
        "by_status": dict(by_status),
        "not_checked_in": [p for p in confirmed if not p.checked_in_at],
        "freed": [
            r
            for r in event.requests
            if r.status in ("no_show", "cancelled")
            and r.slot is not None
            and (current is None or r.slot >= current.index)
        ],
    }


# ---------------------------------------------------------------- outcomes


def record_outcome(session: Session, r: MeetingRequest, data: dict[str, Any], user: Actor) -> None:
    """One side's view after the meeting: its interest and the next step (NDA/MOU, quotation, sample,
    contract with its value)."""
    side = data.get("side") if data.get("side") in ("buyer", "supplier") else side_of(user, r)
    if side == "staff":
        side = "buyer"
    _need(side in ("buyer", "supplier") and acts_for(user, getattr(r, side)))
    if r.status not in ("held", "scheduled", "locked"):
        raise EventError(
            Msg("Chỉ ghi kết quả cho cuộc gặp đã diễn ra", "Outcomes are for meetings that took place"), 409
        )
    out = {k: data.get(k) for k in ("interest", "next_step", "note") if data.get(k) is not None}
    if data.get("contract_value_mvnd") is not None:
        out["contract_value_mvnd"] = str(data["contract_value_mvnd"])
        r.contract_value_mvnd = Decimal(str(data["contract_value_mvnd"]))
    out["at"] = utcnow().isoformat(timespec="seconds")
    setattr(r, f"{side}_outcome", out)
    if r.status in ("scheduled", "locked") and r.slot is not None:
        setattr(r, f"{side}_attendance", "held")
        r.status = _attendance_status(r)
    _log(r, "outcome", user, side=side, next_step=out.get("next_step"))
    session.flush()


def next_step(r: MeetingRequest) -> str:
    """The furthest step either side reports (contract ≻ sample ≻ quotation ≻ NDA/MOU ≻ none)."""
    order = ["none", "nda_mou", "quotation", "sample", "contract"]
    steps = [
        str(o["next_step"]) for o in (r.buyer_outcome or {}, r.supplier_outcome or {}) if o.get("next_step")
    ]
    return max(steps, key=lambda s: order.index(s) if s in order else -1) if steps else "none"


def due_followups(session: Session, now: datetime | None = None) -> int:
    """Send the +30 and +90 day follow-up prompts for held meetings (agreements come after the event)."""
    now = now or utcnow()
    n = 0
    for event in session.scalars(select(Event).where(Event.status.in_(("final", "closed")))):
        for days in FOLLOW_UP_DAYS:
            due = datetime.combine(event.ends_on + timedelta(days=days), datetime.min.time(), LOCAL_TZ)
            if now < due:
                continue
            for r in event.requests:
                if r.status != "held" or days in (r.followups_sent or []):
                    continue
                for p in (r.buyer, r.supplier):
                    if p.contact_email:
                        send_mail(
                            session,
                            p.contact_email,
                            f"Sau {days} ngày: kết quả gặp {r.supplier.organisation if p is r.buyer else r.buyer.organisation}"
                            f" / {days}-day follow-up",
                            f"{event.name}\nCuộc gặp {r.buyer.organisation} – {r.supplier.organisation} đã có bước tiếp"
                            " theo chưa (NDA/MOU, báo giá, mẫu thử, hợp đồng)? Hãy cập nhật trên cổng.\n"
                            "Has the meeting led to a next step (NDA/MOU, quotation, sample, contract)? Please"
                            " record it on the portal.\n",
                            "event_followup",
                        )
                        n += 1
                r.followups_sent = [*(r.followups_sent or []), days]
    session.flush()
    return n


def report(event: Event) -> dict:
    """The post-event figures in programme terms (số cuộc kết nối, MOU, báo giá, mẫu, hợp đồng)."""
    reqs = event.requests
    by_status = Counter(r.status for r in reqs)
    accepted_ever = [r for r in reqs if r.status in ("accepted", *PLACED)]
    placed = [r for r in reqs if r.status in PLACED]
    held = [r for r in reqs if r.status == "held"]
    no_show = [r for r in reqs if r.status == "no_show"]
    steps = Counter(next_step(r) for r in held)
    value = sum((r.contract_value_mvnd or Decimal(0)) for r in held if next_step(r) == "contract")
    items_met = sum(
        1
        for it in event.items
        if any(
            r.item_id == it.id
            and r.status == "held"
            and (r.buyer_outcome or {}).get("interest", "some") in ("high", "some")
            for r in reqs
        )
    )
    confirmed = [p for p in event.participants if p.status == "confirmed"]
    met = {q for r in held for q in (r.buyer_id, r.supplier_id)}
    return {
        "requests": len(reqs),
        "by_status": dict(by_status),
        "accepted": len(accepted_ever),
        "scheduled": len(placed),
        "held": len(held),
        "no_show": len(no_show),
        "no_show_rate": round(len(no_show) / max(1, len(held) + len(no_show)), 3),
        "held_of_accepted": round(len(held) / max(1, len(accepted_ever)), 3),
        "next_steps": {k: steps.get(k, 0) for k in ("none", "nda_mou", "quotation", "sample", "contract")},
        "contract_value_mvnd": str(value),
        "items": len(event.items),
        "items_with_supplier_met": items_met,
        "buyers": sum(1 for p in confirmed if p.role == "buyer"),
        "suppliers": sum(1 for p in confirmed if p.role == "supplier"),
        "participants_met": len(met),
        "checked_in": sum(1 for p in confirmed if p.checked_in_at),
        "meetings_per_agreement": (
            round(len(held) / sum(steps.get(k, 0) for k in ("nda_mou", "contract")), 1)
            if sum(steps.get(k, 0) for k in ("nda_mou", "contract"))
            else None
        ),
    }


def programme_figures(session: Session, year: int | None = None) -> dict:
    """Event outcomes summed over events (by year of the event) — the connections report shows them
    beside the requirement-based connections."""
    stmt = select(Event)
    events = [e for e in session.scalars(stmt) if year is None or e.starts_on.year == year]
    held = [r for e in events for r in e.requests if r.status == "held"]
    steps = Counter(next_step(r) for r in held)
    return {
        "events": len(events),
        "meetings_held": len(held),
        "mou": steps.get("nda_mou", 0),
        "quotations": steps.get("quotation", 0),
        "samples": steps.get("sample", 0),
        "contracts": steps.get("contract", 0),
        "contract_value_mvnd": str(
            sum((r.contract_value_mvnd or Decimal(0)) for r in held if next_step(r) == "contract")
        ),
    }


def _notify(session: Session, p: Participant, subject: str, body: str) -> None:
    if p.contact_email:
        send_mail(session, p.contact_email, subject, f"{p.event.name}\n\n{body}\n", "event")


def visible_events(session: Session, user: Actor) -> list[Event]:
    stmt = select(Event).order_by(Event.starts_on.desc(), Event.id.desc())
    events = list(session.scalars(stmt).all())
    if is_staff(user):
        return events
    mine = {p.event_id for p in session.scalars(select(Participant)) if acts_for(user, p)} if user else set()
    return [e for e in events if e.status != "draft" or e.id in mine]


def today() -> date:
    return local_today()
