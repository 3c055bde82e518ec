"""Every registered route that writes, walked as an anonymous user and as users of the wrong role
or without ownership: refused, and nothing changes. A new unsafe route fails this test until it
is classified below."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from cnht.enterprises import services
from cnht.enterprises.audit import AuditLog
from cnht.enterprises.schemas import EnterpriseIn
from cnht.matching.models import SourcingRequirement
from tests.client import login
from tests.factories import enterprise_record, make_user

OWN, OTHER = "0100112437", "0313845728"
PUBLIC = {
    "accounts.login",
    "accounts.logout",
    "accounts.forgot_password",
    "accounts.reset_password",
    "accounts.register",
    "matching_api.match_now",
    "events.register",  # the public registration form (staff approve)
    "events_api.register",
    # a localisation respondent answers through its private link (the token is the credential)
    "localisation.survey_form",
    "localisation.survey_upload",
    "localisation_api.Survey",
}
# Who may use each unsafe endpoint. "any" = any signed-in user; "owner" = the requirement's owner;
# "own" = an SME acting on its own enterprise. Admin passes everything.
ALLOWED = {
    "enterprises.claim": {"sme"},
    "accounts.new_token": {"any"},
    "accounts.revoke_token": {"any"},
    "matching_api.Requirements": {"buyer", "staff"},
    "matching_api.RequirementDetail": {"owner", "staff"},
    "matching_api.close_requirement": {"owner", "staff"},
    "matching_api.Connections": {"owner", "staff", "own"},
    "matching.requirement_connect": {"owner", "staff", "own"},
    "matching.requirement_status": {"owner", "staff"},
    "matching.requirement_new": {"buyer", "staff"},
    "assessment.assess_form": {"staff"},
    "enterprises.upload": {"own", "staff"},
    "enterprises.delete_attachment": {"own", "staff"},
    "enterprises.edit_section": {"own", "staff"},
    "portal.inquiry": {"any"},
    "portal.compare_inquiry": {"any"},
    "assessment.set_verification": {"staff"},
    "portal.shortlist_remove": {"buyer", "staff"},
    "portal.shortlist_add": {"buyer", "staff"},
    "assessment.bulk_verification": {"staff"},
    "assessment.revoke_assessment": {"staff"},
    "enterprises.decide_claim": {"staff"},
    "imports.duplicate_detail": {"staff"},
    "imports.imports": {"staff"},
    "imports.import_run": {"staff"},
    # events: "participant" = the participation's own account, its enterprise's SME account, or its
    # private link; the rest is staff's
    "events.participant_update": {"participant", "staff"},
    "events.request_create": {"participant", "staff"},
    "events.request_action": {"participant", "staff"},
    "events_api.add_items": {"participant", "staff"},
    "events_api.propose": {"participant", "staff"},
    "events_api.Meetings": {"participant", "staff"},
    "events_api.respond": {"participant", "staff"},
    "events_api.cancel": {"participant", "staff"},
    "events_api.attendance": {"participant", "staff"},
    "events_api.outcome": {"participant", "staff"},
    **{
        ep: {"staff"}
        for ep in (
            "events.event_new",
            "events.event_edit",
            "events.session_add",
            "events.tables_add",
            "events.participant_add",
            "events.participant_status",
            "events.items_add",
            "events.items_propose",
            "events.staff_request",
            "events.staff_request_action",
            "events.schedule_run",
            "events.publish",
            "events.checkin",
            "events.checkin_code",
            "events_api.Events",
            "events_api.EventDetail",
            "events_api.add_session",
            "events_api.add_tables",
            "events_api.Participants",
            "events_api.participant_status",
            "events_api.schedule",
            "events_api.publish",
            "localisation.campaign_new",
            "localisation.target_new",
            "localisation.campaign_edit",
            "localisation.respondents_add",
            "localisation.remind",
            "localisation.respondent_review",
            "localisation.campaign_leads",
        )
    },
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _unsafe_rules(app):
    return [(r, m) for r in app.url_map.iter_rules() for m in sorted(r.methods & UNSAFE)]


def test_every_unsafe_route_is_classified(app):
    endpoints = {r.endpoint for r, _m in _unsafe_rules(app)}
    assert endpoints - PUBLIC - set(ALLOWED) == set()


def _url(rule, req_id: int) -> str:
    values = {}
    for arg in rule.arguments:
        conv = rule._converters[arg].__class__.__name__
        if arg == "ref":
            values[arg] = OTHER
        elif arg == "req_id":
            values[arg] = req_id
        elif arg == "section":
            values[arg] = "products"
        elif arg == "action":
            values[arg] = "approve"
        elif conv == "IntegerConverter":
            values[arg] = 1
        else:
            values[arg] = "x"
    out = rule.rule
    for k, v in values.items():
        out = re.sub(rf"<[^>]*{k}>", str(v), out)
    return out


@pytest.fixture
def world(session):
    for tc, name in (
        (OWN, "Công ty TNHH Cơ khí Chính xác Hòa Bình"),
        (OTHER, "Công ty Cổ phần Điện tử Sao Việt"),
    ):
        services.upsert(session, EnterpriseIn().load(enterprise_record(tax_code=tc, name=name)))
    session.commit()
    owner = make_user(session, "buyer", "owner@example.vn")
    make_user(session, "buyer", "buyer2@example.vn")
    make_user(session, "sme", "sme@example.vn", tax_code=OWN)
    req = SourcingRequirement(owner_id=owner.id, title="Khuôn ép nhựa", status="open", visibility="public")
    session.add(req)
    _event_world(session)
    session.commit()
    return req


def _event_world(session):
    """Event 1 with participants 1 (OTHER, supplier) and 2 (OTHER, buyer) and meeting request 1: the
    probe's ids hit real rows, so a refusal is a permission check, not a missing row."""
    from datetime import date, time

    from cnht.events.models import Event, EventSession, EventTable, MeetingRequest, Participant

    other = services.get_by_tax_code(session, OTHER)
    ev = Event(
        id=1,
        name="Hội chợ",
        organiser="Sở",
        starts_on=date(2027, 1, 5),
        ends_on=date(2027, 1, 5),
        status="requests",
        schedule_info={},
    )
    session.add(ev)
    session.add(
        EventSession(event=ev, name="Sáng", day=date(2027, 1, 5), starts_at=time(8), ends_at=time(10))
    )
    session.add(EventTable(event=ev, label="Bàn 1", kind="public"))
    sup = Participant(
        id=1,
        event=ev,
        enterprise_id=other.id,
        organisation=other.name,
        role="supplier",
        status="confirmed",
        contact_name="A",
        contact_email="a@example.vn",
        checkin_token="c1",
        access_token="a1",
        people=[],
        unavailable_slots=[],
    )
    buy = Participant(
        id=2,
        event=ev,
        enterprise_id=other.id,
        organisation=other.name,
        role="buyer",
        status="confirmed",
        contact_name="B",
        contact_email="b@example.vn",
        checkin_token="c2",
        access_token="a2",
        people=[],
        unavailable_slots=[],
    )
    session.add_all([sup, buy])
    session.add(
        MeetingRequest(
            id=1,
            event=ev,
            buyer=buy,
            supplier=sup,
            requested_by="buyer",
            buyer_level="like",
            status="pending",
            history=[],
        )
    )


def _token(client) -> str:
    html = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _snapshot(session):
    session.expire_all()
    ent = services.get_by_tax_code(session, OTHER)
    return (
        session.scalar(select(func.count()).select_from(AuditLog)),
        ent.verification_status,
        [p.name for p in ent.products],
        session.get(SourcingRequirement, 1).title if session.get(SourcingRequirement, 1) else None,
        _events_state(session),
    )


def _events_state(session):
    from cnht.events.models import Event, MeetingRequest, Participant

    return (
        [(e.id, e.name, e.status) for e in session.scalars(select(Event).order_by(Event.id))],
        [
            (p.id, p.status, p.offers, p.checked_in_at)
            for p in session.scalars(select(Participant).order_by(Participant.id))
        ],
        [
            (m.id, m.status, m.buyer_level, m.supplier_level, m.slot)
            for m in session.scalars(select(MeetingRequest))
        ],
    )


@pytest.mark.parametrize("actor", ["anonymous", "sme@example.vn", "buyer2@example.vn"])
def test_writes_are_refused_to_the_wrong_people(app, client, session, world, actor):
    role = {"anonymous": None, "sme@example.vn": "sme", "buyer2@example.vn": "buyer"}[actor]
    if role:
        login(client, actor)
    before = _snapshot(session)
    token = _token(client)
    checked = 0
    for rule, method in _unsafe_rules(app):
        ep = rule.endpoint
        if ep in PUBLIC:
            continue
        allowed = ALLOWED[ep]
        # sme acts on OTHER (not its own); buyer2 owns nothing
        if role and ("any" in allowed or role in allowed):
            continue
        url = _url(rule, world.id)
        body = {
            "title": "Hack",
            "stage": "contract_signed",
            "enterprise": OTHER,
            "products": "Hàng giả",
            "level": "documents_checked",
            "status": "closed",
            "decision": "distinct",
            "csrf_token": token,
        }
        if url.startswith("/api/"):
            json_body = {"title": "Hack title", "enterprise": OTHER, "stage": "contract_signed"}
            resp = client.open(url, method=method, json=json_body, headers={"X-CSRFToken": token})
        else:
            resp = client.open(url, method=method, data=body, headers={"X-CSRFToken": token})
        checked += 1
        if role is None:
            assert resp.status_code in (401, 404) or (
                resp.status_code == 302 and "/login" in resp.headers["Location"]
            ), (ep, url, resp.status_code)
        else:
            assert resp.status_code in (403, 404), (ep, url, resp.status_code)
    assert checked >= 10
    assert _snapshot(session) == before


def test_json_api_writes_without_csrf_header_are_refused(client, session, world):
    login(client, "owner@example.vn")
    r = client.patch(f"/api/v1/requirements/{world.id}", json={"title": "Hack"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"
    session.expire_all()
    assert session.get(SourcingRequirement, world.id).title == "Khuôn ép nhựa"


def test_session_cookie_flags(client, session, world):
    r = login(client, "owner@example.vn")
    cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_content_security_policy_forbids_inline_script(client, session):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'self'" in csp
    for path in ("/login", "/statistics", "/search?q=khuon"):
        html = client.get(path).get_data(as_text=True)
        assert "onclick=" not in html and "onchange=" not in html and "<script>" not in html
    assert "Content-Security-Policy" not in client.get("/api/docs").headers  # Swagger UI's own page
