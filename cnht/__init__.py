"""CNHT Portal — Cổng thông tin công nghiệp hỗ trợ.

``create_app`` builds the Flask application: configuration, database, audit listeners, search,
API and web blueprints, CLI — in that order.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    from cnht import audit, db
    from cnht.config import load_config

    cfg = load_config(config)
    app = Flask(
        __name__,
        instance_path=cfg["INSTANCE_PATH"],
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(cfg)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    # Import every model module so metadata and relationships are complete.
    import cnht.models  # noqa: F401

    db.init_app(app)
    audit.install()

    from cnht.accounts.auth import init_auth

    init_auth(app)

    from cnht.searching import init_search

    init_search(app)

    from cnht.api import init_api

    init_api(app)

    from cnht.web import init_web

    init_web(app)
    return app
