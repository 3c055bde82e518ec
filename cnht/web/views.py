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
    """Liveness, database and search for load balancers and container health checks. The portal
    serves without its search cluster (profiles, forms, staff pages), so a cluster outage is
    "degraded" with 200; only a database it cannot reach fails the check (503). Each check also
    retries what the index missed while the cluster was away."""
    session.execute(text("SELECT 1"))
    backend = current_app.extensions["cnht_search"]
    search = backend.health()
    backlog = current_app.extensions["cnht_search_backlog"]  # the search feature's (flush, size)
    if search["status"] == "ok":
        search["caught_up"] = backlog.flush()
    search["backlog"] = backlog.size()
    ok = search["status"] == "ok" and not search["backlog"]
    return {"status": "ok" if ok else "degraded", "database": "ok", "search": search}
