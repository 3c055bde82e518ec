"""Spreadsheet headers → load-schema field names.

Headers are matched after folding (case, diacritics, punctuation and spacing ignored), so
"Mã số thuế", "MA SO THUE", "mã_số_thuế" and "MST" are one column.
"""

from __future__ import annotations

import re

from vnsearch.analysis import fold_key

# field → (canonical Vietnamese header of the template, aliases)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tax_code": (
        "Mã số thuế",
        ("mst", "ma so doanh nghiep", "msdn", "tax code", "tax_code", "tax id", "taxcode"),
    ),
    "name": (
        "Tên doanh nghiệp",
        (
            "ten cong ty",
            "ten dn",
            "ten",
            "doanh nghiep",
            "name",
            "company name",
            "company",
            "enterprise name",
            "ten doanh nghiep tieng viet",
        ),
    ),
    "name_en": (
        "Tên tiếng Anh",
        ("ten tieng anh", "ten giao dich", "ten giao dich quoc te", "english name", "name en", "name_en"),
    ),
    "short_name": ("Tên viết tắt", ("ten viet tat", "short name", "short_name", "abbreviation")),
    "province": (
        "Tỉnh/Thành phố",
        ("tinh", "thanh pho", "tinh thanh", "tinh tp", "dia phuong", "province", "city", "province city"),
    ),
    "address": ("Địa chỉ", ("dia chi tru so", "dia chi", "address", "tru so")),
    "sectors": ("Ngành", ("nganh nghe", "linh vuc", "nganh cnht", "sectors", "sector", "industry")),
    "products": ("Sản phẩm", ("san pham chinh", "san pham", "products", "product", "main products")),
    "processes": (
        "Công nghệ/Quy trình",
        (
            "cong nghe",
            "quy trinh",
            "cong nghe quy trinh",
            "nang luc cong nghe",
            "processes",
            "process",
            "capabilities",
        ),
    ),
    "materials": ("Vật liệu", ("nguyen vat lieu", "vat lieu", "materials", "material")),
    "certifications": (
        "Chứng chỉ",
        (
            "chung nhan",
            "chung chi",
            "he thong quan ly",
            "tieu chuan",
            "certifications",
            "certification",
            "certificates",
        ),
    ),
    "employees": (
        "Số lao động",
        ("so lao dong", "lao dong", "so nhan vien", "nhan su", "employees", "staff", "headcount"),
    ),
    "revenue_bn_vnd": (
        "Doanh thu (tỷ đồng)",
        ("doanh thu", "doanh thu ty dong", "doanh thu ty vnd", "revenue", "revenue bn vnd", "revenue_bn_vnd"),
    ),
    "charter_capital_bn_vnd": (
        "Vốn điều lệ (tỷ đồng)",
        ("von dieu le", "von dieu le ty dong", "charter capital", "capital", "charter_capital_bn_vnd"),
    ),
    "founded_year": (
        "Năm thành lập",
        (
            "nam thanh lap",
            "thanh lap",
            "founded",
            "founded year",
            "founded_year",
            "year founded",
            "year established",
        ),
    ),
    "ownership": (
        "Loại hình sở hữu",
        ("loai hinh", "loai hinh doanh nghiep", "so huu", "ownership", "ownership type"),
    ),
    "export_markets": (
        "Thị trường xuất khẩu",
        ("thi truong xuat khau", "xuat khau", "export markets", "export_markets", "markets"),
    ),
    "key_customers": (
        "Khách hàng tiêu biểu",
        ("khach hang", "khach hang chinh", "key customers", "key_customers", "customers"),
    ),
    "email": ("Email", ("e mail", "thu dien tu", "email")),
    "phone": ("Điện thoại", ("dien thoai", "so dien thoai", "sdt", "dt", "tel", "phone", "telephone")),
    "website": ("Website", ("trang web", "web", "website", "url")),
    "description": ("Mô tả", ("gioi thieu", "mo ta", "mo ta nang luc", "description", "about")),
    "description_en": (
        "Mô tả (tiếng Anh)",
        (
            "mo ta tieng anh",
            "gioi thieu tieng anh",
            "mo ta (tieng anh)",
            "description (english)",
            "english description",
            "description en",
            "description_en",
        ),
    ),
    "equipment": ("Máy móc thiết bị", ("thiet bi", "may moc", "may moc thiet bi", "equipment", "machines")),
    "capacities": (
        "Năng lực sản xuất",
        ("nang luc", "cong suat", "nang luc san xuat", "capacity", "capacities"),
    ),
    "verification_status": (
        "Mức xác minh",
        ("muc xac minh", "trang thai xac minh", "verification", "verification status", "verification_status"),
    ),
}

# The order of the canonical import/export template.
TEMPLATE_FIELDS = [
    "tax_code",
    "name",
    "name_en",
    "province",
    "address",
    "sectors",
    "products",
    "processes",
    "certifications",
    "employees",
    "revenue_bn_vnd",
    "founded_year",
    "ownership",
    "export_markets",
    "key_customers",
    "email",
    "phone",
    "website",
    "description",
]


def _index() -> dict[str, str]:
    idx: dict[str, str] = {}
    for field, (header, aliases) in COLUMNS.items():
        for text in (field, header, *aliases):
            idx[fold_key(text)] = field
    return idx


_INDEX = _index()


def match_header(header: str | None) -> str | None:
    if header is None:
        return None
    key = fold_key(str(header))
    if key in _INDEX:
        return _INDEX[key]
    # "Doanh thu năm 2024 (tỷ đồng)", "Số lao động (người)": drop a bracketed unit or note and retry

    bare = fold_key(re.sub(r"\(.*?\)|\[.*?\]", " ", str(header)))
    return _INDEX.get(bare)


def map_headers(headers: list[str | None]) -> tuple[dict[int, str], list[str]]:
    """Column index → field, and the headers that matched nothing. A field is taken from its first column."""
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    taken: set[str] = set()
    for i, header in enumerate(headers):
        if header is None or not str(header).strip():
            continue
        field = match_header(header)
        if field is None or field in taken:
            unknown.append(str(header).strip())
            continue
        taken.add(field)
        mapping[i] = field
    return mapping, unknown
