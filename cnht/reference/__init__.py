"""Reference data shipped with the package: provinces (34 units since 1 July 2025 and the former 63),
the CNHT product taxonomy, sectors, SME size criteria and VSIC codes.

The CSV/JSON files in ``data/`` are copies of the project's shared reference files; they are loaded
into the database by ``cnht init-db`` and read here, once, for fast name resolution.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from cnht.i18n import Msg
from vnsearch.analysis import fold_key


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files(__package__).joinpath("data", name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def provinces() -> list[dict[str, str]]:
    return _rows("provinces_2025.csv")


@lru_cache(maxsize=1)
def legacy_provinces() -> list[dict[str, str]]:
    return _rows("provinces_legacy_map.csv")


@lru_cache(maxsize=1)
def product_categories() -> list[dict[str, str]]:
    return _rows("cnht_priority_products.csv")


@lru_cache(maxsize=1)
def vsic_codes() -> list[dict[str, str]]:
    return _rows("vsic_relevant.csv")


@lru_cache(maxsize=1)
def sme_criteria() -> dict:
    return json.loads(resources.files(__package__).joinpath("data", "sme_criteria.json").read_text("utf-8"))


# Sectors of the CNHT taxonomy. The first four are the portal's focus sectors.
SECTORS: list[dict[str, object]] = [
    {
        "code": "mechanical",
        "name_vi": "Cơ khí",
        "name_en": "Mechanical engineering",
        "focus": True,
        "aliases": [
            "cơ khí chế tạo",
            "co khi che tao",
            "mechanical",
            "mechanics",
            "metalworking",
            "cơ khí chính xác",
        ],
    },
    {
        "code": "electronics",
        "name_vi": "Điện tử",
        "name_en": "Electronics",
        "focus": True,
        "aliases": [
            "điện tử",
            "điện - điện tử",
            "điện, điện tử",
            "electronic",
            "electrical and electronics",
            "điện tử - tin học",
            "điện tử tin học",
        ],
    },
    {
        "code": "textile",
        "name_vi": "Dệt may",
        "name_en": "Textile and garment",
        "focus": True,
        "aliases": [
            "dệt - may",
            "dệt may",
            "may mặc",
            "dệt",
            "textile",
            "textiles",
            "garment",
            "textile-garment",
            "textile and garment",
            "apparel",
        ],
    },
    {
        "code": "leather_footwear",
        "name_vi": "Da giày",
        "name_en": "Leather and footwear",
        "focus": True,
        "aliases": [
            "da giầy",
            "da - giày",
            "da - giầy",
            "giày dép",
            "leather",
            "footwear",
            "leather-footwear",
            "leather and footwear",
            "leather & footwear",
        ],
    },
    {
        "code": "automotive",
        "name_vi": "Ô tô",
        "name_en": "Automotive",
        "focus": False,
        "aliases": [
            "sản xuất lắp ráp ô tô",
            "ô tô - xe máy",
            "o to",
            "oto",
            "automobile",
            "automotive",
            "auto parts",
        ],
    },
    {
        "code": "high_tech",
        "name_vi": "Công nghệ cao",
        "name_en": "High-tech industry",
        "focus": False,
        "aliases": ["công nghiệp công nghệ cao", "high tech", "hi-tech", "high-tech", "hitech"],
    },
]
FOCUS_SECTORS = [s["code"] for s in SECTORS if s["focus"]]

# Spellings people use for provinces that the official lists do not carry.
_PROVINCE_EXTRA_ALIASES = {
    "01": ["hn", "hanoi", "ha noi city", "tp ha noi"],
    "79": ["hcm", "tphcm", "tp hcm", "hcmc", "ho chi minh city", "sai gon", "saigon", "sg", "tp ho chi minh"],
    "48": ["danang", "da nang city"],
    "31": ["haiphong", "hai phong city"],
    "92": ["cantho", "can tho city"],
    "46": ["hue city", "thua thien hue"],
    "24": ["bac ninh province"],
}
_PREFIXES = ("thanh pho ", "tinh ", "tp ", "t p ", "province of ", "city of ")
_SUFFIXES = (" province", " city", " tinh")


def _province_key(text: str) -> str:
    key = fold_key(text)
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key


@dataclass(frozen=True)
class ProvinceMatch:
    code: str
    name: str
    legacy_name: str | None = None  # set when the input named a former (pre-2025) province

    @property
    def mapped(self) -> bool:
        return self.legacy_name is not None


@lru_cache(maxsize=1)
def _province_index() -> tuple[dict[str, ProvinceMatch], dict[str, ProvinceMatch]]:
    current: dict[str, ProvinceMatch] = {}
    for row in provinces():
        match = ProvinceMatch(row["new_code"], row["new_name"])
        for text in (row["new_name"], row["new_name_ascii"], row["full_name"]):
            current[_province_key(text)] = match
        current[row["new_code"]] = match
        for alias in _PROVINCE_EXTRA_ALIASES.get(row["new_code"], []):
            current[_province_key(alias)] = match
    legacy: dict[str, ProvinceMatch] = {}
    by_code = {m.code: m for m in current.values()}
    for row in legacy_provinces():
        target = by_code[row["new_code"]]
        names = [row["old_name"], row["old_name_ascii"]]
        aliases = [a.split("(")[0] for a in row["old_name_alias"].split(";") if a.strip()]
        # A former province whose name the new unit kept (Đồng Tháp, An Giang…) is not a legacy
        # mapping; neither are spelling variants of such names ("Đắc Lắc").
        kept = _province_key(row["old_name"]) in current
        for text in names + aliases:
            key = _province_key(text)
            if key in current:
                continue
            if kept:
                current[key] = target
            else:
                legacy[key] = ProvinceMatch(target.code, target.name, legacy_name=row["old_name"])
    return current, legacy


def province_spellings() -> dict[str, ProvinceMatch]:
    """Names of provinces as written (current and former, with and without marks, known short forms)
    → the current unit: what a place in a search query may look like."""
    names: list[str] = []
    for row in provinces():
        names += [row["new_name"], row["new_name_ascii"], row["full_name"]]
        names += _PROVINCE_EXTRA_ALIASES.get(row["new_code"], [])
    for row in legacy_provinces():
        names += [row["old_name"], row["old_name_ascii"]]
        names += [a.split("(")[0] for a in row["old_name_alias"].split(";") if a.strip()]
    out: dict[str, ProvinceMatch] = {}
    for name in names:
        match = resolve_province(name)
        if match is not None and name.strip():
            out[name.strip()] = match
    return out


def resolve_province(text: str | None) -> ProvinceMatch | None:
    """Map a province as people write it (new or former name, with or without diacritics,
    'TP.HCM', 'Tỉnh Bình Dương', a 2-digit 2025 code) to one of the 34 current units."""
    if not text or not str(text).strip():
        return None
    raw = str(text).strip()
    current, legacy = _province_index()
    if raw.isdigit() and len(raw) <= 2:
        return current.get(raw.zfill(2))
    key = _province_key(raw)
    return (
        current.get(key)
        or legacy.get(key)
        or current.get(key.replace(" ", ""))
        or legacy.get(key.replace(" ", ""))
    )


@lru_cache(maxsize=1)
def _sector_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for sector in SECTORS:
        code = str(sector["code"])
        for text in [code, code.replace("_", " "), sector["name_vi"], sector["name_en"], *sector["aliases"]]:
            index[fold_key(str(text))] = code
    return index


def resolve_sector(text: str | None) -> str | None:
    """Sector code for a code, a Vietnamese or English label, with or without diacritics."""
    if not text or not str(text).strip():
        return None
    return _sector_index().get(fold_key(str(text)))


def resolve_filter_args(sector: str | None, province: str | None) -> tuple[str | None, str | None, dict]:
    """Sector and province query arguments as users send them → (sector code, 2025 province code,
    field errors in both languages). Shared by the enterprise list, search and their pages."""
    errors: dict[str, list[str]] = {}
    sector_code = province_code = None
    if sector:
        sector_code = resolve_sector(sector)
        if sector_code is None:
            errors["sector"] = [Msg("Ngành không hợp lệ: '{v}'", "Unknown sector: '{v}'", v=sector)]
    if province:
        # A filter takes the 2025 code as listed (two digits); imports stay lenient about Excel's "1".
        match = (
            None if province.strip().isdigit() and len(province.strip()) != 2 else resolve_province(province)
        )
        if match is None:
            errors["province"] = [
                Msg("Không nhận ra tỉnh/thành phố '{v}'", "Unknown province '{v}'", v=province)
            ]
        else:
            province_code = match.code
    return sector_code, province_code, errors


def province_name(code: str | None) -> str | None:
    """The current (2025) name of a province code."""
    return _province_names().get(code or "")


@lru_cache(maxsize=1)
def _province_names() -> dict[str, str]:
    return {row["new_code"]: row["new_name"] for row in provinces()}


def sector_label(code: str, lang: str = "vi") -> str:
    for sector in SECTORS:
        if sector["code"] == code:
            return str(sector["name_vi" if lang == "vi" else "name_en"])
    return code


# What the API accepts where it takes a province, a sector or a category, as OpenAPI enums: clients
# (and schemathesis) see the accepted values rather than "any string" that is then refused.
def province_values() -> list[str]:
    """2025 codes and every spelling in the reference data (current and former names)."""
    return sorted({r["new_code"] for r in provinces()} | set(province_spellings()))


def sector_values() -> list[str]:
    return sorted({v for s in SECTORS for v in [str(s["code"]), str(s["name_vi"]), str(s["name_en"])]})


def category_values() -> list[str]:
    return sorted(r["code"] for r in product_categories())
