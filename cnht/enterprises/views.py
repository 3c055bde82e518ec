"""Enterprise pages: the directory, the public profile, the SME's section-by-section editor,
attachments and change history, and the staff export."""

from __future__ import annotations

import io
import uuid
from datetime import date
from pathlib import Path

from babel.numbers import format_decimal
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from cnht.accounts import auth
from cnht.accounts import services as accounts
from cnht.accounts.models import EnterpriseClaim, User
from cnht.accounts.schemas import ClaimDecisionIn, ClaimForm
from cnht.db import session
from cnht.enterprises import claims, services
from cnht.enterprises.completeness import completeness
from cnht.enterprises.models import VERIFICATION_LEVELS, Enterprise, local_today
from cnht.enterprises.schemas import AttachmentIn, EnterprisePatch
from cnht.i18n import localize
from cnht.labels import UNIT_EN
from cnht.reference import resolve_filter_args
from cnht.reference.models import Province, Sector
from cnht.web.forms import form_errors, load_form

bp = Blueprint("enterprises", __name__, template_folder="templates")

# Allowed uploads: extension → (content type, leading bytes; "?" matches any byte — a RIFF file is
# WebP only with "WEBP" after its length)
UPLOAD_TYPES = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".webp": ("image/webp", (b"RIFF????WEBP",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
}
MAX_ATTACHMENT = 5 * 1024 * 1024
PER_PAGE = 20


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


@bp.app_context_processor
def _helpers():
    def can_edit(ent) -> bool:
        return auth.can_edit_enterprise(auth.user_or_none(), ent)

    return {"can_edit": can_edit}


@bp.route("/enterprises")
def enterprise_list():
    args = {"verification": None}
    sector, province, errors = resolve_filter_args(
        request.args.get("sector", "").strip(), request.args.get("province", "").strip()
    )
    args["sector"] = sector
    args["province"] = "??" if "province" in errors else province  # an unknown province matches nothing
    if request.args.get("verification") in VERIFICATION_LEVELS:
        args["verification"] = request.args["verification"]
    page = request.args.get("page", "1")
    page = min(max(1, int(page)), 10_000) if page.isdigit() else 1
    result = services.paginate(session, services.filtered_query(args), page, PER_PAGE)
    return render_template(
        "enterprises/list.html",
        result=result,
        pages=max(1, -(-result["total"] // PER_PAGE)),
        args=args,
        sectors=session.scalars(select(Sector).order_by(Sector.focus.desc(), Sector.code)).all(),
        provinces=session.scalars(select(Province).order_by(Province.name)).all(),
        verification_levels=VERIFICATION_LEVELS,
    )


@bp.route("/enterprises/<string:ref>")
def profile(ref: str):
    ent = _enterprise(ref)
    return render_template("enterprises/profile.html", e=ent)


# ---- self-service editing ----------------------------------------------------------------------


# The editor's row sections. Each row is a set of inputs named "<section>-<field>" and a hidden
# "<section>-key": the stored row's id, so a row keeps its identity (and a certificate its scans) when
# a row above it is removed, or "new". Processes and materials stay one name a line.
ROW_FIELDS = {
    "products": ("name", "description"),
    "equipment": ("machine_type", "brand", "count", "key_spec"),
    "certifications": ("standard", "number", "issuer", "valid_until"),
    "capacities": ("product", "quantity", "unit", "period", "note"),
}
LINE_SECTIONS = ("processes", "materials")


def _quantity(value) -> str:
    """A stored quantity as the box shows it in the page's language (and reads back: _typed_rows)."""
    return format_decimal(value, format="#,##0.##", locale=str(get_locale() or "vi"))


def _stored_rows(ent: Enterprise, section: str) -> list[dict]:
    rows = []
    for child in getattr(ent, section):
        row = {"key": str(child.id)}
        for name in ROW_FIELDS[section]:
            value = getattr(child, name)
            if value is None:
                value = ""
            elif name == "quantity":
                value = _quantity(value)
            elif isinstance(value, date):
                value = value.isoformat()
            row[name] = str(value)
        rows.append(row)
    return rows


def _typed_rows(section: str) -> list[dict]:
    """The rows as submitted, blank ones and the one whose remove button was pressed left out."""
    form = request.form
    keys = form.getlist(f"{section}-key")
    columns = {name: form.getlist(f"{section}-{name}") for name in ROW_FIELDS[section]}
    removed = form.get("remove")
    rows = []
    for i, key in enumerate(keys):
        row = {name: (col[i] if i < len(col) else "").strip() for name, col in columns.items()}
        if key == removed or not any(row.values()):
            continue
        if "quantity" in row and str(get_locale()) == "en":
            row["quantity"] = row["quantity"].replace(",", "")  # "300,000" is thousands in English
        rows.append({"key": key, **row})
    return rows


def _row_errors(messages, section: str) -> dict[int, dict[str, list[str]]]:
    """marshmallow's {section: {row: {field: [...]}}} → {row: {field: [text]}} for the page."""
    rows = messages.get(section) if isinstance(messages, dict) else None
    if not isinstance(rows, dict):
        return {-1: form_errors(messages)}
    return {i: form_errors(m) for i, m in rows.items()}


def _editor(ent: Enterprise, *, errors: dict, section: str | None, form, typed=None, status=200):
    score, hints = completeness(ent)
    lines = {s: "\n".join(c.name for c in getattr(ent, s)) for s in LINE_SECTIONS}
    rows = {s: _stored_rows(ent, s) for s in ROW_FIELDS}
    if typed is not None:  # show what was typed, not what is stored
        (lines if section in LINE_SECTIONS else rows)[section] = typed
    scans: dict[int, list] = {}
    for att in ent.attachments:
        if att.certification_id is not None:
            scans.setdefault(att.certification_id, []).append(att)
    page = render_template(
        "enterprises/edit.html",
        e=ent,
        score=score,
        hints=hints,
        errors=errors,
        section=section,
        lines=lines,
        rows=rows,
        scans=scans,
        units=UNIT_EN,
        row_fields=ROW_FIELDS,
        today=local_today().isoformat(),
        form=form,
    )
    return page, status


@bp.route("/enterprises/<string:ref>/edit")
@auth.login_required
def edit(ref: str):
    return _editor(_editable(ref), errors={}, section=None, form={})


def _scan_uploads(section: str, rows: list[dict]) -> tuple[dict[int, list[str]], list]:
    """The certificate scans chosen in the rows, checked before anything is written:
    ({row: [error]}, [file or None per row])."""
    files, errors = [], {}
    for i, row in enumerate(rows):
        f = request.files.get(f"{section}-file-{row['key']}") if section == "certifications" else None
        if f is None or not f.filename:
            files.append(None)
            continue
        error, spec, size = _check_upload(f, "certificate")
        if error:
            errors[i] = {"file": [error]}
        files.append((f, spec, size))
    return errors, files


def _save_file(f) -> str:
    folder = Path(current_app.config["UPLOAD_DIR"]) / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{Path(f.filename).suffix.lower()}"
    f.save(folder / stored)
    return stored


@bp.route("/enterprises/<string:ref>/edit/<string:section>", methods=["POST"])
@auth.login_required
def edit_section(ref: str, section: str):
    if section not in services.SECTIONS:
        abort(404)
    ent = _editable(ref)
    user = auth.user_or_none()
    keep, files = None, []
    if section in ROW_FIELDS:
        if f"{section}-key" not in request.form:  # not this editor's form: clear nothing
            abort(400)
        rows = _typed_rows(section)
        items = [{k: v for k, v in r.items() if k != "key" and v} for r in rows]
        errors, files = _scan_uploads(section, rows)
        try:
            data = EnterprisePatch(partial=True).load({section: items})
        except ValidationError as exc:
            data, found = None, _row_errors(exc.messages, section)
            for i, es in found.items():
                errors.setdefault(i, {}).update(es)
        if errors:
            return _editor(ent, errors=errors, section=section, form={}, typed=rows, status=400)
        keep = [int(r["key"]) if r["key"].isdigit() else None for r in rows]
    elif section in LINE_SECTIONS:
        typed = request.form.get(section, "")
        data, errors = load_form(
            EnterprisePatch(partial=True), {section: [ln for ln in typed.splitlines() if ln.strip()]}
        )
        if data is None:
            return _editor(ent, errors={-1: errors}, section=section, form={}, typed=typed, status=400)
    else:
        raw = {k: request.form.get(k, "") for k in services.SECTIONS[section]}
        data, errors = load_form(EnterprisePatch(partial=True), raw)
        if data is None:
            return _editor(ent, errors=errors, section=section, form=request.form, status=400)
    changed = services.edit_section(session, ent, section, data, by_staff=user.is_staff, keep=keep)
    if any(files):
        session.flush()  # new certificates get their ids
        for cert, upload in zip(ent.certifications, files, strict=True):
            if upload is None:
                continue
            f, spec, size = upload
            services.add_attachment(
                ent,
                kind="certificate",
                filename=Path(f.filename).name,
                stored_name=_save_file(f),
                content_type=spec[0],
                size_bytes=size,
                caption=" ".join(x for x in (cert.standard, cert.number) if x),
                certification=cert,
            )
        changed = changed or ["attachments"]
    session.commit()
    flash(_("Đã lưu thay đổi.") if changed else _("Không có gì thay đổi."), "success")
    return redirect(url_for("enterprises.edit", ref=ent.ref) + f"#{section}")


def _signed(head: bytes, signature: bytes) -> bool:
    return len(head) >= len(signature) and all(s in (h, 63) for h, s in zip(head, signature, strict=False))


def _check_upload(f, kind: str) -> tuple[str | None, tuple[str, tuple[bytes, ...]] | None, int]:
    """(error, (content type, signatures), size) of an uploaded file: type by content, not by name."""
    if f is None or not f.filename:
        return _("Chọn một tệp."), None, 0
    suffix = Path(f.filename).suffix.lower()
    spec = UPLOAD_TYPES.get(suffix)
    head = f.stream.read(16)
    f.stream.seek(0, io.SEEK_END)
    size = f.stream.tell()
    f.stream.seek(0)
    limit = current_app.config.get("MAX_ATTACHMENT_BYTES", MAX_ATTACHMENT)
    if spec is None or not any(_signed(head, m) for m in spec[1]) or (kind == "photo" and suffix == ".pdf"):
        return _("Chỉ nhận ảnh JPEG, PNG, WebP hoặc tệp PDF đúng định dạng."), None, size
    if size > limit:
        mb = format(limit / 1024 / 1024, "g")
        return _("Tệp quá lớn (tối đa %(mb)s MB).", mb=mb), None, size
    if size == 0:
        return _("Tệp rỗng."), None, size
    return None, spec, size


@bp.route("/enterprises/<string:ref>/attachments", methods=["POST"])
@auth.login_required
def upload(ref: str):
    ent = _editable(ref)
    form, errors = load_form(AttachmentIn(), request.form)
    if form is None:
        abort(400)
    f = request.files.get("file")
    error, spec, size = _check_upload(f, form["kind"])
    if error:
        flash(error, "error")
        return redirect(url_for("enterprises.edit", ref=ent.ref) + "#attachments"), 400
    services.add_attachment(
        ent,
        kind=form["kind"],
        filename=Path(f.filename).name,
        stored_name=_save_file(f),
        content_type=spec[0],
        size_bytes=size,
        caption=form.get("caption"),
    )
    session.commit()
    flash(_("Đã tải lên."), "success")
    return redirect(url_for("enterprises.edit", ref=ent.ref) + "#attachments")


@bp.route("/enterprises/<string:ref>/attachments/<int:att_id>/delete", methods=["POST"])
@auth.login_required
def delete_attachment(ref: str, att_id: int):
    ent = _editable(ref)
    att = services.remove_attachment(ent, att_id)
    if att is None:
        abort(404)
    session.commit()
    (Path(current_app.config["UPLOAD_DIR"]) / "attachments" / att.stored_name).unlink(missing_ok=True)
    return redirect(url_for("enterprises.edit", ref=ent.ref) + "#attachments")


@bp.route("/attachments/<string:public_id>")
def attachment(public_id: str):
    """Photos of active firms for everyone; certificate scans and documents only for the firm's own users
    and staff. Anything else is a 404, so a private file's existence is not revealed."""
    att = services.attachment_by_public_id(session, public_id)
    if att is None or att.enterprise.deleted_at is not None:
        abort(404)
    if not att.is_public and not auth.can_edit_enterprise(auth.user_or_none(), att.enterprise):
        abort(404)
    path = Path(current_app.config["UPLOAD_DIR"]) / "attachments" / att.stored_name
    if not path.is_file():
        abort(404)
    response = send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=att.content_type,
        download_name=att.filename,
        as_attachment=att.content_type == "application/pdf",
        max_age=3600 if att.is_public else 0,
    )
    if not att.is_public:  # never in a shared cache
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/enterprises/<string:ref>/history")
@auth.login_required
def history(ref: str):
    ent = _editable(ref)
    rows = services.history(session, ent)
    users = {
        u.id: u
        for u in session.scalars(select(User).where(User.id.in_({r.user_id for r in rows if r.user_id})))
    }
    return render_template("enterprises/history.html", e=ent, rows=rows, users=users)


# ---- claims of a profile ------------------------------------------------------------------------


def _claim_filed(name: str) -> str:
    return _("Đã gửi yêu cầu quản lý hồ sơ %(name)s; cán bộ Sở sẽ xét duyệt.", name=name)


@bp.route("/account/claim", methods=["POST"])
@auth.roles_required("sme")
def claim():
    user = auth.user_or_none()
    data, errors = load_form(ClaimForm(), request.form)
    if data is not None:
        try:
            filed = claims.file_claim(
                session, user, data["tax_code"].strip(), data.get("position"), data.get("message")
            )
        except claims.ClaimError as exc:
            errors = {"tax_code": [localize(exc.msg)]}
        else:
            session.commit()
            flash(_claim_filed(filed.enterprise.name), "success")
            return redirect(url_for("accounts.account"))
    return render_template(
        "accounts/account.html",
        user=user,
        claims=accounts.claims_of(session, user),
        errors=errors,
        form=request.form,
    ), 400


@bp.route("/staff/claims/<int:claim_id>/<any(approve, reject):action>", methods=["POST"])
@auth.roles_required("staff")
def decide_claim(claim_id: int, action: str):
    claim_row = session.get(EnterpriseClaim, claim_id)
    if claim_row is None:
        abort(404)
    form = ClaimDecisionIn().load(request.form)
    try:
        claims.decide_claim(
            session, claim_row, approve=action == "approve", by=auth.user_or_none(), note=form["note"]
        )
    except claims.ClaimError as exc:
        flash(localize(exc.msg), "error")
        return redirect(url_for("staff.dashboard"))
    session.commit()
    flash(_("Đã xử lý yêu cầu."), "success")
    return redirect(url_for("staff.dashboard"))
