"""Link free-text product names to the CNHT priority-product taxonomy.

Keyword phrases are matched on the folded, lower-case product name (so "khuon ep nhua",
"Khuôn ép nhựa" and "KHUÔN ÉP NHỰA" agree). Rules are ordered: the first category whose phrase
occurs wins, so specific phrases come before generic ones. A product that matches nothing stays
free text; that is expected for many real products.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cnht.reference import product_categories
from vnsearch.analysis import fold_key, nfc

# (category code, folded phrases). Vietnamese and common English trade terms.
RULES: list[tuple[str, tuple[str, ...]]] = [
    ("mech.precision_moulds", ("khuon", "mould", "mold", "die casting die", "jig", "do ga")),
    (
        "mech.standard_parts",
        (
            "bu long",
            "bulong",
            "bu lon",
            "dai oc",
            "oc vit",
            "vong dem",
            "bolt",
            "nut",
            "screw",
            "washer",
            "bac dan",
            "vong bi",
            "bearing",
            "lo xo",
            "spring",
            "chot",
        ),
    ),
    (
        "mech.renewable_energy_parts",
        (
            "dien gio",
            "dien mat troi",
            "wind turbine",
            "solar mounting",
            "khung gia do pin",
            "nang luong tai tao",
        ),
    ),
    ("mech.new_gen_motors", ("dong co dien", "electric motor", "motor", "dong co the he moi")),
    (
        "auto.engine_parts",
        ("piston", "xi lanh", "cylinder", "truc khuyu", "crankshaft", "dong co xe", "engine part"),
    ),
    ("auto.transmission", ("hop so", "ly hop", "gearbox", "clutch", "banh rang", "gear", "truc truyen")),
    (
        "auto.brake_steering_suspension",
        ("phanh", "brake", "giam xoc", "shock absorber", "he thong lai", "steering", "nhip", "suspension"),
    ),
    ("auto.electrical", ("bo day dien", "bo day", "wire harness", "day dien o to")),
    ("auto.body_chassis", ("khung gam", "than vo", "chassis", "body panel", "khung xe")),
    (
        "auto.interior_glass_tyres",
        ("ghe o to", "noi that o to", "kinh o to", "lop xe", "sam lop", "tyre", "tire", "guong chieu hau"),
    ),
    (
        "elec.ic_pcb",
        (
            "pcba",
            "pcb",
            "bo mach",
            "mach in",
            "vi mach",
            "ic ",
            "smt",
            "circuit board",
            "han dan be mat",
            "surface mount",
        ),
    ),
    ("elec.quartz", ("thach anh", "quartz", "crystal oscillator")),
    ("elec.batteries", ("pin ", "pin lithium", "battery", "ac quy", "lithium")),
    ("elec.chargers", ("bo sac", "sac dien thoai", "charger", "adapter")),
    ("elec.displays", ("man hinh", "display", "lcd", "oled")),
    (
        "elec.cables_led_audio",
        (
            "day cap",
            "cap dien",
            "cable",
            "den led",
            "led",
            "tai nghe",
            "loa",
            "headphone",
            "speaker",
            "micro",
        ),
    ),
    (
        "elec.basic_components",
        (
            "tu dien",
            "dien tro",
            "cuon cam",
            "transistor",
            "diode",
            "capacitor",
            "resistor",
            "inductor",
            "cam bien",
            "sensor",
            "relay",
            "ro le",
            "linh kien dien tu",
        ),
    ),
    ("elec.component_materials", ("vat lieu ban dan", "vat lieu tu", "semiconductor material")),
    ("elec.product_parts", ("vo nhua dien tu", "vo nhua", "linh kien nhua cho", "phim", "keypad", "housing")),
    (
        "comp.electrical_electronic",
        (
            "linh kien dien",
            "thiet bi dien",
            "cong tac",
            "o cam",
            "switch",
            "socket",
            "bo nguon",
            "nguon dien",
            "power supply",
            "bien ap",
            "transformer",
        ),
    ),
    (
        "lf.soles_laces_toecaps",
        (
            "de giay",
            "de giay",
            "outsole",
            "midsole",
            "insole",
            "lot giay",
            "day giay",
            "shoelace",
            "mui giay",
            "toe cap",
            "sole",
            "mu giay",
            "upper",
        ),
    ),
    (
        "lf.leather_finished",
        ("da thuoc", "thuoc da", "finished leather", "tanned leather", "da bo", "da cuu", "da de", "leather"),
    ),
    ("lf.leatherette", ("gia da", "da nhan tao", "simili", "pu leather", "synthetic leather", "leatherette")),
    ("lf.tanning_chemicals", ("hoa chat thuoc da", "tanning chemical")),
    ("lf.salted_hides", ("da muoi", "da song", "raw hide", "salted hide")),
    ("lf.shoe_thread", ("chi khau giay", "chi giay")),
    (
        "lf.adhesives_trims",
        ("keo dan giay", "keo giay", "shoe adhesive", "phu kien giay", "khoen giay", "eyelet", "adhesive"),
    ),
    ("tex.sewing_thread", ("chi may", "sewing thread", "thread")),
    (
        "tex.garment_accessories",
        (
            "khoa keo",
            "day keo",
            "zipper",
            "zip",
            "cuc ao",
            "nut ao",
            "button",
            "nhan det",
            "nhan mac",
            "label",
            "mex",
            "dung",
            "interlining",
            "=ren",
            "lace",
            "day thun",
            "chun",
            "elastic",
            "moc ao",
            "bang gai",
            "velcro",
            "tui nilon",
            "thung carton",
            "phu lieu may",
        ),
    ),
    ("tex.fibre_natural", ("xo bong", "bong xo", "cotton fibre", "to tam", "silk", "day gai", "jute")),
    (
        "tex.fibre_synthetic",
        (
            "xo polyester",
            "xo tong hop",
            "xo nhan tao",
            "visco",
            "viscose",
            "synthetic fibre",
            "polyester staple",
        ),
    ),
    ("tex.yarn", ("soi", "yarn", "spandex", "nylon filament")),
    ("tex.fabric", ("vai", "fabric", "textile", "khong det", "non woven", "nonwoven", "denim", "knit")),
    ("tex.chemicals_dyes", ("thuoc nhuom", "hoa chat det", "chat tro nhuom", "dye", "dyestuff")),
    (
        "comp.plastic_rubber",
        (
            "linh kien nhua",
            "chi tiet nhua",
            "san pham nhua",
            "nhua ky thuat",
            "cao su",
            "rubber",
            "plastic part",
            "plastic component",
            "gioang",
            "gasket",
            "phot",
            "seal",
            "o ring",
            "ep nhua",
            "injection",
            "nhua",
        ),
    ),
    (
        "mech.cast_forged_machined",
        (
            "duc",
            "=rèn",
            "ren nong",
            "ren dap",
            "casting",
            "forging",
            "forged",
            "gia cong",
            "cnc",
            "machined",
            "machining",
            "tien",
            "phay",
            "chi tiet co khi",
        ),
    ),
    (
        "comp.metal",
        (
            "dap",
            "stamping",
            "kim loai",
            "tam",
            "metal",
            "thep",
            "nhom",
            "inox",
            "dong",
            "ma kem",
            "son tinh dien",
            "han",
            "welding",
            "ket cau thep",
            "phu tung",
            "linh kien",
        ),
    ),
]


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[str, re.Pattern | None, re.Pattern | None]]:
    """Per rule: a pattern on the folded name, and one for '='-marked phrases matched with their
    diacritics ('=rèn' forging is not '=ren' lace)."""
    out = []
    for code, phrases in RULES:
        folded = sorted((p.strip() for p in phrases if not p.startswith("=")), key=len, reverse=True)
        exact = sorted((p[1:].strip() for p in phrases if p.startswith("=")), key=len, reverse=True)
        # English plurals ("moulds", "gaskets", "bolts") match their singular phrase
        rx = re.compile(rf"(?<=\s)({'|'.join(map(re.escape, folded))})(?:e?s)?(?=\s)") if folded else None
        rx_exact = re.compile(rf"(?<=\s)({'|'.join(map(re.escape, exact))})(?=\s)") if exact else None
        out.append((code, rx, rx_exact))
    return out


def classify_product(name: str, sectors: list[str] | None = None) -> str | None:
    """Taxonomy code for a product name, or None. ``sectors`` (codes) breaks ties between sectors:
    a rule from one of the enterprise's sectors is preferred over an earlier rule from another."""
    return _classify(name, tuple(sectors) if sectors else None)


@lru_cache(maxsize=32768)
def _classify(name: str, sectors: tuple[str, ...] | None) -> str | None:
    key = fold_key(name)
    if not key:
        return None
    # Rules are ordered (specific before generic); a category whose every match lies inside a longer
    # match of another category is dropped ('nut' inside 'nut ao': accessories, not fasteners).
    text = f" {key} "
    exact = f" {nfc(name).lower()} "
    matches: list[tuple[str, list[tuple[int, int]]]] = []
    for code, rx, rx_exact in _compiled():
        spans = [m.span(1) for m in rx.finditer(text)] if rx is not None and rx.search(text) else []
        if rx_exact is not None and rx_exact.search(exact):
            spans.append((-1, -1))  # an exact (accented) phrase: never inside anything
        if spans:
            matches.append((code, spans))
    if not matches:
        return None

    def inside(span, other_code):
        return any(
            o[0] <= span[0] and span[1] <= o[1] and (o[1] - o[0]) > (span[1] - span[0])
            for c, spans in matches
            if c != other_code
            for o in spans
        )

    hits = [code for code, spans in matches if not all(sp != (-1, -1) and inside(sp, code) for sp in spans)]
    hits = hits or [matches[0][0]]
    if sectors:
        sector_of = {row["code"]: row["sector"] for row in product_categories()}
        for code in hits:
            if sector_of.get(code) in sectors:
                return code
    return hits[0]
