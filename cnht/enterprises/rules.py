"""Pure domain rules: tax-code (MST) validation and SME size classification (Decree 80/2021)."""

from __future__ import annotations

import re
from decimal import Decimal

from cnht.i18n import Msg, UserError
from cnht.reference import sme_criteria
from vnsearch.analysis import fold

_MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_MST_RE = re.compile(r"^(\d{10})(?:-(\d{3}))?$")


class TaxCodeError(UserError, ValueError):
    pass


def mst_check_digit(first9: str) -> int | None:
    """Check digit for the first nine digits, or None when no valid code has this prefix."""
    total = sum(w * int(d) for w, d in zip(_MST_WEIGHTS, first9, strict=True))
    check = 10 - total % 11
    return check if check < 10 else None


def normalize_tax_code(value: str) -> str:
    """Validate an enterprise tax code and return it canonical ('0123456789' or '0123456789-001').

    Accepts spaces, dots and a missing dash in a 13-digit branch code, as people type them.
    """
    raw = str(value or "").strip()
    compact = re.sub(r"[\s.]", "", raw)
    if re.fullmatch(r"\d{13}", compact):
        compact = f"{compact[:10]}-{compact[10:]}"
    m = _MST_RE.match(compact)
    if not m:
        raise TaxCodeError(
            Msg(
                f"Mã số thuế '{raw}' không đúng định dạng: cần 10 chữ số, hoặc 10 chữ số + '-' + 3 chữ số (chi nhánh)",
                f"Tax code '{raw}' is malformed: expected 10 digits, or 10 digits + '-' + 3 digits (branch)",
            )
        )
    main, branch = m.group(1), m.group(2)
    if main[2:9] == "0000000":
        raise TaxCodeError(
            Msg(
                f"Mã số thuế '{raw}' có số thứ tự 0000000 không hợp lệ",
                f"Tax code '{raw}' has the invalid sequence number 0000000",
            )
        )
    if branch == "000":
        raise TaxCodeError(
            Msg(
                f"Mã số thuế '{raw}': mã chi nhánh 000 không hợp lệ",
                f"Tax code '{raw}': branch suffix 000 is invalid",
            )
        )
    expected = mst_check_digit(main[:9])
    if expected is None or expected != int(main[9]):
        raise TaxCodeError(
            Msg(f"Mã số thuế '{raw}' sai chữ số kiểm tra", f"Tax code '{raw}' has a wrong check digit")
        )
    return f"{main}-{branch}" if branch else main


def make_tax_code(first9: str) -> str | None:
    """Complete nine digits with their check digit (demo data and tests)."""
    check = mst_check_digit(first9)
    return None if check is None else f"{first9}{check}"


SIZE_CLASSES = ("micro", "small", "medium", "large")


def classify_size(
    employees: int | None,
    revenue_bn_vnd: Decimal | float | None,
    capital_bn_vnd: Decimal | float | None,
    sector_group: str = "agri_industry_construction",
) -> str | None:
    """SME size class by Decree 80/2021 Art. 5: employees ≤ limit AND (revenue ≤ limit OR capital ≤ limit).

    Supporting-industry firms are manufacturers, so the industry/construction thresholds apply by
    default. Returns None when employees, or both revenue and capital, are unknown: the class
    cannot be decided and is shown as unknown rather than guessed.
    """
    if employees is None or (revenue_bn_vnd is None and capital_bn_vnd is None):
        return None
    group = sme_criteria()["sector_groups"][sector_group]
    for cls in ("micro", "small", "medium"):
        limits = group[cls]
        if employees > limits["max_employees"]:
            continue
        revenue_ok = revenue_bn_vnd is not None and revenue_bn_vnd <= limits["max_revenue_bn_vnd"]
        capital_ok = capital_bn_vnd is not None and capital_bn_vnd <= limits["max_capital_bn_vnd"]
        if revenue_ok or capital_ok:
            return cls
    return "large"


_CERT_FAMILIES = ("ISO/TS", "ISO", "IATF", "OHSAS", "IEC", "TCVN", "JIS", "ASTM", "EN", "AS", "SA", "BS")
_CERT_YEAR = re.compile(r"\s*[:/-]\s*(19|20)\d{2}$")


def normalize_certification(text: str) -> str:
    """A comparison key for a certification: 'iso9001:2015', 'ISO 9001 : 2008', 'Iso-9001' → 'ISO 9001'.

    The edition year is dropped (buyers ask for "ISO 9001", not a given edition); the full text
    as written is kept separately for display.
    """
    key = fold(text).upper().strip()
    key = re.sub(r"\s+", " ", key)
    key = _CERT_YEAR.sub("", key)
    key = re.sub(r"\s*:\s*", ":", key)
    key = re.sub(r"^TCVN\s+(?=ISO)", "", key)  # TCVN ISO 9001 is the national adoption of ISO 9001
    for fam in _CERT_FAMILIES:
        m = re.match(rf"^{re.escape(fam)}[\s\-_]*(\d)", key)
        if m:
            key = f"{fam} {key[m.start(1) :]}"
            break
    key = re.sub(r"\bOEKO[\s\-]?TEX\b", "OEKO-TEX", key)
    key = re.sub(r"OEKO-TEX( STANDARD)? ?100", "OEKO-TEX STANDARD 100", key)
    return key.strip(" -:;,.")
