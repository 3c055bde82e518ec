"""The six socio-economic regions, applied to the 34 provincial units of 2025, for the proximity
criterion. Our grouping (a merged province goes with the region of its seat), not an official table."""

from __future__ import annotations

REGIONS: dict[str, tuple[str, ...]] = {
    "northern_midlands_mountains": ("04", "08", "11", "12", "14", "15", "19", "20", "25"),
    "red_river_delta": ("01", "22", "24", "31", "33", "37"),
    "north_central_coast": ("38", "40", "42", "44", "46", "48", "51", "52", "56"),
    "central_highlands": ("66", "68"),
    "southeast": ("75", "79", "80"),
    "mekong_delta": ("82", "86", "91", "92", "96"),
}
_BY_PROVINCE = {code: region for region, codes in REGIONS.items() for code in codes}


def region_of(province_code: str | None) -> str | None:
    return _BY_PROVINCE.get(province_code or "")
