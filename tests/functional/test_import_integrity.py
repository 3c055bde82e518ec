"""Imports lose nothing: a column the file does not have leaves the stored value alone; an empty cell
in a present column clears it and the report says so; a name written without diacritics never replaces
the accented one; Excel's text apostrophe is understood."""

from __future__ import annotations

import csv

from sqlalchemy import select

from cnht.enterprises import services
from cnht.enterprises.models import Enterprise
from cnht.enterprises.schemas import EnterpriseIn
from cnht.imports.importer import import_file
from cnht.imports.models import DuplicateReview
from tests.factories import enterprise_record

TAX = "0100112437"


def _stored(session):
    services.upsert(
        session,
        EnterpriseIn().load(
            enterprise_record(
                tax_code=TAX,
                name="Công ty TNHH Cơ khí Minh Phát",
                products=["Bánh răng", "Trục"],
                certifications=["ISO 9001:2015"],
                address="Lô 5, KCN Quang Minh",
                description="Gia công cơ khí chính xác",
                email="info@minhphat.example.vn",
            )
        ),
    )
    session.commit()


def _csv(path, headers, *rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        w.writerows(rows)
    return path


def test_a_partial_file_leaves_the_other_fields_alone(session, tmp_path):
    _stored(session)
    f = _csv(
        tmp_path / "partial.csv",
        ["Mã số thuế", "Tên doanh nghiệp", "Tỉnh/thành phố", "Ngành", "Số lao động"],
        [TAX, "Công ty TNHH Cơ khí Minh Phát", "Hà Nội", "Cơ khí", "250"],
    )
    report = import_file(session, f)
    assert report.ok and report.updated == 1, report.issues
    session.expire_all()
    ent = services.get_by_tax_code(session, TAX)
    assert ent.employees == 250
    assert [p.name for p in ent.products] == ["Bánh răng", "Trục"]
    assert ent.address == "Lô 5, KCN Quang Minh" and ent.email == "info@minhphat.example.vn"
    assert [c.standard for c in ent.certifications] == ["ISO 9001:2015"]
    assert ent.description == "Gia công cơ khí chính xác"


def test_an_empty_cell_in_a_present_column_clears_and_is_reported(session, tmp_path):
    _stored(session)
    f = _csv(
        tmp_path / "clear.csv",
        ["Mã số thuế", "Tên doanh nghiệp", "Tỉnh/thành phố", "Ngành", "Địa chỉ"],
        [TAX, "Công ty TNHH Cơ khí Minh Phát", "Hà Nội", "Cơ khí", ""],
    )
    report = import_file(session, f, dry_run=True)
    assert any(i.level == "info" and "address" in i.message for i in report.issues)  # the dry run shows it
    session.expire_all()
    assert services.get_by_tax_code(session, TAX).address == "Lô 5, KCN Quang Minh"
    report = import_file(session, f)
    session.expire_all()
    assert services.get_by_tax_code(session, TAX).address is None
    assert any(i.level == "info" and "address" in i.message for i in report.issues)


def test_an_unaccented_name_never_replaces_the_accented_one(session, tmp_path):
    _stored(session)
    f = _csv(
        tmp_path / "ascii.csv",
        ["Mã số thuế", "Tên doanh nghiệp", "Tỉnh/thành phố", "Ngành"],
        [TAX, "Cong ty TNHH Co khi Minh Phat", "Ha Noi", "Co khi"],
    )
    import_file(session, f)
    session.expire_all()
    assert services.get_by_tax_code(session, TAX).name == "Công ty TNHH Cơ khí Minh Phát"


def test_excel_text_apostrophe_in_a_tax_code(session, tmp_path):
    f = _csv(
        tmp_path / "apostrophe.csv",
        ["Mã số thuế", "Tên doanh nghiệp", "Tỉnh/thành phố", "Ngành"],
        ["'0100109106", "Công ty Cổ phần Dệt may Hà Nội", "Hà Nội", "Dệt may"],
    )
    report = import_file(session, f)
    assert report.created == 1, report.issues
    assert services.get_by_tax_code(session, "0100109106") is not None


def test_excel_sep_line_long_cells_and_rows_after_line_breaks(session, tmp_path):
    path = tmp_path / "excel.csv"
    long_text = "Gia công cơ khí " * 70_000  # ~1 MB in one cell
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        fh.write("sep=;\r\n")
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Mã số thuế", "Tên doanh nghiệp", "Tỉnh/thành phố", "Ngành", "Mô tả"])
        w.writerow(
            ["0100109106", "Công ty Cổ phần Dệt may Hà Nội", "Hà Nội", "Dệt may", "dòng một\ndòng hai"]
        )
        w.writerow(["0106718351", "Công ty TNHH Cơ khí Thành Đạt", "Hà Nội", "Cơ khí", long_text])
        w.writerow(["123", "Công ty Sai Mã", "Hà Nội", "Cơ khí", ""])
    report = import_file(session, path)
    assert report.fatal is None and report.created == 1 and report.failed == 2
    rows = sorted({i.row for i in report.issues if i.level == "error"})
    assert rows == [4, 5]  # spreadsheet rows (sep line 1, header 2), not text lines of the multi-line cell


UNTAXED = ["Tên doanh nghiệp", "Tỉnh/thành phố", "Ngành", "Sản phẩm", "Chứng chỉ", "Số lao động", "Email"]


def _untaxed_firm(session, tmp_path):
    first = _csv(
        tmp_path / "first.csv",
        UNTAXED,
        ["Công ty TNHH Cơ khí Minh Phát", "Hà Nội", "Cơ khí", "Bánh răng", "ISO 9001:2015", "50", ""],
    )
    assert import_file(session, first).created == 1
    session.commit()


def _minh_phat(session):
    session.expire_all()
    return session.scalars(select(Enterprise).where(Enterprise.name.like("%Minh Ph%"))).one()


def test_a_row_known_only_by_name_merges_its_lists_and_fills_blanks(session, tmp_path):
    _untaxed_firm(session, tmp_path)
    other = _csv(  # another Department list: unaccented, abbreviated, other products, an e-mail
        tmp_path / "other.csv",
        UNTAXED,
        [
            "Cty TNHH Co khi Minh Phat",
            "Ha Noi",
            "Co khi",
            "Trục; bánh răng",
            "",
            "",
            "kd@minhphat.example.vn",
        ],
    )
    report = import_file(session, other)
    assert report.updated == 1 and report.queued == 0, report.issues
    assert [i.message for i in report.issues if i.level == "info"] == [
        "Đã gộp danh sách với dữ liệu đã có: Sản phẩm / Lists merged with the stored ones: Sản phẩm"
    ]
    ent = _minh_phat(session)
    assert ent.name == "Công ty TNHH Cơ khí Minh Phát"
    assert [p.name for p in ent.products] == ["Bánh răng", "Trục"]  # merged, nothing lost
    assert [c.standard for c in ent.certifications] == ["ISO 9001:2015"]  # an empty cell clears nothing
    assert ent.employees == 50 and ent.email == "kd@minhphat.example.vn"


def test_a_row_known_only_by_name_that_disagrees_goes_to_review(session, tmp_path):
    _untaxed_firm(session, tmp_path)
    other = _csv(
        tmp_path / "other.csv",
        UNTAXED,
        ["Cty TNHH Co khi Minh Phat", "Ha Noi", "Co khi", "Trục", "", "300", ""],
    )
    report = import_file(session, other)
    assert report.queued == 1 and report.updated == 0, report.issues
    (issue,) = [i for i in report.issues if i.level == "review"]
    assert "khác ở: Số lao động" in issue.message  # the file's own column name
    ent = _minh_phat(session)
    assert ent.employees == 50 and [p.name for p in ent.products] == ["Bánh răng"]
    review = session.scalars(select(DuplicateReview)).one()
    assert review.candidate_id == ent.id and review.status == "pending"
