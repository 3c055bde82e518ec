"""Each write that has both a page and an API route goes through one service: done once through the
form and once through the API, it leaves the same rows, the same audit entries and the same mails."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cnht.enterprises import services
from cnht.enterprises.audit import AuditLog
from cnht.enterprises.schemas import EnterpriseIn
from cnht.mail import OutboxMessage
from cnht.matching.models import Connection, SourcingRequirement
from tests.client import csrf_from, fresh_client, login, post_form
from tests.factories import enterprise_record, make_user

SUPPLIER = "0100112437"


@pytest.fixture
def world(session):
    services.upsert(session, EnterpriseIn().load(enterprise_record(tax_code=SUPPLIER)))
    session.commit()
    make_user(session, "buyer", "buyer@example.vn", organisation="Canon Việt Nam")
    make_user(session, "sme", "sme@example.vn", tax_code=SUPPLIER)
    make_user(session, "staff", "staff@example.vn")


def _requirement(session, owner_email: str) -> SourcingRequirement:
    from cnht.accounts.models import User

    owner = session.scalar(select(User).where(User.email == owner_email))
    req = SourcingRequirement(
        owner_id=owner.id,
        title="Khuôn ép nhựa vỏ máy in",
        status="open",
        visibility="public",
        buyer_name="Canon Việt Nam",
    )
    session.add(req)
    session.commit()
    return req


def _state(session, req_id: int) -> dict:
    """What a write left behind, without ids, times and the link's host."""
    session.expire_all()
    conns = session.scalars(select(Connection).where(Connection.requirement_id == req_id)).all()
    mails = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    audit = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    return {
        "connections": [
            (
                c.stage,
                c.initiated_by,
                c.note,
                c.contract_value_mvnd,
                c.contract_signed_on,
                [h["stage"] for h in c.history],
            )
            for c in conns
        ],
        "mails": [
            (m.to_email, m.subject, m.kind, m.body.replace(f"/requirements/{req_id}", "/requirements/N"))
            for m in mails
        ],
        "audit": [(a.action, a.field, a.actor.split(":")[0]) for a in audit],
    }


def _reset(session):
    for model in (OutboxMessage, Connection):
        for row in session.scalars(select(model)):
            session.delete(row)
    session.commit()


STEPS = [  # (who, stage, extra form fields)
    ("buyer@example.vn", "invited", {}),
    ("sme@example.vn", "interested", {"note": "Có thể làm mẫu trong 2 tuần"}),
    ("staff@example.vn", "proposed", {}),
    (
        "buyer@example.vn",
        "contract_signed",
        {"contract_value_mvnd": "1250", "contract_signed_on": "2026-11-30"},
    ),
]


def _run_pages(app, session, req_id: int) -> dict:
    for email, stage, extra in STEPS:
        client = fresh_client(app)
        login(client, email)
        r = post_form(
            client,
            f"/requirements/{req_id}/connect",
            {"enterprise": SUPPLIER, "stage": stage, **extra},
            page=f"/requirements/{req_id}",
        )
        assert r.status_code == 302, (email, stage)
    return _state(session, req_id)


def _run_api(app, session, req_id: int) -> dict:
    for email, stage, extra in STEPS:
        client = fresh_client(app)
        login(client, email)
        token = csrf_from(client, "/account")
        body = {"enterprise": SUPPLIER, "stage": stage, **extra}
        r = client.post(
            f"/api/v1/requirements/{req_id}/connections", json=body, headers={"X-CSRFToken": token}
        )
        assert r.status_code == 201, (email, stage, r.get_json())
    return _state(session, req_id)


def test_connection_stages_page_and_api_leave_the_same_rows_and_mails(app, session, world):
    req = _requirement(session, "buyer@example.vn")
    by_page = _run_pages(app, session, req.id)
    _reset(session)
    by_api = _run_api(app, session, req.id)
    assert by_page["connections"] and by_page["mails"]  # the steps did write and notify
    assert by_api == by_page


def test_requirement_created_by_form_and_by_api_is_the_same(app, session, world):
    fields = {
        "title": "Đế giày EVA",
        "quantity": "5.000",
        "processes": "ép phun; cắt",
        "visibility": "public",
        "description": "Đế giày thể thao, màu trắng",
    }
    client = fresh_client(app)
    login(client, "buyer@example.vn")
    assert post_form(client, "/requirements/new", fields, page="/requirements/new").status_code == 302
    token = csrf_from(client, "/account")
    api_body = {**fields, "processes": ["ép phun", "cắt"]}
    assert (
        client.post("/api/v1/requirements", json=api_body, headers={"X-CSRFToken": token}).status_code == 201
    )
    a, b = session.scalars(select(SourcingRequirement).order_by(SourcingRequirement.id)).all()
    columns = [
        c.key
        for c in SourcingRequirement.__table__.columns
        if c.key not in ("id", "created_at", "updated_at")
    ]
    assert {k: getattr(a, k) for k in columns} == {k: getattr(b, k) for k in columns}


def test_closing_by_page_and_by_api(app, session, world):
    one, two = _requirement(session, "buyer@example.vn"), _requirement(session, "buyer@example.vn")
    client = fresh_client(app)
    login(client, "buyer@example.vn")
    post_form(client, f"/requirements/{one.id}/status", {"status": "closed"}, page=f"/requirements/{one.id}")
    token = csrf_from(client, "/account")
    client.post(f"/api/v1/requirements/{two.id}/close", headers={"X-CSRFToken": token})
    session.expire_all()
    assert (
        session.get(SourcingRequirement, one.id).status,
        session.get(SourcingRequirement, two.id).status,
    ) == ("closed", "closed")
