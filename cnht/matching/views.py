"""Pages for supply–demand connection: requirements, ranked matches, opportunities, connections."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from cnht import labels
from cnht.accounts import auth
from cnht.db import session
from cnht.enterprises import services as ent_services
from cnht.i18n import current_lang, localized
from cnht.matching import services
from cnht.matching.models import STAGES, SourcingRequirement
from cnht.matching.schemas import ConnectionForm, RequirementIn, RequirementStatusIn
from cnht.reference import product_categories, province_name, sector_label
from cnht.reference.models import Province, Sector
from cnht.urls import external_url, local_path
from cnht.web.forms import load_form

bp = Blueprint("matching", __name__, template_folder="templates")


def _form_choices():
    return {
        "sectors": session.scalars(select(Sector).order_by(Sector.focus.desc(), Sector.code)).all(),
        "provinces": session.scalars(select(Province).order_by(Province.name)).all(),
        "categories": product_categories(),
    }


LIST_FIELDS = ("processes", "materials", "certifications_required", "certifications_preferred")


def _formdata() -> dict:
    """Form fields → the schema's input, as the API would send it: multi-selects and '; '-separated
    boxes become lists (an empty box an empty list), other empty boxes are absent values."""
    data = {k: v for k, v in request.form.items() if k != "csrf_token"}
    data = {k: (v if v != "" else None) for k, v in data.items()}
    for key in ("provinces_required", "provinces_preferred"):
        data[key] = request.form.getlist(key)
    for key in LIST_FIELDS:
        data[key] = [x.strip() for x in request.form.get(key, "").split(";") if x.strip()]
    return data


@bp.route("/requirements")
def requirement_list():
    user = auth.user_or_none()
    status = request.args.get("status", "open")
    reqs = session.scalars(
        services.visible_requirements(session, user, status=status if status != "all" else None).limit(200)
    ).all()
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
            return redirect(url_for("matching.requirement_detail", req_id=req.id))
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
    matches = (
        services.matches_for(session, req, limit=30, weights=current_app.config.get("MATCH_WEIGHTS"))
        if can_edit
        else []
    )
    connections = {c.enterprise_id: c for c in req.connections}
    own_connection = None
    if user is not None and user.role == "sme" and user.enterprise_id:
        own_connection = connections.get(user.enterprise_id)
    return render_template(
        "matching/detail.html",
        req=req,
        matches=matches,
        connections=connections,
        can_edit=can_edit,
        own_connection=own_connection,
        stages=STAGES,
        is_staff=services.is_staff(user),
        category_name=_category_name(req.category_code),
    )


def _category_name(code: str | None) -> str | None:
    row = next((r for r in product_categories() if r["code"] == code), None) if code else None
    return localized(row, "item") if row else None


@bp.route("/requirements/<int:req_id>/connect", methods=["POST"])
@auth.login_required
def requirement_connect(req_id: int):
    req = _requirement(req_id)
    user = auth.user_or_none()
    ref = request.form.get("enterprise") or (user.enterprise.ref if user.enterprise else "")
    ent = ent_services.get_by_ref(session, ref, full=False)
    if ent is None:
        abort(404)
    data, errors = load_form(
        ConnectionForm(), {k: v for k, v in request.form.items() if k not in ("enterprise", "next")}
    )
    if data is None:
        flash("; ".join(m for ms in errors.values() for m in ms), "error")
        return redirect(url_for("matching.requirement_detail", req_id=req.id))
    try:
        services.set_connection_stage(
            session,
            req,
            ent,
            data["stage"],
            by=user,
            note=data.get("note"),
            score=data.get("score"),
            link=external_url("matching.requirement_detail", req_id=req.id),
            contract_value_mvnd=data.get("contract_value_mvnd"),
            contract_signed_on=data.get("contract_signed_on"),
        )
    except services.ConnectionRefused:
        abort(403)
    session.commit()
    flash(
        _("Đã cập nhật: %(name)s — %(stage)s", name=ent.name, stage=labels.of(labels.STAGE, data["stage"])),
        "success",
    )
    return redirect(
        local_path(request.form.get("next")) or url_for("matching.requirement_detail", req_id=req.id)
    )


@bp.route("/requirements/<int:req_id>/status", methods=["POST"])
@auth.login_required
def requirement_status(req_id: int):
    req = _requirement(req_id)
    if not services.can_edit(auth.user_or_none(), req):
        abort(403)
    data, _errors = load_form(RequirementStatusIn(), request.form)
    if data is None:
        abort(400)
    services.set_requirement_status(req, data["status"])
    session.commit()
    return redirect(url_for("matching.requirement_detail", req_id=req.id))


@bp.route("/opportunities")
@auth.roles_required("sme", "staff")
def opportunity_list():
    user = auth.user_or_none()
    ref = request.args.get("enterprise") if services.is_staff(user) else None
    ent = ent_services.get_by_ref(session, ref, full=False) if ref else user.enterprise
    if ent is None:
        flash(_("Tài khoản chưa gắn với doanh nghiệp nào. Hãy gửi yêu cầu quản lý hồ sơ."), "info")
        return redirect(url_for("accounts.account"))
    items = services.opportunities_for(
        session, ent, user, limit=30, weights=current_app.config.get("MATCH_WEIGHTS")
    )
    conns = services.connections_of(session, ent)
    return render_template("matching/opportunities.html", ent=ent, items=items, conns=conns)


@bp.route("/connections")
@auth.roles_required("staff", "buyer", "sme")
def connection_list():
    user = auth.user_or_none()
    rows = services.connections_visible_to(session, user)
    report = (
        {by: services.success_counts(session, by) for by in ("sector", "province", "year")}
        if services.is_staff(user)
        else None
    )
    return render_template("matching/connections.html", rows=rows, report=report)


@bp.app_template_global("buyer_of")
def _buyer_of(req) -> str | None:
    """The buyer of a requirement as the person viewing the page may see it."""
    return services.buyer_label(auth.user_or_none(), req)


@bp.app_template_filter("sector_name")
def _sector_name(code: str) -> str:
    return sector_label(code, current_lang())


@bp.app_template_filter("province_name")
def _province_name(code: str) -> str:
    return province_name(code) or code


@bp.app_template_filter("verification_name")
def _verification_name(code: str) -> str:
    return labels.of(labels.VERIFICATION, code)


@bp.app_template_filter("crit_label")
def _crit_label(item: dict) -> str:
    return item["label_en"] if current_lang() == "en" else item["label"]
