import csv
import unicodedata
from importlib import resources

import pytest

from cnht.reference import resolve_province, resolve_sector
from vnsearch.analysis import fold


def rows_of(name):
    with resources.files("cnht.reference").joinpath("data", name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


CURRENT = rows_of("provinces_2025.csv")
LEGACY = rows_of("provinces_legacy_map.csv")


def test_there_are_34_current_units_and_63_former_provinces():
    assert len(CURRENT) == 34
    assert len(LEGACY) == 63


@pytest.mark.parametrize("row", CURRENT, ids=lambda r: r["new_name_ascii"])
def test_every_current_unit_resolves_to_itself_in_every_spelling(row):
    for text in (
        row["new_name"],
        row["new_name_ascii"],
        row["full_name"],
        row["new_name"].upper(),
        unicodedata.normalize("NFD", row["new_name"]),
        fold(row["new_name"]),
        row["new_code"],
    ):
        match = resolve_province(text)
        assert match is not None, text
        assert match.code == row["new_code"], text
        assert not match.mapped, text


@pytest.mark.parametrize("row", LEGACY, ids=lambda r: r["old_name_ascii"])
def test_every_former_province_maps_to_its_2025_unit(row):
    match = resolve_province(row["old_name"])
    assert match is not None
    assert match.code == row["new_code"]
    assert resolve_province(row["old_name_ascii"]).code == row["new_code"]
    # a former name that the new unit kept is not reported as a mapping
    kept = any(c["new_name"] == row["old_name"] for c in CURRENT)
    assert match.mapped is (not kept)


@pytest.mark.parametrize(
    "text, code, legacy",
    [
        ("Kiên Giang", "91", "Kiên Giang"),
        ("Bến Tre", "86", "Bến Tre"),
        ("tinh ben tre", "86", "Bến Tre"),
        ("Bình Dương", "79", "Bình Dương"),
        ("Bà Rịa - Vũng Tàu", "79", "Bà Rịa - Vũng Tàu"),
        ("Bà Rịa-Vũng Tàu", "79", "Bà Rịa - Vũng Tàu"),
        ("Hoà Bình", "25", "Hòa Bình"),  # old tone placement
        ("TP. Hồ Chí Minh", "79", None),
        ("TP HCM", "79", None),
        ("tphcm", "79", None),
        ("Sài Gòn", "79", None),
        ("Thành phố Hà Nội", "01", None),
        ("Hanoi", "01", None),
        ("Thừa Thiên Huế", "46", None),
        ("Đắc Lắc", "66", None),
        ("9", None, None),  # not a 2025 code
        ("Atlantis", None, None),
        ("", None, None),
    ],
)
def test_province_spellings(text, code, legacy):
    match = resolve_province(text)
    if code is None:
        assert match is None
    else:
        assert (match.code, match.legacy_name) == (code, legacy)


@pytest.mark.parametrize(
    "text, code",
    [
        ("mechanical", "mechanical"),
        ("Cơ khí", "mechanical"),
        ("co khi", "mechanical"),
        ("CƠ KHÍ", "mechanical"),
        ("Điện tử", "electronics"),
        ("dien tu", "electronics"),
        ("Electronics", "electronics"),
        ("Dệt may", "textile"),
        ("det may", "textile"),
        ("Textile and garment", "textile"),
        ("Da giày", "leather_footwear"),
        ("Da giầy", "leather_footwear"),
        ("leather_footwear", "leather_footwear"),
        ("Footwear", "leather_footwear"),
        ("Nông nghiệp", None),
        ("", None),
    ],
)
def test_sector_labels(text, code):
    assert resolve_sector(text) == code
