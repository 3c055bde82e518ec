"""SME self-service (edit a profile section by section, uploads, history), inquiries and the SME's
inbox, buyers' shortlists, and staff verification and capability assessment."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from cnht.accounts import auth
from cnht.accounts.models import User
from cnht.assessment import services as assess
from cnht.assessment.models import Assessment
from cnht.audit import AuditLog
from cnht.db import session, utcnow
from cnht.enterprises import services
from cnht.enterprises.completeness import completeness
from cnht.enterprises.models import VERIFICATION_LEVELS, Attachment, Enterprise
from cnht.enterprises.schemas import EnterprisePatch
from cnht.mail import send_mail
from cnht.portal.models import Inquiry, Shortlist, ShortlistItem
from cnht.web import label
from cnht.web.forms import load_form

bp = Blueprint("profile", __name__)

SECTIONS = {
    "general": ("name_en", "short_name", "address", "description", "employees", "revenue_bn_vnd",
                "charter_capital_bn_vnd", "founded_year", "ownership", "email", "phone", "website",
                "export_markets", "key_customers"),
    "products": ("products",), "processes": ("processes",), "materials": ("materials",),
    "equipment": ("equipment",), "certifications": ("certifications",), "capacities": ("capacities",),
}
LIST_SECTIONS = ("products", "processes", "materials", "equipment", "certifications", "capacities")
# Allowed uploads: extension → (content type, leading bytes)
UPLOAD_TYPES = {".jpg": ("image/jpeg", (b"\xff\xd8\xff",)), ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
                ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)), ".webp": ("image/webp", (b"RIFF",)),
                ".pdf": ("application/pdf", (b"%PDF-",))}
MAX_ATTACHMENT = 5 * 1024 * 1024


def _enterprise(ref: str) -> Enterprise:
    ent = services.get_by_ref(session, ref)
    if ent is None:
        abort(404)
    return ent


def _editable(ref: str) -> Enterprise:
    ent = _enterprise(ref)
    if not auth.can_edit_enterprise(auth.user_or_none(), ent):
        abort(403)
    return ent


def _lines(ent: Enterprise, section: str) -> str:
    def join(*parts):
        parts = ["" if p is None else str(p) for p in parts]
        while parts and not parts[-1]:
            parts.pop()
        return " | ".join(parts)

    rows = {
        "products": [join(p.name, None, p.description) for p in ent.products],
        "processes": [p.name for p in ent.processes],
        "materials": [m.name for m in ent.materials],
        "equipment": [join(q.machine_type, q.brand, q.count, q.key_spec) for q in ent.equipment],
        "certifications": [join(c.standard, c.number, c.issuer, c.valid_until.isoformat() if c.valid_until else None)
                           for c in ent.certifications],
        "capacities": [join(c.product, f"{c.quantity:g}" if c.quantity is not None else None, c.unit, c.period,
                            c.note) for c in ent.capacities],
    }[section]
    return "\n".join(rows)


def _actor() -> None:
    user = auth.user_or_none()
    session.info["actor"] = f"user:{user.id}" if user else "anonymous"
    session.info["user_id"] = user.id if user else None


@bp.route("/enterprises/<string:ref>/edit")
@auth.login_required
def edit(ref: str):
    ent = _editable(ref)
    score, hints = completeness(ent)
    return render_template("profile/edit.html", e=ent, score=score, hints=hints, errors={}, section=None,
                           lines={s: _lines(ent, s) for s in LIST_SECTIONS}, form={})


@bp.route("/enterprises/<string:ref>/edit/<string:section>", methods=["POST"])
@auth.login_required
def edit_section(ref: str, section: str):
    if section not in SECTIONS:
        abort(404)
    ent = _editable(ref)
    raw = {k: request.form.get(k, "") for k in SECTIONS[section]}
    if section in LIST_SECTIONS:
        raw = {section: [ln for ln in request.form.get(section, "").splitlines() if ln.strip()]}
    data, errors = load_form(EnterprisePatch(partial=True), raw)
    if data is None:
        score, hints = completeness(ent)
        lines = {s: _lines(ent, s) for s in LIST_SECTIONS}
        if section in LIST_SECTIONS:
            lines[section] = request.form.get(section, "")
        return render_template("profile/edit.html", e=ent, score=score, hints=hints, errors=errors, section=section,
                               lines=lines, form=request.form), 400
    data = {k: v for k, v in data.items() if k in SECTIONS[section]}
    _actor()
    changed = services.apply(session, ent, data)
    if changed and ent.verification_status == "unverified" and not auth.is_staff(auth.user_or_none()):
        ent.verification_status = "self_declared"
    session.commit()
    flash(_("Đã lưu thay đổi.") if changed else _("Không có gì thay đổi."),
          "success")
    return redirect(url_for("profile.edit", ref=ent.ref) + f"#{section}")


@bp.route("/enterprises/<string:ref>/attachments", methods=["POST"])
@auth.login_required
def upload(ref: str):
    ent = _editable(ref)
    f = request.files.get("file")
    kind = request.form.get("kind", "photo")
    if kind not in ("photo", "certificate", "document"):
        abort(400)
    error = None
    if f is None or not f.filename:
        error = _("Chọn một tệp.")
    else:
        suffix = Path(f.filename).suffix.lower()
        spec = UPLOAD_TYPES.get(suffix)
        head = f.stream.read(16)
        f.stream.seek(0, io.SEEK_END)
        size = f.stream.tell()
        f.stream.seek(0)
        if spec is None or not any(head.startswith(m) for m in spec[1]) or (kind == "photo" and suffix == ".pdf"):
            error = _("Chỉ nhận ảnh JPEG, PNG, WebP hoặc tệp PDF đúng định dạng.")
        elif size > current_app.config.get("MAX_ATTACHMENT_BYTES", MAX_ATTACHMENT):
            mb = current_app.config.get("MAX_ATTACHMENT_BYTES", MAX_ATTACHMENT) / 1024 / 1024
            error = _("Tệp quá lớn (tối đa %(mb)s MB).", mb=f"{mb:g}")
        elif size == 0:
            error = _("Tệp rỗng.")
    if error:
        flash(error, "error")
        return redirect(url_for("profile.edit", ref=ent.ref) + "#attachments"), 400
    folder = Path(current_app.config["UPLOAD_DIR"]) / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{suffix}"
    f.save(folder / stored)
    _actor()
    ent.attachments.append(Attachment(kind=kind, filename=Path(f.filename).name[:255], stored_name=stored,
                                      content_type=spec[0], size_bytes=size, uploaded_at=utcnow(),
                                      caption=(request.form.get("caption") or "").strip()[:255] or None))
    session.commit()
    flash(_("Đã tải lên."), "success")
    return redirect(url_for("profile.edit", ref=ent.ref) + "#attachments")


@bp.route("/enterprises/<string:ref>/attachments/<int:att_id>/delete", methods=["POST"])
@auth.login_required
def delete_attachment(ref: str, att_id: int):
    ent = _editable(ref)
    att = next((a for a in ent.attachments if a.id == att_id), None)
    if att is None:
        abort(404)
    _actor()
    ent.attachments.remove(att)
    session.commit()
    (Path(current_app.config["UPLOAD_DIR"]) / "attachments" / att.stored_name).unlink(missing_ok=True)
    return redirect(url_for("profile.edit", ref=ent.ref) + "#attachments")


@bp.route("/attachments/<int:att_id>")
def attachment(att_id: int):
    att = session.get(Attachment, att_id)
    if att is None:
        abort(404)
    path = Path(current_app.config["UPLOAD_DIR"]) / "attachments" / att.stored_name
    if not path.is_file():
        abort(404)
    return send_file(io.BytesIO(path.read_bytes()), mimetype=att.content_type, download_name=att.filename,
                     as_attachment=att.content_type == "application/pdf", max_age=3600)


@bp.route("/enterprises/<string:ref>/history")
@auth.login_required
def history(ref: str):
    ent = _editable(ref)
    rows = session.scalars(select(AuditLog).where(AuditLog.entity_type == "enterprise", AuditLog.entity_id == ent.id)
                           .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(300)).all()
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_({r.user_id for r in rows if r.user_id})))}
    return render_template("profile/history.html", e=ent, rows=rows, users=users)


# ---- inquiries ---------------------------------------------------------------------------------

@bp.route("/enterprises/<string:ref>/inquiry", methods=["GET", "POST"])
@auth.login_required
def inquiry(ref: str):
    ent = _enterprise(ref)
    user = auth.user_or_none()
    errors: dict = {}
    form = {"contact_email": user.email, "contact_phone": user.phone or ""}
    if request.method == "POST":
        form = request.form
        subject = (request.form.get("subject") or "").strip()[:255]
        message = (request.form.get("message") or "").strip()[:5000]
        if len(subject) < 3:
            errors["subject"] = [_("Cần tiêu đề (ít nhất 3 ký tự)")]
        if len(message) < 10:
            errors["message"] = [_("Nội dung cần ít nhất 10 ký tự")]
        if not errors:
            inq = Inquiry(sender_id=user.id, enterprise_id=ent.id, subject=subject, message=message,
                          contact_email=(request.form.get("contact_email") or user.email).strip()[:255],
                          contact_phone=(request.form.get("contact_phone") or "").strip()[:64] or None)
            session.add(inq)
            for u in session.scalars(select(User).where(User.enterprise_id == ent.id, User.is_active)):
                send_mail(session, u.email, f"Yêu cầu mới / New inquiry: {subject}",
                          f"{user.full_name} ({user.organisation or user.email}) gửi yêu cầu tới {ent.name}:\n\n"
                          f"{message}\n\n{url_for('profile.inbox', _external=True)}", "inquiry")
            session.commit()
            flash(_("Đã gửi yêu cầu tới doanh nghiệp."), "success")
            return redirect(url_for("web.enterprise_profile", tax_code=ent.ref))
    return render_template("profile/inquiry.html", e=ent, errors=errors, form=form), (400 if errors else 200)


@bp.route("/inbox")
@auth.roles_required("sme")
def inbox():
    user = auth.user_or_none()
    items = session.scalars(select(Inquiry).where(Inquiry.enterprise_id == (user.enterprise_id or -1))
                            .order_by(Inquiry.created_at.desc())).all()
    unread = [i for i in items if i.read_at is None]
    for i in unread:
        i.read_at = utcnow()
    session.commit()
    return render_template("profile/inbox.html", items=items, unread_ids={i.id for i in unread})


# ---- shortlists --------------------------------------------------------------------------------

@bp.route("/shortlists")
@auth.roles_required("buyer", "staff")
def shortlists():
    user = auth.user_or_none()
    rows = session.scalars(select(Shortlist).where(Shortlist.owner_id == user.id).order_by(Shortlist.id)).all()
    return render_template("profile/shortlists.html", lists=rows)


@bp.route("/shortlists/add", methods=["POST"])
@auth.roles_required("buyer", "staff")
def shortlist_add():
    user = auth.user_or_none()
    ent = _enterprise(request.form.get("enterprise", ""))
    name = (request.form.get("name") or "").strip()[:120] or _("Danh sách của tôi")
    sl = session.scalar(select(Shortlist).where(Shortlist.owner_id == user.id, Shortlist.name == name))
    if sl is None:
        sl = Shortlist(owner_id=user.id, name=name)
        session.add(sl)
        session.flush()
    if not any(i.enterprise_id == ent.id for i in sl.items):
        sl.items.append(ShortlistItem(enterprise_id=ent.id, note=(request.form.get("note") or "").strip()[:500] or None))
    session.commit()
    flash(_("Đã thêm %(name)s vào “%(list)s”.", name=ent.name, list=name), "success")
    return redirect(url_for("web.enterprise_profile", tax_code=ent.ref))


@bp.route("/shortlists/<int:list_id>/remove/<int:item_id>", methods=["POST"])
@auth.roles_required("buyer", "staff")
def shortlist_remove(list_id: int, item_id: int):
    sl = session.get(Shortlist, list_id)
    if sl is None or sl.owner_id != auth.user_or_none().id:
        abort(404)
    sl.items = [i for i in sl.items if i.id != item_id]
    session.commit()
    return redirect(url_for("profile.shortlists"))


# ---- staff: verification and assessment -------------------------------------------------------

@bp.route("/enterprises/<string:ref>/verification", methods=["POST"])
@auth.roles_required("staff")
def set_verification(ref: str):
    ent = _enterprise(ref)
    level = request.form.get("level")
    if level not in VERIFICATION_LEVELS or level == "staff_assessed":
        abort(400)  # staff-assessed comes from an assessment
    _actor()
    assess.set_verification(ent, level)
    session.commit()
    flash(_("Đã cập nhật mức xác minh."), "success")
    return redirect(url_for("web.enterprise_profile", tax_code=ent.ref))


@bp.route("/staff/verification/bulk", methods=["POST"])
@auth.roles_required("staff")
def bulk_verification():
    level = request.form.get("level")
    if level not in ("self_declared", "documents_checked", "unverified"):
        abort(400)
    ids = [int(x) for x in request.form.getlist("ids") if x.isdigit()][:500]
    _actor()
    for ent in session.scalars(select(Enterprise).where(Enterprise.id.in_(ids))):
        assess.set_verification(ent, level)
    session.commit()
    flash(_("Đã cập nhật %(n)s hồ sơ.", n=len(ids)), "success")
    return redirect(url_for("staff.dashboard"))


@bp.route("/enterprises/<string:ref>/assess", methods=["GET", "POST"])
@auth.roles_required("staff")
def assess_form(ref: str):
    ent = _enterprise(ref)
    fw = assess.framework()
    errors: dict = {}
    if request.method == "POST":
        try:
            scores = assess.validate_scores(request.form)
        except assess.AssessmentError as exc:
            errors = {k: [label(m)] for k, m in exc.errors.items()}
        else:
            _actor()
            a = assess.record(session, ent, scores, assessor_id=auth.user_or_none().id,
                              notes=(request.form.get("notes") or "").strip()[:5000] or None,
                              letter_no=(request.form.get("letter_no") or "").strip()[:60] or None)
            session.commit()
            flash(_("Đã lưu đánh giá: hạng %(grade)s (%(total)s/%(max)s).", grade=a.grade, total=a.total,
                    max=3 * len(fw["criteria"])), "success")
            return redirect(url_for("profile.assessment_letter", assessment_id=a.id))
    return render_template("profile/assess.html", e=ent, fw=fw, errors=errors, form=request.form), \
        (400 if errors else 200)


@bp.route("/assessments/<int:assessment_id>/letter")
@auth.roles_required("staff")
def assessment_letter(assessment_id: int):
    a = session.get(Assessment, assessment_id)
    if a is None:
        abort(404)
    verify_url = url_for("profile.verify", token=a.public_token, _external=True)
    return render_template("profile/letter.html", a=a, e=a.enterprise, fw=assess.framework(a.framework),
                           verify_url=verify_url, qr_svg=_qr_svg(verify_url))


@bp.route("/assessments/<int:assessment_id>/revoke", methods=["POST"])
@auth.roles_required("staff")
def revoke_assessment(assessment_id: int):
    """Withdraw a confirmation (the public verification page then says so); the firm drops back to
    'documents checked' unless another assessment is still current."""
    a = session.get(Assessment, assessment_id)
    if a is None:
        abort(404)
    _actor()
    if a.revoked_at is None:
        a.revoked_at = utcnow()
        session.flush()
        if assess.current_assessment(session, a.enterprise_id) is None:
            assess.set_verification(a.enterprise, "documents_checked")
        session.commit()
        flash(_("Đã thu hồi giấy xác nhận."), "success")
    return redirect(url_for("web.enterprise_profile", tax_code=a.enterprise.ref))


@bp.route("/verify/<string:token>")
def verify(token: str):
    """Public check of a confirmation letter (the QR code opens this page)."""
    a = session.scalar(select(Assessment).where(Assessment.public_token == token))
    if a is None:
        abort(404)
    return render_template("profile/verify.html", a=a, e=a.enterprise, fw=assess.framework(a.framework))


def _qr_svg(data: str) -> str:
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buf = io.BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode()
    return svg[svg.index("<svg"):]  # drop the XML declaration for inline use


@bp.app_context_processor
def _helpers():
    def unread_count() -> int:
        user = auth.user_or_none()
        if user is None or user.role != "sme" or not user.enterprise_id:
            return 0
        return session.scalar(select(func.count()).select_from(Inquiry).where(
            Inquiry.enterprise_id == user.enterprise_id, Inquiry.read_at.is_(None))) or 0

    def can_edit(ent) -> bool:
        return auth.can_edit_enterprise(auth.user_or_none(), ent)

    return {"unread_count": unread_count, "can_edit": can_edit}
