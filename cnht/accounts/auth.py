"""Sign-in, sessions, API tokens, CSRF, rate limiting and the permission checks every write uses.

- Browser sessions: Flask-Login; the session id embeds a slice of the password hash, so changing
  the password signs out every other session.
- API clients: ``Authorization: Bearer <token>`` (token shown once, stored as SHA-256).
- CSRF (Flask-WTF) on every unsafe request except those authenticated by a bearer token, which a
  browser never sends on its own.
- Repeated failed sign-ins lock the account for a while; sign-in attempts are also rate limited
  per client address (Flask-Limiter).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import wraps

from flask import Flask, abort, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from cnht.accounts.models import User
from cnht.db import session, utcnow

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="memory://")


def init_auth(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # tied to the session instead
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config.get("SESSION_COOKIE_SECURE", False))
    # One limiter serves every app of the process, and its own "enabled" switch is global: an app that
    # wants no limits (a bench) is exempted per request instead, so it cannot switch them off for others.
    app.extensions["cnht_limits_off"] = not app.config.get("RATELIMIT_ENABLED", True)
    app.config["RATELIMIT_ENABLED"] = True
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)  # Retry-After and X-RateLimit-* on every limit
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)

    @app.before_request
    def _csrf_unless_token():
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") or not app.config.get(
            "WTF_CSRF_ENABLED", True
        ):
            return
        user = user_or_none()  # load the user now: a valid bearer token (and only that) sets g.via_token
        if getattr(g, "via_token", False) or request.routing_exception is not None:
            # a request authenticated by its bearer token carries no ambient credential; unknown routes
            # answer 404/405. A junk token does not switch CSRF off: the cookie would still sign in.
            return
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        # a function view, or a MethodView class whose every method is exempt
        if view is not None and (
            getattr(view, "csrf_exempt", False)
            or getattr(getattr(view, "view_class", None), "csrf_exempt", False)
        ):
            return
        if user is None and request.path.startswith("/api/"):
            abort(401)  # an API write with no credential at all: say "sign in", not "bad CSRF token"
        csrf.protect()


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    try:
        uid, epoch, tail = user_id.split(":", 2)
        user = session.get(User, int(uid)) if uid.isdigit() and len(uid) < 19 else None
    except (ValueError, TypeError):
        return None
    if user is None or not user.is_active or user.password_hash[-12:] != tail:
        return None
    if str(user.session_epoch or 0) != epoch:  # signed out since this cookie was issued
        return None
    return user


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


@login_manager.request_loader
def _load_from_token(_request) -> User | None:
    token = bearer_token()
    if not token or not request.path.startswith("/api/"):  # tokens are for the API, not the pages
        return None
    user = session.scalar(select(User).where(User.api_token_hash == token_hash(token)))
    if user is None or not user.is_active:
        return None
    if user.api_token_expires_at is not None and user.api_token_expires_at <= utcnow():
        return None
    g.via_token = True
    return user


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_LIFETIME = timedelta(days=90)


def issue_api_token(user: User) -> str:
    """A new API token for ``user`` (replaces the old one, valid 90 days); the caller shows it once."""
    token = "cnht_" + secrets.token_urlsafe(32)
    user.api_token_hash = token_hash(token)
    user.api_token_expires_at = utcnow() + TOKEN_LIFETIME
    return token


def revoke_api_token(user: User) -> None:
    user.api_token_hash = None
    user.api_token_expires_at = None


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: sessions and remember-me cookies issued so far stop working."""
    user.session_epoch = (user.session_epoch or 0) + 1


@limiter.request_filter
def _limits_off() -> bool:
    return bool(current_app.extensions.get("cnht_limits_off"))


def login_attempt_key() -> str:
    """Failed sign-ins are throttled per (account, client address): a stranger guessing from elsewhere
    slows only himself and never locks the owner out. The key does not depend on whether the account
    exists, so the answer says nothing about that either."""
    email = (request.form.get("email") or "").strip().lower()[:255]
    return f"login-failures:{email}|{get_remote_address()}"


def client_key() -> str:
    """Rate-limit key: the signed-in user or token client, else the client address (behind a proxy
    only when CNHT_TRUSTED_PROXIES says how many hops to trust)."""
    user = user_or_none()
    return f"user:{user.id}" if user is not None else f"addr:{get_remote_address()}"


def configured_limit(name: str):
    """A limit string read from the configuration at request time (CNHT_RATE_LIMIT_*)."""
    return lambda: current_app.config[name]


# what a failed sign-in costs in time when the account does not exist: as much as a real check
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def check_password_evenly(user: User | None, password: str) -> bool:
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(user.password_hash, password)


def record_failed_login(user: User) -> None:
    user.failed_logins = (user.failed_logins or 0) + 1  # kept for staff to see; locks nothing


def record_login(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()


def csrf_exempt(view):
    """For unsafe methods that change nothing (e.g. POST /api/v1/match)."""
    view.csrf_exempt = True
    return view


# ---- permission checks -------------------------------------------------------------------------


def user_or_none() -> User | None:
    return current_user if current_user and current_user.is_authenticated else None


def can_edit_enterprise(user: User | None, enterprise) -> bool:
    if user is None:
        return False
    if user.is_staff:
        return True
    return user.role == "sme" and user.enterprise_id is not None and user.enterprise_id == enterprise.id


def roles_required(*roles: str):
    """401 for anonymous users, 403 for a role not in ``roles`` (admin passes every check)."""

    def deco(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = user_or_none()
            if user is None:
                if request.path.startswith("/api/") or request.is_json:
                    abort(401)
                return login_manager.unauthorized()  # pages: off to the sign-in form
            if user.role != "admin" and user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return deco


def login_required(view):
    return roles_required("admin", "staff", "sme", "buyer")(view)
