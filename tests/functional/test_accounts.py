"""Accounts: registration, sign-in, lockout, password reset through the outbox, CSRF, claims."""

from __future__ import annotations

import re

from sqlalchemy import select

from cnht.accounts.models import EnterpriseClaim, User
from cnht.enterprises import services
from cnht.enterprises.schemas import EnterpriseIn
from cnht.mail import OutboxMessage
from tests.client import csrf_from, fresh_client, login, post_form
from tests.factories import PASSWORD, enterprise_record, make_user


def _enterprise(session, **kw):
    ent = services.upsert(session, EnterpriseIn().load(enterprise_record(**kw))).enterprise
    session.commit()
    return ent


def test_register_sme_signs_in_and_files_a_claim(client, session):
    ent = _enterprise(session)
    r = post_form(
        client,
        "/register",
        {
            "role": "sme",
            "full_name": "Trần Thị Bình",
            "email": "Binh@Example.VN",
            "password": PASSWORD,
            "password2": PASSWORD,
            "tax_code": ent.tax_code,
        },
        page="/register",
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/account")
    user = session.scalar(select(User).where(User.email == "binh@example.vn"))
    assert (
        user.role == "sme" and user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
    )
    claim = session.scalar(select(EnterpriseClaim).where(EnterpriseClaim.user_id == user.id))
    assert claim.enterprise_id == ent.id and claim.status == "pending"
    assert user.enterprise_id is None  # staff must approve first
    page = client.get("/account").get_data(as_text=True)
    assert "Trần Thị Bình" in page and "Chờ duyệt" in page


def test_register_refuses_bad_input_in_the_users_language(client, session):
    r = post_form(
        client,
        "/register",
        {
            "role": "admin",
            "full_name": "X",
            "email": "not-an-email",
            "password": "short",
            "password2": "other",
        },
        page="/register",
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Mật khẩu cần 10–200 ký tự" in html and "Hai mật khẩu không khớp" in html
    assert "Chọn doanh nghiệp cung ứng hoặc bên mua" in html
    assert session.scalar(select(User)) is None
    r = post_form(
        client,
        "/register?lang=en",
        {
            "role": "buyer",
            "full_name": "Jane Doe",
            "email": "bad",
            "password": PASSWORD,
            "password2": PASSWORD,
        },
        page="/register",
    )
    assert "Not a valid email address" in r.get_data(as_text=True)


def test_login_logout_and_wrong_password(client, session):
    make_user(session, "buyer")
    r = login(client, "buyer@example.vn", "wrong-password-123")
    assert r.status_code == 400 and "Email hoặc mật khẩu không đúng" in r.get_data(as_text=True)
    r = login(client, "BUYER@example.vn")
    assert r.status_code == 302
    assert "buyer@example.vn" in client.get("/account").get_data(as_text=True)
    r = post_form(client, "/logout", {}, page="/account")
    assert r.status_code == 302
    assert client.get("/account").status_code == 302  # back to the sign-in page


def test_repeated_failures_slow_the_guesser_not_the_owner(app, client, session):
    make_user(session, "sme")
    for _ in range(5):
        assert login(client, "sme@example.vn", "wrong-password-123").status_code == 400
    r = login(client, "sme@example.vn")  # from the guessing address: held back, right password or not
    assert r.status_code == 429 and "Retry-After" in r.headers
    owner = fresh_client(app)  # the owner, elsewhere, is not locked out
    assert login(owner, "sme@example.vn").status_code == 302
    assert session.scalar(select(User).where(User.email == "sme@example.vn")).locked_until is None


def test_failures_for_unknown_and_real_accounts_look_alike(client, session):
    make_user(session, "sme")
    real = [login(client, "sme@example.vn", "wrong-password-123").status_code for _ in range(6)]
    ghost = [login(client, "ghost@example.vn", "wrong-password-123").status_code for _ in range(6)]
    assert real == ghost == [400] * 5 + [429]


def test_sign_in_is_rate_limited_per_address(client, session):
    codes = [login(client, f"nobody{i}@example.vn", "wrong-password-123").status_code for i in range(12)]
    assert codes[:10] == [400] * 10 and codes[-1] == 429


def test_post_without_csrf_token_is_refused(client, session):
    make_user(session, "buyer")
    r = client.post("/login", data={"email": "buyer@example.vn", "password": PASSWORD})
    assert r.status_code == 400
    assert client.get("/account").status_code == 302  # not signed in


def test_password_reset_through_the_outbox(client, session):
    make_user(session, "buyer")
    r = post_form(client, "/password/forgot", {"email": "buyer@example.vn"}, page="/password/forgot")
    assert r.status_code == 302
    msg = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "password_reset"))
    assert msg.to_email == "buyer@example.vn"
    # no BASE_URL configured: links point at this machine, whatever the request said
    path = re.search(r"http://127\.0\.0\.1:8000(/password/reset/\S+)", msg.body).group(1)
    new = "mat-khau-moi-hoan-toan"
    r = post_form(client, path, {"password": new, "password2": new}, page=path)
    assert r.status_code == 302
    assert login(client, "buyer@example.vn").status_code == 400  # old password gone
    assert login(client, "buyer@example.vn", new).status_code == 302
    # the link works once
    assert client.get(path).status_code == 302
    # unknown address: same answer, no mail
    post_form(client, "/password/forgot", {"email": "ghost@example.vn"}, page="/password/forgot")
    assert session.scalar(select(OutboxMessage).where(OutboxMessage.to_email == "ghost@example.vn")) is None


def test_staff_approve_a_claim_and_the_sme_is_linked(client, session):
    ent = _enterprise(session)
    sme = make_user(session, "sme")
    make_user(session, "staff")
    session.add(EnterpriseClaim(user_id=sme.id, enterprise_id=ent.id))
    session.commit()
    claim = session.scalar(select(EnterpriseClaim))
    login(client, "staff@example.vn")
    dash = client.get("/staff/").get_data(as_text=True)
    assert ent.name in dash and sme.email in dash
    r = post_form(client, f"/staff/claims/{claim.id}/approve", {}, page="/staff/")
    assert r.status_code == 302
    session.expire_all()
    assert session.get(User, sme.id).enterprise_id == ent.id
    assert (
        session.scalar(select(OutboxMessage).where(OutboxMessage.to_email == sme.email)).kind
        == "claim_decision"
    )


def test_staff_pages_refuse_other_roles(client, session):
    make_user(session, "sme")
    assert client.get("/staff/").status_code == 302  # anonymous → sign in
    login(client, "sme@example.vn")
    assert client.get("/staff/").status_code == 403
    assert client.get("/staff/imports").status_code == 403


def test_api_token_authenticates_without_a_session(client, app, session):
    from cnht.accounts.auth import issue_api_token

    user = make_user(session, "buyer")
    token = issue_api_token(user)
    session.commit()
    assert session.get(User, user.id).api_token_hash != token
    with app.test_request_context("/api/v1/requirements", headers={"Authorization": f"Bearer {token}"}):
        from flask_login import current_user

        assert current_user.is_authenticated and current_user.id == user.id
    with app.test_request_context("/api/v1/requirements", headers={"Authorization": "Bearer cnht_wrong"}):
        from flask_login import current_user

        assert not current_user.is_authenticated


def test_csrf_token_is_on_every_form_page(client, session):
    for url in ("/login", "/register", "/password/forgot"):
        assert csrf_from(client, url)
