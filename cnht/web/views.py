"""The shell's own routes: health check, favicon and the Department's logo."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_file, send_from_directory
from sqlalchemy import text

from cnht.db import session
from cnht.identity import LOGO_TYPES

bp = Blueprint("web", __name__)


@bp.route("/favicon.ico")
def favicon():
    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )


@bp.route("/brand/logo")
def logo():
    """The configured logo file (CNHT_DEPARTMENT_LOGO); checked at start to be a PNG, JPEG or SVG."""
    path = current_app.config["DEPARTMENT"].logo
    if not path:
        abort(404)
    return send_file(path, mimetype=LOGO_TYPES[Path(path).suffix.lower()], max_age=86400)


@bp.route("/healthz")
def healthz():
    """Liveness and database check for load balancers and container health checks."""
    session.execute(text("SELECT 1"))
    return {"status": "ok"}
