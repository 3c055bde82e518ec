"""Configuration: defaults, then CNHT_* environment variables, then explicit overrides.

Nothing is read at import time; ``load_config`` is called by the app factory.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cnht.identity import department_from_env
from cnht.urls import check_base_url

SEARCH_BACKENDS = ("embedded", "elasticsearch", "opensearch")


class ConfigError(RuntimeError):
    """Raised when the configuration is invalid; the message says what to fix."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _secret_key(instance_path: Path) -> str:
    """Read the secret key kept in the instance folder, creating it on first start."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    key = secrets.token_hex(32)
    # Create with 0600 so the key is not readable by other local users.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    overrides = dict(overrides or {})
    instance_path = Path(
        overrides.pop("INSTANCE_PATH", None) or _env("CNHT_INSTANCE_PATH", "instance")
    ).resolve()
    instance_path.mkdir(parents=True, exist_ok=True)

    cfg: dict[str, Any] = {
        "INSTANCE_PATH": str(instance_path),
        "DATABASE_URL": _env("CNHT_DATABASE_URL") or f"sqlite:///{instance_path / 'cnht.sqlite3'}",
        "SEARCH_BACKEND": _env("CNHT_SEARCH_BACKEND", "embedded"),
        "ES_URL": _env("CNHT_ES_URL"),
        "ES_INDEX": _env("CNHT_ES_INDEX", "cnht-enterprises"),
        "UPLOAD_DIR": str(instance_path / "uploads"),
        "MAX_CONTENT_LENGTH": int(_env("CNHT_MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env("CNHT_SECURE_COOKIES", "0") == "1",
        "JSON_SORT_KEYS": False,
        "PER_PAGE_DEFAULT": 20,
        "PER_PAGE_MAX": 100,
        "SMTP_HOST": _env("CNHT_SMTP_HOST"),
        "SMTP_PORT": int(_env("CNHT_SMTP_PORT", "25")),
        "SMTP_USER": _env("CNHT_SMTP_USER"),
        "SMTP_PASSWORD": _env("CNHT_SMTP_PASSWORD"),
        "SMTP_STARTTLS": _env("CNHT_SMTP_STARTTLS", "0") == "1",
        "MAIL_FROM": _env("CNHT_MAIL_FROM", "cnht-portal@localhost"),
        "BASE_URL": _env("CNHT_BASE_URL"),
        # limits ("N per minute|hour|day"); each documented in the README
        "RATE_LIMIT_LOGIN": _env("CNHT_RATE_LIMIT_LOGIN", "10 per minute"),
        "RATE_LIMIT_LOGIN_FAILURES": _env("CNHT_RATE_LIMIT_LOGIN_FAILURES", "5 per 15 minutes"),
        "RATE_LIMIT_REGISTER": _env("CNHT_RATE_LIMIT_REGISTER", "20 per hour"),
        "RATE_LIMIT_PASSWORD_RESET": _env("CNHT_RATE_LIMIT_PASSWORD_RESET", "5 per minute"),
        "RATE_LIMIT_MATCH": _env("CNHT_RATE_LIMIT_MATCH", "60 per minute"),
        "RATE_LIMIT_EVENT_REGISTER": _env("CNHT_RATE_LIMIT_EVENT_REGISTER", "30 per hour"),
        # localisation tables: a cell needs this many contributors, and its two largest may hold at most
        # this share of it (the (n, k) dominance rule); agencies keep the values out of publications
        "DISCLOSURE_MIN_CONTRIBUTORS": _env("CNHT_DISCLOSURE_MIN_CONTRIBUTORS", "3"),
        "DISCLOSURE_DOMINANCE": _env("CNHT_DISCLOSURE_DOMINANCE", "0.85"),
        "RATE_LIMIT_INQUIRY": _env("CNHT_RATE_LIMIT_INQUIRY", "10 per hour"),
        # reverse proxies in front of the app whose X-Forwarded-For/-Proto to believe (0: none)
        "TRUSTED_PROXIES": int(_env("CNHT_TRUSTED_PROXIES", "0")),
    }
    cfg.update(overrides)
    if "SECRET_KEY" not in cfg:
        cfg["SECRET_KEY"] = _env("CNHT_SECRET_KEY") or _secret_key(instance_path)

    if cfg["SEARCH_BACKEND"] not in SEARCH_BACKENDS:
        raise ConfigError(
            f"CNHT_SEARCH_BACKEND={cfg['SEARCH_BACKEND']!r}: phải là một trong {SEARCH_BACKENDS} "
            f"/ must be one of {SEARCH_BACKENDS}"
        )
    if cfg["SEARCH_BACKEND"] in ("elasticsearch", "opensearch") and not cfg["ES_URL"]:
        raise ConfigError(
            f"CNHT_SEARCH_BACKEND={cfg['SEARCH_BACKEND']} cần CNHT_ES_URL / needs CNHT_ES_URL (e.g. http://localhost:9200)"
        )
    problem = check_base_url(cfg.get("BASE_URL"))
    if problem:
        raise ConfigError(problem)
    if "DEPARTMENT" not in cfg:
        cfg["DEPARTMENT"], problem = department_from_env()
        if problem:
            raise ConfigError(problem)
    url = cfg["DATABASE_URL"]
    if url.startswith("postgres://"):  # Heroku-style URLs
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):  # use psycopg 3, the driver we install
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    cfg["DATABASE_URL"] = url
    return cfg
