"""Pages for matchmaking events: the public event page and registration, each participant's requests,
agenda and outcomes (signed in, or through the private link mailed to them), and the staff's set-up,
schedule, day-of board and report."""

from __future__ import annotations

import io
from collections import defaultdict

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from cnht import labels
from cnht.accounts import auth
from cnht.db import session
from cnht.events import services
from cnht.events.models import LEVELS, NEXT_STEPS, Event, MeetingRequest, Participant
from cnht.events.schemas import (
    LANGUAGES,
    AttendanceIn,
    EventIn,
    ItemsIn,
    OutcomeIn,
    ParticipantFields,
    ParticipantIn,
    RegistrationIn,
    RequestIn,
    RespondIn,
    SessionIn,
    TablesIn,
)
from cnht.i18n import current_lang, localize
from cnht.reference.models import Province, Sector
from cnht.urls import base_url, external_url
from cnht.web.forms import load_form
from cnht.web.qr import qr_svg

bp = Blueprint("events", __name__, template_folder="templates")


@bp.app_context_processor
def _labels():
    lang = current_lang()

    def reason_label(code: str) -> str:
        vi_en = services.sch.REASONS.get(code)
        return (vi_en[1] if lang == "en" else vi_en[0]) if vi_en else code

    return {"reason_label": reason_label}


def _event(event_id: int) -> Event:
    event = session.get(Event, event_id)
    user = auth.user_or_none()
    if event is None or (event.status == "draft" and not services.is_staff(user)):
        abort(404)
    return event


def _staff_event(event_id: int) -> Event:
    event = _event(event_id)
    if not services.is_staff(auth.user_or_none()):
        abort(403)
    return event


def _form() -> dict:
    return {k: v for k, v in request.form.items() if k not in ("csrf_token", "t")}


def _event_form() -> dict:
    """The event form as the schema reads it: a browser's datetime-local has no zone; it is Vietnam time."""
    form = {k: v for k, v in _form().items() if v != ""}
    for key in ("registration_opens_at", "registration_closes_at"):
        if key in form and len(form[key]) == 16:  # 2026-12-01T08:00
            form[key] += ":00+07:00"
    return form


def _fail(exc: services.EventError) -> None:
    flash(localize(exc.msg), "error")


def _errors_flash(errors: dict) -> None:
    flash("; ".join(f"{k}: {m}" if k != "_" else m for k, ms in errors.items() for m in ms), "error")


def agenda_link(p: Participant) -> str:
    return external_url("events.participant_page", event_id=p.event_id, pid=p.id, t=p.access_token)


def _actor(event: Event, pid: int) -> tuple[Participant, Participant | None]:
    """The participant page's subject and, when opened through the private link, the token holder."""
    p = services.get_participant(event, pid)
    if p is None:
        abort(404)
    token = request.values.get("t")
    holder = services.by_token(session, token) if token else None
    if holder is not None and holder.id != p.id:
        holder = None
    user = auth.user_or_none()
    if holder is None and not services.acts_for(user, p):
        if token:
            abort(404)
        if user is None:
            abort(auth.login_manager.unauthorized())  # may have an account: off to the sign-in form
        abort(403)
    return p, holder


def _back(event: Event, p: Participant, holder: Participant | None):
    return redirect(
        url_for(
            "events.participant_page", event_id=event.id, pid=p.id, t=holder.access_token if holder else None
        )
    )


# ---------------------------------------------------------------- public


@bp.route("/events")
def event_list():
    return render_template("events/list.html", events=services.visible_events(session, auth.user_or_none()))


@bp.route("/events/<int:event_id>")
def event_page(event_id: int):
    event = _event(event_id)
    user = auth.user_or_none()
    buyers = [p for p in event.participants if p.role == "buyer" and p.status == "confirmed"]
    items_by_buyer = defaultdict(list)
    for it in event.items:
        items_by_buyer[it.buyer_id].append(it)
    return render_template(
        "events/event.html",
        event=event,
        slots=services.slots(event),
        buyers=buyers,
        items_by_buyer=items_by_buyer,
        suppliers=sum(1 for p in event.participants if p.role == "supplier" and p.status == "confirmed"),
        mine=services.participant_of(event, user),
        is_staff=services.is_staff(user),
        open=services.registration_open(event),
    )


def _choices():
    return {
        "provinces": session.scalars(select(Province).order_by(Province.name)).all(),
        "sectors": session.scalars(select(Sector).order_by(Sector.focus.desc(), Sector.code)).all(),
        "languages": LANGUAGES,
    }


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
def register(event_id: int):
    event = _event(event_id)
    errors: dict = {}
    if request.method == "POST":
        form = {k: v for k, v in _form().items() if v != ""}
        form["unavailable_slots"] = ",".join(request.form.getlist("unavailable_slots"))
        data, errors = load_form(RegistrationIn(), form)
        if data is not None:
            try:
                p = services.register(session, event, data, auth.user_or_none())
                session.commit()
                return redirect(url_for("events.event_page", event_id=event.id, registered=p.id))
            except services.EventError as exc:
                session.rollback()
                errors = {"_": [localize(exc.msg)]}
        return render_template(
            "events/register.html",
            event=event,
            form=request.form,
            errors=errors,
            slots=services.slots(event),
            **_choices(),
        ), 400
    return render_template(
        "events/register.html", event=event, form={}, errors=errors, slots=services.slots(event), **_choices()
    )


# ---------------------------------------------------------------- participant


@bp.route("/events/<int:event_id>/participants/<int:pid>")
def participant_page(event_id: int, pid: int):
    event = _event(event_id)
    p, holder = _actor(event, pid)
    services.expire_requests(session, event)
    session.commit()
    mine = [r for r in event.requests if p.id in (r.buyer_id, r.supplier_id)]
    met = {
        r.supplier_id if p.role == "buyer" else r.buyer_id
        for r in mine
        if r.status not in ("cancelled", "expired")
    }
    others = [
        o for o in event.participants if o.role != p.role and o.status == "confirmed" and o.id not in met
    ]
    return render_template(
        "events/participant.html",
        event=event,
        p=p,
        token=holder.access_token if holder else None,
        requests=sorted(mine, key=lambda r: (r.status not in ("pending",), r.id)),
        others=others,
        items=[it for it in event.items if it.buyer_id == p.id] if p.role == "buyer" else event.items,
        agenda=services.agenda(event, p),
        slots=services.slots(event),
        levels=LEVELS,
        next_steps=NEXT_STEPS,
        languages=LANGUAGES,
    )


@bp.route("/events/<int:event_id>/participants/<int:pid>/profile", methods=["POST"])
def participant_update(event_id: int, pid: int):
    event = _event(event_id)
    p, holder = _actor(event, pid)
    form = _form()
    form["unavailable_slots"] = ",".join(request.form.getlist("unavailable_slots"))
    form["remote"] = "true" if request.form.get("remote") else "false"
    # an emptied box clears the value (the form shows every field)
    form = {k: (None if v == "" else v) for k, v in form.items() if k != "cap"}
    data, errors = load_form(ParticipantFields(), form)
    if data is None:
        _errors_flash(errors)
        return _back(event, p, holder)
    try:
        services.update_participant(session, p, data, auth.user_or_none() or _holder_user(p, holder))
        session.commit()
        flash(_("Đã lưu."), "success")
    except services.EventError as exc:
        session.rollback()
        _fail(exc)
    return _back(event, p, holder)


def _holder_user(p: Participant, holder: Participant | None):
    return services.TokenActor(p.id) if holder is not None else None


@bp.route("/events/<int:event_id>/participants/<int:pid>/requests", methods=["POST"])
def request_create(event_id: int, pid: int):
    event = _event(event_id)
    p, holder = _actor(event, pid)
    form = _form()
    other = services.get_participant(event, form.get("other_id"))
    if other is None:
        abort(404)
    form["buyer_id"], form["supplier_id"] = (p.id, other.id) if p.role == "buyer" else (other.id, p.id)
    form["side"] = p.role
    data, errors = load_form(RequestIn(), {k: v for k, v in form.items() if v not in ("", None)})
    if data is None:
        _errors_flash(errors)
        return _back(event, p, holder)
    user = auth.user_or_none() or _holder_user(p, holder)
    buyer = services.get_participant(event, data["buyer_id"]) or abort(404)
    supplier = services.get_participant(event, data["supplier_id"]) or abort(404)
    item = next((i for i in event.items if i.id == data.get("item_id")), None)
    try:
        services.create_request(
            session,
            event,
            buyer,
            supplier,
            data["level"],
            user,
            side=p.role,
            item=item,
            message=data.get("message"),
            slot=data.get("slot"),
        )
        session.commit()
        flash(_("Đã gửi yêu cầu gặp."), "success")
    except services.EventError as exc:
        session.rollback()
        _fail(exc)
    return _back(event, p, holder)


def _meeting(event: Event, rid: int) -> MeetingRequest:
    r = next((x for x in event.requests if x.id == rid), None)
    if r is None:
        abort(404)
    return r


@bp.route("/events/<int:event_id>/participants/<int:pid>/requests/<int:rid>/<action>", methods=["POST"])
def request_action(event_id: int, pid: int, rid: int, action: str):
    event = _event(event_id)
    p, holder = _actor(event, pid)
    r = _meeting(event, rid)
    if p.id not in (r.buyer_id, r.supplier_id):
        abort(404)
    user = auth.user_or_none() or _holder_user(p, holder)
    side = "buyer" if p.id == r.buyer_id else "supplier"
    form = _form()
    try:
        if action == "respond":
            data, errors = load_form(RespondIn(), {k: v for k, v in form.items() if v})
            if data is None:
                _errors_flash(errors)
                return _back(event, p, holder)
            services.respond(
                session, r, data["answer"], user, level=data.get("level"), side=side, slot=data.get("slot")
            )
        elif action == "cancel":
            services.cancel_request(session, r, user)
        elif action == "attendance":
            data, errors = load_form(AttendanceIn(), form)
            if data is None:
                _errors_flash(errors)
                return _back(event, p, holder)
            services.record_attendance(session, r, data["value"], user, side=side)
        elif action == "outcome":
            data, errors = load_form(OutcomeIn(), {k: v for k, v in form.items() if v})
            if data is None:
                _errors_flash(errors)
                return _back(event, p, holder)
            services.record_outcome(session, r, {**data, "side": side}, user)
        elif action == "person":
            services.assign_person(session, r, side, form.get("person", "").strip(), user)
        else:
            abort(404)
        session.commit()
        flash(_("Đã cập nhật."), "success")
    except services.EventError as exc:
        session.rollback()
        _fail(exc)
    return _back(event, p, holder)


@bp.route("/events/<int:event_id>/participants/<int:pid>/agenda")
def agenda_print(event_id: int, pid: int):
    event = _event(event_id)
    p, holder = _actor(event, pid)
    checkin = external_url("events.checkin", event_id=event.id, token=p.checkin_token)
    return render_template(
        "events/agenda.html",
        event=event,
        p=p,
        agenda=services.agenda(event, p),
        qr=qr_svg(checkin),
        token=holder.access_token if holder else None,
    )


def _uid_host() -> str:
    from urllib.parse import urlsplit  # noqa: PLC0415

    return urlsplit(base_url()).hostname or "cnht.local"


@bp.route("/events/<int:event_id>/participants/<int:pid>/agenda.ics")
def agenda_ics(event_id: int, pid: int):
    event = _event(event_id)
    p, _holder = _actor(event, pid)
    body = services.ics(event, p, _uid_host())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="agenda-{event.id}-{p.id}.ics"'},
    )


@bp.route("/events/<int:event_id>/participants/<int:pid>/meetings/<int:rid>.ics")
def meeting_ics(event_id: int, pid: int, rid: int):
    event = _event(event_id)
    p, _holder = _actor(event, pid)
    r = _meeting(event, rid)
    if p.id not in (r.buyer_id, r.supplier_id):
        abort(404)
    return Response(
        services.ics(event, p, _uid_host(), request=r),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="meeting-{r.id}.ics"'},
    )


# ---------------------------------------------------------------- staff


@bp.route("/events/new", methods=["GET", "POST"])
@auth.roles_required("staff")
def event_new():
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(EventIn(), _event_form())
        if data is not None:
            event = services.save_event(session, data, auth.user_or_none())
            session.commit()
            flash(_("Đã tạo sự kiện. Thêm phiên, bàn và người tham gia."), "success")
            return redirect(url_for("events.manage", event_id=event.id))
        return render_template("events/form.html", event=None, form=request.form, errors=errors), 400
    return render_template("events/form.html", event=None, form={}, errors=errors)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@auth.roles_required("staff")
def event_edit(event_id: int):
    event = _staff_event(event_id)
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(EventIn(), _event_form())
        if data is not None:
            try:
                services.save_event(session, data, auth.user_or_none(), event)
                session.commit()
                flash(_("Đã lưu."), "success")
                return redirect(url_for("events.manage", event_id=event.id))
            except services.EventError as exc:
                session.rollback()
                errors = {"_": [localize(exc.msg)]}
        return render_template("events/form.html", event=event, form=request.form, errors=errors), 400
    form = {k: getattr(event, k) for k in services.EVENT_FIELDS}
    for key in ("registration_opens_at", "registration_closes_at"):
        if form[key] is not None:
            form[key] = form[key].astimezone(services.LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")
    form = {k: ("" if v is None else v) for k, v in form.items()}
    return render_template("events/form.html", event=event, form=form, errors=errors)


@bp.route("/events/<int:event_id>/manage")
@auth.roles_required("staff")
def manage(event_id: int):
    event = _staff_event(event_id)
    services.expire_requests(session, event)
    session.commit()
    infos = services.slots(event)
    grid: dict[int, dict[int, MeetingRequest]] = defaultdict(dict)
    for r in event.requests:
        if r.slot is not None and r.table_id is not None and r.status in services.PLACED:
            grid[r.slot][r.table_id] = r
    status_filter = request.args.get("status")
    reqs = [r for r in event.requests if not status_filter or r.status == status_filter]
    return render_template(
        "events/manage.html",
        event=event,
        slots=infos,
        grid=grid,
        requests=reqs,
        status_filter=status_filter,
        pending=[p for p in event.participants if p.status == "pending"],
        languages=LANGUAGES,
        agenda_link=agenda_link,
        reasons=services.sch.REASONS,
    )


def _staff_action(event: Event, fn, ok_message: str, anchor: str = ""):
    try:
        fn()
        session.commit()
        flash(ok_message, "success")
    except services.EventError as exc:
        session.rollback()
        _fail(exc)
    return redirect(url_for("events.manage", event_id=event.id) + anchor)


@bp.route("/events/<int:event_id>/sessions", methods=["POST"])
@auth.roles_required("staff")
def session_add(event_id: int):
    event = _staff_event(event_id)
    data, errors = load_form(SessionIn(), _form())
    if data is None:
        _errors_flash(errors)
        return redirect(url_for("events.manage", event_id=event.id) + "#setup")
    return _staff_action(
        event,
        lambda: services.add_session(session, event, data, auth.user_or_none()),
        _("Đã thêm phiên."),
        "#setup",
    )


@bp.route("/events/<int:event_id>/tables", methods=["POST"])
@auth.roles_required("staff")
def tables_add(event_id: int):
    event = _staff_event(event_id)
    data, errors = load_form(TablesIn(), {k: v for k, v in _form().items() if v != ""})
    if data is None:
        _errors_flash(errors)
        return redirect(url_for("events.manage", event_id=event.id) + "#setup")
    return _staff_action(
        event,
        lambda: services.add_tables(session, event, data, auth.user_or_none()),
        _("Đã thêm bàn."),
        "#setup",
    )


@bp.route("/events/<int:event_id>/participants", methods=["POST"])
@auth.roles_required("staff")
def participant_add(event_id: int):
    event = _staff_event(event_id)
    data, errors = load_form(ParticipantIn(), {k: v for k, v in _form().items() if v != ""})
    if data is None:
        _errors_flash(errors)
        return redirect(url_for("events.manage", event_id=event.id) + "#participants")
    return _staff_action(
        event,
        lambda: services.add_participant(session, event, data, auth.user_or_none()),
        _("Đã thêm người tham gia."),
        "#participants",
    )


@bp.route("/events/<int:event_id>/participants/<int:pid>/status", methods=["POST"])
@auth.roles_required("staff")
def participant_status(event_id: int, pid: int):
    event = _staff_event(event_id)
    p = services.get_participant(event, pid) or abort(404)
    status = request.form.get("status", "")
    if status not in ("pending", "confirmed", "declined", "withdrawn"):
        abort(400)
    return _staff_action(
        event,
        lambda: services.set_participant_status(session, p, status, auth.user_or_none(), agenda_link(p)),
        _("Đã cập nhật."),
        "#participants",
    )


@bp.route("/events/<int:event_id>/items", methods=["POST"])
@auth.roles_required("staff")
def items_add(event_id: int):
    event = _staff_event(event_id)
    data, errors = load_form(ItemsIn(), _form())
    if data is None:
        _errors_flash(errors)
        return redirect(url_for("events.manage", event_id=event.id) + "#items")
    rows, line_errors = services.parse_item_lines(data["lines"])
    if line_errors:
        flash("; ".join(localize(m) for m in line_errors), "error")
        return redirect(url_for("events.manage", event_id=event.id) + "#items")
    buyer = services.get_participant(event, data["buyer_id"]) or abort(404)
    return _staff_action(
        event,
        lambda: services.add_items(session, event, buyer, rows, auth.user_or_none()),
        _("Đã thêm danh mục cần mua."),
        "#items",
    )


@bp.route("/events/<int:event_id>/items/propose", methods=["POST"])
@auth.roles_required("staff")
def items_propose(event_id: int):
    event = _staff_event(event_id)
    user = auth.user_or_none()

    def run():
        n = sum(len(services.propose_for_item(session, it, user)) for it in event.items)
        flash(_("Hệ thống đề xuất %(n)s cặp gặp từ danh mục cần mua.", n=n), "info")

    return _staff_action(event, run, _("Đã đề xuất."), "#requests")


@bp.route("/events/<int:event_id>/requests", methods=["POST"])
@auth.roles_required("staff")
def staff_request(event_id: int):
    event = _staff_event(event_id)
    data, errors = load_form(RequestIn(), {k: v for k, v in _form().items() if v != ""})
    if data is None:
        _errors_flash(errors)
        return redirect(url_for("events.manage", event_id=event.id) + "#requests")
    buyer = services.get_participant(event, data["buyer_id"]) or abort(404)
    supplier = services.get_participant(event, data["supplier_id"]) or abort(404)
    return _staff_action(
        event,
        lambda: services.create_request(
            session,
            event,
            buyer,
            supplier,
            data["level"],
            auth.user_or_none(),
            side=data.get("side") or "staff",
        ),
        _("Đã tạo yêu cầu gặp."),
        "#requests",
    )


@bp.route("/events/<int:event_id>/requests/<int:rid>/<action>", methods=["POST"])
@auth.roles_required("staff")
def staff_request_action(event_id: int, rid: int, action: str):
    event = _staff_event(event_id)
    r = _meeting(event, rid)
    user = auth.user_or_none()
    actions = {
        "accept": lambda: services.respond(
            session, r, "accept", user, side="staff", level=request.form.get("level") or "like"
        ),
        "decline": lambda: services.respond(session, r, "decline", user, side="staff"),
        "cancel": lambda: services.cancel_request(session, r, user),
        "lock": lambda: services.set_lock(session, r, True, user),
        "unlock": lambda: services.set_lock(session, r, False, user),
        "held": lambda: services.record_attendance(session, r, "held", user, side="staff"),
        "no_show": lambda: services.record_attendance(session, r, "not_held", user, side="staff"),
        "standby": lambda: services.place_standby(session, r, int(request.form.get("slot", -1)), user),
    }
    if action not in actions:
        abort(404)
    return _staff_action(event, actions[action], _("Đã cập nhật."), "#requests")


@bp.route("/events/<int:event_id>/schedule", methods=["POST"])
@auth.roles_required("staff")
def schedule_run(event_id: int):
    event = _staff_event(event_id)

    def run():
        res = services.run_schedule(session, event, auth.user_or_none())
        flash(
            _(
                "Đã xếp %(n)s cuộc gặp; %(u)s yêu cầu chưa xếp được (xem lý do).",
                n=len(res.slot_of),
                u=len(res.unscheduled),
            ),
            "info",
        )

    return _staff_action(event, run, _("Đã xếp lịch."), "#schedule")


@bp.route("/events/<int:event_id>/publish", methods=["POST"])
@auth.roles_required("staff")
def publish(event_id: int):
    event = _staff_event(event_id)
    stage = request.form.get("stage")
    if stage not in ("preliminary", "final"):
        abort(400)
    return _staff_action(
        event,
        lambda: services.publish(session, event, stage, auth.user_or_none(), agenda_link),
        _("Đã gửi lịch cho người tham gia."),
        "#schedule",
    )


@bp.route("/events/<int:event_id>/tables/sheets")
@auth.roles_required("staff")
def table_sheets(event_id: int):
    event = _staff_event(event_id)
    return render_template("events/sheets.html", event=event, sheets=services.table_sheets(event))


@bp.route("/events/<int:event_id>/export.xlsx")
@auth.roles_required("staff")
def export_xlsx(event_id: int):
    from openpyxl import Workbook  # noqa: PLC0415 — only the export needs it

    event = _staff_event(event_id)
    infos = {s.index: s for s in services.slots(event)}
    wb = Workbook()
    ws = wb.create_sheet("Lich gap", 0)
    wb.remove(wb.worksheets[1])  # the default empty sheet
    ws.append(
        [
            "Giờ / Time",
            "Bàn / Table",
            "Bên mua / Buyer",
            "Người",
            "Nhà cung ứng / Supplier",
            "Người",
            "Linh kiện / Part",
            "Trạng thái / Status",
        ]
    )
    placed = sorted(
        (r for r in event.requests if r.slot is not None and r.status in services.PLACED),
        key=lambda r: (r.slot, r.table.label if r.table else ""),
    )
    for r in placed:
        ws.append(
            [
                infos[r.slot].label if r.slot in infos else r.slot,
                r.table.label if r.table else "",
                r.buyer.organisation,
                r.buyer_person or "",
                r.supplier.organisation,
                r.supplier_person or "",
                r.item.component if r.item else "",
                r.status,
            ]
        )
    un = wb.create_sheet("Chua xep")
    un.append(["Bên mua / Buyer", "Nhà cung ứng / Supplier", "Trạng thái / Status", "Lý do / Reason"])
    for r in event.requests:
        if r.slot is None:
            reason = services.sch.REASONS.get((r.unscheduled or {}).get("reason", r.status), ("", ""))
            un.append([r.buyer.organisation, r.supplier.organisation, r.status, " / ".join(reason)])
    buf = io.BytesIO()
    wb.save(buf)
    return Response(
        buf.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}-schedule.xlsx"'},
    )


@bp.route("/events/<int:event_id>/board")
@auth.roles_required("staff")
def live_board(event_id: int):
    event = _staff_event(event_id)
    b = services.board(event)
    slot = b["current"] or b["next"]
    return render_template(
        "events/board.html",
        event=event,
        b=b,
        standby=services.standby(event, slot.index) if slot else [],
        slot=slot,
    )


@bp.route("/events/<int:event_id>/checkin/<token>", methods=["GET", "POST"])
@auth.roles_required("staff")
def checkin(event_id: int, token: str):
    """The badge's QR code opens this page on a staff phone; one tap checks the participant in."""
    event = _staff_event(event_id)
    p = next((x for x in event.participants if x.checkin_token == token), None)
    if p is None:
        abort(404)
    if request.method == "POST":
        services.check_in(session, event, token, auth.user_or_none())
        session.commit()
        flash(_("Đã check-in: %(o)s", o=p.organisation), "success")
        return redirect(url_for("events.live_board", event_id=event.id))
    return render_template("events/checkin.html", event=event, p=p, agenda=services.agenda(event, p))


@bp.route("/events/<int:event_id>/checkin", methods=["POST"])
@auth.roles_required("staff")
def checkin_code(event_id: int):
    event = _staff_event(event_id)
    code = (request.form.get("code") or "").strip().rsplit("/", 1)[-1]
    try:
        p = services.check_in(session, event, code, auth.user_or_none())
        session.commit()
        flash(_("Đã check-in: %(o)s", o=p.organisation), "success")
    except services.EventError as exc:
        session.rollback()
        _fail(exc)
    return redirect(url_for("events.live_board", event_id=event.id))


@bp.route("/events/<int:event_id>/report")
@auth.roles_required("staff")
def report(event_id: int):
    event = _staff_event(event_id)
    r = services.report(event)
    lang = current_lang()
    r["status_rows"] = [
        (labels.of(labels.MEETING_STATUS, k, lang), v) for k, v in sorted(r["by_status"].items())
    ]
    r["step_rows"] = [(labels.of(labels.NEXT_STEP, k, lang), v) for k, v in r["next_steps"].items()]
    return render_template("events/report.html", event=event, r=r)
