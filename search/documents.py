"""What the search index knows about an enterprise: display fields, analysed text per field, and
the keyword facets. Built from the ORM object; the same document feeds every backend."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache

from search.analysis import bigrams, fold_token, nfc, tokens

# Field weights (name and products above processes and certifications above description).
FIELD_WEIGHTS = {
    "name": 10.0,
    "alias": 8.0,
    "products": 6.0,
    "processes": 5.0,
    "certs": 3.0,
    "materials": 3.0,
    "equipment": 2.0,
    "loc": 1.5,
    "cats": 1.0,
    "desc": 1.0,
}
TEXT_FIELDS = tuple(FIELD_WEIGHTS)
VERIFICATION_BOOST = {"unverified": 1.0, "self_declared": 1.02, "documents_checked": 1.04, "staff_assessed": 1.06}


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
        return VERIFICATION_BOOST.get(self.verification, 1.0)

    def to_dict(self) -> dict:
        return asdict(self)


_LEGAL_FORMS_SHORT = (
    ("công ty trách nhiệm hữu hạn", "công ty tnhh"),
    ("công ty cổ phần", "công ty cp"),
)


def _aliases(name: str, name_en: str | None, short_name: str | None) -> str:
    parts = [name_en or "", short_name or ""]
    low = name.lower()
    for long, short in _LEGAL_FORMS_SHORT:  # people write "Cty TNHH", "Công ty CP"
        if long in low:
            parts.append(short)
    return " ; ".join(p for p in parts if p)


@dataclass
class EnterpriseFacts:
    """The enterprise values a search document is made of (from ORM objects or from plain rows)."""

    id: int
    tax_code: str
    name: str
    name_en: str | None
    short_name: str | None
    province_code: str
    province_name: str
    province_ascii: str
    address: str | None
    ownership: str | None
    size_class: str | None
    verification: str
    description: str | None
    sectors: list[str] = field(default_factory=list)
    products: list[tuple[str, str | None]] = field(default_factory=list)  # (name, category label)
    processes: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)
    equipment: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    certifications: list[tuple[str, str]] = field(default_factory=list)  # (as written, key)


def build_doc(e: EnterpriseFacts) -> SearchDoc:
    products = [name for name, _ in e.products]
    categories = sorted({cat for _, cat in e.products if cat})
    equipment = [" ".join(x for x in q if x) for q in e.equipment]
    return SearchDoc(
        id=e.id,
        tax_code=e.tax_code or f"id-{e.id}",  # the enterprise's public ref
        name=e.name,
        name_en=e.name_en,
        province_code=e.province_code,
        province_name=e.province_name,
        sectors=sorted(e.sectors),
        ownership=e.ownership,
        size_class=e.size_class,
        verification=e.verification,
        certifications=sorted({key for _, key in e.certifications}),
        texts={
            "name": e.name,
            "alias": _aliases(e.name, e.name_en, e.short_name),
            "products": " ; ".join(products),
            "processes": " ; ".join(e.processes),
            "certs": " ; ".join(std for std, _ in e.certifications),
            "materials": " ; ".join(e.materials),
            "equipment": " ; ".join(equipment),
            "loc": " ; ".join(x for x in (e.province_name, e.province_ascii, e.address or "") if x),
            "cats": " ; ".join(categories),
            "desc": e.description or "",
        },
        products=products,
        categories=categories,
        description=e.description or "",
    )


def from_enterprise(ent) -> SearchDoc:
    province = ent.province
    return build_doc(EnterpriseFacts(
        id=ent.id, tax_code=ent.tax_code, name=ent.name, name_en=ent.name_en, short_name=ent.short_name,
        province_code=ent.province_code, province_name=province.name if province is not None else "",
        province_ascii=province.name_ascii if province is not None else "", address=ent.address,
        ownership=ent.ownership, size_class=ent.size_class, verification=ent.verification_status,
        description=ent.description, sectors=[s.code for s in ent.sectors],
        products=[(p.name, p.category.name_vi if p.category is not None else None) for p in ent.products],
        processes=[p.name for p in ent.processes], materials=[m.name for m in ent.materials],
        equipment=[(q.machine_type, q.brand, q.key_spec) for q in ent.equipment],
        certifications=[(c.standard, c.standard_key) for c in ent.certifications]))


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
    from pyvi import ViTokenizer  # imported lazily: it loads a CRF model

    out = []
    for word in ViTokenizer.tokenize(text).split():
        if "_" in word:
            parts = [fold_token(t) for t in tokens(word.replace("_", " "))]
            if len(parts) > 1:
                out.append("_".join(parts))
    return tuple(out)
