"""The front page and the staff dashboard: overviews drawing on every feature's services; nothing
here writes."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from cnht.accounts import auth
from cnht.accounts import services as accounts
from cnht.db import session
from cnht.enterprises import services as enterprises
from cnht.imports import services as imports
from cnht.matching import services as matching
from cnht.reference import SECTORS, provinces, resolve_filter_args
from cnht.stats.services import by_province, by_sector, facet_counts

bp = Blueprint("home", __name__, template_folder="templates")
staff_bp = Blueprint("staff", __name__, template_folder="templates")


@bp.route("/")
def index():
    return render_template(
        "home/index.html",
        verified=enterprises.recently_verified(session, limit=6),
        requirements=matching.public_open_requirements(session, limit=5),
        total=enterprises.count_active(session),
        verified_count=dict(facet_counts()["verified"]).get("true", 0),
        sector_counts=by_sector(),
        province_counts=by_province(limit=12),
        recent=enterprises.recently_updated(session, limit=6),
    )


@staff_bp.before_request
@auth.roles_required("staff")
def _staff_only():
    return None


@staff_bp.route("/")
def dashboard():
    awaiting, n_awaiting = enterprises.awaiting_verification(session, limit=20)
    stale, n_stale = enterprises.stale_profiles(session, limit=20)
    return render_template(
        "staff/dashboard.html",
        claims=accounts.pending_claims(session),
        reviews=imports.review_groups(session, limit=20),
        awaiting=awaiting,
        n_awaiting=n_awaiting,
        stale=stale,
        n_stale=n_stale,
        jobs=imports.recent_jobs(session, limit=5),
    )


@staff_bp.route("/verification")
def verification_queue():
    """Every profile awaiting verification, filtered and paged, with select-all for the bulk action."""
    sector, province = resolve_filter_args(request.args.get("sector"), request.args.get("province"))[:2]
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 10**6)
    args = {
        "sector": sector,
        "province": province,
        "level": request.args.get("level") or None,
        "q": (request.args.get("q") or "").strip() or None,
    }
    queue = enterprises.verification_queue(session, **args, page=page)
    return render_template(
        "staff/verification.html",
        queue=queue,
        args=args,
        pages=max(1, -(-queue["total"] // queue["per_page"])),
        provinces=provinces(),
        sectors=[str(x["code"]) for x in SECTORS],
    )
