"""REST: matchmaking events — set-up (staff), registration (public), meeting requests (participants),
the schedule (staff), agendas, attendance, outcomes and the report."""

from __future__ import annotations

from functools import wraps

from flask.views import MethodView
from marshmallow import Schema, fields

from cnht.accounts.auth import client_key, configured_limit, csrf_exempt, limiter, user_or_none
from cnht.accounts.models import User
from cnht.api import ApiBlueprint, deny
from cnht.db import session
from cnht.events import services
from cnht.events.models import Event, MeetingRequest
from cnht.events.schemas import (
    AttendanceIn,
    EventIn,
    EventOut,
    EventPatch,
    ItemsIn,
    MeetingOut,
    OutcomeIn,
    ParticipantIn,
    ParticipantOut,
    ParticipantStatusIn,
    PublishIn,
    RegistrationIn,
    RequestIn,
    RespondIn,
    ScheduleIn,
    SessionIn,
    SlotOut,
    TablesIn,
)
from cnht.i18n import Msg
from cnht.urls import external_url

blp = ApiBlueprint(
    "events_api", __name__, url_prefix="/api/v1", description="Sự kiện kết nối B2B / Matchmaking events"
)


def _user(staff: bool = False) -> User:
    user = user_or_none()
    if user is None:
        deny(401, Msg("Cần đăng nhập", "Authentication required"))
    if staff and not user.is_staff:
        deny(403, Msg("Chỉ cán bộ Sở", "Staff only"))
    return user


def signed_in(staff: bool = False):
    """Refuse before the body is read: a wrong caller learns nothing from validation messages."""

    def deco(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            _user(staff=staff)
            return view(*args, **kwargs)

        return wrapper

    return deco


def event_first(view):
    """An unknown event is a 404 before the body is read."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        _event(kwargs["event_id"])
        return view(*args, **kwargs)

    return wrapper


def in_event(meeting: bool = False):
    """Refuse before the body is read unless the caller is staff or takes part in the event (and, for a
    meeting, is one of its two sides)."""

    def deco(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = _user()
            if not user.is_staff:
                event = _event(kwargs["event_id"])
                mine = services.participant_of(event, user)
                if meeting:
                    r = _meeting(event, kwargs["rid"])
                    mine = [p for p in mine if p.id in (r.buyer_id, r.supplier_id)]
                if not mine:
                    deny(403, Msg("Chỉ người tham gia và cán bộ", "Participants and staff only"))
            return view(*args, **kwargs)

        return wrapper

    return deco


def _event(event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None or (event.status == "draft" and not services.is_staff(user_or_none())):
        deny(404, Msg("Không tìm thấy sự kiện", "Event not found"))
    return event


def _meeting(event: Event, rid: int) -> MeetingRequest:
    r = next((x for x in event.requests if x.id == rid), None)
    if r is None:
        deny(404, Msg("Không tìm thấy yêu cầu gặp", "Meeting request not found"))
    return r


def _participant(event: Event, pid):
    p = services.get_participant(event, pid)
    if p is None:
        deny(404, Msg("Không tìm thấy người tham gia", "Participant not found"))
    return p


def _run(fn):
    try:
        out = fn()
    except services.EventError as exc:
        session.rollback()
        deny(exc.status, exc.msg)
    session.commit()
    return out


@blp.route("/events")
class Events(MethodView):
    @blp.response(200, EventOut(many=True))
    def get(self):
        """Sự kiện kết nối / Matchmaking events visible to you"""
        return services.visible_events(session, user_or_none())

    @signed_in(staff=True)
    @blp.arguments(EventIn)
    @blp.response(201, EventOut)
    def post(self, data):
        """Tạo sự kiện (cán bộ) / Create an event (staff)"""
        user = _user(staff=True)
        return _run(lambda: services.save_event(session, data, user))


@blp.route("/events/<int:event_id>")
class EventDetail(MethodView):
    @blp.response(200, EventOut)
    def get(self, event_id: int):
        """Một sự kiện / One event"""
        return _event(event_id)

    @signed_in(staff=True)
    @blp.arguments(EventPatch, required=False)
    @blp.response(200, EventOut)
    def patch(self, data, event_id: int):
        """Sửa sự kiện (cán bộ) / Update an event (staff)"""
        user = _user(staff=True)
        event = _event(event_id)
        return _run(lambda: services.save_event(session, data or {}, user, event))


@blp.route("/events/<int:event_id>/slots")
@blp.response(200, SlotOut(many=True))
def event_slots(event_id: int):
    """Khung giờ gặp / Meeting slots (their index is what availability and picks refer to)"""
    return services.slots(_event(event_id))


class EventIdOut(Schema):
    id = fields.Integer()


@blp.route("/events/<int:event_id>/sessions", methods=["POST"])
@signed_in(staff=True)
@blp.arguments(SessionIn)
@blp.response(201, EventIdOut)
def add_session(data, event_id: int):
    """Thêm phiên (cán bộ) / Add a session (staff)"""
    user = _user(staff=True)
    event = _event(event_id)
    return _run(lambda: services.add_session(session, event, data, user))


@blp.route("/events/<int:event_id>/tables", methods=["POST"])
@signed_in(staff=True)
@blp.arguments(TablesIn)
@blp.response(201, EventIdOut(many=True))
def add_tables(data, event_id: int):
    """Thêm bàn gặp (cán bộ) / Add tables (staff): public, interpreter (with a language), a supplier's
    booth, online rooms"""
    user = _user(staff=True)
    event = _event(event_id)
    return _run(lambda: services.add_tables(session, event, data, user))


@blp.route("/events/<int:event_id>/participants")
class Participants(MethodView):
    @blp.response(200, ParticipantOut(many=True))
    def get(self, event_id: int):
        """Người tham gia (cán bộ: tất cả; người khác: đã xác nhận) / Participants"""
        event = _event(event_id)
        if services.is_staff(user_or_none()):
            return event.participants
        return [p for p in event.participants if p.status == "confirmed"]

    @signed_in(staff=True)
    @blp.arguments(ParticipantIn)
    @blp.response(201, ParticipantOut)
    def post(self, data, event_id: int):
        """Thêm doanh nghiệp từ cơ sở dữ liệu (cán bộ) / Add a firm from the database (staff)"""
        user = _user(staff=True)
        event = _event(event_id)
        return _run(lambda: services.add_participant(session, event, data, user))


@blp.route("/events/<int:event_id>/participants/<int:pid>/status", methods=["POST"])
@signed_in(staff=True)
@blp.arguments(ParticipantStatusIn)
@blp.response(200, ParticipantOut)
def participant_status(data, event_id: int, pid: int):
    """Duyệt người đăng ký (cán bộ) / Approve or decline a registration (staff)"""
    user = _user(staff=True)
    event = _event(event_id)
    p = _participant(event, pid)
    link = external_url("events.participant_page", event_id=event.id, pid=p.id, t=p.access_token)
    _run(lambda: services.set_participant_status(session, p, data["status"], user, link))
    return p


@blp.route("/events/<int:event_id>/registrations", methods=["POST"])
@event_first
@blp.arguments(RegistrationIn)
@blp.response(201, ParticipantOut)
@blp.alt_response(429, response="429")
@limiter.limit(configured_limit("RATE_LIMIT_EVENT_REGISTER"), key_func=client_key)
@csrf_exempt
def register(data, event_id: int):
    """Đăng ký tham dự (công khai; chờ duyệt) / Register (public; staff approve)"""
    event = _event(event_id)
    return _run(lambda: services.register(session, event, data, user_or_none()))


@blp.route("/events/<int:event_id>/items", methods=["POST"])
@in_event()
@blp.arguments(ItemsIn)
@blp.response(201, EventIdOut(many=True))
def add_items(data, event_id: int):
    """Danh mục linh kiện cần mua của một bên mua, mỗi dòng một mục (cán bộ, bên mua đó) / Wanted parts in
    bulk: "component | spec | volume" per line"""
    user = _user()
    event = _event(event_id)
    buyer = _participant(event, data["buyer_id"])
    rows, errors = services.parse_item_lines(data["lines"])
    if errors:
        deny(422, errors[0])
    return _run(lambda: services.add_items(session, event, buyer, rows, user))


@blp.route("/events/<int:event_id>/items/<int:item_id>/proposals", methods=["POST"])
@blp.response(201, MeetingOut(many=True))
def propose(event_id: int, item_id: int):
    """Hệ thống đề xuất nhà cung ứng cho một linh kiện (cán bộ, bên mua đó) / Proposed suppliers for a
    wanted part (the matching engine, among the event's suppliers)"""
    user = _user()
    event = _event(event_id)
    found = next((i for i in event.items if i.id == item_id), None)
    if found is None:
        deny(404, Msg("Không tìm thấy linh kiện", "Wanted part not found"))
    item = found
    return _run(lambda: services.propose_for_item(session, item, user))


@blp.route("/events/<int:event_id>/meetings")
class Meetings(MethodView):
    @blp.response(200, MeetingOut(many=True))
    def get(self, event_id: int):
        """Yêu cầu gặp và cuộc gặp (cán bộ: tất cả; người tham gia: của mình) / Requests and meetings"""
        user = _user()
        event = _event(event_id)
        if services.is_staff(user):
            return event.requests
        mine = {p.id for p in services.participant_of(event, user)}
        return [r for r in event.requests if {r.buyer_id, r.supplier_id} & mine]

    @in_event()
    @blp.arguments(RequestIn)
    @blp.response(201, MeetingOut)
    def post(self, data, event_id: int):
        """Gửi yêu cầu gặp (một trong hai bên, hoặc cán bộ) / Request a meeting (either side, or staff)"""
        user = _user()
        event = _event(event_id)
        buyer, supplier = _participant(event, data["buyer_id"]), _participant(event, data["supplier_id"])
        item = next((i for i in event.items if i.id == data.get("item_id")), None)
        return _run(
            lambda: services.create_request(
                session,
                event,
                buyer,
                supplier,
                data["level"],
                user,
                side=data.get("side"),
                item=item,
                message=data.get("message"),
                slot=data.get("slot"),
            )
        )


@blp.route("/events/<int:event_id>/meetings/<int:rid>/respond", methods=["POST"])
@in_event(meeting=True)
@blp.arguments(RespondIn)
@blp.response(200, MeetingOut)
def respond(data, event_id: int, rid: int):
    """Nhận lời (must/like) hoặc từ chối (phủ quyết) / Accept (must/like) or refuse (a veto)"""
    user = _user()
    r = _meeting(_event(event_id), rid)
    return _run(
        lambda: services.respond(
            session,
            r,
            data["answer"],
            user,
            level=data.get("level"),
            side=data.get("side"),
            slot=data.get("slot"),
        )
    )


@blp.route("/events/<int:event_id>/meetings/<int:rid>/cancel", methods=["POST"])
@blp.response(200, MeetingOut)
def cancel(event_id: int, rid: int):
    """Hủy yêu cầu hoặc cuộc gặp / Cancel a request or meeting"""
    user = _user()
    r = _meeting(_event(event_id), rid)
    _run(lambda: services.cancel_request(session, r, user))
    return r


@blp.route("/events/<int:event_id>/meetings/<int:rid>/attendance", methods=["POST"])
@in_event(meeting=True)
@blp.arguments(AttendanceIn)
@blp.response(200, MeetingOut)
def attendance(data, event_id: int, rid: int):
    """Cuộc gặp có diễn ra không (mỗi bên; cán bộ ghi đè) / Did the meeting happen (each side; staff override)"""
    user = _user()
    r = _meeting(_event(event_id), rid)
    _run(lambda: services.record_attendance(session, r, data["value"], user))
    return r


@blp.route("/events/<int:event_id>/meetings/<int:rid>/outcome", methods=["POST"])
@in_event(meeting=True)
@blp.arguments(OutcomeIn)
@blp.response(200, MeetingOut)
def outcome(data, event_id: int, rid: int):
    """Kết quả sau cuộc gặp: mức quan tâm, bước tiếp theo (NDA/MOU, báo giá, mẫu, hợp đồng) / Outcome"""
    user = _user()
    r = _meeting(_event(event_id), rid)
    _run(lambda: services.record_outcome(session, r, data, user))
    return r


class ScheduleOut(Schema):
    objective = fields.Integer()
    bound = fields.Integer(allow_none=True)
    bound_source = fields.String()
    weight_bound = fields.Integer(
        allow_none=True, metadata={"description": "bound when nobody must be served: what fairness costs"}
    )
    gap = fields.Float(allow_none=True)
    meetings = fields.Integer()
    unscheduled = fields.Integer()
    moved = fields.Integer()
    seconds = fields.Float()
    solver_status = fields.String()
    replan = fields.Boolean()


@blp.route("/events/<int:event_id>/schedule", methods=["POST"])
@signed_in(staff=True)
@blp.arguments(ScheduleIn, required=False)
@blp.response(200, ScheduleOut)
def schedule(data, event_id: int):
    """Xếp lịch gặp (cán bộ); sau khi đã gửi lịch thì xếp lại, giữ nguyên tối đa / Schedule (staff); a
    re-plan once an agenda is published"""
    user = _user(staff=True)
    event = _event(event_id)
    seconds = (data or {}).get("seconds", 3.0)
    _run(lambda: services.run_schedule(session, event, user, seconds=seconds))
    return event.schedule_info


@blp.route("/events/<int:event_id>/publish", methods=["POST"])
@signed_in(staff=True)
@blp.arguments(PublishIn)
@blp.response(200, EventOut)
def publish(data, event_id: int):
    """Gửi lịch dự kiến hoặc chính thức (cán bộ) / Send the preliminary or final agenda (staff)"""
    user = _user(staff=True)
    event = _event(event_id)

    def link(p):
        return external_url("events.participant_page", event_id=event.id, pid=p.id, t=p.access_token)

    _run(lambda: services.publish(session, event, data["stage"], user, link))
    return event


class AgendaItemOut(Schema):
    meeting = fields.Function(lambda a: a["request"].id)
    slot = fields.Function(lambda a: a["slot"].index)
    starts = fields.Function(lambda a: a["slot"].starts.isoformat())
    ends = fields.Function(lambda a: a["slot"].ends.isoformat())
    table = fields.String(allow_none=True)
    counterpart = fields.String()
    person = fields.String(allow_none=True)
    item = fields.String(allow_none=True)


@blp.route("/events/<int:event_id>/participants/<int:pid>/agenda")
@blp.response(200, AgendaItemOut(many=True))
def agenda(event_id: int, pid: int):
    """Lịch gặp của một người tham gia (chính họ, cán bộ) / A participant's agenda (itself, staff)"""
    user = _user()
    event = _event(event_id)
    p = _participant(event, pid)
    if not services.acts_for(user, p):
        deny(403, Msg("Chỉ người tham gia đó và cán bộ", "Only that participant and staff"))
    return services.agenda(event, p)


class EventReportOut(Schema):
    requests = fields.Integer()
    accepted = fields.Integer()
    scheduled = fields.Integer()
    held = fields.Integer()
    no_show = fields.Integer()
    no_show_rate = fields.Float()
    held_of_accepted = fields.Float()
    next_steps = fields.Dict(keys=fields.String(), values=fields.Integer())
    contract_value_mvnd = fields.String()
    items = fields.Integer()
    items_with_supplier_met = fields.Integer()
    buyers = fields.Integer()
    suppliers = fields.Integer()
    participants_met = fields.Integer()
    checked_in = fields.Integer()
    meetings_per_agreement = fields.Float(allow_none=True)


@blp.route("/events/<int:event_id>/report")
@blp.response(200, EventReportOut)
def event_report(event_id: int):
    """Báo cáo sau sự kiện (cán bộ) / Post-event report (staff)"""
    _user(staff=True)
    return services.report(_event(event_id))
