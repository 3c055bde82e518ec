"""Shared test data: valid enterprise records, users, the import rows and the small search corpus.
Tests import from here, never from conftest or from another test module."""

from __future__ import annotations

import csv
import io
import unicodedata

from cnht.accounts.services import create_account
from cnht.enterprises.services import get_by_tax_code
from ingest.columns import COLUMNS, TEMPLATE_FIELDS

PASSWORD = "mat-khau-rat-dai-2026"


def enterprise_record(**overrides) -> dict:
    """A valid enterprise as API/import input. Tax codes below are real-format codes with valid
    check digits (python-stdnum's test list)."""
    record = {
        "tax_code": "0100112437",
        "name": "Công ty TNHH Cơ khí Chính xác Hòa Bình",
        "name_en": "Hoa Binh Precision Mechanical Co., Ltd",
        "province": "Hà Nội",
        "address": "Lô 5, KCN Quang Minh",
        "sectors": ["Cơ khí"],
        "products": ["Khuôn ép nhựa", "Chi tiết gia công CNC"],
        "processes": ["Phay CNC", "Tiện CNC"],
        "certifications": ["ISO 9001:2015"],
        "employees": 80,
        "revenue_bn_vnd": "45,5",
        "founded_year": 2008,
        "ownership": "Tư nhân",
        "email": "info@hoabinh.example.vn",
        "phone": "024 3812 3456",
    }
    record.update(overrides)
    return record


def make_user(
    session,
    role: str,
    email: str | None = None,
    *,
    tax_code: str | None = None,
    full_name: str = "Nguyễn Văn An",
    organisation: str | None = None,
):
    ent = get_by_tax_code(session, tax_code, full=False) if tax_code else None
    assert tax_code is None or ent is not None, f"no enterprise {tax_code} to attach the user to"
    user = create_account(
        session,
        email=email or f"{role}@example.vn",
        password=PASSWORD,
        role=role,
        full_name=full_name,
        enterprise_id=ent.id if ent else None,
    )
    user.organisation = organisation
    session.commit()
    return user


# ---- spreadsheet rows (the import template's columns) ----------------------------------------

HEADERS = [COLUMNS[f][0] for f in TEMPLATE_FIELDS]
ROW = {
    "tax_code": "0106718351",
    "name": "Công ty TNHH Cơ khí Chính xác Thành Đạt",
    "province": "Hà Nội",
    "sectors": "Cơ khí",
    "products": "Khuôn ép nhựa; Đồ gá",
    "employees": "120",
    "revenue_bn_vnd": "85,5",
}


def rows_of(*records):
    return [[r.get(f, "") for f in TEMPLATE_FIELDS] for r in records]


def write_csv(path, rows, *, encoding="utf-8", delimiter=",", headers=HEADERS):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter)
    w.writerow(headers)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258_form(text):
    """What Windows-1258 stores: letters with ^, breve or horn precomposed, tone marks combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)) + tones)
    return "".join(out)


# ---- a small corpus for the search tests --------------------------------------------------------

FIRMS = [
    dict(
        tax_code="0100112437",
        name="Công ty TNHH Khuôn mẫu Hòa Bình",
        products=["Khuôn ép nhựa", "Khuôn dập"],
        processes=["Ép phun nhựa", "Phay CNC"],
        province="Hà Nội",
        sectors=["Cơ khí"],
        certifications=["ISO 9001:2015"],
        verification_status="staff_assessed",
    ),
    dict(
        tax_code="0300588569",
        name="Công ty Cổ phần Nhựa Kỹ thuật Phương Nam",
        products=["Chi tiết nhựa kỹ thuật"],
        processes=["Ép phun nhựa"],
        province="Bình Dương",
        sectors=["Cơ khí"],
        certifications=["ISO9001"],
        description="Sản xuất chi tiết nhựa; có xưởng khuôn riêng.",
    ),
    dict(
        tax_code="0101248141",
        name="Công ty TNHH Đế giày Tân Phú",
        products=["Đế giày EVA", "Đế giày cao su"],
        processes=["Ép phun EVA"],
        province="TP Hồ Chí Minh",
        sectors=["Da giày"],
        certifications=["LWG"],
        verification_status="documents_checked",
    ),
    dict(
        tax_code="0101245486",
        name="Công ty Cổ phần Giấy Bao bì Sông Lam",
        products=["Giấy carton", "Bao bì giấy"],
        processes=["In offset"],
        province="Nghệ An",
        sectors=["Cơ khí"],
        certifications=[],
    ),
    dict(
        tax_code="0100109106",
        name="Công ty TNHH Đúc Gang Thái Nguyên",
        products=["Chi tiết đúc gang"],
        processes=["Đúc cát"],
        province="Thái Nguyên",
        sectors=["Cơ khí"],
        certifications=["ISO 9001:2015"],
    ),
    dict(
        tax_code="0100283873",
        name="Trung tâm Giáo dục Nghề Cơ điện",
        products=["Đào tạo nghề"],
        processes=["Giáo dục nghề nghiệp"],
        province="Hà Nội",
        sectors=["Cơ khí"],
        certifications=[],
    ),
    dict(
        tax_code="0106718351",
        name="Công ty TNHH Thủy lực Minh Long",
        products=["Xi lanh thuỷ lực", "Bơm thủy lực"],
        processes=["Gia công CNC"],
        province="Hải Phòng",
        sectors=["Cơ khí"],
        certifications=["IATF 16949"],
    ),
    dict(
        tax_code="0313845728",
        name="Công ty CP Điện tử Sao Việt",
        products=["Bo mạch in PCBA", "Bộ dây điện ô tô"],
        processes=["Hàn dán bề mặt SMT"],
        province="Bắc Ninh",
        sectors=["Điện tử"],
        certifications=["ISO 9001:2015", "ISO 14001:2015"],
        verification_status="staff_assessed",
    ),
]


def write_ods(path, rows):
    """A minimal OpenDocument spreadsheet (what LibreOffice saves), one sheet, text and number cells."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(v):
        if v is None or v == "":
            return "<table:table-cell/>"
        if isinstance(v, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in r) + "</table:table-row>" for r in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Danh sách">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path
