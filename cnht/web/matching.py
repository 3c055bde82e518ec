"""Pages for supply–demand connection: requirements, ranked matches, opportunities, connections."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cnht.accounts import auth
from cnht.accounts.models import User
from cnht.db import session
from cnht.enterprises import services as ent_services
from cnht.mail import send_mail
from cnht.matching import services
from cnht.matching.api import BUYER_STAGES, SME_STAGES, success_counts
from cnht.matching.models import STAGES, SUCCESS_STAGE, Connection, SourcingRequirement
from cnht.matching.schemas import ConnectionIn, RequirementIn
from cnht.reference import product_categories
from cnht.reference.models import Province, Sector
from cnht.web import t
from cnht.web.forms import load_form

bp = Blueprint("sourcing", __name__)

STAGE_LABELS = {
    "proposed": _l("Cán bộ Sở đề xuất"), "shortlisted": _l("Đã đưa vào danh sách"), "invited": _l("Đã mời báo giá"),
    "interested": _l("Doanh nghiệp quan tâm"), "contacted": _l("Đã liên hệ"), "quotation": _l("Đã báo giá"),
    "sample": _l("Làm mẫu"), "contract_signed": _l("Đã ký hợp đồng"), "declined": _l("Dừng"),
}


def stage_label(stage: str) -> str:
    return str(STAGE_LABELS.get(stage, stage))


@bp.app_context_processor
def _helpers():
    return {"stage_label": stage_label}


def _form_choices():
    return {"sectors": session.scalars(select(Sector).order_by(Sector.focus.desc(), Sector.code)).all(),
            "provinces": session.scalars(select(Province).order_by(Province.name)).all(),
            "categories": product_categories()}


def _formdata() -> dict:
    """Form fields → the schema's input (multi-selects become lists)."""
    data = {k: v for k, v in request.form.items() if k != "csrf_token"}
    for key in ("provinces_required", "provinces_preferred"):
        data[key] = request.form.getlist(key)
    for key in ("processes", "materials", "certifications_required", "certifications_preferred"):
        data[key] = request.form.get(key, "")
    return {k: (v if v != "" else None) for k, v in data.items()}


@bp.route("/requirements")
def requirement_list():
    user = auth.user_or_none()
    status = request.args.get("status", "open")
    reqs = session.scalars(services.visible_requirements(session, user, status=status if status != "all" else None)
                           .limit(200)).all()
    return render_template("matching/list.html", reqs=reqs, status=status)


@bp.route("/requirements/new", methods=["GET", "POST"])
@auth.roles_required("buyer", "staff")
def requirement_new():
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(RequirementIn(), _formdata())
        if data is not None:
            req = services.create_requirement(session, data, auth.user_or_none())
            session.commit()
            flash(_("Đã đăng yêu cầu. Dưới đây là các nhà cung ứng phù hợp."), "success")
            return redirect(url_for("sourcing.requirement_detail", req_id=req.id))
        return render_template("matching/form.html", errors=errors, form=request.form, **_form_choices()), 400
    return render_template("matching/form.html", errors=errors, form={}, **_form_choices())


def _requirement(req_id: int) -> SourcingRequirement:
    req = session.get(SourcingRequirement, req_id)
    if req is None or not services.can_view(auth.user_or_none(), req):
        abort(404)
    return req


@bp.route("/requirements/<int:req_id>")
def requirement_detail(req_id: int):
    req = _requirement(req_id)
    user = auth.user_or_none()
    can_edit = services.can_edit(user, req)
    matches = services.matches_for(session, req, limit=30, weights=current_app.config.get("MATCH_WEIGHTS")) \
        if can_edit else []
    connections = {c.enterprise_id: c for c in req.connections}
    own_connection = None
    if user is not None and user.role == "sme" and user.enterprise_id:
        own_connection = connections.get(user.enterprise_id)
    return render_template("matching/detail.html", req=req, matches=matches, connections=connections,
                           can_edit=can_edit, own_connection=own_connection, stages=STAGES,
                           is_staff=services.is_staff(user), category_name=_category_name(req.category_code))


def _category_name(code: str | None) -> str | None:
    row = next((r for r in product_categories() if r["code"] == code), None) if code else None
    return (t(row["item_vi"], row["item_en"])) if row else None


def _notify_enterprise(ent, subject: str, body: str) -> None:
    emails = {u.email for u in session.scalars(select(User).where(User.enterprise_id == ent.id, User.is_active))}
    if ent.email:
        emails.add(ent.email)
    for email in sorted(emails):
        send_mail(session, email, subject, body, "connection")


@bp.route("/requirements/<int:req_id>/connect", methods=["POST"])
@auth.login_required
def requirement_connect(req_id: int):
    req = _requirement(req_id)
    user = auth.user_or_none()
    ref = request.form.get("enterprise") or (user.enterprise.ref if user.enterprise else "")
    ent = ent_services.get_by_ref(session, ref, full=False)
    if ent is None:
        abort(404)
    data, errors = load_form(ConnectionIn(), {k: v for k, v in request.form.items() if k != "enterprise"})
    if data is None:
        flash("; ".join(m for ms in errors.values() for m in ms), "error")
        return redirect(url_for("sourcing.requirement_detail", req_id=req.id))
    stage = data["stage"]
    staff = services.is_staff(user)
    owner = req.owner_id == user.id
    own_ent = user.role == "sme" and user.enterprise_id == ent.id
    if not (staff or (owner and stage in BUYER_STAGES) or (own_ent and stage in SME_STAGES)):
        abort(403)
    initiated = "staff" if staff else "buyer" if owner else "sme"
    score = None
    if request.form.get("score"):
        try:
            score = float(request.form["score"])
        except ValueError:
            score = None
    conn = services.connect(session, req, ent, stage=stage, by=user, initiated_by=initiated, score=score,
                            note=data.get("note"))
    if stage == SUCCESS_STAGE:
        conn.contract_value_mvnd = data.get("contract_value_mvnd")
        conn.contract_signed_on = data.get("contract_signed_on")
    link = url_for("sourcing.requirement_detail", req_id=req.id, _external=True)
    if stage in ("invited", "proposed"):
        _notify_enterprise(ent, f"Lời mời báo giá / Invitation to quote: {req.title}",
                           f"{req.buyer_name or 'Bên mua'} mời doanh nghiệp báo giá cho yêu cầu “{req.title}”.\n"
                           f"{req.buyer_name or 'A buyer'} invites you to quote for “{req.title}”.\n\n{link}")
    if stage in ("interested", "proposed") and req.owner is not None:
        send_mail(session, req.owner.email, f"Nhà cung ứng phù hợp / Supplier match: {ent.name}",
                  f"{ent.name} ({ent.ref}) phù hợp với yêu cầu “{req.title}”.\n"
                  f"{ent.name} fits your requirement “{req.title}”.\n\n{link}", "connection")
    session.commit()
    flash(_("Đã cập nhật: %(name)s — %(stage)s", name=ent.name, stage=stage_label(stage)), "success")
    back = request.form.get("next")
    return redirect(back if back and back.startswith("/") and not back.startswith("//")
                    else url_for("sourcing.requirement_detail", req_id=req.id))


@bp.route("/requirements/<int:req_id>/status", methods=["POST"])
@auth.login_required
def requirement_status(req_id: int):
    req = _requirement(req_id)
    if not services.can_edit(auth.user_or_none(), req):
        abort(403)
    status = request.form.get("status")
    if status not in ("open", "closed", "fulfilled"):
        abort(400)
    req.status = status
    session.commit()
    return redirect(url_for("sourcing.requirement_detail", req_id=req.id))


@bp.route("/opportunities")
@auth.roles_required("sme", "staff")
def opportunity_list():
    user = auth.user_or_none()
    ref = request.args.get("enterprise") if services.is_staff(user) else None
    ent = ent_services.get_by_ref(session, ref, full=False) if ref else user.enterprise
    if ent is None:
        flash(_("Tài khoản chưa gắn với doanh nghiệp nào. Hãy gửi yêu cầu quản lý hồ sơ."), "info")
        return redirect(url_for("accounts.account"))
    items = services.opportunities_for(session, ent, user, limit=30,
                                       weights=current_app.config.get("MATCH_WEIGHTS"))
    conns = {c.requirement_id: c for c in session.scalars(select(Connection).where(Connection.enterprise_id == ent.id))}
    return render_template("matching/opportunities.html", ent=ent, items=items, conns=conns)


@bp.route("/connections")
@auth.roles_required("staff", "buyer", "sme")
def connection_list():
    user = auth.user_or_none()
    stmt = select(Connection).join(SourcingRequirement).order_by(Connection.updated_at.desc())
    if not services.is_staff(user):
        if user.role == "buyer":
            stmt = stmt.where(SourcingRequirement.owner_id == user.id)
        else:
            stmt = stmt.where(Connection.enterprise_id == (user.enterprise_id or -1))
    rows = session.scalars(stmt.limit(300)).all()
    report = {by: success_counts(by) for by in ("sector", "province", "year")} if services.is_staff(user) else None
    return render_template("matching/connections.html", rows=rows, report=report)


@bp.app_template_filter("sector_name")
def _sector_name(code: str) -> str:
    from cnht.reference import sector_label

    return sector_label(code, t("vi", "en"))


@bp.app_template_filter("province_name")
def _province_name(code: str) -> str:
    from cnht.reference import provinces

    return next((p["new_name"] for p in provinces() if p["new_code"] == code), code)


@bp.app_template_filter("verification_name")
def _verification_name(code: str) -> str:
    from cnht.web import VERIFICATION_LABELS, label

    return label(VERIFICATION_LABELS.get(code)) or code


@bp.app_template_filter("crit_label")
def _crit_label(item: dict) -> str:
    return item["label_en"] if _("vi") == "en" else item["label"]

