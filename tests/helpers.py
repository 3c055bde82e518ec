"""Helpers for tests that go through the real forms (CSRF included)."""

from __future__ import annotations

import re

from cnht.accounts.services import create_account
from cnht.enterprises.services import get_by_tax_code

PASSWORD = "mat-khau-rat-dai-2026"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_user(
    session,
    role: str,
    email: str | None = None,
    *,
    tax_code: str | None = None,
    full_name: str = "Nguyễn Văn An",
    organisation: str | None = None,
):
    ent = get_by_tax_code(session, tax_code, full=False) if tax_code else None
    assert tax_code is None or ent is not None, f"no enterprise {tax_code} to attach the user to"
    user = create_account(
        session,
        email=email or f"{role}@example.vn",
        password=PASSWORD,
        role=role,
        full_name=full_name,
        enterprise_id=ent.id if ent else None,
    )
    user.organisation = organisation
    session.commit()
    return user


def csrf_from(client, url: str = "/login") -> str:
    page = client.get(url)
    m = _TOKEN.search(page.get_data(as_text=True))
    assert m, f"no CSRF token on {url}"
    return m.group(1)


def login(client, email: str, password: str = PASSWORD):
    token = csrf_from(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def post_form(client, url: str, data: dict, *, page: str | None = None, **kw):
    """POST a form with a CSRF token taken from ``page`` (default: the same URL, or /login)."""
    token = csrf_from(client, page or "/login")
    return client.post(url, data={**data, "csrf_token": token}, **kw)
