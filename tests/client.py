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


_addresses = iter(range(1, 10**6))


def fresh_client(app):
    """A test client with a client address of its own (per-address rate limits do not leak between
    clients; the ``client`` fixture does the same)."""
    n = next(_addresses)
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = f"10.250.{n // 256 % 256}.{n % 256}"
    return c
