"""What the search index knows about one document (an enterprise): display fields, analysed text
per field, and the keyword facets. The same document feeds every backend; the portal builds it
(``cnht.search.documents``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from vnsearch.analysis import bigrams, fold_token, nfc, tokens
from vnsearch.pyvi_model import tokenize
from vnsearch.weights import WEIGHTS

# The analysed text fields, strongest first; their weights live in ``vnsearch.weights``.
TEXT_FIELDS = tuple(WEIGHTS.fields)


@dataclass
class SearchDoc:
    id: int
    tax_code: str
    name: str
    name_en: str | None
    province_code: str
    province_name: str
    sectors: list[str]
    ownership: str | None
    size_class: str | None
    verification: str
    certifications: list[str]  # normalised keys ("ISO 9001")
    texts: dict[str, str] = field(default_factory=dict)  # field → original (NFC) text
    products: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    description: str = ""

    def analysed(self) -> dict[str, tuple[str, str]]:
        """field → (exact tokens, folded tokens), each a space-separated string. Items of a list
        field ("Khuôn ép nhựa ; Đồ gá") are separated by " | " so that no phrase spans two items."""
        out = {}
        for f in TEXT_FIELDS:
            exact_items, fold_items = [], []
            for item in self.texts.get(f, "").split(" ; "):
                exact, folded = _item_tokens(item) if len(item) < 120 else _analyse(item)
                if exact:
                    exact_items.append(exact)
                    fold_items.append(folded)
            out[f] = (" | ".join(exact_items), " | ".join(fold_items))
        return out

    def compounds(self) -> str:
        """Folded multi-syllable words of the short fields, found by pyvi on the accented text
        ('Cảm biến áp suất' → cam_bien_ap_suat): a query phrase that cuts through one of them
        ('biến áp') is weaker evidence than one that lines up with word boundaries."""
        found: list[str] = []
        # names are left out: each is unique, and pyvi costs ~0.2 ms a call
        for f in ("products", "processes", "materials"):
            for item in self.texts.get(f, "").split(" ; "):
                found.extend(segment_compounds(item))
        return " ".join(dict.fromkeys(found))

    def bigram_text(self) -> str:
        """Folded syllable bigrams of the short, high-value fields (phrase evidence)."""
        grams: list[str] = []
        for f in ("name", "alias", "products", "processes", "materials", "equipment"):
            for part in self.texts.get(f, "").split(" ; "):
                grams.extend(bigrams(_item_tokens(part)[1].split()))
        return " ".join(dict.fromkeys(grams))

    def prior(self) -> float:
        return WEIGHTS.verification_boost(self.verification)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _analyse(item: str) -> tuple[str, str]:
    toks = tokens(item)
    return " ".join(toks), " ".join(fold_token(t) for t in toks)


@lru_cache(maxsize=300_000)
def _item_tokens(item: str) -> tuple[str, str]:
    """(exact, folded) tokens of one short list item; cached — product names repeat."""
    return _analyse(item)


@lru_cache(maxsize=200_000)
def segment_compounds(text: str) -> tuple[str, ...]:
    """pyvi word segmentation of one short accented text; returns the folded compounds only.
    Cached: product and process names repeat across enterprises."""
    text = nfc(text)
    if not text or " " not in text:
        return ()
    out = []
    for word in tokenize(text).split():
        if "_" in word:
            parts = [fold_token(t) for t in tokens(word.replace("_", " "))]
            if len(parts) > 1:
                out.append("_".join(parts))
    return tuple(out)


@lru_cache(maxsize=20_000)
def segment_words(text: str) -> tuple[tuple[str, ...], ...]:
    """pyvi's words of a short text, each as its exact tokens ("mô tơ chính xác" → (mô, tơ), (chính, xác))."""
    text = nfc(text)
    if not text:
        return ()
    out = []
    for word in tokenize(text).split():
        parts = tuple(tokens(word.replace("_", " ")))
        if parts:
            out.append(parts)
    return tuple(out)
