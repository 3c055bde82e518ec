"""Staff verification and capability assessment; the confirmation letter and its public check."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cnht.accounts import auth
from cnht.assessment import services
from cnht.assessment.models import Assessment
from cnht.assessment.schemas import AssessmentIn, BulkVerificationIn, VerificationIn
from cnht.db import session
from cnht.enterprises import services as enterprises
from cnht.urls import external_url, local_path
from cnht.web.forms import load_form
from cnht.web.qr import qr_svg

bp = Blueprint("assessment", __name__, template_folder="templates")


def _enterprise(ref: str):
    ent = enterprises.get_by_ref(session, ref)
    if ent is None:
        abort(404)
    return ent


def _assessment(assessment_id: int) -> Assessment:
    a = session.get(Assessment, assessment_id)
    if a is None:
        abort(404)
    return a


@bp.route("/enterprises/<string:ref>/verification", methods=["POST"])
@auth.roles_required("staff")
def set_verification(ref: str):
    ent = _enterprise(ref)
    data, _errors = load_form(VerificationIn(), request.form)
    if data is None:
        abort(400)
    services.set_verification(ent, data["level"])
    session.commit()
    flash(_("Đã cập nhật mức xác minh."), "success")
    return redirect(url_for("enterprises.profile", ref=ent.ref))


@bp.route("/staff/verification/bulk", methods=["POST"])
@auth.roles_required("staff")
def bulk_verification():
    data, _errors = load_form(BulkVerificationIn(), request.form)
    if data is None:
        abort(400)
    n = services.set_verification_bulk(session, data["ids"], data["level"])
    session.commit()
    flash(_("Đã cập nhật %(n)s hồ sơ.", n=n), "success")
    return redirect(local_path(request.form.get("next")) or url_for("staff.dashboard"))


@bp.route("/enterprises/<string:ref>/assess", methods=["GET", "POST"])
@auth.roles_required("staff")
def assess_form(ref: str):
    ent = _enterprise(ref)
    fw = services.framework()
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(AssessmentIn(), request.form)
        if data is not None:
            a = services.record(
                session,
                ent,
                data["scores"],
                assessor_id=auth.user_or_none().id,
                notes=data["notes"],
                letter_no=data["letter_no"],
            )
            session.commit()
            flash(
                _(
                    "Đã lưu đánh giá: hạng %(grade)s (%(total)s/%(max)s).",
                    grade=a.grade,
                    total=a.total,
                    max=3 * len(fw["criteria"]),
                ),
                "success",
            )
            return redirect(url_for("assessment.assessment_letter", assessment_id=a.id))
    return render_template("assessment/assess.html", e=ent, fw=fw, errors=errors, form=request.form), (
        400 if errors else 200
    )


@bp.route("/assessments/<int:assessment_id>/letter")
@auth.roles_required("staff")
def assessment_letter(assessment_id: int):
    a = _assessment(assessment_id)
    verify_url = external_url("assessment.verify", token=a.public_token)
    return render_template(
        "assessment/letter.html",
        a=a,
        e=a.enterprise,
        fw=services.framework(a.framework),
        verify_url=verify_url,
        qr_svg=qr_svg(verify_url),
        english=request.args.get("en") == "1",
    )


@bp.route("/assessments/<int:assessment_id>/revoke", methods=["POST"])
@auth.roles_required("staff")
def revoke_assessment(assessment_id: int):
    a = _assessment(assessment_id)
    if services.revoke(session, a):
        session.commit()
        flash(_("Đã thu hồi giấy xác nhận."), "success")
    return redirect(url_for("enterprises.profile", ref=a.enterprise.ref))


@bp.route("/verify/<string:token>")
def verify(token: str):
    """Public check of a confirmation letter (the QR code opens this page)."""
    a = services.by_token(session, token)
    if a is None:
        abort(404)
    return render_template("assessment/verify.html", a=a, e=a.enterprise, fw=services.framework(a.framework))
