"""Web-started imports: the file is stored under the instance folder, previewed, then imported by a
background thread while the page polls its progress.

Any server process may start a job and any may answer the page's poll, so nothing lives in one
process's memory. The import writes in one transaction (atomic, and on SQLite that holds the write lock
until it ends), so its progress cannot go through the database: it is a small JSON file beside the
upload, replaced atomically every half second and every few seconds while the import commits or
indexes (a heartbeat). A job whose file has stopped changing was cut off — its process ended — and the
page says so. The outcome is written to the ``import_job`` row when the job ends. Imports are
serialised across processes by a file lock, and across hosts by a PostgreSQL advisory lock, so two
staff members never write the same rows at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import time
import traceback
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import text

from cnht.db import utcnow, writing
from cnht.imports.importer import import_file, write_report
from cnht.imports.models import ImportJob
from ingest.readers import estimate_rows

_threads: dict[int, threading.Thread] = {}
HEARTBEAT_SECONDS = 5.0
STALE_SECONDS = 60.0  # a running job whose progress file is older than this has lost its process


@dataclass
class Progress:
    done: int = 0
    total: int | None = None
    started: float = 0.0  # wall clock: another process reads it
    updated: float = 0.0

    def as_dict(self) -> dict:
        elapsed = max(time.time() - self.started, 1e-6) if self.started else 0.0
        rate = self.done / elapsed if elapsed else 0.0
        eta = (self.total - self.done) / rate if (rate and self.total and self.total > self.done) else None
        return {
            "done": self.done,
            "total": self.total,
            "rate": round(rate, 1),
            "eta_seconds": round(eta) if eta is not None else None,
        }

    @property
    def stale(self) -> bool:
        return time.time() - self.updated > STALE_SECONDS


def progress_path(app: Flask, job: ImportJob) -> Path:
    return upload_dir(app) / f"{job.stored_name}.progress.json"


def save_progress(path: Path, prog: Progress) -> None:
    prog.updated = time.time()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(asdict(prog)))
    os.replace(tmp, path)  # readers see the old file or the new one, never half of one


def read_progress(app: Flask, job: ImportJob) -> Progress | None:
    try:
        return Progress(**json.loads(progress_path(app, job).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def state(app: Flask, job: ImportJob) -> tuple[str, Progress | None]:
    """The job's status as the page shows it: a running job without a heartbeat is "interrupted"."""
    prog = read_progress(app, job)
    if job.status != "running" or (prog is not None and not prog.stale):
        return job.status, prog
    started_long_ago = (
        job.started_at is not None and (utcnow() - job.started_at).total_seconds() > STALE_SECONDS
    )
    return ("interrupted" if prog is not None or started_long_ago else "running"), prog


@contextlib.contextmanager
def _exclusive(app: Flask):
    """One import at a time on this host (file lock) and, on PostgreSQL, across hosts (advisory lock)."""
    db = app.extensions["cnht_db"]
    with open(upload_dir(app) / ".import.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            if db.engine.dialect.name == "postgresql":
                key = zlib.crc32(b"cnht-import")
                with db.engine.connect() as conn:
                    conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
                    try:
                        yield
                    finally:
                        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                        conn.commit()
            else:
                yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class _Heartbeat(threading.Thread):
    """Rewrites the progress file while the import commits or indexes (no rows flow then)."""

    def __init__(self, path: Path, prog: Progress):
        super().__init__(daemon=True, name="import-heartbeat")
        self.path, self.prog, self.stopped = path, prog, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            save_progress(self.path, self.prog)


def upload_dir(app: Flask) -> Path:
    path = Path(app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_job(app: Flask, job_id: int) -> None:
    """Import the job's file (in this thread, with its own session) and record the outcome."""
    db = app.extensions["cnht_db"]
    with app.app_context(), _exclusive(app):
        with db.sessionmaker() as s:
            job = s.get(ImportJob, job_id)
            path = upload_dir(app) / job.stored_name
            ppath = progress_path(app, job)
            prog = Progress(total=estimate_rows(path), started=time.time())
            save_progress(ppath, prog)
            job.status, job.started_at, job.rows_estimated = "running", utcnow(), prog.total
            s.commit()
            actor = f"user:{job.user_id} import:{job.filename}"
            user_id, filename, sheet, on_error, dry_run = (
                job.user_id,
                job.filename,
                job.sheet,
                job.on_error,
                job.dry_run,
            )
        beat = _Heartbeat(ppath, prog)
        beat.start()
        try:
            with writing(), db.sessionmaker() as s:
                s.info["user_id"] = user_id

                def progress(n: int) -> None:
                    prog.done = n
                    if time.time() - prog.updated >= 0.5:
                        save_progress(ppath, prog)

                report = import_file(
                    s, path, dry_run=dry_run, on_error=on_error, sheet=sheet, actor=actor, progress=progress
                )
                report.source = filename
                s.commit()
            report_name = f"{path.stem}-report.xlsx"
            write_report(report, upload_dir(app) / report_name)
            write_issues(report, upload_dir(app) / issues_name(report_name))
            summary = report.summary()
            outcome = {
                "status": "done" if report.ok else "failed",
                "summary": report_summary(report),
                "report_name": report_name,
                "message": summary.vi,
                "message_en": summary.en,
            }
        except Exception as exc:  # the job must end in a visible state, whatever happened
            app.logger.error("import job %s failed: %s", job_id, traceback.format_exc())
            text = f"{exc.__class__.__name__}: {exc}"[:2000]
            outcome = {
                "status": "failed",
                "message": f"Lỗi hệ thống — {text}",
                "message_en": f"System error — {text}",
            }
        beat.stopped.set()
        with db.sessionmaker() as s:
            job = s.get(ImportJob, job_id)
            for k, v in outcome.items():
                setattr(job, k, v)
            job.rows_done, job.finished_at = prog.done, utcnow()
            s.commit()
        save_progress(ppath, prog)


def issues_name(report_name: str) -> str:
    return report_name.removesuffix("-report.xlsx") + "-issues.jsonl"


def write_issues(report, path: Path) -> None:
    """Every row problem, one JSON line each, in row order: the job page lists them page by page
    without opening the spreadsheet report."""
    with path.open("w", encoding="utf-8") as fh:
        for i in sorted(report.issues, key=lambda i: i.row):
            fh.write(
                json.dumps(
                    {
                        "row": i.row,
                        "column": i.column,
                        "value": i.value,
                        "message": i.message,
                        "level": i.level,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )


def read_issues(path: Path, *, level: str | None, page: int, per_page: int) -> tuple[list[dict], int]:
    """One page of a job's row problems (``level``: error | info | None for both), and how many match."""
    if not path.exists():
        return [], 0
    items, total, start = [], 0, (page - 1) * per_page
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            issue = json.loads(line)
            if level and issue["level"] != level:
                continue
            if start <= total < start + per_page:
                items.append(issue)
            total += 1
    return items, total


def report_summary(report) -> dict:
    return {
        k: getattr(report, k)
        for k in (
            "rows_read",
            "created",
            "updated",
            "unchanged",
            "failed",
            "queued",
            "converted_rows",
            "dry_run",
            "aborted",
        )
    } | {
        "errors": len(report.errors),
        "unknown_columns": report.unknown_columns,
        "format": report.format,
        "encoding": report.encoding,
        "sheet": report.sheet,
        "header_row": report.header_row,
    }


def start(app: Flask, job_id: int) -> None:
    if app.config.get("IMPORT_JOBS_INLINE"):
        run_job(app, job_id)
        return
    thread = threading.Thread(target=run_job, args=(app, job_id), name=f"import-{job_id}", daemon=True)
    _threads[job_id] = thread
    thread.start()


def wait(job_id: int, timeout: float | None = None) -> None:
    thread = _threads.get(job_id)
    if thread is not None:
        thread.join(timeout)
