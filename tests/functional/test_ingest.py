"""Spreadsheets as staff really have them: encodings, legacy fonts, Excel oddities, broken files,
and the export → import round trip."""

import datetime as dt
import unicodedata

import openpyxl
import pytest
from sqlalchemy import func, select

from cnht import create_app, migrate
from cnht.enterprises.export import export
from cnht.enterprises.models import Enterprise
from cnht.enterprises.schemas import EnterpriseOut
from cnht.imports.importer import import_file
from cnht.reference.services import load_reference
from ingest.columns import TEMPLATE_FIELDS
from ingest.legacy import repair, unicode_to_tcvn3, unicode_to_vni
from tests.factories import HEADERS, ROW, cp1258_form, rows_of, write_csv


@pytest.mark.parametrize(
    "encoding, delimiter",
    [
        ("utf-8", ","),
        ("utf-8-sig", ";"),
        ("utf-16", "\t"),
        ("cp1258", ","),
        ("utf-8", "\t"),
    ],
)
def test_csv_encodings_and_delimiters(session, tmp_path, encoding, delimiter):
    rows, headers = rows_of(ROW), HEADERS
    if encoding == "cp1258":  # Windows-1258 writes tone marks as combining characters
        rows = [[cp1258_form(c) for c in r] for r in rows]
        headers = [cp1258_form(h) for h in HEADERS]
    path = write_csv(tmp_path / "list.csv", rows, encoding=encoding, delimiter=delimiter, headers=headers)
    report = import_file(session, path)
    session.commit()
    assert (report.created, report.failed) == (1, 0), report.issues
    ent = session.scalars(select(Enterprise)).one()
    assert ent.name == "Công ty TNHH Cơ khí Chính xác Thành Đạt"
    assert unicodedata.is_normalized("NFC", ent.name)
    assert [p.name for p in ent.products] == ["Khuôn ép nhựa", "Đồ gá"]


@pytest.mark.parametrize("encode, kind", [(unicode_to_tcvn3, "TCVN3"), (unicode_to_vni, "VNI")])
def test_legacy_font_text_is_converted_and_reported(session, tmp_path, encode, kind):
    legacy = dict(ROW, name=encode(ROW["name"]), products=encode(ROW["products"]))
    path = write_csv(tmp_path / "legacy.csv", rows_of(legacy, dict(ROW, tax_code="0313845728")))
    report = import_file(session, path)
    session.commit()
    assert report.created == 2 and report.converted_rows == 1
    info = [i for i in report.issues if i.level == "info"]
    assert info[0].row == 2 and kind in info[0].message
    ent = session.scalars(select(Enterprise).where(Enterprise.tax_code == "0106718351")).one()
    assert ent.name == ROW["name"] and [p.name for p in ent.products] == ["Khuôn ép nhựa", "Đồ gá"]


def _count(session):
    return session.scalar(select(func.count()).select_from(Enterprise))


def test_legacy_detection_leaves_other_text_alone():
    for text in ("Hoàng Thái Hà", "Café René", "ABC® Co.", "Müller GmbH", "Hòa Bình"):
        assert repair(text) == (text, None)
    assert repair("Coâng ty TNHH Thöông maïi")[0] == "Công ty TNHH Thương mại"
    assert repair("C«ng ty TNHH C¬ khÝ")[0] == "Công ty TNHH Cơ khí"


def test_xlsx_with_titles_merged_cells_formulas_dates_and_empty_rows(session, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "DS doanh nghiệp"
    ws.append(["DANH SÁCH DOANH NGHIỆP CNHT NĂM 2025"])  # a title above the header, merged
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(HEADERS)
    ws.append(rows_of(ROW)[0])
    ws.append([])  # an empty row inside the list
    second = rows_of(dict(ROW, tax_code="0313845728", name="Công ty CP Điện tử Sao Việt", sectors="Điện tử"))[
        0
    ]
    second[TEMPLATE_FIELDS.index("founded_year")] = dt.datetime(2011, 1, 1)  # a year in a date cell
    second[TEMPLATE_FIELDS.index("employees")] = 450.0  # numbers come back as floats
    ws.append(second)
    third = rows_of(dict(ROW, tax_code="3702741967"))[0]
    third[TEMPLATE_FIELDS.index("name")] = "=B4"  # a formula without a computed value
    ws.append(third)
    path = tmp_path / "list.xlsx"
    wb.save(path)
    report = import_file(session, path)
    session.commit()
    assert (report.rows_read, report.created, report.failed) == (3, 2, 1)
    error = report.errors[0]
    assert error.row == 7 and error.column == "Tên doanh nghiệp" and "Không được để trống" in error.message
    sao = session.scalars(select(Enterprise).where(Enterprise.tax_code == "0313845728")).one()
    assert sao.founded_year == 2011 and sao.employees == 450


def test_duplicated_rows_in_one_file_are_reported(session, tmp_path):
    path = write_csv(tmp_path / "dup.csv", rows_of(ROW, dict(ROW, name="Thành Đạt (nhập lại)")))
    report = import_file(session, path)
    session.commit()
    assert (report.created, report.failed) == (1, 1)
    assert "trùng với dòng 2" in report.errors[0].message


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"", "Tệp rỗng"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "không phải là bảng tính"),
        (b"PK\x03\x04not really a zip", "Không đọc được tệp bảng tính"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "Không đọc được tệp bảng tính",
        ),  # an .xls header, nothing after
    ],
)
def test_files_that_are_not_spreadsheets(session, tmp_path, content, fragment):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    report = import_file(session, path)
    assert report.fatal is not None and fragment in report.fatal.vi
    assert _count(session) == 0


def test_header_only_file_imports_nothing(session, tmp_path):
    report = import_file(session, write_csv(tmp_path / "h.csv", []))
    assert report.fatal is None and report.rows_read == 0 and _count(session) == 0


def test_unknown_columns_are_reported_not_fatal(session, tmp_path):
    headers = HEADERS + ["Ghi chú nội bộ"]
    path = write_csv(tmp_path / "x.csv", [r + ["bí mật"] for r in rows_of(ROW)], headers=headers)
    report = import_file(session, path)
    assert report.unknown_columns == ["Ghi chú nội bộ"] and report.created == 1


def test_english_headers(session, tmp_path):
    headers = ["tax_code", "name", "province", "sectors", "Products", "EMPLOYEES"]
    path = write_csv(
        tmp_path / "en.csv",
        [["0106718351", "Thanh Dat Co", "Ha Noi", "mechanical", "Moulds", "12"]],
        headers=headers,
    )
    report = import_file(session, path)
    session.commit()
    assert report.created == 1
    assert session.scalars(select(Enterprise)).one().employees == 12


def test_ten_thousand_rows(session, tmp_path):
    from cnht.enterprises.rules import make_tax_code

    rows, n = [], 0
    for i in range(10**8 + 1, 10**9):
        code = make_tax_code(f"{i:09d}")
        if code:
            rows.append(rows_of(dict(ROW, tax_code=code, name=f"Công ty TNHH Cơ khí số {n}"))[0])
            n += 1
            if n == 10_000:
                break
    report = import_file(session, write_csv(tmp_path / "big.csv", rows))
    session.commit()
    assert (report.rows_read, report.created, report.failed) == (10_000, 10_000, 0)
    assert _count(session) == 10_000


def _dump(session):
    schema = EnterpriseOut()
    out = {}
    for ent in session.scalars(select(Enterprise).order_by(Enterprise.tax_code)):
        d = schema.dump(ent)
        for k in ("created_at", "updated_at", "verified_at"):
            d.pop(k)
        out[d.pop("tax_code")] = d
    return out


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_into_an_empty_database_gives_the_same_data(
    session, tmp_path, fresh_database_url, suffix
):
    from cnht import demo

    demo.load(session, count=60, seed=9)
    session.commit()
    path = tmp_path / f"export{suffix}"
    assert export(session, path) == 60
    before = _dump(session)

    other = create_app(
        {"INSTANCE_PATH": str(tmp_path / "other"), "DATABASE_URL": fresh_database_url, "SECRET_KEY": "x"}
    )
    db = other.extensions["cnht_db"]
    migrate.upgrade(db.engine)
    with db.sessionmaker() as s2:
        load_reference(s2)
        s2.commit()
        report = import_file(s2, path)
        s2.commit()
        assert (report.created, report.failed) == (60, 0), report.errors[:3]
        assert _dump(s2) == before
    db.engine.dispose()


def test_export_xlsx_has_a_frozen_vietnamese_header(session, tmp_path):
    from cnht import demo

    demo.load(session, count=3)
    session.commit()
    path = tmp_path / "e.xlsx"
    export(session, path)
    ws = openpyxl.load_workbook(path).active
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:3] == ["Mã số thuế", "Tên doanh nghiệp", "Tên tiếng Anh"]
    assert ws.column_dimensions["B"].width >= 40
    assert ws["A2"].data_type == "s"  # tax codes stay text (leading zeros)


def test_imported_rows_are_audited_and_searchable(app, session, tmp_path):
    from cnht.enterprises.audit import AuditLog
    from cnht.search.services import SearchRequest, run_search

    path = write_csv(
        tmp_path / "a.csv",
        rows_of(ROW, dict(ROW, tax_code="0313845728", name="Công ty CP Sao Việt", products="Bo mạch PCBA")),
    )
    import_file(session, path, actor="import:a.csv")
    session.commit()
    log = session.scalars(select(AuditLog).order_by(AuditLog.entity_id)).all()
    assert [(a.action, a.actor) for a in log] == [("create", "import:a.csv")] * 2
    ent = session.scalars(select(Enterprise).where(Enterprise.tax_code == "0313845728")).one()
    assert [p.category_code for p in ent.products] == ["elec.ic_pcb"] and ent.size_class == "medium"
    with app.test_request_context():
        assert [h.name for h in run_search(SearchRequest(q="pcba")).hits] == ["Công ty CP Sao Việt"]
    # importing again goes through the update path and changes nothing
    again = import_file(session, path)
    session.commit()
    assert (again.created, again.unchanged) == (0, 2)


@pytest.mark.parametrize(
    ("legacy", "unicode", "kind"),
    [
        ("DÖt may", "Dệt may", "tcvn3"),  # 'Ö' is also a VNI mark: only the TCVN3 reading is Vietnamese
        ("Baéc Ninh", "Bắc Ninh", "vni"),  # 'aé' is VNI's 'ắ'; 'é' alone would be ordinary Unicode
        ("ThÐp ViÖt §øc", "Thép Việt Đức", "tcvn3"),
        ("Deät may Vieät Thaéng", "Dệt may Việt Thắng", "vni"),
    ],
)
def test_the_legacy_reading_that_is_vietnamese_wins(legacy, unicode, kind):
    assert repair(legacy) == (unicode, kind)


@pytest.mark.parametrize("text", ["Bé", "Nguyễn Văn Bé", "Café", "Müller GmbH", "São Paulo", "ABC®"])
def test_text_that_is_not_legacy_stays(text):
    assert repair(text) == (text, None)
