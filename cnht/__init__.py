"""CNHT Portal — Cổng thông tin công nghiệp hỗ trợ.

``create_app`` builds the Flask application: configuration, database, sign-in,
the API and site shells, then every feature from one list.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

# Each feature package has blueprints.init_app(app), which registers its pages and API.
# Order matters once: search comes before the features whose pages count or match through it,
# which only matters at request time, so the list simply follows the README.
FEATURES = (
    "accounts",
    "enterprises",
    "portal",
    "assessment",
    "search",
    "matching",
    "events",
    "localisation",
    "imports",
    "stats",
    "home",
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    from cnht import db  # imported here: `import cnht` alone must stay cheap for the CLI entry point
    from cnht.accounts.auth import init_auth
    from cnht.api import init_api
    from cnht.config import load_config
    from cnht.web import init_web
    from cnht.web.errors import init_errors

    cfg = load_config(config)
    app = Flask(
        __name__, instance_path=cfg["INSTANCE_PATH"], template_folder="web/templates", static_folder="static"
    )
    app.config.update(cfg)
    if cfg["TRUSTED_PROXIES"]:  # believe exactly that many proxies' X-Forwarded-For/-Proto, never -Host
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=cfg["TRUSTED_PROXIES"], x_proto=cfg["TRUSTED_PROXIES"])  # type: ignore[method-assign]
    init_errors(app)  # the URL converters must be in place before any blueprint adds a route
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    import cnht.models  # noqa: F401  (every mapped class: complete metadata and relationships)

    db.init_app(app)  # must come before anything that opens a session
    init_auth(app)  # Flask-Login, CSRF and the limiter wrap every later view
    init_api(app)  # flask-smorest must exist before features register API blueprints on it
    init_web(app)
    for name in FEATURES:
        import_module(f"cnht.{name}.blueprints").init_app(app)
    return app
