"""Query understanding: what a buyer's words say beside the thing they want.

``understand`` splits a query into the words to search for and what else it says, in Vietnamese and
English: request boilerplate ("cần tìm nhà cung cấp", "looking for a supplier of"), company-type
words ("cty tnhh"), abbreviations of Vietnamese business writing ("lk" → linh kiện), places
(provinces current and former, short forms, regions) that become a province preference, the
application after "cho"/"for" ("… cho xe máy": kept as optional context, not a requirement),
certifications and quantities ("20.000 kg/đợt", "5k pcs/month"). Search and matching use the same
step; the page shows what was understood and can undo it.

Places come from the application (``set_gazetteer``): this library knows no province list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vnsearch.analysis import fold_token, normalize, tokens

# Words of a request, not of the thing requested. Written with diacritics: a word typed with marks
# must match them ("cán thép" is steel rolling, not "cần"); typed without, the folded form matches.
BOILERPLATE = [
    "cần tìm", "cần mua", "muốn tìm", "muốn mua", "tìm kiếm", "đang tìm", "tìm", "cần",
    "nhà cung cấp", "nhà cung ứng", "nhà sản xuất", "ncc", "đơn vị", "doanh nghiệp", "dn",
    "công ty", "cty", "ct", "ctcp", "tnhh", "mtv", "cổ phần", "cp", "jsc", "co ltd", "ltd",
    "nào", "ở đâu", "chuyên", "sản xuất", "sx", "cung cấp", "các", "những", "có thể", "giúp",
    "looking for", "look for", "searching for", "search for", "find", "need", "needed", "we need",
    "i need", "wanted", "supplier", "suppliers", "vendor", "vendors", "manufacturer", "manufacturers",
    "maker", "makers", "producer", "producers", "company", "companies", "local", "a", "an", "the",
    "of", "who", "which", "makes", "make", "produce", "produces",
]  # fmt: skip
# Words that introduce the application of the thing ("sợi cotton cho nhà máy dệt").
APPLICATION_MARKERS = ["dùng cho", "phục vụ", "cho", "for", "used in", "used for"]
# Words that introduce a place ("ở Hà Nội", "tại Bình Dương", "in Hai Phong").
PLACE_MARKERS = ["ở", "tại", "in", "at", "near", "khu vực", "gần"]
# The whole country after a place marker ("made in Vietnam", "tại Việt Nam") says nothing to a
# Vietnamese portal; alone it may be part of a name ("Yazaki Việt Nam") and stays.
COUNTRY = ["việt nam", "vietnam", "vn"]
# Abbreviations of Vietnamese business writing → what they stand for (exact, accented).
ABBREVIATIONS = {
    "lk": "linh kiện",
    "gc": "gia công",
    "pt": "phụ tùng",
    "npl": "nguyên phụ liệu",
    "vl": "vật liệu",
    "tb": "thiết bị",
    "ck": "cơ khí",
    "đt": "điện tử",
    "kcn": "khu công nghiệp",
    "ccn": "cụm công nghiệp",
    "cnht": "công nghiệp hỗ trợ",
    "xnk": "xuất nhập khẩu",
    "tm": "thương mại",
    "dv": "dịch vụ",
    "sp": "sản phẩm",
}
# Expansions that say nothing about the product once expanded: dropped like boilerplate.
_EMPTY_EXPANSIONS = {
    "khu công nghiệp",
    "cụm công nghiệp",
    "xuất nhập khẩu",
    "thương mại",
    "dịch vụ",
    "sản phẩm",
}

_CERT = re.compile(
    r"\b(iso|iatf|ts|as|ohsas|sa|bsci|gmp|haccp)[\s-]?(\d{4,5})(?::\d{4})?\b|\b(rohs|reach|ul|ce|wrap|grs|oeko-tex)\b",
    re.IGNORECASE,
)
_CERT_NAMES = {"iso", "iatf", "ts", "as", "ohsas", "sa", "bsci", "gmp", "haccp"}

# Quantities as buyers write them: "20.000 kg/đợt", "10.000 bộ/tháng", "5k pcs/month", "2 tấn mỗi tuần".
_UNITS = {
    "kg": "kg",
    "kgs": "kg",
    "kilogram": "kg",
    "tan": "t",
    "tấn": "t",
    "ton": "t",
    "tons": "t",
    "tonnes": "t",
    "pcs": "pcs",
    "pc": "pcs",
    "pieces": "pcs",
    "piece": "pcs",
    "cai": "pcs",
    "cái": "pcs",
    "chiec": "pcs",
    "chiếc": "pcs",
    "san pham": "pcs",
    "sản phẩm": "pcs",
    "chi tiet": "pcs",
    "chi tiết": "pcs",
    "units": "pcs",
    "unit": "pcs",
    "bo": "set",
    "bộ": "set",
    "set": "set",
    "sets": "set",
    "doi": "pair",
    "đôi": "pair",
    "pairs": "pair",
    "pair": "pair",
    "m": "m",
    "met": "m",
    "mét": "m",
    "meters": "m",
    "metres": "m",
    "m2": "m2",
    "cuon": "roll",
    "cuộn": "roll",
    "rolls": "roll",
    "tam": "sheet",
    "tấm": "sheet",
    "sheets": "sheet",
    "lit": "l",
    "lít": "l",
    "liters": "l",
    "litres": "l",
}
_PERIODS = {
    "thang": "month",
    "tháng": "month",
    "month": "month",
    "mo": "month",
    "nam": "year",
    "năm": "year",
    "year": "year",
    "yr": "year",
    "tuan": "week",
    "tuần": "week",
    "week": "week",
    "ngay": "day",
    "ngày": "day",
    "day": "day",
    "dot": "order",
    "đợt": "order",
    "lo": "order",
    "lô": "order",
    "don hang": "order",
    "đơn hàng": "order",
    "order": "order",
    "batch": "order",
    "shipment": "order",
    "quy": "quarter",
    "quý": "quarter",
    "quarter": "quarter",
}
_MULT = {"k": 1_000, "nghìn": 1_000, "nghin": 1_000, "ngàn": 1_000, "ngan": 1_000, "triệu": 1_000_000,
         "trieu": 1_000_000, "tr": 1_000_000, "m": 1_000_000, "mn": 1_000_000, "million": 1_000_000,
         "thousand": 1_000}  # fmt: skip
_alt = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_palt = "|".join(sorted((re.escape(p) for p in _PERIODS), key=len, reverse=True))
_malt = "|".join(sorted((re.escape(m) for m in _MULT), key=len, reverse=True))
_QUANTITY = re.compile(
    rf"(?<![0-9])(\d{{1,3}}(?:[.,\s]\d{{3}})+|\d+(?:[.,]\d+)?)\s*(?:({_malt})(?![\w]))?\s*"
    rf"(?:({_alt})(?![\w]))?"
    rf"(?:\s*(?:/|mỗi|moi|một|mot|per|a|each|every|hàng|hang)\s*({_palt})(?![\w]))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quantity:
    """A quantity as the buyer wrote it, with its number, unit and frequency kept."""

    value: int
    unit: str | None  # kg, t, pcs, set, pair, m, m2, roll, sheet, l
    per: str | None  # month, year, week, day, order, quarter
    text: str
    unit_text: str | None = None  # the unit as written ("bộ", "pcs")
    per_text: str | None = None  # the period as written ("tháng", "month")

    def to_dict(self) -> dict[str, object]:
        return {"value": self.value, "unit": self.unit, "per": self.per, "text": self.text}


def parse_quantity(text: str) -> Quantity | None:
    """The first quantity in a text: '20.000 kg/đợt' → 20000 kg per order; '5k pcs/month' → 5000 pcs
    per month; '1,5 tấn' → 1 t (whole units); '500 thùng' → 500 with the unit word as written."""
    if text is None:
        return None
    s = _CERT.sub(" ", normalize(str(text)))  # "ISO 9001" is not nine thousand of anything
    for m in _QUANTITY.finditer(s):
        number, mult, unit, per = m.groups()
        if not (mult or unit or per) and m.group(0).strip() != s.strip():
            # a number followed by a counter word this table does not know ("500 thùng"): keep the word
            after = re.match(r"\s*([^\W\d_]+)", s[m.end() :])
            value = _number(number, False)
            if value is None:
                continue
            if after is None:
                return Quantity(int(value), None, None, m.group(0).strip())
            return Quantity(
                int(value), None, None, (m.group(0) + after.group(0)).strip(), after.group(1), None
            )
        value = _number(number, bool(mult))
        if value is None:
            continue
        if mult:
            value = value * _MULT[mult.lower()]
        return Quantity(
            int(value),
            _UNITS.get(unit.lower()) if unit else None,
            _PERIODS.get(per.lower()) if per else None,
            m.group(0).strip(),
            unit,
            per,
        )
    return None


def _number(text: str, allow_fraction: bool) -> float | None:
    t = text.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", t):  # thousands separators: "20.000", "20,000"
        return float(re.sub(r"[.,]", "", t))
    t = t.replace(",", ".")
    try:
        value = float(t)
    except ValueError:
        return None
    return value if allow_fraction or value == int(value) else float(int(value))


@dataclass(frozen=True)
class Place:
    """A province (or several, for a region) named in the query."""

    text: str  # as typed
    codes: tuple[str, ...]
    name: str  # display name of the province or region


class Gazetteer:
    """Folded place phrases → Place. Filled by the application from its province list."""

    def __init__(self, entries: dict[str, tuple[tuple[str, ...], str]] | None = None):
        self.entries: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
        self.longest = 1
        for phrase, (codes, name) in (entries or {}).items():
            key = tuple(fold_token(t) for t in tokens(phrase))
            if key:
                self.entries[key] = (tuple(codes), name)
                self.longest = max(self.longest, len(key))

    def match(self, folded: list[str], i: int) -> tuple[int, tuple[tuple[str, ...], str]] | None:
        for n in range(min(self.longest, len(folded) - i), 0, -1):
            hit = self.entries.get(tuple(folded[i : i + n]))
            if hit is not None:
                return n, hit
        return None


_GAZETTEER = Gazetteer()


def set_gazetteer(gazetteer: Gazetteer) -> None:
    global _GAZETTEER
    _GAZETTEER = gazetteer


def gazetteer() -> Gazetteer:
    return _GAZETTEER


@dataclass
class Understanding:
    raw: str
    text: str  # the words to search for
    context: str = ""  # the application ("xe máy" in "… cho xe máy"): optional evidence
    ignored: list[str] = field(default_factory=list)  # boilerplate left out, as typed
    places: list[Place] = field(default_factory=list)
    certifications: list[str] = field(default_factory=list)  # "ISO 9001"
    quantities: list[Quantity] = field(default_factory=list)
    expanded: list[tuple[str, str]] = field(default_factory=list)  # ("lk", "linh kiện")

    @property
    def changed(self) -> bool:
        return bool(self.ignored or self.places or self.certifications or self.quantities or self.expanded)

    @property
    def province_codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for p in self.places for c in p.codes))

    def to_dict(self) -> dict[str, object]:
        return {
            "query": self.text,
            "context": self.context or None,
            "ignored": self.ignored,
            "places": [{"text": p.text, "name": p.name, "provinces": list(p.codes)} for p in self.places],
            "certifications": self.certifications,
            "quantities": [q.to_dict() for q in self.quantities],
            "abbreviations": [{"text": a, "means": b} for a, b in self.expanded],
        }


_Entry = tuple[tuple[str, ...], tuple[str, ...]]


def _phrases(words: list[str]) -> list[_Entry]:
    """(exact tokens, folded tokens) of each phrase, longest first."""
    entries = {tuple(tokens(w)) for w in words}
    return sorted(((e, tuple(fold_token(t) for t in e)) for e in entries), key=lambda e: -len(e[0]))


_BOILER = _phrases(BOILERPLATE)
_APP = _phrases(APPLICATION_MARKERS)
_PLACE_MARK = _phrases(PLACE_MARKERS)
_COUNTRY = _phrases(COUNTRY)


def _at(toks: list[str], folded: list[str], i: int, table: list[_Entry]) -> int:
    """Length of the first (longest) table phrase at position i, or 0. A word the user typed with
    marks matches only the same marks; one typed without matches the folded form."""
    for exact, fold in table:
        n = len(exact)
        if i + n > len(toks):
            continue
        if all(
            toks[j] == exact[j - i] or (toks[j] == folded[j] and folded[j] == fold[j - i])
            for j in range(i, i + n)
        ):
            return n
    return 0


def understand(raw: str, *, places: Gazetteer | None = None) -> Understanding:
    """Split a query into what to search for and what else it says. Nothing is left out when it would
    leave nothing to search for: a query that is only boilerplate or only a place is searched as typed."""
    raw = raw or ""
    gaz = places or _GAZETTEER
    text = normalize(raw)
    out = Understanding(raw=raw, text=raw)
    if not text:
        return out

    certs: list[str] = []

    def take_cert(m: re.Match[str]) -> str:
        if m.group(1):
            certs.append(f"{m.group(1).upper()} {m.group(2)}")
        else:
            certs.append(m.group(3).upper())
        return " "

    quantities: list[Quantity] = []

    def take_quantity(m: re.Match[str]) -> str:
        number, mult, unit, per = m.groups()
        if not (unit or per):
            return m.group(0)  # a bare number is a spec ("inox 304", "PCB 4 lớp"), not a quantity
        q = parse_quantity(m.group(0))
        if q is None:
            return m.group(0)
        quantities.append(q)
        return " "

    text = _CERT.sub(take_cert, text)
    text = _QUANTITY.sub(take_quantity, text)
    toks = tokens(text)
    folded = [fold_token(t) for t in toks]

    keep: list[str] = []
    context: list[str] = []
    ignored: list[str] = []
    found_places: list[Place] = []
    expanded: list[tuple[str, str]] = []
    in_context = False
    i = 0
    while i < len(toks):
        # a place, with or without its marker ("ở Hà Nội", "Bắc Ninh", "tp hcm")
        mark = _at(toks, folded, i, _PLACE_MARK)
        hit = gaz.match(folded, i + mark) if i + mark < len(toks) else None
        if hit is None and mark == 0 and folded[i] in ("tp", "thanh", "tinh"):
            skip = 2 if folded[i : i + 2] == ["thanh", "pho"] else 1
            hit = gaz.match(folded, i + skip)
            mark = skip if hit else 0
        country = _at(toks, folded, i + mark, _COUNTRY) if mark else 0
        if country:
            ignored.append(" ".join(toks[i : i + mark + country]))
            i += mark + country
            in_context = False
            continue
        if hit is not None:
            n, (codes, name) = hit
            found_places.append(Place(" ".join(toks[i + mark : i + mark + n]), codes, name))
            if mark:
                ignored.append(" ".join(toks[i : i + mark]))
            i += mark + n
            in_context = False
            continue
        app = _at(toks, folded, i, _APP)
        if app and keep:
            ignored.append(" ".join(toks[i : i + app]))
            in_context = True
            i += app
            continue
        boiler = _at(toks, folded, i, _BOILER)
        if boiler:
            ignored.append(" ".join(toks[i : i + boiler]))
            i += boiler
            continue
        tok = toks[i]
        if tok in ABBREVIATIONS or folded[i] in ABBREVIATIONS:
            full = ABBREVIATIONS.get(tok) or ABBREVIATIONS[folded[i]]
            if full in _EMPTY_EXPANSIONS:
                ignored.append(tok)
            else:
                expanded.append((tok, full))
                (context if in_context else keep).extend(full.split())
            i += 1
            continue
        (context if in_context else keep).append(tok)
        i += 1

    if not keep:
        if context:  # "cần tìm cho xe máy": the application is all there is
            keep, context = context, []
        else:  # only boilerplate, or only a place: search the words as typed
            return Understanding(raw=raw, text=raw, certifications=certs, quantities=quantities)
    out.text = " ".join(keep)
    if raw[-1:].isspace() or keep[-1] != toks[-1] or context:
        out.text += " "  # the last word is not being typed: no prefix completion
    out.context = " ".join(context)
    out.ignored = [w for w in ignored if w]
    out.places = found_places
    out.certifications = list(dict.fromkeys(certs))
    out.quantities = quantities
    out.expanded = expanded
    return out
