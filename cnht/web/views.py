"""The shell's own routes: health check and favicon."""

from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory
from sqlalchemy import text

from cnht.db import session

bp = Blueprint("web", __name__)


@bp.route("/favicon.ico")
def favicon():
    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )


@bp.route("/healthz")
def healthz():
    """Liveness and database check for load balancers and container health checks."""
    session.execute(text("SELECT 1"))
    return {"status": "ok"}
