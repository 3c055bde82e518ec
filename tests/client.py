"""Driving the real forms from a test client (CSRF included)."""

from __future__ import annotations

import re

from tests.factories import PASSWORD

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


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
