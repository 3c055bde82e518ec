"""Web-started imports: the file is stored under the instance folder, previewed, then imported by a
background thread while the page polls its progress.

Progress lives in memory (the import's own transaction cannot publish it before it commits); the
outcome is written to the ``import_job`` row when the thread finishes. Imports are serialised by a
lock so two staff members never write the same rows at once.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from cnht.db import utcnow
from cnht.imports.importer import import_file, write_report
from cnht.imports.models import ImportJob
from ingest.readers import estimate_rows

_lock = threading.Lock()
_threads: dict[int, threading.Thread] = {}


@dataclass
class Progress:
    done: int = 0
    total: int | None = None
    started: float = 0.0

    def as_dict(self) -> dict:
        elapsed = max(time.monotonic() - self.started, 1e-6) if self.started else 0.0
        rate = self.done / elapsed if elapsed else 0.0
        eta = (self.total - self.done) / rate if (rate and self.total and self.total > self.done) else None
        return {
            "done": self.done,
            "total": self.total,
            "rate": round(rate, 1),
            "eta_seconds": round(eta) if eta is not None else None,
        }


PROGRESS: dict[int, Progress] = {}


def upload_dir(app: Flask) -> Path:
    path = Path(app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_job(app: Flask, job_id: int) -> None:
    """Import the job's file (in this thread, with its own session) and record the outcome."""
    db = app.extensions["cnht_db"]
    with app.app_context(), _lock:
        with db.sessionmaker() as s:
            job = s.get(ImportJob, job_id)
            path = upload_dir(app) / job.stored_name
            prog = PROGRESS.setdefault(job_id, Progress())
            prog.total, prog.started = estimate_rows(path), time.monotonic()
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
        try:
            with db.sessionmaker() as s:
                s.info["user_id"] = user_id

                def progress(n: int) -> None:
                    prog.done = n

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
        with db.sessionmaker() as s:
            job = s.get(ImportJob, job_id)
            for k, v in outcome.items():
                setattr(job, k, v)
            job.rows_done, job.finished_at = prog.done, utcnow()
            s.commit()


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
    PROGRESS[job_id] = Progress()
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
