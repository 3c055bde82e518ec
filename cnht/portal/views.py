"""Buyer pages: inquiries to a supplier and shortlists; the SME's inbox."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cnht.accounts import auth
from cnht.db import session
from cnht.enterprises import services as enterprises
from cnht.portal import services
from cnht.portal.models import Shortlist
from cnht.portal.schemas import InquiryIn, ShortlistAddIn
from cnht.urls import external_url
from cnht.web.forms import load_form

bp = Blueprint("portal", __name__, template_folder="templates")


def _enterprise(ref: str):
    ent = enterprises.get_by_ref(session, ref)
    if ent is None:
        abort(404)
    return ent


@bp.app_context_processor
def _helpers():
    return {"unread_count": lambda: services.unread_count(session, auth.user_or_none())}


@bp.route("/enterprises/<string:ref>/inquiry", methods=["GET", "POST"])
@auth.login_required
@auth.limiter.limit(
    auth.configured_limit("RATE_LIMIT_INQUIRY"),
    methods=["POST"],
    key_func=auth.client_key,
    deduct_when=lambda response: response.status_code == 302,
)  # each inquiry sent counts
def inquiry(ref: str):
    ent = _enterprise(ref)
    user = auth.user_or_none()
    errors: dict = {}
    form = {"contact_email": user.email, "contact_phone": user.phone or ""}
    if request.method == "POST":
        form = request.form
        data, errors = load_form(InquiryIn(), request.form)
        if data is not None:
            services.send_inquiry(session, user, ent, data, inbox_link=external_url("portal.inbox"))
            session.commit()
            flash(_("Đã gửi yêu cầu tới doanh nghiệp."), "success")
            return redirect(url_for("enterprises.profile", ref=ent.ref))
    return render_template("portal/inquiry.html", e=ent, errors=errors, form=form), (400 if errors else 200)


@bp.route("/inbox")
@auth.roles_required("sme")
def inbox():
    items = services.inbox(session, auth.user_or_none())
    unread_ids = services.mark_read(items)
    session.commit()
    return render_template("portal/inbox.html", items=items, unread_ids=unread_ids)


@bp.route("/shortlists")
@auth.roles_required("buyer", "staff")
def shortlists():
    return render_template(
        "portal/shortlists.html", lists=services.shortlists_of(session, auth.user_or_none())
    )


@bp.route("/shortlists/add", methods=["POST"])
@auth.roles_required("buyer", "staff")
def shortlist_add():
    data, _errors = load_form(ShortlistAddIn(), request.form)
    ent = _enterprise(data["enterprise"] if data else "")
    sl = services.add_to_shortlist(
        session,
        auth.user_or_none(),
        ent,
        name=data.get("name") or _("Danh sách của tôi"),
        note=data.get("note"),
    )
    session.commit()
    flash(_("Đã thêm %(name)s vào “%(list)s”.", name=ent.name, list=sl.name), "success")
    return redirect(url_for("enterprises.profile", ref=ent.ref))


@bp.route("/shortlists/<int:list_id>/remove/<int:item_id>", methods=["POST"])
@auth.roles_required("buyer", "staff")
def shortlist_remove(list_id: int, item_id: int):
    sl = session.get(Shortlist, list_id)
    if sl is None or sl.owner_id != auth.user_or_none().id:
        abort(404)
    services.remove_from_shortlist(sl, item_id)
    session.commit()
    return redirect(url_for("portal.shortlists"))


COMPARE_MAX = 6  # side by side on one screen; also the most one request for quotation goes to


def _compared() -> list:
    refs = list(dict.fromkeys(r.strip() for r in request.values.getlist("ref") if r.strip()))[:COMPARE_MAX]
    return enterprises.by_refs(session, refs)


@bp.route("/compare")
def compare():
    """The chosen suppliers side by side, and one request for quotation to all of them."""
    firms = _compared()
    if len(firms) < 2:
        flash(_("Chọn ít nhất hai doanh nghiệp để so sánh."), "info")
        return redirect(url_for("search.search_page"))
    return render_template("portal/compare.html", firms=firms, errors={}, form={})


@bp.route("/compare/inquiry", methods=["POST"])
@auth.login_required
@auth.limiter.limit(
    auth.configured_limit("RATE_LIMIT_INQUIRY"),
    methods=["POST"],
    key_func=auth.client_key,
    cost=lambda: max(1, min(COMPARE_MAX, len(request.form.getlist("ref")))),
    deduct_when=lambda response: response.status_code == 302,
)  # each firm written to counts as one inquiry
def compare_inquiry():
    firms = _compared()
    if not firms:
        abort(404)
    data, errors = load_form(InquiryIn(), request.form)
    if data is None:
        return render_template("portal/compare.html", firms=firms, errors=errors, form=request.form), 400
    user = auth.user_or_none()
    for ent in firms:
        services.send_inquiry(session, user, ent, data, inbox_link=external_url("portal.inbox"))
    session.commit()
    flash(_("Đã gửi yêu cầu báo giá tới %(n)s doanh nghiệp.", n=len(firms)), "success")
    return redirect(url_for("portal.compare", ref=[e.ref for e in firms]))
