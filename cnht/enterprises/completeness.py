"""Profile completeness: a score buyers trust and hints that tell the SME what to add next."""

from __future__ import annotations

from cnht.i18n import Msg

# (weight, test, hint, the editor's field for it: the hint links there)
CHECKS = [
    (15, lambda e: bool(e.products), Msg("Thêm sản phẩm chính", "Add your main products"), "products-name-1"),
    (10, lambda e: bool(e.processes), Msg("Thêm công nghệ/quy trình", "Add your processes"), "f-processes"),
    (
        10,
        lambda e: bool(e.equipment),
        Msg("Thêm bảng máy móc thiết bị", "Add your equipment"),
        "equipment-machine_type-1",
    ),
    (
        10,
        lambda e: bool(e.certifications),
        Msg("Thêm chứng chỉ (ISO 9001…)", "Add certifications (ISO 9001…)"),
        "certifications-standard-1",
    ),
    (
        10,
        lambda e: bool(e.description and len(e.description) >= 80),
        Msg("Viết phần giới thiệu (ít nhất 80 ký tự)", "Write an introduction (80+ characters)"),
        "f-description",
    ),
    (
        8,
        lambda e: e.employees is not None,
        Msg("Ghi số lao động", "State the number of employees"),
        "f-employees",
    ),
    (6, lambda e: e.revenue_bn_vnd is not None, Msg("Ghi doanh thu", "State revenue"), "f-revenue_bn_vnd"),
    (
        5,
        lambda e: e.founded_year is not None,
        Msg("Ghi năm thành lập", "State the founding year"),
        "f-founded_year",
    ),
    (
        8,
        lambda e: bool(e.email or e.phone),
        Msg("Thêm email hoặc điện thoại liên hệ", "Add an e-mail or phone"),
        "f-email",
    ),
    (4, lambda e: bool(e.website), Msg("Thêm website", "Add a website"), "f-website"),
    (
        5,
        lambda e: bool(e.capacities),
        Msg("Ghi năng lực sản xuất (sản lượng)", "State production capacity"),
        "capacities-product-1",
    ),
    (
        5,
        lambda e: any(a.kind == "photo" for a in e.attachments),
        Msg("Tải ảnh nhà xưởng, sản phẩm", "Upload photos"),
        "f-file",
    ),
    (2, lambda e: bool(e.name_en), Msg("Thêm tên tiếng Anh", "Add the English name"), "f-name_en"),
    (2, lambda e: bool(e.address), Msg("Thêm địa chỉ", "Add the address"), "f-address"),
]


def completeness(ent) -> tuple[int, list[tuple[Msg, str]]]:
    """The score, and what is missing as (hint, id of the editor field that fills it)."""
    total = sum(w for w, _t, _h, _f in CHECKS)
    have = sum(w for w, test, _h, _f in CHECKS if test(ent))
    hints = [(hint, field) for _w, test, hint, field in CHECKS if not test(ent)]
    return round(100 * have / total), hints
