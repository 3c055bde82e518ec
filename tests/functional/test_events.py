"""Matchmaking events end to end through the pages and the API: staff set an event up, firms register,
buyers list wanted parts, the engine proposes suppliers, requests are answered (a "no" is a veto), the
schedule is made and published, calendars follow every change, the day runs (check-in, attendance,
stand-by pairs) and the outcomes make the report — with the permission checks on the way."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import select

from cnht.accounts.auth import issue_api_token
from cnht.enterprises import services as ent_services
from cnht.enterprises.models import Enterprise
from cnht.enterprises.rules import mst_check_digit
from cnht.enterprises.schemas import EnterpriseIn
from cnht.events import services
from cnht.events.models import Event, MeetingRequest, Participant
from cnht.mail import OutboxMessage
from tests.client import login, post_form
from tests.factories import enterprise_record, make_user


def tax(n: int) -> str:
    """A valid tax code (check digit computed) for test firm ``n``."""
    while True:
        first9 = f"01{n:07d}"
        d = mst_check_digit(first9)
        if d is not None:
            return first9 + str(d)
        n += 1000


def _firm(session, n: int, name: str, products: list[str], province: str = "Bắc Ninh") -> Enterprise:
    rec = enterprise_record(
        tax_code=tax(n), name=name, products=products, province=province, email=f"firm{n}@example.vn"
    )
    return ent_services.upsert(session, EnterpriseIn().load(rec)).enterprise


def _staff(session):
    return session.scalars(select(services.User).where(services.User.email == "staff@example.vn")).one()


def _pair(session, event, b, s, user):
    """Firms ``b`` and ``s`` added to ``event`` as buyer and supplier by staff."""
    buyer = services.add_participant(session, event, {"enterprise": b.tax_code, "role": "buyer"}, user)
    sup = services.add_participant(session, event, {"enterprise": s.tax_code, "role": "supplier"}, user)
    return buyer, sup


def _event(client, session) -> Event:
    make_user(session, "staff")
    login(client, "staff@example.vn")
    day = date.today() + timedelta(days=20)
    r = post_form(
        client,
        "/events/new",
        {
            "name": "Hội chợ ngược linh kiện điện tử 2026",
            "organiser": "Sở Công Thương Bắc Ninh",
            "venue": "Trung tâm Hội nghị tỉnh",
            "starts_on": day.isoformat(),
            "ends_on": day.isoformat(),
            "meeting_minutes": "20",
            "break_minutes": "5",
            "request_mode": "opt_in",
            "scheduling_mode": "organiser",
            "status": "registration",
            "cap_per_participant": "6",
        },
        page="/events/new",
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    event = session.scalars(select(Event)).one()
    manage = f"/events/{event.id}/manage"
    assert (
        post_form(
            client,
            f"/events/{event.id}/sessions",
            {"name": "Sáng", "day": day.isoformat(), "starts_at": "08:30", "ends_at": "10:10"},
            page=manage,
        ).status_code
        == 302
    )
    assert (
        post_form(
            client, f"/events/{event.id}/tables", {"kind": "public", "count": "2"}, page=manage
        ).status_code
        == 302
    )
    assert (
        post_form(
            client,
            f"/events/{event.id}/tables",
            {"kind": "interpreter", "count": "1", "language": "ja"},
            page=manage,
        ).status_code
        == 302
    )
    session.expire_all()
    return session.get(Event, event.id)


def test_a_reverse_fair_from_set_up_to_report(client, app, session):
    buyer_ent = _firm(session, 1, "Công ty TNHH Điện tử Nhật Minh (FDI)", ["Lắp ráp bo mạch"])
    s1 = _firm(
        session, 2, "Công ty CP Nhựa Kỹ thuật Tiên Sơn", ["Vỏ nhựa ABS ép phun", "Linh kiện nhựa kỹ thuật"]
    )
    s2 = _firm(session, 3, "Công ty TNHH Cơ khí Yên Phong", ["Khung thép dập", "Chi tiết dập kim loại"])
    session.commit()
    event = _event(client, session)
    assert len(services.slots(event)) == 4  # 08:30, 08:55, 09:20, 09:45 (20 min + 5 min break)
    manage = f"/events/{event.id}/manage"
    # staff add the buyer and one supplier from the database
    for ref, role in ((buyer_ent.tax_code, "buyer"), (s1.tax_code, "supplier")):
        r = post_form(
            client, f"/events/{event.id}/participants", {"enterprise": ref, "role": role}, page=manage
        )
        assert r.status_code == 302
    # the other supplier registers through the public form (linked by tax code), and a new firm too
    anon = app.test_client()
    anon.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    page = anon.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Đăng ký tham dự" in page
    reg = post_form(
        anon,
        f"/events/{event.id}/register",
        {
            "role": "supplier",
            "tax_code": s2.tax_code,
            "organisation": "Cơ khí Yên Phong",
            "province": "Bắc Ninh",
            "contact_name": "Trần Thị Bình",
            "contact_email": "binh@yenphong.example.vn",
            "people": "Trần Thị Bình | Giám đốc | binh@yenphong.example.vn\nLê Văn Cường | Kỹ sư |",
            "offers": "Dập kim loại, khung thép",
            "unavailable_slots": "3",
        },
        page=f"/events/{event.id}/register",
    )
    assert reg.status_code == 302, reg.get_data(as_text=True)
    new = post_form(
        anon,
        f"/events/{event.id}/register",
        {
            "role": "supplier",
            "tax_code": tax(4),
            "organisation": "Công ty TNHH Bao bì Mới",
            "province": "Bắc Giang",
            "contact_name": "Phạm Dũng",
            "contact_email": "dung@baobi.example.vn",
        },
        page=f"/events/{event.id}/register",
    )
    assert new.status_code == 302
    created = ent_services.get_by_tax_code(session, tax(4))
    assert created is not None and created.verification_status == "unverified"
    assert created.province_code == "24"  # Bắc Giang merged into Bắc Ninh (2025)
    # a malformed tax code is a clear error, nothing saved
    bad = post_form(
        anon,
        f"/events/{event.id}/register",
        {
            "role": "supplier",
            "tax_code": "12345",
            "organisation": "X",
            "province": "Hà Nội",
            "contact_name": "X",
            "contact_email": "x@example.vn",
        },
        page=f"/events/{event.id}/register",
    )
    assert bad.status_code == 400 and "Mã số thuế" in bad.get_data(as_text=True)
    session.expire_all()
    event = session.get(Event, event.id)
    pending = [p for p in event.participants if p.status == "pending"]
    assert {p.organisation for p in pending} == {s2.name, "Công ty TNHH Bao bì Mới"}
    yp = next(p for p in pending if p.enterprise_id == s2.id)
    assert yp.parallel == 2 and yp.unavailable_slots == [3]
    assert (
        post_form(
            client, f"/events/{event.id}/participants/{yp.id}/status", {"status": "confirmed"}, page=manage
        ).status_code
        == 302
    )
    mails = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "event_confirmed")).all()
    assert mails and "/participants/" in mails[-1].body  # the private link to their page
    session.expire_all()
    event = session.get(Event, event.id)
    buyer = next(p for p in event.participants if p.role == "buyer")
    tien_son = next(p for p in event.participants if p.enterprise_id == s1.id)
    # wanted parts in bulk, then the engine proposes suppliers per part
    r = post_form(
        client,
        f"/events/{event.id}/items",
        {
            "buyer_id": str(buyer.id),
            "lines": "Vỏ nhựa ABS cho bộ sạc | 120×80 mm, UL94 V-0 | 20.000 cái/tháng\nKhung thép dập | SPCC 1,2 mm | 5.000 bộ/tháng",
        },
        page=manage,
    )
    assert r.status_code == 302
    assert post_form(client, f"/events/{event.id}/items/propose", {}, page=manage).status_code == 302
    session.expire_all()
    event = session.get(Event, event.id)
    proposed = {
        (r.supplier.organisation, r.item.component) for r in event.requests if r.requested_by == "engine"
    }
    assert (tien_son.organisation, "Vỏ nhựa ABS cho bộ sạc") in proposed
    assert all(r.status == "pending" for r in event.requests)
    # the buyer (through its private link) accepts the plastics proposal as a must-meet
    link = f"/events/{event.id}/participants/{buyer.id}?t={buyer.access_token}"
    prop = next(r for r in event.requests if r.supplier_id == tien_son.id)
    r = post_form(
        anon,
        f"/events/{event.id}/participants/{buyer.id}/requests/{prop.id}/respond",
        {"answer": "accept", "level": "must", "t": buyer.access_token},
        page=link,
    )
    assert r.status_code == 302
    # the supplier accepts too (opt-in: both sides) → accepted
    r = post_form(
        anon,
        f"/events/{event.id}/participants/{tien_son.id}/requests/{prop.id}/respond",
        {"answer": "accept", "level": "like", "t": tien_son.access_token},
        page=f"/events/{event.id}/participants/{tien_son.id}?t={tien_son.access_token}",
    )
    assert r.status_code == 302
    # Yên Phong asks the buyer for a meeting; the buyer says no: a veto, never scheduled
    r = post_form(
        anon,
        f"/events/{event.id}/participants/{yp.id}/requests",
        {"other_id": str(buyer.id), "level": "like", "t": yp.access_token},
        page=f"/events/{event.id}/participants/{yp.id}?t={yp.access_token}",
    )
    assert r.status_code == 302
    session.expire_all()
    event = session.get(Event, event.id)
    ask = next(
        r
        for r in event.requests
        if r.supplier_id == yp.id
        and r.requested_by == "supplier"
        or (r.supplier_id == yp.id and r.supplier_level == "like")
    )
    r = post_form(
        anon,
        f"/events/{event.id}/participants/{buyer.id}/requests/{ask.id}/respond",
        {"answer": "decline", "t": buyer.access_token},
        page=link,
    )
    session.expire_all()
    event = session.get(Event, event.id)
    assert session.get(MeetingRequest, prop.id).status == "accepted"
    assert session.get(MeetingRequest, ask.id).status == "declined"
    # schedule, publish
    assert post_form(client, f"/events/{event.id}/schedule", {}, page=manage).status_code == 302
    session.expire_all()
    event = session.get(Event, event.id)
    meeting = session.get(MeetingRequest, prop.id)
    assert meeting.status == "scheduled" and meeting.slot is not None and meeting.table is not None
    assert (
        event.schedule_info["meetings"] == 1
        and event.schedule_info["bound"] >= event.schedule_info["objective"]
    )
    assert session.get(MeetingRequest, ask.id).unscheduled == {"reason": "declined"}
    assert (
        post_form(client, f"/events/{event.id}/publish", {"stage": "final"}, page=manage).status_code == 302
    )
    agenda_mail = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == "event_agenda", OutboxMessage.to_email == buyer.contact_email
        )
    ).one()
    assert tien_son.organisation in agenda_mail.body and "http" in agenda_mail.body
    # the agenda, printable and as a calendar with a stable UID
    printed = anon.get(f"/events/{event.id}/participants/{buyer.id}/agenda?t={buyer.access_token}")
    assert printed.status_code == 200 and tien_son.organisation in printed.get_data(as_text=True)
    assert "<svg" in printed.get_data(as_text=True)  # the check-in QR
    cal = Calendar.from_ical(
        anon.get(f"/events/{event.id}/participants/{buyer.id}/agenda.ics?t={buyer.access_token}").data
    )
    (vev,) = [c for c in cal.walk("VEVENT")]
    uid, seq = str(vev["UID"]), int(vev["SEQUENCE"])
    assert str(vev["STATUS"]) == "CONFIRMED" and tien_son.organisation in str(vev["SUMMARY"])
    start = services.slots(event)[meeting.slot].starts
    assert vev.decoded("DTSTART") == start
    # XLSX and the table sheets
    wb = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/export.xlsx").data))
    rows = list(wb["Lich gap"].iter_rows(values_only=True))
    assert rows[1][2] == buyer.organisation and rows[1][4] == tien_son.organisation
    sheets = client.get(f"/events/{event.id}/tables/sheets").get_data(as_text=True)
    assert meeting.table.label in sheets
    # day of: check-in through the badge's QR URL, attendance from both sides, outcome
    qr_url = f"/events/{event.id}/checkin/{buyer.checkin_token}"
    assert client.get(qr_url).status_code == 200
    assert post_form(client, qr_url, {}, page=qr_url).status_code == 302
    assert anon.get(qr_url).status_code in (302, 401)  # only staff check people in
    for p in (buyer, tien_son):
        post_form(
            anon,
            f"/events/{event.id}/participants/{p.id}/requests/{prop.id}/attendance",
            {"value": "held", "t": p.access_token},
            page=f"/events/{event.id}/participants/{p.id}?t={p.access_token}",
        )
    session.expire_all()
    assert session.get(MeetingRequest, prop.id).status == "held"
    post_form(
        anon,
        f"/events/{event.id}/participants/{buyer.id}/requests/{prop.id}/outcome",
        {
            "interest": "high",
            "next_step": "contract",
            "contract_value_mvnd": "1.250,5",
            "t": buyer.access_token,
        },
        page=link,
    )
    report = client.get(f"/api/v1/events/{event.id}/report").get_json()
    assert report["held"] == 1 and report["next_steps"]["contract"] == 1
    assert report["contract_value_mvnd"] == "1250.50" and report["items_with_supplier_met"] == 1
    assert report["held_of_accepted"] == 1.0
    page = client.get(f"/events/{event.id}/report").get_data(as_text=True)
    assert "Hợp đồng" in page and 'data-chart="ev-steps"' in page
    # cancelling afterwards is refused for a held meeting; a follow-up goes out at +30 days
    event.status = "final"
    session.commit()
    from datetime import UTC, datetime

    later = datetime.combine(event.ends_on + timedelta(days=31), datetime.min.time(), UTC)
    with app.app_context():
        assert services.due_followups(session, now=later) == 2
        assert services.due_followups(session, now=later) == 0  # once only
    assert uid and seq >= 0


def test_calendar_follows_changes_and_cancellations(client, app, session):
    b = _firm(session, 11, "Buyer Co", ["Lắp ráp"])
    s = _firm(session, 12, "Supplier Co", ["Vỏ nhựa"])
    session.commit()
    event = _event(client, session)
    ctx = app.app_context()
    ctx.push()
    try:
        user = _staff(session)
        buyer, sup = _pair(session, event, b, s, user)
        r = services.create_request(session, event, buyer, sup, "must", user, side="buyer")
        services.respond(session, r, "accept", user, side="supplier")
        services.run_schedule(session, event, user, seconds=0.5)
        session.commit()
        assert r.status == "scheduled"

        def vevent(**kw):
            body = services.ics(event, buyer, "portal.example.vn", **kw)
            cal = Calendar.from_ical(body)
            return cal, next(iter(cal.walk("VEVENT")))

        _, v1 = vevent()
        first_seq, uid = int(v1["SEQUENCE"]), str(v1["UID"])
        assert uid == f"event-{event.id}-meeting-{r.id}@portal.example.vn"
        # the supplier becomes unavailable at that slot: a re-plan moves it, SEQUENCE goes up, UID stays
        event.agenda_stage = "final"
        sup.unavailable_slots = [r.slot]
        old_slot = r.slot
        services.run_schedule(session, event, user, seconds=0.5)
        session.commit()
        assert r.slot != old_slot and r.status == "scheduled"
        _, v2 = vevent()
        assert str(v2["UID"]) == uid and int(v2["SEQUENCE"]) > first_seq
        assert event.schedule_info["moved"] == 1
        # cancelled: the feed keeps it as CANCELLED with a higher SEQUENCE; the single file is METHOD:CANCEL
        services.cancel_request(session, r, user)
        session.commit()
        _, v3 = vevent()
        assert str(v3["STATUS"]) == "CANCELLED" and int(v3["SEQUENCE"]) > int(v2["SEQUENCE"])
        cal, v4 = vevent(request=r)
        assert str(cal["METHOD"]) == "CANCEL" and str(v4["UID"]) == uid
        assert session.scalars(select(OutboxMessage).where(OutboxMessage.subject.like("Hủy cuộc gặp%"))).all()
    finally:
        ctx.pop()


def test_locked_meetings_stay_and_standby_pairs_fill_freed_slots(client, app, session):
    firms = [_firm(session, 20 + i, f"Firm {i}", ["Linh kiện"]) for i in range(4)]
    session.commit()
    event = _event(client, session)
    ctx = app.app_context()
    ctx.push()
    try:
        user = _staff(session)
        b1 = services.add_participant(
            session, event, {"enterprise": firms[0].tax_code, "role": "buyer"}, user
        )
        sups = [
            services.add_participant(session, event, {"enterprise": f.tax_code, "role": "supplier"}, user)
            for f in firms[1:]
        ]
        reqs = []
        for sp in sups:
            r = services.create_request(session, event, b1, sp, "like", user, side="buyer")
            services.respond(session, r, "accept", user, side="supplier")
            reqs.append(r)
        services.run_schedule(session, event, user, seconds=0.5)
        session.commit()
        assert all(r.status == "scheduled" for r in reqs)  # 3 meetings in 4 slots for one buyer
        services.set_lock(session, reqs[0], True, user)
        locked_slot = reqs[0].slot
        event.agenda_stage = "final"
        b1.unavailable_slots = [locked_slot]  # even so, a locked meeting never moves
        services.run_schedule(session, event, user, seconds=0.5)
        assert reqs[0].slot == locked_slot and reqs[0].status == "locked"
        b1.unavailable_slots = []
        # on the day: one meeting is a no-show; its slot goes to a checked-in pair without a meeting
        services.record_attendance(session, reqs[1], "not_held", user, side="staff")
        assert reqs[1].status == "no_show"
        freed = reqs[1].slot
        reqs[2].status, reqs[2].slot, reqs[2].table_id = "accepted", None, None  # as if it had found no slot
        for p in (b1, sups[2]):
            services.check_in(session, event, p.checkin_token, user)
        assert reqs[2] in services.standby(event, freed)
        services.place_standby(session, reqs[2], freed, user)
        assert reqs[2].status == "scheduled" and reqs[2].slot == freed and reqs[2].table_id is not None
    finally:
        ctx.pop()


def test_one_did_not_happen_makes_a_no_show_and_staff_can_override(client, app, session):
    b = _firm(session, 31, "B", ["x"])
    s = _firm(session, 32, "S", ["y"])
    session.commit()
    event = _event(client, session)
    ctx = app.app_context()
    ctx.push()
    try:
        user = _staff(session)
        buyer, sup = _pair(session, event, b, s, user)
        r = services.create_request(session, event, buyer, sup, "like", user, side="buyer")
        services.respond(session, r, "accept", user, side="supplier")
        services.run_schedule(session, event, user, seconds=0.3)
        services.record_attendance(session, r, "held", services.TokenActor(buyer.id))
        assert r.status == "scheduled"  # one side only so far
        services.record_attendance(session, r, "not_held", services.TokenActor(sup.id))
        assert r.status == "no_show"
        services.record_attendance(session, r, "held", user, side="staff")
        assert r.status == "held"
    finally:
        ctx.pop()


def test_pending_requests_expire_and_opt_out_accepts_unless_refused(client, app, session):
    b = _firm(session, 41, "B", ["x"])
    s = _firm(session, 42, "S", ["y"])
    session.commit()
    event = _event(client, session)
    ctx = app.app_context()
    ctx.push()
    try:
        user = _staff(session)
        buyer, sup = _pair(session, event, b, s, user)
        r = services.create_request(session, event, buyer, sup, "like", user, side="buyer")
        assert r.status == "pending"
        from datetime import UTC, datetime

        assert (
            services.expire_requests(
                session, event, now=datetime.now(UTC) + timedelta(days=event.request_expiry_days + 1)
            )
            == 1
        )
        assert r.status == "expired"
        event.request_mode = "opt_out"
        r2 = services.create_request(
            session, event, buyer, sup, "like", user, side="buyer"
        )  # again after expiry
        assert r2.id == r.id and r2.status == "accepted"
        services.respond(session, r2, "decline", services.TokenActor(sup.id))
        assert r2.status == "declined"
    finally:
        ctx.pop()


def test_permissions(client, app, session):
    b = _firm(session, 51, "Buyer", ["x"])
    s = _firm(session, 52, "Supplier", ["y"])
    other = _firm(session, 53, "Other SME", ["z"])
    session.commit()
    event = _event(client, session)
    with app.app_context():  # the set-up only: requests below must get app contexts of their own
        staff = _staff(session)
        buyer, sup = _pair(session, event, b, s, staff)
        r = services.create_request(session, event, buyer, sup, "like", staff, side="buyer")
        draft = services.save_event(
            session,
            {
                "name": "Nháp",
                "organiser": "Sở",
                "starts_on": date.today(),
                "ends_on": date.today(),
                "status": "draft",
            },
            staff,
        )
        session.commit()
        other_user = make_user(session, "sme", "other@example.vn", tax_code=other.tax_code)
        sup_user = make_user(session, "sme", "sup@example.vn", tax_code=s.tax_code)
        as_other = {"Authorization": f"Bearer {issue_api_token(other_user)}"}
        as_sup = {"Authorization": f"Bearer {issue_api_token(sup_user)}"}
        session.commit()
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = "10.8.8.8"
    # anonymous: no staff pages, no draft events, no participant page without the right token
    assert c.get(f"/events/{event.id}/manage").status_code in (302, 401)
    assert c.get(f"/events/{draft.id}").status_code == 404
    assert c.get(f"/api/v1/events/{draft.id}").status_code == 404
    assert c.get(f"/events/{event.id}/participants/{buyer.id}").status_code == 302  # to the sign-in form
    assert c.get(f"/events/{event.id}/participants/{buyer.id}?t={sup.access_token}").status_code == 404
    assert c.get(f"/events/{event.id}/participants/{buyer.id}/agenda.ics?t=wrong").status_code == 404
    assert c.post(f"/api/v1/events/{event.id}/schedule", json={}).status_code in (400, 401)
    # another SME: not a participant, cannot act for one
    login(c, "other@example.vn")
    assert c.get(f"/events/{event.id}/participants/{sup.id}").status_code == 403
    api = f"/api/v1/events/{event.id}"
    c_api = app.test_client()  # bearer tokens only, no session cookie
    assert (
        c_api.post(f"{api}/meetings/{r.id}/respond", json={"answer": "accept"}, headers=as_other).status_code
        == 403
    )
    assert c_api.post(f"{api}/schedule", json={}, headers=as_other).status_code == 403
    assert c_api.get(f"{api}/report", headers=as_other).status_code == 403
    assert c_api.get(f"{api}/meetings", headers=as_other).get_json() == []
    assert c_api.get(f"{api}/participants/{sup.id}/agenda", headers=as_other).status_code == 403
    c.get("/logout")
    # the supplier's own SME account answers for it
    login(c, "sup@example.vn")
    assert c.get(f"/events/{event.id}/participants/{sup.id}").status_code == 200
    res = c_api.post(
        f"{api}/meetings/{r.id}/respond", json={"answer": "accept", "level": "must"}, headers=as_sup
    )
    assert res.status_code == 200 and res.get_json()["status"] == "accepted"
    assert [m["id"] for m in c_api.get(f"{api}/meetings", headers=as_sup).get_json()] == [r.id]
    # it cannot answer on the buyer's side
    res = c_api.post(
        f"{api}/meetings/{r.id}/respond", json={"answer": "decline", "side": "buyer"}, headers=as_sup
    )
    assert res.status_code == 403


def test_api_set_up_and_schedule(client, session):
    b = _firm(session, 61, "API Buyer", ["x"])
    s = _firm(session, 62, "API Supplier", ["y"])
    session.commit()
    staff = make_user(session, "staff")
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issue_api_token(staff)}"
    session.commit()
    day = (date.today() + timedelta(days=5)).isoformat()
    ev = client.post(
        "/api/v1/events", json={"name": "API event", "organiser": "Sở", "starts_on": day, "ends_on": day}
    )
    assert ev.status_code == 201, ev.get_json()
    eid = ev.get_json()["id"]
    bad = client.post(
        "/api/v1/events", json={"name": "x", "organiser": "y", "starts_on": day, "ends_on": "2020-01-01"}
    )
    assert bad.status_code == 422
    assert (
        client.post(
            f"/api/v1/events/{eid}/sessions",
            json={"name": "Chiều", "day": day, "starts_at": "13:30", "ends_at": "15:00"},
        ).status_code
        == 201
    )
    assert client.post(f"/api/v1/events/{eid}/tables", json={"kind": "interpreter"}).status_code == 422
    assert client.post(f"/api/v1/events/{eid}/tables", json={"kind": "public", "count": 3}).status_code == 201
    slots = client.get(f"/api/v1/events/{eid}/slots").get_json()
    assert [s_["index"] for s_ in slots] == [0, 1, 2]
    pb = client.post(
        f"/api/v1/events/{eid}/participants", json={"enterprise": b.tax_code, "role": "buyer"}
    ).get_json()
    ps = client.post(
        f"/api/v1/events/{eid}/participants",
        json={"enterprise": s.tax_code, "role": "supplier", "unavailable_slots": [0]},
    ).get_json()
    assert (
        client.post(
            f"/api/v1/events/{eid}/participants", json={"enterprise": s.tax_code, "role": "supplier"}
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"/api/v1/events/{eid}/participants", json={"enterprise": "id-999999", "role": "buyer"}
        ).status_code
        == 404
    )
    m = client.post(
        f"/api/v1/events/{eid}/meetings",
        json={"buyer_id": pb["id"], "supplier_id": ps["id"], "level": "must", "side": "buyer"},
    )
    assert m.status_code == 201 and m.get_json()["status"] == "pending"
    mid = m.get_json()["id"]
    assert (
        client.post(
            f"/api/v1/events/{eid}/meetings/{mid}/respond", json={"answer": "accept", "side": "supplier"}
        ).status_code
        == 200
    )
    sched = client.post(f"/api/v1/events/{eid}/schedule", json={"seconds": 0.5}).get_json()
    assert sched["meetings"] == 1 and sched["gap"] == 0.0
    got = client.get(f"/api/v1/events/{eid}/participants/{ps['id']}/agenda").get_json()
    assert len(got) == 1 and got[0]["slot"] != 0  # not in the slot it is unavailable
    assert client.post(f"/api/v1/events/{eid}/meetings/999999/cancel").status_code == 404
    assert re.match(r"\d{4}-\d{2}-\d{2}T", got[0]["starts"])
    assert session.scalars(select(Participant)).all()


def test_api_covers_the_whole_flow(client, session):
    b = _firm(session, 71, "Flow Buyer", ["Lắp ráp"])
    s = _firm(session, 72, "Flow Supplier", ["Vỏ nhựa ABS ép phun"])
    s2 = _firm(session, 73, "Flow Supplier 2", ["Bu lông"])
    session.commit()
    staff = make_user(session, "staff")
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issue_api_token(staff)}"
    session.commit()
    day = (date.today() + timedelta(days=3)).isoformat()
    eid = client.post(
        "/api/v1/events",
        json={"name": "Flow", "organiser": "Sở", "starts_on": day, "ends_on": day, "status": "registration"},
    ).get_json()["id"]
    assert (
        client.patch(
            f"/api/v1/events/{eid}", json={"venue": "Hội trường A", "meeting_minutes": 30}
        ).get_json()["venue"]
        == "Hội trường A"
    )
    client.post(
        f"/api/v1/events/{eid}/sessions",
        json={"name": "Sáng", "day": day, "starts_at": "08:00", "ends_at": "10:00"},
    )
    client.post(f"/api/v1/events/{eid}/tables", json={"kind": "public", "count": 2})
    client.post(f"/api/v1/events/{eid}/tables", json={"kind": "online", "url": "https://meet.example.vn/x"})
    assert (
        client.patch(f"/api/v1/events/{eid}", json={"meeting_minutes": 25}).status_code == 200
    )  # nothing scheduled yet
    pb = client.post(
        f"/api/v1/events/{eid}/participants", json={"enterprise": b.tax_code, "role": "buyer"}
    ).get_json()
    ps = client.post(
        f"/api/v1/events/{eid}/participants",
        json={"enterprise": s.tax_code, "role": "supplier", "remote": True},
    ).get_json()
    # a public registration, then staff approve it
    anon = client.application.test_client()
    reg = anon.post(
        f"/api/v1/events/{eid}/registrations",
        json={
            "tax_code": s2.tax_code,
            "organisation": "x",
            "province": "Hà Nội",
            "role": "supplier",
            "contact_name": "Lan",
            "contact_email": "lan@example.vn",
        },
    )
    assert reg.status_code == 201 and reg.get_json()["status"] == "pending"
    assert anon.post("/api/v1/events/999999/registrations", json={}).status_code == 404
    pid2 = reg.get_json()["id"]
    assert (
        client.post(
            f"/api/v1/events/{eid}/participants/{pid2}/status", json={"status": "confirmed"}
        ).get_json()["status"]
        == "confirmed"
    )
    assert len(client.get(f"/api/v1/events/{eid}/participants").get_json()) == 3
    assert (
        len(anon.get(f"/api/v1/events/{eid}/participants").get_json()) == 3
    )  # confirmed ones, public fields
    items = client.post(
        f"/api/v1/events/{eid}/items", json={"buyer_id": pb["id"], "lines": "Vỏ nhựa ABS ép phun | | 10.000"}
    )
    assert items.status_code == 201
    assert (
        client.post(
            f"/api/v1/events/{eid}/items", json={"buyer_id": pb["id"], "lines": " | spec"}
        ).status_code
        == 422
    )
    props = client.post(f"/api/v1/events/{eid}/items/{items.get_json()[0]['id']}/proposals").get_json()
    assert [p["supplier_id"] for p in props] == [
        ps["id"]
    ]  # the bolt maker is not proposed for plastic housings
    assert client.post(f"/api/v1/events/{eid}/items/99999/proposals").status_code == 404
    mid = props[0]["id"]
    client.post(
        f"/api/v1/events/{eid}/meetings/{mid}/respond",
        json={"answer": "accept", "side": "buyer", "level": "must"},
    )
    client.post(f"/api/v1/events/{eid}/meetings/{mid}/respond", json={"answer": "accept", "side": "supplier"})
    m2 = client.post(
        f"/api/v1/events/{eid}/meetings", json={"buyer_id": pb["id"], "supplier_id": pid2, "side": "buyer"}
    ).get_json()
    assert (
        client.post(
            f"/api/v1/events/{eid}/meetings",
            json={"buyer_id": pb["id"], "supplier_id": pid2, "side": "buyer"},
        ).status_code
        == 409
    )
    assert client.post(f"/api/v1/events/{eid}/meetings/{m2['id']}/cancel").get_json()["status"] == "cancelled"
    sched = client.post(f"/api/v1/events/{eid}/schedule", json={"seconds": 0.3}).get_json()
    assert sched["meetings"] == 1
    meetings = client.get(f"/api/v1/events/{eid}/meetings").get_json()
    online = next(m for m in meetings if m["id"] == mid)
    assert online["table"].startswith("Phòng trực tuyến")  # a remote supplier meets in an online room
    assert (
        client.patch(f"/api/v1/events/{eid}", json={"meeting_minutes": 40}).status_code == 400
    )  # now locked
    assert (
        client.post(f"/api/v1/events/{eid}/publish", json={"stage": "preliminary"}).get_json()["agenda_stage"]
        == "preliminary"
    )
    assert (
        client.post(f"/api/v1/events/{eid}/meetings/{mid}/attendance", json={"value": "held"}).get_json()[
            "status"
        ]
        == "held"
    )
    out = client.post(
        f"/api/v1/events/{eid}/meetings/{mid}/outcome",
        json={"interest": "high", "next_step": "nda_mou", "side": "supplier"},
    )
    assert out.status_code == 200
    rep = client.get(f"/api/v1/events/{eid}/report").get_json()
    assert rep["next_steps"]["nda_mou"] == 1 and rep["meetings_per_agreement"] == 1.0
    assert client.get("/api/v1/events").status_code == 200
    assert len(client.get(f"/api/v1/events/{eid}/participants/{pb['id']}/agenda").get_json()) == 1


def test_staff_pages_cover_the_day(client, app, session):
    firms = [_firm(session, 80 + i, f"Page firm {i}", ["Linh kiện"]) for i in range(3)]
    session.commit()
    event = _event(client, session)
    manage = f"/events/{event.id}/manage"
    with app.app_context():
        user = _staff(session)
        buyer, s1 = _pair(session, event, firms[0], firms[1], user)
        s2 = services.add_participant(
            session,
            event,
            {
                "enterprise": firms[2].tax_code,
                "role": "supplier",
                "people": [{"name": "An"}, {"name": "Bình"}],
            },
            user,
        )
        r1 = services.create_request(session, event, buyer, s1, "must", user, side="buyer")
        r2 = services.create_request(session, event, buyer, s2, "like", user, side="buyer")
        session.commit()
    for r in (r1, r2):
        assert (
            post_form(
                client, f"/events/{event.id}/requests/{r.id}/accept", {"level": "like"}, page=manage
            ).status_code
            == 302
        )
    post_form(client, f"/events/{event.id}/schedule", {}, page=manage)
    session.expire_all()
    r1, r2 = session.get(MeetingRequest, r1.id), session.get(MeetingRequest, r2.id)
    assert r1.status == r2.status == "scheduled"
    for action in ("lock", "unlock", "held", "no_show"):
        assert (
            post_form(client, f"/events/{event.id}/requests/{r1.id}/{action}", {}, page=manage).status_code
            == 302
        )
    session.expire_all()
    assert session.get(MeetingRequest, r1.id).status == "no_show"
    assert client.get(manage).status_code == 200 and client.get(f"{manage}?status=no_show").status_code == 200
    assert client.get(f"/events/{event.id}/edit").status_code == 200
    assert (
        post_form(
            client,
            f"/events/{event.id}/edit",
            {
                "name": "Đổi tên",
                "organiser": "Sở",
                "starts_on": event.starts_on.isoformat(),
                "ends_on": event.starts_on.isoformat(),
                "registration_closes_at": f"{event.starts_on.isoformat()}T17:00",
                "status": "final",
            },
            page=f"/events/{event.id}/edit",
        ).status_code
        == 302
    )
    session.expire_all()
    ev = session.get(Event, event.id)
    assert ev.name == "Đổi tên" and ev.registration_closes_at.hour == 10  # 17:00 in Vietnam is 10:00 UTC
    assert "Đổi tên" in client.get("/events").get_data(as_text=True)
    board = client.get(f"/events/{event.id}/board")
    assert board.status_code == 200 and "đã check-in" in board.get_data(as_text=True)
    assert (
        post_form(
            client,
            f"/events/{event.id}/checkin",
            {"code": f"https://x/{s2.checkin_token}"},
            page=f"/events/{event.id}/board",
        ).status_code
        == 302
    )
    assert (
        post_form(
            client, f"/events/{event.id}/checkin", {"code": "nope"}, page=f"/events/{event.id}/board"
        ).status_code
        == 302
    )
    session.expire_all()
    assert session.get(Participant, s2.id).checked_in_at is not None
    assert client.get(f"/events/{event.id}/tables/sheets").status_code == 200
    assert client.get(f"/events/{event.id}/report").status_code == 200
    # the supplier with two people assigns who meets, and edits its availability, through its link
    link = f"/events/{event.id}/participants/{s2.id}?t={s2.access_token}"
    anon = app.test_client()
    page = anon.get(link).get_data(as_text=True)
    assert "Bình" in page
    url = f"/events/{event.id}/participants/{s2.id}/requests/{r2.id}/person"
    assert post_form(anon, url, {"person": "Bình", "t": s2.access_token}, page=link).status_code == 302
    assert (
        post_form(
            anon,
            f"/events/{event.id}/participants/{s2.id}/profile",
            {"t": s2.access_token, "offers": "Linh kiện nhựa", "unavailable_slots": "1", "interpreter": ""},
            page=link,
        ).status_code
        == 302
    )
    session.expire_all()
    assert session.get(MeetingRequest, r2.id).supplier_person == "Bình"
    assert session.get(Participant, s2.id).offers == "Linh kiện nhựa"
    cancel = f"/events/{event.id}/participants/{s2.id}/requests/{r2.id}/cancel"
    assert post_form(anon, cancel, {"t": s2.access_token}, page=link).status_code == 302
    session.expire_all()
    assert session.get(MeetingRequest, r2.id).status == "cancelled"
    assert (
        anon.get(
            f"/events/{event.id}/participants/{s2.id}/meetings/{r2.id}.ics?t={s2.access_token}"
        ).status_code
        == 200
    )
