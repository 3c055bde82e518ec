"""Rows without a tax code: normalised-name matching, the staff review queue, remembered decisions,
and the web import (upload → preview → dry run → commit → report)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import func, select

from cnht.enterprises.audit import AuditLog
from cnht.enterprises.models import Enterprise
from cnht.imports.dedup import name_key, similarity
from cnht.imports.importer import import_file
from cnht.imports.models import DuplicateDecision, DuplicateReview, ImportJob
from cnht.imports.services import decide
from tests.client import login, post_form
from tests.factories import ROW, make_user, rows_of, write_csv

EXISTING = dict(ROW, name="Công ty TNHH Cơ khí Chính xác Thành Đạt", phone="024 3812 3456")


@pytest.mark.parametrize(
    "a, b",
    [
        ("Công ty TNHH Cơ khí Chính xác Thành Đạt", "CÔNG TY TRÁCH NHIỆM HỮU HẠN CƠ KHÍ CHÍNH XÁC THÀNH ĐẠT"),
        ("Công ty Cổ phần Điện tử Sao Việt", "Sao Viet Electronics JSC"[:0] + "CTCP Điện tử Sao Việt"),
        ("Cty TNHH MTV Nhựa Minh Phát", "Nhựa Minh Phát Co., Ltd"),
        ("Công ty TNHH SX-TM Cơ khí Hòa Bình", "Công ty TNHH Sản xuất Thương mại Cơ khí Hoà Bình"),
    ],
)
def test_legal_forms_and_abbreviations_do_not_matter(a, b):
    assert name_key(a).split() and similarity(name_key(a), name_key(b)) >= 88, (name_key(a), name_key(b))


@pytest.mark.parametrize(
    "a, b",
    [
        ("Công ty TNHH Cơ khí Thành Đạt", "Công ty TNHH Điện tử Thành Công"),
        ("Công ty TNHH Việt", "Công ty TNHH Việt Tiến"),
        ("Công ty Cổ phần Dệt may Hòa Thọ", "Công ty Cổ phần Da giày Hòa Bình"),
        ("Công ty TNHH May mặc số 1 Đông Anh", "Công ty TNHH May mặc số 2 Đông Anh"),
    ],
)
def test_different_firms_stay_apart(a, b):
    assert similarity(name_key(a), name_key(b)) < 88


def test_cơ_is_not_mistaken_for_the_english_co():
    assert name_key("Công ty TNHH Cơ khí Á Châu") == "co khi a chau"


def test_row_without_tax_code_is_created_then_updated_on_reimport(session, tmp_path):
    row = dict(ROW, tax_code="", name="Hộ kinh doanh Cơ khí Tân Tiến", province="Bắc Ninh")
    path = write_csv(tmp_path / "a.csv", rows_of(row))
    report = import_file(session, path)
    session.commit()
    assert (report.created, report.queued, report.failed) == (1, 0, 0), report.issues
    ent = session.scalars(select(Enterprise)).one()
    assert ent.tax_code is None and ent.ref == f"id-{ent.id}"
    again = import_file(session, path)
    session.commit()
    assert (again.created, again.unchanged, again.queued) == (0, 1, 0)
    path2 = write_csv(tmp_path / "b.csv", rows_of(dict(row, employees="150")))
    third = import_file(session, path2)
    session.commit()
    assert third.updated == 1 and session.get(Enterprise, ent.id).employees == 150


def test_profile_and_api_of_a_firm_without_tax_code(client, session, tmp_path):
    row = dict(ROW, tax_code="", name="Hộ kinh doanh Cơ khí Tân Tiến", province="Bắc Ninh")
    import_file(session, write_csv(tmp_path / "a.csv", rows_of(row)))
    session.commit()
    ent = session.scalars(select(Enterprise)).one()
    assert client.get(f"/enterprises/id-{ent.id}").status_code == 200
    body = client.get(f"/api/v1/enterprises/id-{ent.id}").get_json()
    assert body["tax_code"] is None and body["ref"] == f"id-{ent.id}"
    hits = client.get("/api/v1/search?q=tan tien").get_json()["items"]
    assert hits[0]["ref"] == f"id-{ent.id}" and hits[0]["tax_code"] is None


def _seed_existing(session, tmp_path):
    import_file(session, write_csv(tmp_path / "seed.csv", rows_of(EXISTING)))
    session.commit()
    return session.scalars(select(Enterprise)).one()


def test_similar_row_is_queued_never_merged_silently(session, tmp_path):
    existing = _seed_existing(session, tmp_path)
    row = dict(
        ROW, tax_code="", name="CTY TNHH CƠ KHÍ CHÍNH XÁC THÀNH ĐẠT", employees="200", email="td@example.vn"
    )
    path = write_csv(tmp_path / "survey.csv", rows_of(row))
    report = import_file(session, path)
    session.commit()
    assert (report.created, report.updated, report.queued) == (0, 0, 1)
    assert any(i.level == "review" and existing.tax_code in i.message for i in report.issues)
    assert session.get(Enterprise, existing.id).employees == 120  # untouched
    assert session.scalar(select(func.count()).select_from(Enterprise)) == 1
    # importing the same list again does not duplicate the queue
    import_file(session, path)
    session.commit()
    assert session.scalar(select(func.count()).select_from(DuplicateReview)) == 1
    # a different province is another firm
    other = import_file(session, write_csv(tmp_path / "o.csv", rows_of(dict(row, province="Đà Nẵng"))))
    session.commit()
    assert (other.created, other.queued) == (1, 0)


def test_merge_decision_fills_the_firm_keeps_both_trails_and_is_remembered(session, tmp_path):
    existing = _seed_existing(session, tmp_path)
    row = dict(
        ROW,
        tax_code="",
        name="CTY TNHH CƠ KHÍ CHÍNH XÁC THÀNH ĐẠT",
        employees="200",
        email="td@example.vn",
        products="",
    )
    path = write_csv(tmp_path / "survey.csv", rows_of(row))
    import_file(session, path)
    session.commit()
    staff = make_user(session, "staff")
    review = session.scalars(select(DuplicateReview)).one()
    decide(session, review, existing.id, staff.id)
    session.commit()
    ent = session.get(Enterprise, existing.id)
    assert ent.employees == 200 and ent.email == "td@example.vn"
    assert [p.name for p in ent.products] == ["Khuôn ép nhựa", "Đồ gá"]  # empty cell does not erase
    trail = session.scalars(select(AuditLog).where(AuditLog.entity_id == ent.id).order_by(AuditLog.id)).all()
    actions = [(a.action, a.field) for a in trail]
    assert (
        ("create", None) in actions
        and ("update", "employees") in actions
        and ("merge", "import_row") in actions
    )
    merge_entry = next(a for a in trail if a.action == "merge")
    assert "survey.csv" in merge_entry.new_value and "CTY TNHH" in merge_entry.new_value
    assert session.scalars(select(DuplicateDecision)).one().same is True
    # the same list again: applied to the same firm, no new question
    again = import_file(session, path)
    session.commit()
    assert (again.queued, again.created, again.unchanged) == (0, 0, 1)
    assert (
        session.scalar(
            select(func.count()).select_from(DuplicateReview).where(DuplicateReview.status == "pending")
        )
        == 0
    )


def test_not_the_same_firm_creates_it_and_is_remembered(session, tmp_path):
    existing = _seed_existing(session, tmp_path)
    row = dict(ROW, tax_code="", name="Cơ khí chính xác Thành Đạt", province="Hà Nội")
    path = write_csv(tmp_path / "survey.csv", rows_of(row))
    assert import_file(session, path).queued == 1
    session.commit()
    review = session.scalars(select(DuplicateReview)).one()
    created = decide(session, review, None, None)
    session.commit()
    assert created.id != existing.id and created.tax_code is None
    assert session.scalars(select(DuplicateDecision)).one().same is False
    again = import_file(session, path)
    session.commit()
    assert (again.queued, again.created, again.unchanged) == (0, 0, 1)


def test_dry_run_queues_nothing(session, tmp_path):
    _seed_existing(session, tmp_path)
    row = dict(ROW, tax_code="", name="CTY TNHH CƠ KHÍ CHÍNH XÁC THÀNH ĐẠT")
    report = import_file(session, write_csv(tmp_path / "s.csv", rows_of(row)), dry_run=True)
    session.commit()
    assert report.queued == 1
    assert session.scalar(select(func.count()).select_from(DuplicateReview)) == 0


def test_staff_review_page_side_by_side_and_decision(client, session, tmp_path):
    existing = _seed_existing(session, tmp_path)
    row = dict(ROW, tax_code="", name="CTY TNHH CƠ KHÍ CHÍNH XÁC THÀNH ĐẠT", phone="0912 345 678")
    import_file(session, write_csv(tmp_path / "survey.csv", rows_of(row)))
    session.commit()
    make_user(session, "staff")
    login(client, "staff@example.vn")
    review = session.scalars(select(DuplicateReview)).one()
    page = client.get(f"/staff/duplicates/{review.id}").get_data(as_text=True)
    assert (
        "CTY TNHH CƠ KHÍ CHÍNH XÁC THÀNH ĐẠT" in page and existing.tax_code in page and "0912 345 678" in page
    )
    r = post_form(
        client,
        f"/staff/duplicates/{review.id}",
        {"decision": str(existing.id)},
        page=f"/staff/duplicates/{review.id}",
    )
    assert r.status_code == 302
    session.expire_all()
    assert session.get(Enterprise, existing.id).phone == "+84912345678"
    assert session.get(DuplicateReview, review.id).status == "merged"


# ---- web import ---------------------------------------------------------------------------------


def _xlsx_bytes(rows, headers):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_web_import_upload_preview_dry_run_commit_report(client, session):
    from tests.factories import HEADERS

    make_user(session, "staff")
    login(client, "staff@example.vn")
    good = [ROW.get(f, "") for f in ("tax_code",)]  # noqa: F841  (ROW as the first row)
    data = _xlsx_bytes(
        rows_of(ROW, dict(ROW, tax_code="0100233480", name="Sai MST")), HEADERS + ["Ghi chú nội bộ"]
    )
    r = post_form(
        client,
        "/staff/imports",
        {"file": (io.BytesIO(data), "danh-sach.xlsx")},
        page="/staff/imports",
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    job = session.scalars(select(ImportJob)).one()
    preview = client.get(f"/staff/imports/{job.id}").get_data(as_text=True)
    assert "Công ty TNHH Cơ khí Chính xác Thành Đạt" in preview and "Ghi chú nội bộ" in preview
    assert "không nhận ra" in preview  # the unknown column is shown, not fatal
    r = post_form(
        client,
        f"/staff/imports/{job.id}/run",
        {"mode": "dry", "on_error": "skip"},
        page=f"/staff/imports/{job.id}",
    )
    assert r.status_code == 302
    status = client.get(f"/staff/imports/{job.id}/status").get_json()
    assert status["status"] == "done" and status["dry_run"] is True
    assert status["summary"]["created"] == 1 and status["summary"]["failed"] == 1
    assert session.scalar(select(func.count()).select_from(Enterprise)) == 0
    post_form(
        client,
        f"/staff/imports/{job.id}/run",
        {"mode": "commit", "on_error": "skip"},
        page=f"/staff/imports/{job.id}",
    )
    status = client.get(f"/staff/imports/{job.id}/status").get_json()
    assert status["summary"]["created"] == 1 and status["dry_run"] is False
    assert session.scalar(select(Enterprise.name)) == ROW["name"]
    report = client.get(status["report_url"])
    assert report.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(report.data)).active
    messages = [c.value for c in ws["E"]]
    assert any("sai chữ số kiểm tra" in (m or "") for m in messages)


def test_web_import_refuses_other_file_types_and_other_roles(client, session):
    make_user(session, "staff")
    make_user(session, "sme")
    login(client, "sme@example.vn")
    r = client.post(
        "/staff/imports", data={"file": (io.BytesIO(b"x"), "a.csv")}, content_type="multipart/form-data"
    )
    assert r.status_code in (400, 403)
    login(client, "staff@example.vn")
    r = post_form(
        client,
        "/staff/imports",
        {"file": (io.BytesIO(b"MZ\x90\x00"), "virus.exe")},
        page="/staff/imports",
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    assert session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_staff_export_downloads_the_template_layout(client, session, tmp_path):
    from tests.factories import HEADERS

    _seed_existing(session, tmp_path)
    make_user(session, "staff")
    login(client, "staff@example.vn")
    r = client.get("/staff/export.xlsx")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.data)).active
    assert [c.value for c in ws[1]][: len(HEADERS)] == HEADERS
    assert ws.freeze_panes == "A2"
    assert ws.cell(2, 1).value == ROW["tax_code"]


def test_web_import_runs_in_a_background_thread(fresh_database_url, tmp_path):
    """The real path: the request returns at once, a thread imports, the status shows progress and
    the outcome (own database, because the thread commits for real)."""
    import time

    from cnht import create_app, migrate
    from cnht.imports import jobs
    from cnht.reference.services import load_reference
    from tests.factories import HEADERS

    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "inst"),
            "DATABASE_URL": fresh_database_url,
            "SECRET_KEY": "t",
            "TESTING": True,
        }
    )
    database = app.extensions["cnht_db"]
    migrate.upgrade(database.engine)
    with database.sessionmaker() as s:
        load_reference(s)
        make_user(s, "staff")
    try:
        client = app.test_client()
        login(client, "staff@example.vn")
        rows = rows_of(
            *[dict(ROW, tax_code="", name=f"Cơ sở cơ khí số {i}", province="Bắc Ninh") for i in range(300)]
        )
        data = _xlsx_bytes(rows, HEADERS)
        post_form(
            client,
            "/staff/imports",
            {"file": (io.BytesIO(data), "bac-ninh.xlsx")},
            page="/staff/imports",
            content_type="multipart/form-data",
        )
        with database.sessionmaker() as s:
            job_id = s.scalar(select(ImportJob.id))
        started = time.monotonic()
        r = post_form(
            client, f"/staff/imports/{job_id}/run", {"mode": "commit"}, page=f"/staff/imports/{job_id}"
        )
        assert r.status_code == 302
        jobs.wait(job_id, timeout=120)
        assert time.monotonic() - started < 120
        status = client.get(f"/staff/imports/{job_id}/status").get_json()
        assert status["status"] == "done", status
        assert status["summary"]["created"] == 300 and status["progress"]["done"] == 300
        with database.sessionmaker() as s:
            assert s.scalar(select(func.count()).select_from(Enterprise)) == 300
        assert "300" in client.get(f"/staff/imports/{job_id}").get_data(as_text=True)
        # another server process (its own app on the same database and instance folder) answers the
        # page's poll with the same progress: nothing of the job lives in one process's memory
        other = create_app(
            {
                "INSTANCE_PATH": str(tmp_path / "inst"),
                "DATABASE_URL": fresh_database_url,
                "SECRET_KEY": "t",
                "TESTING": True,
            }
        )
        try:
            poll = other.test_client()
            login(poll, "staff@example.vn")
            seen = poll.get(f"/staff/imports/{job_id}/status").get_json()
            assert seen["status"] == "done" and seen["progress"]["done"] == 300
            # a run whose process died: still "running" in the database, no heartbeat for a minute
            with database.sessionmaker() as s:
                job = s.get(ImportJob, job_id)
                job.status = "running"
                job.started_at = job.started_at - dt.timedelta(minutes=5)
                s.commit()
                jobs.progress_path(app, job).unlink()
            assert poll.get(f"/staff/imports/{job_id}/status").get_json()["status"] == "interrupted"
            page = poll.get(f"/staff/imports/{job_id}").get_data(as_text=True)
            assert "Bị ngắt" in page and "Nhập vào cơ sở dữ liệu" in page  # it may be run again
            assert "Bị ngắt" in poll.get("/staff/imports").get_data(as_text=True)  # the list says so too
            r = post_form(
                poll, f"/staff/imports/{job_id}/run", {"mode": "dry"}, page=f"/staff/imports/{job_id}"
            )
            assert r.status_code == 302
            jobs.wait(job_id, timeout=120)
            assert poll.get(f"/staff/imports/{job_id}/status").get_json()["status"] == "done"
        finally:
            other.extensions["cnht_db"].engine.dispose()
    finally:
        database.engine.dispose()


def test_blocking_keeps_the_likely_duplicate_in_a_large_province(session):
    from cnht.imports.dedup import Deduplicator

    d = Deduplicator(session)
    keys = {i: name_key(f"Công ty TNHH Cơ khí Phát Đạt {i}") for i in range(400)}
    keys[999] = name_key("Công ty TNHH Cơ khí Chính xác Thành Đạt")
    d._keys["01"], d._untaxed["01"], d._postings["01"] = keys, {}, {}
    for i, k in keys.items():
        for w in set(k.split()):
            d._postings["01"].setdefault(w, set()).add(i)
    block = d._block(name_key("CTY TNHH CƠ KHÍ CHÍNH XÁC THÀNH ĐẠT"), "01", keys)
    assert 999 in block and len(block) < len(keys)


def test_web_import_lists_every_row_error_on_its_page(client, session):
    from tests.factories import HEADERS

    make_user(session, "staff")
    login(client, "staff@example.vn")
    bad = [dict(ROW, tax_code=f"01002334{n:02d}", name=f"Sai MST {n}") for n in range(30)]
    bad = [r for r in bad if r["tax_code"] != "0100233480"] + [
        dict(ROW, tax_code="0100233480", name="Sai MST")
    ]
    data = _xlsx_bytes(rows_of(ROW, *bad), HEADERS)
    post_form(
        client,
        "/staff/imports",
        {"file": (io.BytesIO(data), "danh-sach.xlsx")},
        page="/staff/imports",
        content_type="multipart/form-data",
    )
    job = session.scalars(select(ImportJob)).one()
    post_form(
        client,
        f"/staff/imports/{job.id}/run",
        {"mode": "dry", "on_error": "skip"},
        page=f"/staff/imports/{job.id}",
    )
    failed = client.get(f"/staff/imports/{job.id}/status").get_json()["summary"]["failed"]
    assert failed >= 25  # most generated codes fail the check digit
    detail = client.get(f"/staff/imports/{job.id}").get_data(as_text=True)
    section = detail[detail.index('data-testid="row-errors"') :]
    section = section[: section.index("</section>")]
    assert f"({failed})" in section and "sai chữ số kiểm tra" in section
    assert section.count("<tr><td>") == 20  # the first 20 here, all on the issues page
    page = client.get(f"/staff/imports/{job.id}/issues?level=error").get_data(as_text=True)
    assert f">{failed} dòng<" in page and page.count("sai chữ số kiểm tra") == failed
    assert client.get(f"/staff/imports/{job.id}/issues?page=999999999999").status_code == 200
