"""The spreadsheets staff really send: government forms, lists on the second sheet, merged cells,
Excel 97-2003, OpenDocument, HTML saved as .xls, and UTF-8 files with Windows-1258 lines."""

from __future__ import annotations

import openpyxl
import pytest
import xlwt
from sqlalchemy import select

from cnht.enterprises.models import Enterprise
from cnht.imports.importer import import_file
from ingest.readers import ReadError, open_table
from tests.factories import HEADERS, ROW, cp1258_form, rows_of, write_ods

FIRMS = [
    dict(ROW, tax_code="0100112437", name="Công ty TNHH Khuôn mẫu Hòa Bình"),
    dict(ROW, tax_code="0313845728", name="Công ty CP Điện tử Sao Việt"),
    dict(ROW, tax_code="3702741967", name="Công ty TNHH Cơ khí Tân Phú"),
]


def names(session):
    return sorted(e.name for e in session.scalars(select(Enterprise)))


def test_the_government_form_with_motto_two_row_header_and_column_numbers(session, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["SỞ CÔNG THƯƠNG TỈNH BẮC NINH", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    ws.append([None, None, None, "Độc lập - Tự do - Hạnh phúc"])
    ws.append([])
    ws.append(["DANH SÁCH DOANH NGHIỆP CÔNG NGHIỆP HỖ TRỢ"])
    ws.merge_cells("A4:H4")
    width = len(HEADERS)
    # the contact columns sit under one merged group header, named in the row below
    top = list(HEADERS)
    sub = [None] * width
    for col in ("Email", "Điện thoại"):
        if col in HEADERS:
            i = HEADERS.index(col)
            top[i], sub[i] = ("Thông tin liên hệ" if col == "Email" else None), col
    ws.append(top)
    ws.append(sub)
    ws.append([f"({i + 1})" for i in range(width)])
    for r in rows_of(*FIRMS):
        ws.append(r)
    path = tmp_path / "bieu-mau.xlsx"
    wb.save(path)
    table = open_table(path)
    assert table.header_row == 6 and table.sheet == ws.title
    report = import_file(session, path)
    session.commit()
    assert (report.created, report.failed) == (3, 0), report.issues
    assert report.header_row == 6


def test_the_list_on_the_second_sheet_is_found(session, tmp_path):
    wb = openpyxl.Workbook()
    guide = wb.active
    guide.title = "Hướng dẫn"
    guide.append(["Điền mỗi doanh nghiệp một dòng ở trang 'Danh sách'."])
    data = wb.create_sheet("Danh sách")
    data.append(HEADERS)
    for r in rows_of(*FIRMS):
        data.append(r)
    path = tmp_path / "two-sheets.xlsx"
    wb.save(path)
    report = import_file(session, path)
    session.commit()
    assert report.created == 3 and report.sheet == "Danh sách"


def test_no_header_anywhere_says_which_sheets_were_tried(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Ghi chú"
    wb.active.append(["chỉ có", "ghi chú"])
    wb.create_sheet("Trang 2").append(["1", "2", "3"])
    path = tmp_path / "nothing.xlsx"
    wb.save(path)
    with pytest.raises(ReadError) as exc:
        open_table(path)
    assert "'Ghi chú', 'Trang 2'" in exc.value.vi and "'Ghi chú', 'Trang 2'" in exc.value.en


def test_merged_province_and_sector_cells_fill_down(session, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    rows = rows_of(*FIRMS, dict(ROW, tax_code="0101243150", name="Công ty Đế giày Hưng Yên"))
    p, s = HEADERS.index("Tỉnh/Thành phố"), HEADERS.index("Ngành")
    for k, r in enumerate(rows):
        if k:
            r[p] = r[s] = None  # what a merged cell leaves in the rows below its first
        ws.append(r)
    col = openpyxl.utils.get_column_letter
    ws.merge_cells(f"{col(p + 1)}2:{col(p + 1)}5")
    ws.merge_cells(f"{col(s + 1)}2:{col(s + 1)}5")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    report = import_file(session, path)
    session.commit()
    assert (report.created, report.failed) == (4, 0), report.issues
    provinces = {e.province_code for e in session.scalars(select(Enterprise))}
    assert len(provinces) == 1


def test_excel_97_2003(session, tmp_path):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("DS")
    for c, h in enumerate(HEADERS):
        sheet.write(0, c, h)
    for r, row in enumerate(rows_of(*FIRMS), start=1):
        for c, v in enumerate(row):
            if v not in (None, ""):
                sheet.write(r, c, v)
    path = tmp_path / "old.xls"
    book.save(str(path))
    report = import_file(session, path)
    session.commit()
    assert report.format == "xls" and (report.created, report.failed) == (3, 0), report.issues
    assert names(session) == sorted(f["name"] for f in FIRMS)


def test_opendocument(session, tmp_path):
    path = write_ods(tmp_path / "list.ods", [HEADERS, *rows_of(*FIRMS)])
    report = import_file(session, path)
    session.commit()
    assert report.format == "ods" and (report.created, report.failed) == (3, 0), report.issues


def test_an_html_table_saved_as_xls(session, tmp_path):
    def cells(tag, row):
        return "".join(f"<{tag}>{'' if v is None else v}</{tag}>" for v in row)

    body = (
        "<tr>"
        + cells("th", HEADERS)
        + "</tr>"
        + "".join("<tr>" + cells("td", r) + "</tr>" for r in rows_of(*FIRMS))
    )
    html = f'<html><head><meta charset="utf-8"></head><body><table border="1">{body}</table></body></html>'
    path = tmp_path / "export-from-portal.xls"
    path.write_text(html, encoding="utf-8")
    report = import_file(session, path)
    session.commit()
    assert report.format == "html" and (report.created, report.failed) == (3, 0), report.issues


def test_a_utf8_file_with_windows_1258_lines(session, tmp_path):
    import csv
    import io

    lines = []
    for k, r in enumerate([HEADERS, *rows_of(*FIRMS)]):
        buf = io.StringIO()
        csv.writer(buf).writerow(r)
        text = buf.getvalue()
        # the last firm was pasted from an old Windows-1258 list
        lines.append(cp1258_form(text).encode("cp1258") if k == 3 else text.encode("utf-8"))
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\xef\xbb\xbf" + b"".join(lines))
    report = import_file(session, path)
    session.commit()
    assert (report.created, report.failed) == (3, 0), report.issues
    assert "Công ty TNHH Cơ khí Tân Phú" in names(session)


def test_the_report_says_what_happened_to_every_row(session, tmp_path):
    from cnht.imports.importer import write_report
    from tests.factories import write_csv

    import_file(session, write_csv(tmp_path / "first.csv", rows_of(FIRMS[0])))
    session.commit()
    again = dict(FIRMS[0], address="Số 9 Trần Phú, Hà Đông")
    path = write_csv(tmp_path / "second.csv", rows_of(again, FIRMS[1], FIRMS[1] | {"tax_code": "bad"}))
    report = import_file(session, path)
    session.commit()
    out = tmp_path / "report.xlsx"
    write_report(report, out)
    ws = openpyxl.load_workbook(out).active
    lines = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True) if isinstance(r[0], int)}
    assert "Cập nhật" in lines[2][4] and "address" in lines[2][4]
    assert "Tạo mới" in lines[3][4]
    assert lines[4][3] == "error"
    title = ws.cell(1, 1).value
    assert "Dòng tiêu đề 1" in title and "Header row 1" in title


def test_a_sheet_formatted_to_a_million_rows_reads_its_data_rows(session, tmp_path):
    """Formatted but empty cells are not data: the five firms are read and nothing else is kept."""
    import re
    import zipfile

    wb = openpyxl.Workbook()
    wb.active.append(HEADERS)
    for r in rows_of(*FIRMS):
        wb.active.append(r)
    small = tmp_path / "small.xlsx"
    wb.save(small)
    big = tmp_path / "formatted.xlsx"
    with zipfile.ZipFile(small) as z, zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as out:
        for name in z.namelist():
            data = z.read(name)
            if name.startswith("xl/worksheets/sheet"):
                rows = "".join(
                    f'<row r="{r}"><c r="A{r}" s="0"/><c r="B{r}" s="0"/></row>' for r in range(5, 200_001)
                )
                text = data.decode().replace("</sheetData>", rows + "</sheetData>")
                data = re.sub(r'<dimension ref="[^"]+"/>', '<dimension ref="A1:Z200000"/>', text).encode()
            out.writestr(name, data)
    report = import_file(session, big)
    session.commit()
    assert (report.rows_read, report.created) == (3, 3)
