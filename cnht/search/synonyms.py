"""The portal's taxonomy as thesaurus groups for the search library."""

from __future__ import annotations

from cnht.reference import product_categories, province_spellings
from vnsearch.synonyms import set_extra_groups
from vnsearch.understand import Gazetteer, set_gazetteer


def taxonomy_groups() -> list[list[str]]:
    """Short taxonomy labels pair the Vietnamese and English names ('Da thuộc' ↔ 'Tanned / finished
    leather' is too loose, so only items whose names are short phrases are used)."""
    groups = []
    for row in product_categories():
        vi, en = row["item_vi"], row["item_en"]
        if "(" in vi or ":" in vi or len(vi.split()) > 4 or len(en.split()) > 4:
            continue
        groups.append([vi.replace(";", ","), en.replace("/", ",")])
    return groups


def install_taxonomy_synonyms() -> None:
    set_extra_groups(taxonomy_groups())


# Regions as buyers say them, by the 2025 units. The North runs to Ninh Bình, the Centre from Thanh Hóa
# to Lâm Đồng (the Central Highlands with it), the South from Đồng Nai to Cà Mau.
REGIONS = {
    "north": (
        ("Miền Bắc", "Northern Vietnam"),
        ["miền bắc", "phía bắc", "bắc bộ", "ngoài bắc", "northern vietnam", "north vietnam", "the north"],
        ("01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25", "31", "33", "37"),
    ),
    "centre": (
        ("Miền Trung", "Central Vietnam"),
        ["miền trung", "trung bộ", "central vietnam", "tây nguyên", "central highlands"],
        ("38", "40", "42", "44", "46", "48", "51", "52", "56", "66", "68"),
    ),
    "south": (
        ("Miền Nam", "Southern Vietnam"),
        ["miền nam", "phía nam", "nam bộ", "trong nam", "southern vietnam", "south vietnam", "the south"],
        ("75", "79", "80", "82", "86", "91", "92", "96"),
    ),
}


def province_gazetteer() -> Gazetteer:
    """Every way the reference data writes a province (current and former names, with and without
    marks, short forms such as 'tp hcm', 'hn', 'sài gòn') and the three regions."""
    entries: dict[str, tuple[tuple[str, ...], str]] = {}
    for name, match in province_spellings().items():
        entries[name] = ((match.code,), match.name)
    for (name_vi, _name_en), spellings, codes in REGIONS.values():
        for s in spellings:
            entries[s] = (codes, name_vi)
    return Gazetteer(entries)


def install_query_understanding() -> None:
    set_gazetteer(province_gazetteer())
