"""Absolute links (mails, the letter's QR code) come from configuration only, never from the request:
a forged ``Host`` header must not put an attacker's host into a password-reset or notification mail."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for

# Without CNHT_BASE_URL the portal is a development instance on this machine (`make run`); `cnht serve`
# refuses to listen beyond loopback without it.
DEV_BASE_URL = "http://127.0.0.1:8000"


def base_url() -> str:
    return (current_app.config.get("BASE_URL") or DEV_BASE_URL).rstrip("/")


def external_url(endpoint: str, **values) -> str:
    return base_url() + url_for(endpoint, **values)


def check_base_url(value: str | None) -> str | None:
    """The configured base URL, validated: http(s), a host, no path tricks. Returns an error or None."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return (
            f"CNHT_BASE_URL={value!r}: cần dạng https://ten-mien / must look like https://host[:port][/path]"
        )
    return None


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (redirects after sign-in and after a form).
    Browsers and Werkzeug drop tabs and newlines and read backslashes as slashes, so "/\\t/evil.example"
    would leave the site: any control character, space or backslash makes the target unsafe."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ord(c) < 33 or c in "\\\x7f" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
