"""The Department running this portal, from configuration: who issues confirmation letters, signs
mails and reports, and is named on the home page. A portal is one Department's (Sở Công Thương of one
province), whatever province its firms are in.

    CNHT_DEPARTMENT_PROVINCE      the Department's province (any spelling, former names too; required
                                  for official letters)
    CNHT_DEPARTMENT_NAME          "Sở Công Thương Bắc Ninh" (default: from the province)
    CNHT_DEPARTMENT_NAME_EN       "Bac Ninh Department of Industry and Trade" (default: from the province)
    CNHT_DEPARTMENT_ADDRESS, CNHT_DEPARTMENT_PHONE, CNHT_DEPARTMENT_EMAIL, CNHT_DEPARTMENT_WEBSITE
    CNHT_DEPARTMENT_LOGO          path to a PNG, JPEG or SVG file, served at /brand/logo
    CNHT_DEPARTMENT_SIGNER_TITLE  lines separated by ';' (default "KT. GIÁM ĐỐC;PHÓ GIÁM ĐỐC")
    CNHT_DEPARTMENT_SIGNER_NAME   the authorised signer
    CNHT_LETTER_RECIPIENTS        the "Nơi nhận" lines after the firm itself, ';'-separated (default "Lưu: VT")
    CNHT_LETTER_CODE              the letter number's suffix (default "XN-SCT")
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from cnht.reference import provinces, resolve_province

LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class Department:
    name_vi: str = "Sở Công Thương"
    name_en: str = "Department of Industry and Trade"
    province_code: str | None = None
    province_name: str | None = None  # "Bắc Ninh": the place in "Bắc Ninh, ngày … tháng … năm …"
    province_full: str | None = None  # "Tỉnh Bắc Ninh": the governing People's Committee
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    logo: str | None = None
    signer_title: list[str] = field(default_factory=lambda: ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"])
    signer_name: str | None = None
    recipients: list[str] = field(default_factory=lambda: ["Lưu: VT"])
    letter_code: str = "XN-SCT"

    @property
    def configured(self) -> bool:
        """Enough to issue an official letter: the province names the governing body and the place."""
        return self.province_code is not None

    @property
    def governing_body(self) -> str | None:
        """The line above the Department in the document header (Decree 30/2020, form 1.1)."""
        return f"UBND {self.province_full.upper()}" if self.province_full else None

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


def _lines(value: str | None) -> list[str]:
    return [x.strip() for x in (value or "").split(";") if x.strip()]


def department_from_env(env=os.environ) -> tuple[Department, str | None]:
    """The Department and a configuration problem (bilingual), if any."""

    def get(key: str) -> str | None:
        value = (env.get(f"CNHT_{key}") or "").strip()
        return value or None

    province = get("DEPARTMENT_PROVINCE")
    match = resolve_province(province) if province else None
    if province and match is None:
        return Department(), (
            f"CNHT_DEPARTMENT_PROVINCE={province!r}: không phải tỉnh/thành phố nào / is not a province"
        )
    logo = get("DEPARTMENT_LOGO")
    if logo and (Path(logo).suffix.lower() not in LOGO_TYPES or not Path(logo).is_file()):
        return Department(), (
            f"CNHT_DEPARTMENT_LOGO={logo!r}: cần một tệp PNG, JPEG hoặc SVG có sẵn / must be an existing PNG, "
            "JPEG or SVG file"
        )
    kw: dict = {}
    if match is not None:
        row = next(p for p in provinces() if p["new_code"] == match.code)
        kw.update(
            province_code=match.code,
            province_name=row["new_name"],
            province_full=row["full_name"],
            name_vi=f"Sở Công Thương {row['new_name']}",
            name_en=f"{row['new_name_ascii']} Department of Industry and Trade",
        )
    for key, attr in (
        ("DEPARTMENT_NAME", "name_vi"),
        ("DEPARTMENT_NAME_EN", "name_en"),
        ("DEPARTMENT_ADDRESS", "address"),
        ("DEPARTMENT_PHONE", "phone"),
        ("DEPARTMENT_EMAIL", "email"),
        ("DEPARTMENT_WEBSITE", "website"),
        ("DEPARTMENT_SIGNER_NAME", "signer_name"),
        ("LETTER_CODE", "letter_code"),
    ):
        if get(key):
            kw[attr] = get(key)
    if logo:
        kw["logo"] = str(Path(logo).resolve())
    if get("DEPARTMENT_SIGNER_TITLE"):
        kw["signer_title"] = _lines(get("DEPARTMENT_SIGNER_TITLE"))
    if get("LETTER_RECIPIENTS"):
        kw["recipients"] = _lines(get("LETTER_RECIPIENTS"))
    return Department(**kw), None
