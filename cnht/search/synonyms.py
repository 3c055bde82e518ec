"""The portal's taxonomy as thesaurus groups for the search library."""

from __future__ import annotations

from cnht.reference import product_categories
from vnsearch.synonyms import set_extra_groups


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
