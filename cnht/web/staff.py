"""Department staff: dashboard, enterprise claims, duplicate review, imports and exports."""

from __future__ import annotations

import io
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from cnht.accounts import auth
from cnht.accounts.models import EnterpriseClaim, User
from cnht.db import session, utcnow
from cnht.enterprises import services
from cnht.enterprises.models import Enterprise
from cnht.imports import jobs
from cnht.imports.models import DuplicateReview, ImportJob
from cnht.imports.review import ReviewError, decide, group
from cnht.mail import send_mail
from cnht.web import label

bp = Blueprint("staff", __name__)

JOB_STATUS = {"uploaded": _l("Đã tải lên"), "running": _l("Đang nhập"), "done": _l("Hoàn tất"), "failed": _l("Lỗi")}


@bp.app_context_processor
def _staff_helpers():
    return {"job_status": lambda code: str(JOB_STATUS.get(code, code))}


@bp.app_template_filter("in_lang")
def _in_lang(message: str) -> str:
    """A stored 'Vietnamese / English' message, in the user's language."""
    from cnht.web.forms import pick_lang

    return pick_lang(message)

STALE_AFTER = timedelta(days=365)
IMPORT_SUFFIXES = (".xlsx", ".csv", ".txt", ".tsv")


@bp.before_request
@auth.roles_required("staff")
def _staff_only():
    return None


@bp.route("/")
def dashboard():
    now = utcnow()
    pending_claims = session.scalars(select(EnterpriseClaim).where(EnterpriseClaim.status == "pending")
                                     .order_by(EnterpriseClaim.created_at)).all()
    reviews = _review_groups(limit=20)
    awaiting = session.scalars(services.active_query().where(
        Enterprise.verification_status.in_(("unverified", "self_declared")))
        .order_by(Enterprise.updated_at.desc()).limit(20)).all()
    n_awaiting = session.scalar(select(func.count()).select_from(Enterprise).where(
        Enterprise.deleted_at.is_(None), Enterprise.verification_status.in_(("unverified", "self_declared"))))
    stale_q = services.active_query().where(Enterprise.updated_at < now - STALE_AFTER)
    stale = session.scalars(stale_q.order_by(Enterprise.updated_at).limit(20)).all()
    n_stale = session.scalar(select(func.count()).select_from(stale_q.subquery()))
    recent_jobs = session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(5)).all()
    return render_template("staff/dashboard.html", claims=pending_claims, reviews=reviews, awaiting=awaiting,
                           n_awaiting=n_awaiting, stale=stale, n_stale=n_stale, jobs=recent_jobs)


# ---- claims ------------------------------------------------------------------------------------

@bp.route("/claims/<int:claim_id>/<any(approve, reject):action>", methods=["POST"])
def decide_claim(claim_id: int, action: str):
    claim = session.get(EnterpriseClaim, claim_id)
    if claim is None:
        abort(404)
    if claim.status != "pending":
        flash(_("Yêu cầu này đã được xử lý."), "error")
        return redirect(url_for("staff.dashboard"))
    user = auth.user_or_none()
    claim.status = "approved" if action == "approve" else "rejected"
    claim.decided_by_id, claim.decided_at = user.id, utcnow()
    claim.decision_note = (request.form.get("note") or "").strip()[:2000] or None
    if claim.status == "approved":
        claim.user.enterprise_id = claim.enterprise_id
        subject = "Yêu cầu quản lý hồ sơ đã được duyệt / Your claim was approved"
        body = (f"Bạn đã có thể cập nhật hồ sơ {claim.enterprise.name} trên Cổng thông tin CNHT.\n"
                f"You can now edit the profile of {claim.enterprise.name} on the CNHT Portal.")
    else:
        subject = "Yêu cầu quản lý hồ sơ chưa được duyệt / Your claim was not approved"
        body = (f"Yêu cầu quản lý hồ sơ {claim.enterprise.name} chưa được duyệt. {claim.decision_note or ''}\n"
                f"Your claim for {claim.enterprise.name} was not approved.")
    send_mail(session, claim.user.email, subject, body, "claim_decision")
    session.commit()
    flash(_("Đã xử lý yêu cầu."), "success")
    return redirect(url_for("staff.dashboard"))


# ---- duplicate review --------------------------------------------------------------------------

def _review_groups(limit: int | None = None) -> list[DuplicateReview]:
    """One representative (the best-scoring item) per incoming row awaiting a decision."""
    sub = (select(func.min(DuplicateReview.id)).where(DuplicateReview.status == "pending")
           .group_by(DuplicateReview.name_key, DuplicateReview.province_code))
    stmt = select(DuplicateReview).where(DuplicateReview.id.in_(sub)).order_by(DuplicateReview.created_at)
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


@bp.route("/duplicates")
def duplicates():
    return render_template("staff/duplicates.html", reviews=_review_groups())


@bp.route("/duplicates/<int:review_id>", methods=["GET", "POST"])
def duplicate_detail(review_id: int):
    review = session.get(DuplicateReview, review_id)
    if review is None:
        abort(404)
    items = group(session, review) if review.status == "pending" else [review]
    if request.method == "POST":
        choice = request.form.get("decision", "")
        target = None
        if choice != "distinct":
            try:
                target = int(choice)
            except ValueError:
                abort(400)
        try:
            ent = decide(session, review, target, auth.user_or_none().id)
        except ReviewError as exc:
            session.rollback()
            flash(label(exc.msg), "error")
            return redirect(url_for("staff.duplicates"))
        session.commit()
        flash(_("Đã lưu quyết định cho “%(name)s”.", name=review.name), "success")
        nxt = _review_groups(limit=1)
        return redirect(url_for("staff.duplicate_detail", review_id=nxt[0].id) if nxt
                        else url_for("web.enterprise_profile", tax_code=ent.ref))
    from ingest.importer import ImportRow

    incoming = dict(review.row_data)
    try:
        loaded = ImportRow().load(dict(incoming))
    except Exception:  # shown as written if it no longer validates
        loaded = {}
    return render_template("staff/duplicate_detail.html", review=review, items=items, incoming=incoming,
                           loaded=loaded)


# ---- imports -----------------------------------------------------------------------------------

@bp.route("/imports", methods=["GET", "POST"])
def imports():
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Chọn một tệp để tải lên."), "error")
            return redirect(url_for("staff.imports"))
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in IMPORT_SUFFIXES:
            flash(_("Chỉ nhận tệp .xlsx hoặc .csv."), "error")
            return redirect(url_for("staff.imports")), 400
        stored = f"{uuid.uuid4().hex}{suffix}"
        upload.save(jobs.upload_dir(current_app) / stored)
        job = ImportJob(user_id=auth.user_or_none().id, filename=Path(upload.filename).name[:255],
                        stored_name=stored, sheet=(request.form.get("sheet") or "").strip() or None)
        session.add(job)
        session.commit()
        return redirect(url_for("staff.import_detail", job_id=job.id))
    recent = session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(30)).all()
    return render_template("staff/imports.html", jobs=recent)


def _job(job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None:
        abort(404)
    return job


@bp.route("/imports/<int:job_id>")
def import_detail(job_id: int):
    from ingest.columns import COLUMNS, map_headers
    from ingest.importer import _cell
    from ingest.readers import ReadError, estimate_rows, open_table

    job = _job(job_id)
    path = jobs.upload_dir(current_app) / job.stored_name
    preview, error, mapping_rows, unknown = [], None, [], []
    try:
        table = open_table(path, sheet=job.sheet)
        mapping, unknown = map_headers(table.headers)
        mapping_rows = [(str(h) if h is not None else "", COLUMNS[mapping[i]][0] if i in mapping else None)
                        for i, h in enumerate(table.headers)]
        for _row_no, values in table.rows:
            preview.append([_cell(v)[0] if v is not None else "" for v in values])
            if len(preview) >= 10:
                break
        if table.close:
            table.close()
        missing = [COLUMNS[f][0] for f in ("name", "province", "sectors") if f not in mapping.values()]
        if missing:
            error = _("Thiếu cột bắt buộc: ") + ", ".join(missing)
    except ReadError as exc:
        error = label(exc.msg)
    return render_template("staff/import_detail.html", job=job, preview=preview, mapping_rows=mapping_rows,
                           unknown=unknown, error=error, estimated=estimate_rows(path) if not error else None,
                           progress=jobs.PROGRESS.get(job.id))


@bp.route("/imports/<int:job_id>/run", methods=["POST"])
def import_run(job_id: int):
    job = _job(job_id)
    if job.status == "running":
        flash(_("Tệp đang được nhập."), "error")
        return redirect(url_for("staff.import_detail", job_id=job.id))
    job.dry_run = request.form.get("mode") != "commit"
    job.on_error = "abort" if request.form.get("on_error") == "abort" else "skip"
    job.status, job.summary, job.message, job.rows_done = "running", None, None, 0
    session.commit()
    jobs.start(current_app._get_current_object(), job.id)
    return redirect(url_for("staff.import_detail", job_id=job.id))


@bp.route("/imports/<int:job_id>/status")
def import_status(job_id: int):
    job = _job(job_id)
    session.refresh(job)
    prog = jobs.PROGRESS.get(job.id)
    return jsonify({"status": job.status, "dry_run": job.dry_run, "summary": job.summary, "message": job.message,
                    "progress": prog.as_dict() if prog else None,
                    "report_url": url_for("staff.import_report", job_id=job.id) if job.report_name else None})


@bp.route("/imports/<int:job_id>/report")
def import_report(job_id: int):
    job = _job(job_id)
    if not job.report_name:
        abort(404)
    data = io.BytesIO((jobs.upload_dir(current_app) / job.report_name).read_bytes())
    return send_file(data, as_attachment=True,
                     download_name=f"{Path(job.filename).stem}-bao-cao-report.xlsx")


# ---- export ------------------------------------------------------------------------------------

@bp.route("/export.<any(xlsx, csv):fmt>")
def export(fmt: str):
    from cnht.searching import result_ids
    from ingest.exporter import export as write_export

    q = (request.args.get("q") or "").strip()
    ids = None
    if q:
        ids = result_ids(q[:200], max_pages=100)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir) / f"export.{fmt}"
        write_export(session, tmp, ids)
        data = io.BytesIO(tmp.read_bytes())
    stamp = utcnow().strftime("%Y%m%d")
    return send_file(data, as_attachment=True, download_name=f"doanh-nghiep-cnht-{stamp}.{fmt}")


@bp.route("/users")
def users():
    rows = session.scalars(select(User).order_by(User.created_at.desc()).limit(200)).all()
    return render_template("staff/users.html", users=rows)
