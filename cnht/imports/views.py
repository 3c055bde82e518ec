"""Staff pages for spreadsheets: import (upload, preview, run with progress, report), the duplicate-review
queue, and export of the whole database or of a search result."""

from __future__ import annotations

import io
import tempfile
import uuid
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
from marshmallow import ValidationError

from cnht.accounts import auth
from cnht.db import session, utcnow
from cnht.enterprises.export import export as write_export
from cnht.i18n import Msg, UserError, localize
from cnht.imports import jobs, services
from cnht.imports.importer import cell_value
from cnht.imports.models import DuplicateReview, ImportJob
from cnht.imports.schemas import DecisionIn, ImportRow, RunIn, UploadIn
from cnht.search.services import result_ids
from ingest.columns import COLUMNS, map_headers
from ingest.readers import ReadError, estimate_rows, open_table

bp = Blueprint("imports", __name__, template_folder="templates")

IMPORT_SUFFIXES = (".xlsx", ".csv", ".txt", ".tsv")


@bp.before_request
@auth.roles_required("staff")
def _staff_only():
    return None


@bp.route("/duplicates")
def duplicates():
    return render_template("imports/duplicates.html", reviews=services.review_groups(session))


@bp.route("/duplicates/<int:review_id>", methods=["GET", "POST"])
def duplicate_detail(review_id: int):
    review = session.get(DuplicateReview, review_id)
    if review is None:
        abort(404)
    if request.method == "POST":
        choice = DecisionIn().load(request.form)["decision"] if "decision" in request.form else ""
        if choice != "distinct" and not choice.isdigit():
            abort(400)
        try:
            ent = services.decide(
                session, review, None if choice == "distinct" else int(choice), auth.user_or_none().id
            )
        except UserError as exc:
            session.rollback()
            flash(localize(exc.msg), "error")
            return redirect(url_for("imports.duplicates"))
        session.commit()
        flash(_("Đã lưu quyết định cho “%(name)s”.", name=review.name), "success")
        nxt = services.review_groups(session, limit=1)
        return redirect(
            url_for("imports.duplicate_detail", review_id=nxt[0].id)
            if nxt
            else url_for("enterprises.profile", ref=ent.ref)
        )
    items = services.group(session, review) if review.status == "pending" else [review]
    incoming = dict(review.row_data)
    try:
        loaded = ImportRow().load(dict(incoming))
    except ValidationError:  # shown as written if it no longer validates
        loaded = {}
    return render_template(
        "imports/duplicate_detail.html", review=review, items=items, incoming=incoming, loaded=loaded
    )


@bp.route("/imports", methods=["GET", "POST"])
def imports():
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Chọn một tệp để tải lên."), "error")
            return redirect(url_for("imports.imports"))
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in IMPORT_SUFFIXES:
            flash(_("Chỉ nhận tệp .xlsx hoặc .csv."), "error")
            return redirect(url_for("imports.imports")), 400
        form = UploadIn().load(request.form)
        stored = f"{uuid.uuid4().hex}{suffix}"
        upload.save(jobs.upload_dir(current_app) / stored)
        job = services.create_job(
            session,
            user_id=auth.user_or_none().id,
            filename=upload.filename,
            stored_name=stored,
            sheet=form["sheet"],
        )
        session.commit()
        return redirect(url_for("imports.import_detail", job_id=job.id))
    recent = services.recent_jobs(session, limit=30)
    status = {j.id: jobs.state(current_app, j)[0] for j in recent}
    return render_template("imports/imports.html", jobs=recent, status=status)


def _job(job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None:
        abort(404)
    return job


def _preview(path: Path, sheet: str | None):
    """(first rows, header → field mapping, ignored columns, error) for the preview page."""
    table = open_table(path, sheet=sheet)
    try:
        mapping, unknown = map_headers(table.headers)
        mapping_rows = [
            (str(h) if h is not None else "", COLUMNS[mapping[i]][0] if i in mapping else None)
            for i, h in enumerate(table.headers)
        ]
        preview = []
        for _row_no, values in table.rows:
            preview.append([cell_value(v)[0] if v is not None else "" for v in values])
            if len(preview) >= 10:
                break
    finally:
        if table.close:
            table.close()
    missing = [COLUMNS[f][0] for f in ("name", "province", "sectors") if f not in mapping.values()]
    error = _("Thiếu cột bắt buộc: ") + ", ".join(missing) if missing else None
    where = {"sheet": table.sheet, "header_row": table.header_row, "format": table.format}
    return preview, mapping_rows, unknown, error, where


@bp.route("/imports/<int:job_id>")
def import_detail(job_id: int):
    job = _job(job_id)
    path = jobs.upload_dir(current_app) / job.stored_name
    preview, mapping_rows, unknown, error, where = [], [], [], None, None
    try:
        preview, mapping_rows, unknown, error, where = _preview(path, job.sheet)
    except ReadError as exc:
        error = localize(Msg(exc.vi, exc.en))
    status, progress = jobs.state(current_app, job)
    return render_template(
        "imports/import_detail.html",
        job=job,
        preview=preview,
        mapping_rows=mapping_rows,
        unknown=unknown,
        error=error,
        where=where,
        estimated=estimate_rows(path) if not error else None,
        progress=progress,
        status=status,
        issues=_issues(job, "error", 1, per_page=20),
    )


@bp.route("/imports/<int:job_id>/run", methods=["POST"])
def import_run(job_id: int):
    job = _job(job_id)
    form = RunIn().load(request.form)
    try:
        services.prepare_run(
            job,
            commit=form["mode"] == "commit",
            on_error=form["on_error"],
            interrupted=jobs.state(current_app, job)[0] == "interrupted",
        )
    except UserError as exc:
        flash(localize(exc.msg), "error")
        return redirect(url_for("imports.import_detail", job_id=job.id))
    session.commit()
    jobs.start(current_app._get_current_object(), job.id)
    return redirect(url_for("imports.import_detail", job_id=job.id))


@bp.route("/imports/<int:job_id>/status")
def import_status(job_id: int):
    job = _job(job_id)
    session.refresh(job)
    status, prog = jobs.state(current_app, job)
    return jsonify(
        {
            "status": status,
            "dry_run": job.dry_run,
            "summary": job.summary,
            "message": localize(job.outcome) or None,
            "progress": prog.as_dict() if prog else None,
            "report_url": url_for("imports.import_report", job_id=job.id) if job.report_name else None,
        }
    )


@bp.route("/imports/<int:job_id>/report")
def import_report(job_id: int):
    job = _job(job_id)
    if not job.report_name:
        abort(404)
    data = io.BytesIO((jobs.upload_dir(current_app) / job.report_name).read_bytes())
    return send_file(data, as_attachment=True, download_name=f"{Path(job.filename).stem}-bao-cao-report.xlsx")


ISSUES_PER_PAGE = 100


def _issues(job: ImportJob, level: str | None, page: int, per_page: int = ISSUES_PER_PAGE):
    if not job.report_name:
        return [], 0
    path = jobs.upload_dir(current_app) / jobs.issues_name(job.report_name)
    return jobs.read_issues(path, level=level, page=page, per_page=per_page)


@bp.route("/imports/<int:job_id>/issues")
def import_issues(job_id: int):
    """Every row problem of a finished import, page by page, errors or notes: staff fix the file from
    this list without downloading the report."""
    job = _job(job_id)
    level = request.args.get("level") if request.args.get("level") in ("error", "info") else None
    page = request.args.get("page", 1, type=int) or 1
    page = min(max(page, 1), 10**6)
    items, total = _issues(job, level, page)
    return render_template(
        "imports/issues.html",
        job=job,
        items=items,
        total=total,
        level=level,
        page=page,
        pages=max(1, -(-total // ISSUES_PER_PAGE)),
    )


# ---- staff export ------------------------------------------------------------------------------


@bp.route("/export.<any(xlsx, csv):fmt>")
def export(fmt: str):
    q = (request.args.get("q") or "").strip()
    ids = result_ids(q[:200], max_pages=100) if q else None
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir) / f"export.{fmt}"
        write_export(session, tmp, ids)
        data = io.BytesIO(tmp.read_bytes())
    stamp = utcnow().strftime("%Y%m%d")
    return send_file(data, as_attachment=True, download_name=f"doanh-nghiep-cnht-{stamp}.{fmt}")
