"""Server-rendered pages: home, enterprise directory, enterprise profile."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, g, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from cnht.db import session
from cnht.enterprises import services
from cnht.enterprises.models import VERIFICATION_LEVELS, Enterprise
from cnht.enterprises.rules import SIZE_LABELS
from cnht.i18n import Msg
from cnht.reference import resolve_filter_args, sector_label
from cnht.reference.models import Province, Sector

bp = Blueprint("web", __name__)

LANGS = ("vi", "en")
# No inline script or style, nothing from other origins: a last line against injected markup.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")
VERIFICATION_LABELS = {
    "unverified": Msg("Chưa xác minh", "Not verified"),
    "self_declared": Msg("Tự khai báo", "Self-declared"),
    "documents_checked": Msg("Đã kiểm tra hồ sơ", "Documents checked"),
    "staff_assessed": Msg("Đã đánh giá năng lực", "Staff-assessed"),
}
ROLE_LABELS = {
    "admin": Msg("Quản trị hệ thống", "Administrator"),
    "staff": Msg("Cán bộ Sở Công Thương", "Department staff"),
    "sme": Msg("Doanh nghiệp cung ứng", "Supplier (SME)"),
    "buyer": Msg("Bên mua", "Buyer"),
}
CLAIM_LABELS = {
    "pending": Msg("Chờ duyệt", "Pending"),
    "approved": Msg("Đã duyệt", "Approved"),
    "rejected": Msg("Bị từ chối", "Rejected"),
}
OWNERSHIP_LABELS = {
    "private": Msg("Tư nhân", "Private"),
    "state": Msg("Nhà nước", "State-owned"),
    "fdi": Msg("Vốn đầu tư nước ngoài (FDI)", "Foreign-invested (FDI)"),
    "joint_venture": Msg("Liên doanh", "Joint venture"),
}


def current_lang() -> str:
    return getattr(g, "lang", "vi")


def t(vi: str, en: str) -> str:
    """Pick the user's language; Vietnamese is the default."""
    return en if current_lang() == "en" else vi


def label(msg: Msg | None) -> str:
    if msg is None:
        return ""
    return msg.en if current_lang() == "en" else msg.vi


def render_error_page(error: HTTPException):
    status = error.code or 500
    from cnht.api import MESSAGES

    msg = MESSAGES.get(status, Msg("Lỗi", "Error"))
    return render_template("errors/error.html", status=status, message=label(msg)), status


def init_web(app: Flask) -> None:
    from flask_babel import Babel

    app.config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    Babel(app, locale_selector=current_lang)
    @app.before_request
    def _pick_language():
        lang = request.args.get("lang") or request.cookies.get("lang") or "vi"
        g.lang = lang if lang in LANGS else "vi"

    @app.after_request
    def _remember_language(response):
        if request.args.get("lang") in LANGS:
            response.set_cookie("lang", request.args["lang"], max_age=365 * 86400, samesite="Lax",
                                httponly=True, secure=app.config["SESSION_COOKIE_SECURE"])
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if not request.path.startswith("/api/docs"):  # Swagger UI ships inline script
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    @app.context_processor
    def _helpers():
        return {
            "t": t,
            "label": label,
            "lang": current_lang(),
            "sector_label": lambda code: sector_label(code, current_lang()),
            "size_label": lambda code: label(SIZE_LABELS.get(code)) if code else _("Chưa rõ"),
            "verification_label": lambda code: label(VERIFICATION_LABELS.get(code)),
            "ownership_label": lambda code: label(OWNERSHIP_LABELS.get(code)) if code else "",
            "nl2br": lambda text: Markup("<br>").join((text or "").split("\n")),
            "url_with": _url_with,
            "role_label": lambda code: label(ROLE_LABELS.get(code)),
            "claim_label": lambda code: label(CLAIM_LABELS.get(code)),
        }

    app.register_blueprint(bp)
    from cnht.accounts.views import bp as accounts_bp
    from cnht.web.staff import bp as staff_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(staff_bp, url_prefix="/staff")
    from cnht.web.matching import bp as matching_bp
    from cnht.web.profile import bp as profile_bp
    from cnht.web.stats import bp as stats_bp

    app.register_blueprint(stats_bp)

    app.register_blueprint(profile_bp)

    app.register_blueprint(matching_bp)


def _url_with(**changes) -> str:
    """Current URL with some query arguments replaced (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    from urllib.parse import urlencode

    return request.path + ("?" + urlencode(args) if args else "")


@bp.route("/favicon.ico")
def favicon():
    from flask import current_app, send_from_directory

    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)


@bp.route("/healthz")
def healthz():
    """Liveness and database check for load balancers and container health checks."""
    from sqlalchemy import text

    session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/")
def home():
    from cnht.matching.models import SourcingRequirement
    from cnht.web.stats import by_province, by_sector

    recent = session.scalars(
        services.active_query().order_by(Enterprise.updated_at.desc(), Enterprise.id.desc()).limit(6)
    ).all()
    verified = session.scalars(
        services.active_query().where(Enterprise.verification_status.in_(("staff_assessed", "documents_checked")),
                                      Enterprise.verified_at.is_not(None))
        .order_by(Enterprise.verified_at.desc(), Enterprise.id.desc()).limit(6)).all()
    requirements = session.scalars(
        select(SourcingRequirement).where(SourcingRequirement.status == "open",
                                          SourcingRequirement.visibility == "public")
        .order_by(SourcingRequirement.created_at.desc(), SourcingRequirement.id.desc()).limit(5)).all()
    return render_template(
        "home.html",
        verified=verified,
        requirements=requirements,
        total=services.count_active(session),
        sector_counts=by_sector(),
        province_counts=by_province(limit=12),
        recent=recent,
    )


@bp.route("/enterprises")
def enterprise_list():
    from cnht.enterprises.api import filtered_query, paginate

    args = {"verification": None}
    sector, province, errors = resolve_filter_args(request.args.get("sector", "").strip(),
                                                   request.args.get("province", "").strip())
    args["sector"] = sector
    args["province"] = "??" if "province" in errors else province  # an unknown province matches nothing
    if request.args.get("verification") in VERIFICATION_LEVELS:
        args["verification"] = request.args["verification"]
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    result = paginate(filtered_query(args), page, 20)
    pages = max(1, -(-result["total"] // 20))
    return render_template(
        "enterprises/list.html",
        result=result,
        pages=pages,
        args=args,
        sectors=session.scalars(select(Sector).order_by(Sector.focus.desc(), Sector.code)).all(),
        provinces=session.scalars(select(Province).order_by(Province.name)).all(),
        verification_levels=VERIFICATION_LEVELS,
    )


@bp.route("/search")
def search_page():
    from marshmallow import ValidationError

    from cnht.search_api import SearchArgs, facet_label, result_json
    from cnht.searching import run_search

    errors = {}
    try:
        req = SearchArgs().load(request.args)
    except ValidationError as exc:
        errors = exc.messages
        req = SearchArgs().load({"q": request.args.get("q", "")[:200]})
    result = result_json(run_search(req))
    pages = max(1, -(-result["total"] // req.per_page))
    for facet, values in result["facets"].items():
        for v in values:
            v["label"] = facet_label(facet, v["value"], current_lang())
    return render_template("search.html", q=req.q, result=result, pages=pages, page=req.page, errors=errors,
                           facet_titles=FACET_TITLES)


FACET_TITLES = {
    "sector": Msg("Ngành", "Sector"),
    "province": Msg("Tỉnh/thành phố", "Province"),
    "certification": Msg("Chứng chỉ", "Certification"),
    "ownership": Msg("Sở hữu", "Ownership"),
    "size": Msg("Quy mô", "Size"),
    "verified": Msg("Xác minh", "Verification"),
}


@bp.route("/enterprises/<string:tax_code>")
def enterprise_profile(tax_code: str):
    from cnht.assessment.services import current_assessment

    ent = services.get_by_ref(session, tax_code)
    if ent is None:
        abort(404)
    return render_template("enterprises/profile.html", e=ent, assessment=current_assessment(session, ent.id))
