"""A generated supplier corpus with ground truth, for relevance and latency benchmarks.

Each enterprise is given *concepts* (what it makes or does). Documents describe a concept with one
of several Vietnamese surface forms; queries use other forms — the unaccented twin, Telex
leftovers, typos, English trade terms, mixed Vietnamese–English, a half-typed last word, the old
tone placement, Vietnamese synonyms — so that a query does not simply echo the document text.
Relevance grades come from the concepts assigned here, never from a search engine:
3 = the enterprise has the concept, 1 = it has another concept of the same taxonomy group.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from vnsearch.analysis import fold
from vnsearch.documents import SearchDoc

# id: (sector, group, document forms (VI), query forms (VI, accented), English query forms,
#      Vietnamese synonyms people also use, a mixed VI–EN form)
CONCEPTS: dict[str, tuple] = {
    "injection_mould": (
        "mechanical",
        "mould",
        ["Khuôn ép nhựa", "Khuôn nhựa ép phun", "Khuôn mẫu ép nhựa"],
        ["khuôn ép nhựa"],
        ["plastic injection mould", "injection mold"],
        ["khuôn nhựa"],
        "khuôn injection nhựa",
    ),
    "stamping_die": (
        "mechanical",
        "mould",
        ["Khuôn dập", "Khuôn dập liên hoàn"],
        ["khuôn dập"],
        ["stamping die", "press die"],
        ["khuôn dập kim loại"],
        "khuôn stamping",
    ),
    "cnc_machining": (
        "mechanical",
        "machining",
        ["Chi tiết gia công CNC", "Gia công cơ khí chính xác CNC"],
        ["gia công cnc"],
        ["cnc machining", "precision machining"],
        ["phay tiện cnc"],
        "gia công CNC machining",
    ),
    "die_casting": (
        "mechanical",
        "casting",
        ["Đúc áp lực nhôm", "Chi tiết đúc áp lực"],
        ["đúc áp lực"],
        ["die casting", "aluminium die casting"],
        ["đúc nhôm áp lực"],
        "đúc die casting",
    ),
    "iron_casting": (
        "mechanical",
        "casting",
        ["Chi tiết đúc gang", "Đúc gang xám"],
        ["đúc gang"],
        ["iron casting", "cast iron casting"],
        ["gang đúc"],
        "đúc gang casting",
    ),
    "forging": (
        "mechanical",
        "casting",
        ["Phôi rèn", "Chi tiết rèn nóng"],
        ["rèn nóng"],
        ["hot forging", "forging"],
        ["rèn dập nóng"],
        "rèn forging",
    ),
    "stamping": (
        "mechanical",
        "sheet",
        ["Linh kiện dập kim loại", "Dập tấm kim loại"],
        ["dập kim loại"],
        ["metal stamping", "sheet metal stamping"],
        ["dập tấm"],
        "dập metal stamping",
    ),
    "galvanizing": (
        "mechanical",
        "surface",
        ["Mạ kẽm nhúng nóng"],
        ["mạ kẽm nhúng nóng"],
        ["hot dip galvanizing", "galvanizing"],
        ["mạ kẽm"],
        "mạ kẽm galvanizing",
    ),
    "powder_coating": (
        "mechanical",
        "surface",
        ["Sơn tĩnh điện", "Sơn tĩnh điện bột"],
        ["sơn tĩnh điện"],
        ["powder coating"],
        ["sơn bột tĩnh điện"],
        "sơn powder coating",
    ),
    "bolts": (
        "mechanical",
        "fasteners",
        ["Bu lông cường độ cao", "Bulong ốc vít"],
        ["bu lông"],
        ["bolts", "fasteners"],
        ["bulong"],
        "bu lông bolts",
    ),
    "gears": (
        "mechanical",
        "transmission",
        ["Bánh răng", "Bánh răng côn"],
        ["bánh răng"],
        ["gears", "gear"],
        ["nhông bánh răng"],
        "bánh răng gear",
    ),
    "hydraulic": (
        "mechanical",
        "transmission",
        ["Xi lanh thủy lực", "Xy lanh thủy lực"],
        ["xi lanh thủy lực"],
        ["hydraulic cylinder", "hydraulic"],
        ["xy lanh thủy lực"],
        "xi lanh hydraulic",
    ),
    "steel_structure": (
        "mechanical",
        "sheet",
        ["Kết cấu thép", "Kết cấu thép nhà xưởng"],
        ["kết cấu thép"],
        ["steel structure", "steel fabrication"],
        ["khung thép"],
        "kết cấu steel structure",
    ),
    "pcba": (
        "electronics",
        "boards",
        ["Lắp ráp bo mạch PCBA", "Bo mạch điện tử PCBA"],
        ["lắp ráp bo mạch"],
        ["pcb assembly", "pcba"],
        ["bo mạch in"],
        "bo mạch PCB assembly",
    ),
    "smt": (
        "electronics",
        "boards",
        ["Hàn dán bề mặt SMT", "Dây chuyền SMT"],
        ["hàn dán bề mặt"],
        ["smt assembly", "surface mount"],
        ["dán linh kiện smt"],
        "hàn SMT",
    ),
    "wire_harness": (
        "electronics",
        "cables",
        ["Bộ dây điện ô tô", "Bó dây điện"],
        ["bộ dây điện"],
        ["wire harness", "wiring harness"],
        ["bó dây điện"],
        "bộ dây wire harness",
    ),
    "cable": (
        "electronics",
        "cables",
        ["Dây cáp điện tử", "Cáp tín hiệu"],
        ["dây cáp điện"],
        ["electronic cable", "cables"],
        ["cáp điện tử"],
        "dây cable điện tử",
    ),
    "transformer": (
        "electronics",
        "power",
        ["Biến áp", "Biến áp xung"],
        ["biến áp"],
        ["transformer", "transformers"],
        ["máy biến áp nhỏ"],
        "biến áp transformer",
    ),
    "power_supply": (
        "electronics",
        "power",
        ["Bộ nguồn", "Bộ nguồn xung"],
        ["bộ nguồn"],
        ["power supply", "psu"],
        ["nguồn điện tử"],
        "bộ nguồn power supply",
    ),
    "led": (
        "electronics",
        "lighting",
        ["Đèn LED", "Module LED"],
        ["đèn led"],
        ["led lighting", "led"],
        ["bóng led"],
        "đèn LED lighting",
    ),
    "sensor": (
        "electronics",
        "components",
        ["Cảm biến nhiệt độ", "Cảm biến áp suất"],
        ["cảm biến"],
        ["sensor", "sensors"],
        ["đầu dò cảm biến"],
        "cảm biến sensor",
    ),
    "plastic_housing": (
        "electronics",
        "components",
        ["Vỏ nhựa thiết bị điện tử", "Vỏ nhựa linh kiện"],
        ["vỏ nhựa"],
        ["plastic housing", "plastic enclosure"],
        ["vỏ hộp nhựa"],
        "vỏ nhựa housing",
    ),
    "knit_fabric": (
        "textile",
        "fabric",
        ["Vải dệt kim", "Vải thun dệt kim"],
        ["vải dệt kim"],
        ["knitted fabric", "knit fabric"],
        ["vải thun"],
        "vải knit",
    ),
    "woven_fabric": (
        "textile",
        "fabric",
        ["Vải dệt thoi", "Vải dệt thoi cotton"],
        ["vải dệt thoi"],
        ["woven fabric"],
        ["vải dệt"],
        "vải woven",
    ),
    "nonwoven": (
        "textile",
        "fabric",
        ["Vải không dệt"],
        ["vải không dệt"],
        ["non woven fabric", "nonwoven"],
        ["vải không dệt pp"],
        "vải non woven",
    ),
    "yarn": (
        "textile",
        "yarn",
        ["Sợi polyester", "Sợi cotton chải kỹ"],
        ["sợi"],
        ["yarn", "polyester yarn"],
        ["sợi dệt"],
        "sợi yarn",
    ),
    "thread": (
        "textile",
        "yarn",
        ["Chỉ may", "Chỉ may polyester"],
        ["chỉ may"],
        ["sewing thread"],
        ["chỉ khâu"],
        "chỉ may thread",
    ),
    "zipper": (
        "textile",
        "accessories",
        ["Khóa kéo", "Khóa kéo kim loại"],
        ["khóa kéo"],
        ["zipper", "zip fastener"],
        ["dây kéo"],
        "khóa zipper",
    ),
    "woven_label": (
        "textile",
        "accessories",
        ["Nhãn dệt", "Nhãn dệt thoi"],
        ["nhãn dệt"],
        ["woven label", "labels"],
        ["nhãn mác"],
        "nhãn woven label",
    ),
    "buttons": (
        "textile",
        "accessories",
        ["Cúc áo", "Cúc nhựa"],
        ["cúc áo"],
        ["buttons", "button"],
        ["nút áo"],
        "cúc button",
    ),
    "interlining": (
        "textile",
        "accessories",
        ["Mex dựng", "Dựng vải"],
        ["mex dựng"],
        ["interlining", "fusible interlining"],
        ["keo dựng"],
        "mex interlining",
    ),
    "dyeing": (
        "textile",
        "finishing",
        ["Nhuộm vải", "Nhuộm và hoàn tất vải"],
        ["nhuộm vải"],
        ["fabric dyeing", "dyeing"],
        ["nhuộm"],
        "nhuộm dyeing",
    ),
    "embroidery": (
        "textile",
        "finishing",
        ["Thêu vi tính", "Thêu logo"],
        ["thêu vi tính"],
        ["embroidery"],
        ["thêu"],
        "thêu embroidery",
    ),
    "eva_sole": (
        "leather_footwear",
        "soles",
        ["Đế giày EVA", "Đế EVA phylon"],
        ["đế giày eva"],
        ["eva outsole", "eva sole"],
        ["đế eva"],
        "đế giày EVA outsole",
    ),
    "rubber_sole": (
        "leather_footwear",
        "soles",
        ["Đế giày cao su", "Đế cao su lưu hóa"],
        ["đế giày cao su"],
        ["rubber outsole", "rubber sole"],
        ["đế cao su"],
        "đế rubber sole",
    ),
    "shoe_upper": (
        "leather_footwear",
        "uppers",
        ["Mũ giày", "May mũ giày"],
        ["mũ giày"],
        ["shoe upper", "uppers"],
        ["thân giày"],
        "mũ giày upper",
    ),
    "leather": (
        "leather_footwear",
        "leather",
        ["Da thuộc", "Da bò thuộc"],
        ["da thuộc"],
        ["finished leather", "tannery"],
        ["thuộc da"],
        "da thuộc leather",
    ),
    "pu_leather": (
        "leather_footwear",
        "leather",
        ["Giả da PU", "Da nhân tạo PU"],
        ["giả da"],
        ["pu leather", "synthetic leather"],
        ["da nhân tạo"],
        "giả da PU leather",
    ),
    "shoe_adhesive": (
        "leather_footwear",
        "materials",
        ["Keo dán giày"],
        ["keo dán giày"],
        ["shoe adhesive", "footwear adhesive"],
        ["keo giày"],
        "keo shoe adhesive",
    ),
    "insole": (
        "leather_footwear",
        "soles",
        ["Lót giày", "Lót giày PU"],
        ["lót giày"],
        ["insole", "insoles"],
        ["miếng lót giày"],
        "lót giày insole",
    ),
    "automation": (
        "electronics",
        "power",
        ["Tủ điện tự động hóa", "Tủ điều khiển tự động hóa"],
        ["tự động hóa"],
        ["automation panel", "control panel"],
        ["tủ điện điều khiển"],
        "tủ điện automation",
    ),
    "dye_chemicals": (
        "textile",
        "finishing",
        ["Hóa chất trợ nhuộm", "Hóa chất dệt nhuộm"],
        ["hóa chất nhuộm"],
        ["dyeing chemicals", "textile chemicals"],
        ["thuốc nhuộm"],
        "hóa chất dyeing",
    ),
    "tanning_chemicals": (
        "leather_footwear",
        "materials",
        ["Hóa chất thuộc da"],
        ["hóa chất thuộc da"],
        ["tanning chemicals"],
        ["hóa chất ngành da"],
        "hóa chất tanning",
    ),
    "hydraulic_hose": (
        "mechanical",
        "transmission",
        ["Ống thủy lực", "Ống dầu thủy lực"],
        ["ống thủy lực"],
        ["hydraulic hose"],
        ["ống dầu cao áp"],
        "ống hydraulic hose",
    ),
    "vulcanization": (
        "leather_footwear",
        "soles",
        ["Lưu hóa cao su"],
        ["lưu hóa cao su"],
        ["rubber vulcanization"],
        ["lưu hoá"],
        "lưu hóa rubber",
    ),
}

PROVINCES = [
    ("01", "Hà Nội"),
    ("79", "Hồ Chí Minh"),
    ("24", "Bắc Ninh"),
    ("31", "Hải Phòng"),
    ("75", "Đồng Nai"),
    ("33", "Hưng Yên"),
    ("19", "Thái Nguyên"),
    ("48", "Đà Nẵng"),
    ("80", "Tây Ninh"),
    ("92", "Cần Thơ"),
    ("91", "An Giang"),
    ("86", "Vĩnh Long"),
]
BRANDS_A = [
    "Thành",
    "Hưng",
    "Phú",
    "Minh",
    "An",
    "Tân",
    "Hoàng",
    "Việt",
    "Sao",
    "Đại",
    "Trường",
    "Nam",
    "Bình",
    "Phúc",
    "Đông",
    "Kim",
    "Thiên",
    "Quang",
    "Hải",
    "Toàn",
    "Tiến",
    "Vạn",
    "Hồng",
    "Lạc",
    "Gia",
    "Thuận",
    "Đức",
    "Nhật",
    "Phước",
    "Ngọc",
    "Hùng",
    "Bảo",
    "Phương",
    "Trí",
    "Khải",
    "Vĩnh",
    "Mai",
    "Tây",
    "Song",
    "Lộc",
]
BRANDS_B = [
    "Đạt",
    "Phát",
    "Cường",
    "Long",
    "Tiến",
    "Gia",
    "Nhật",
    "Việt",
    "Dương",
    "Thịnh",
    "Á",
    "Minh",
    "Lộc",
    "Sơn",
    "Quang",
    "Âu",
    "Thắng",
    "Xuân",
    "Hà",
    "Hồng",
    "Đức",
    "Thành",
    "Quang",
    "Lâm",
    "Vương",
    "Phú",
    "Kiên",
    "Tín",
    "Nam",
    "Hưng",
    "Hoàn",
    "Dũng",
    "Tường",
    "Linh",
    "Đô",
    "Tâm",
    "Nghĩa",
    "Bảo",
    "Mỹ",
    "Thiên",
]
STEMS = {
    "mechanical": ["Cơ khí", "Kỹ thuật Công nghiệp", "Chế tạo máy", "Kim khí"],
    "electronics": ["Điện tử", "Công nghệ Điện tử", "Điện - Điện tử"],
    "textile": ["Dệt may", "May mặc", "Phụ liệu Dệt may"],
    "leather_footwear": ["Da giày", "Giày dép", "Phụ liệu Giày"],
}
# firms are often named after what they mainly do ("Sợi …" spins yarn), otherwise after their sector
CONCEPT_STEMS = {
    "injection_mould": ["Khuôn mẫu", "Khuôn mẫu Nhựa"],
    "stamping_die": ["Khuôn mẫu"],
    "cnc_machining": ["Cơ khí Chính xác", "Gia công Cơ khí"],
    "die_casting": ["Đúc"],
    "iron_casting": ["Đúc"],
    "forging": ["Rèn"],
    "galvanizing": ["Xi mạ"],
    "powder_coating": ["Sơn Mạ"],
    "steel_structure": ["Kết cấu Thép"],
    "pcba": ["Điện tử", "Công nghệ SMT"],
    "smt": ["Công nghệ SMT"],
    "wire_harness": ["Dây Cáp"],
    "cable": ["Cáp điện"],
    "led": ["Chiếu sáng"],
    "automation": ["Tự động hóa"],
    "knit_fabric": ["Dệt kim"],
    "woven_fabric": ["Dệt"],
    "yarn": ["Sợi"],
    "zipper": ["Phụ liệu May"],
    "woven_label": ["Phụ liệu May"],
    "dyeing": ["Dệt nhuộm"],
    "eva_sole": ["Đế giày"],
    "rubber_sole": ["Đế giày"],
    "leather": ["Thuộc da"],
    "pu_leather": ["Giả da"],
    "shoe_upper": ["Da giày"],
}
CERTS = {
    "mechanical": ["ISO 9001:2015", "ISO 14001:2015", "IATF 16949:2016"],
    "electronics": ["ISO 9001:2015", "ISO 14001:2015", "RoHS"],
    "textile": ["ISO 9001:2015", "OEKO-TEX Standard 100", "BSCI"],
    "leather_footwear": ["ISO 9001:2015", "LWG", "BSCI"],
}
VERIFICATION = ["unverified", "self_declared", "documents_checked", "staff_assessed"]


@dataclass
class Firm:
    doc: SearchDoc
    concepts: list[str]


# Firms outside the focus sectors whose words fold like CNHT words (giấy/giày, dục/đúc, để/đế, má/mạ…)
NOISE = [
    ("Công ty TNHH Giấy {b}", ["Giấy carton", "Giấy kraft"], "Sản xuất giấy bao bì"),
    ("Công ty Cổ phần Bao bì {b}", ["Thùng carton", "Bao bì giấy"], "In ấn bao bì"),
    ("Trung tâm Giáo dục Nghề {b}", ["Đào tạo nghề"], "Giáo dục nghề nghiệp, để học viên có việc làm"),
    ("Công ty TNHH Thương mại {b}", ["Thiết bị văn phòng"], "Phân phối thiết bị, không trực tiếp sản xuất"),
    ("Công ty TNHH Nội thất {b}", ["Bàn ghế", "Tủ gỗ"], "Đồ gỗ nội thất, ván ép"),
    (
        "Công ty TNHH Thực phẩm {b}",
        ["Bánh kẹo", "Nước giải khát"],
        "Chế biến thực phẩm, bao bì nhựa mua ngoài",
    ),
]


def by_sector() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for cid, spec in CONCEPTS.items():
        out.setdefault(spec[0], []).append(cid)
    return out


def generate(n: int, seed: int = 7) -> list[Firm]:
    rng = random.Random(seed)
    sectors = by_sector()
    firms = []
    for i in range(n):
        sector = rng.choice(list(sectors))
        concepts = rng.sample(sectors[sector], k=rng.randint(1, 3))
        # a few firms also do one thing from another sector (real firms are not tidy)
        if rng.random() < 0.1:
            other = rng.choice([s for s in sectors if s != sector])
            concepts.append(rng.choice(sectors[other]))
        products = [rng.choice(CONCEPTS[c][2]) for c in concepts]
        brand = f"{rng.choice(BRANDS_A)} {rng.choice(BRANDS_B)}"
        own = CONCEPT_STEMS.get(concepts[0])
        stem = rng.choice(own) if own and rng.random() < 0.6 else rng.choice(STEMS[sector])
        form = rng.choice(["Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH MTV"])
        name = f"{form} {stem} {brand}"
        pcode, pname = rng.choice(PROVINCES)
        certs = [c for c in CERTS[sector] if rng.random() < 0.45]
        desc = (
            f"{stem} {brand} chuyên {products[0].lower()}"
            + (f" và {products[1].lower()}" if len(products) > 1 else "")
            + f", phục vụ khách hàng trong và ngoài nước. Xưởng đặt tại {pname}."
        )
        if rng.random() < 0.35:
            # profiles name their customers' trades, which are not what the firm makes
            other = rng.choice([c for c in CONCEPTS if c not in concepts])
            desc += f" Khách hàng gồm các nhà máy {CONCEPTS[other][3][0]} và doanh nghiệp FDI."
        doc = SearchDoc(
            id=i + 1,
            tax_code=f"{i + 1:010d}",
            name=name,
            name_en=f"{fold(brand).title()} Co., Ltd",
            province_code=pcode,
            province_name=pname,
            sectors=[sector],
            ownership=rng.choice(["private", "private", "fdi", "joint_venture", "state"]),
            size_class=rng.choice(["micro", "small", "medium", "large"]),
            verification=rng.choice(VERIFICATION),
            certifications=sorted({_cert_key(c) for c in certs}),
            texts={
                "name": name,
                "alias": f"{fold(brand).title()} Co., Ltd",
                "products": " ; ".join(products),
                "processes": "",
                "certs": " ; ".join(certs),
                "materials": "",
                "equipment": "",
                "loc": pname,
                "cats": "",
                "desc": desc,
            },
            products=products,
            categories=[],
            description=desc,
        )
        firms.append(Firm(doc, concepts))
    # about 5 % of the list are firms of other trades, as in real provincial lists
    for j in range(n // 20):
        template, products, desc = rng.choice(NOISE)
        brand = f"{rng.choice(BRANDS_A)} {rng.choice(BRANDS_B)}"
        name = template.format(b=brand)
        pcode, pname = rng.choice(PROVINCES)
        i = n + j
        doc = SearchDoc(
            id=i + 1,
            tax_code=f"{i + 1:010d}",
            name=name,
            name_en=None,
            province_code=pcode,
            province_name=pname,
            sectors=["mechanical"],
            ownership="private",
            size_class="small",
            verification=rng.choice(VERIFICATION),
            certifications=[],
            texts={
                "name": name,
                "alias": "",
                "products": " ; ".join(products),
                "processes": "",
                "certs": "",
                "materials": "",
                "equipment": "",
                "loc": pname,
                "cats": "",
                "desc": desc,
            },
            products=products,
            categories=[],
            description=desc,
        )
        firms.append(Firm(doc, []))
    return firms


def _cert_key(text: str) -> str:
    from cnht.enterprises.rules import normalize_certification

    return normalize_certification(text)


# ---- queries -------------------------------------------------------------------------------------

TELEX = {
    "à": "af",
    "á": "as",
    "ả": "ar",
    "ã": "ax",
    "ạ": "aj",
    "ă": "aw",
    "â": "aa",
    "đ": "dd",
    "ê": "ee",
    "ô": "oo",
    "ơ": "ow",
    "ư": "uw",
}
_TONE_KEY = {"\u0300": "f", "\u0301": "s", "\u0309": "r", "\u0303": "x", "\u0323": "j"}


def telex_typed(word: str) -> str:
    """How a word comes out when Telex keys are left in: 'nhựa' → 'nhuwaj', 'khuôn' → 'khuoon'."""
    import unicodedata

    tone = ""
    out = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONE_KEY:
            tone = _TONE_KEY[ch]
        elif ch == "\u0302":  # circumflex
            out.append(out[-1] if out else "")
        elif ch == "\u0306" or ch == "\u031b":  # breve
            out.append("w")
        elif ch == "đ":
            out.append("dd")
        else:
            out.append(ch)
    return "".join(out) + tone


def typo(word: str, rng: random.Random) -> str:
    w = fold(word)
    if len(w) < 5:
        return w
    i = rng.randrange(1, len(w) - 2)
    return w[:i] + w[i + 1] + w[i] + w[i + 2 :]  # a transposition


def old_tone(text: str) -> str | None:
    """The old tone placement ('khóa' → 'khoá'), or None when the text has no such syllable."""
    pairs = {
        "òa": "oà",
        "óa": "oá",
        "ỏa": "oả",
        "õa": "oã",
        "ọa": "oạ",
        "òe": "oè",
        "óe": "oé",
        "ủy": "uỷ",
        "úy": "uý",
        "ùy": "uỳ",
        "ụy": "uỵ",
        "ũy": "uỹ",
    }
    import re

    out = text
    for new, old in pairs.items():
        out = re.sub(new + r"(?![\w])", old, out)
    return out if out != text else None


@dataclass
class Query:
    qid: str
    type: str
    text: str
    concept: str
    filters: dict


def queries(firms: list[Firm], seed: int = 11) -> list[Query]:
    rng = random.Random(seed)
    out: list[Query] = []
    for cid, (_sector, _group, _docs, vi, en, syn, mixed) in CONCEPTS.items():
        base = vi[0]
        words = base.split()
        out.append(Query(f"{cid}:acc", "accented", base, cid, {}))
        out.append(Query(f"{cid}:unacc", "unaccented", fold(base), cid, {}))
        # Telex leftovers in one or all words, and a transposition typo
        tel = " ".join(
            telex_typed(w) if j == len(words) - 1 or rng.random() < 0.5 else fold(w)
            for j, w in enumerate(words)
        )
        out.append(Query(f"{cid}:telex", "telex_typo", tel, cid, {}))
        longest = max(range(len(words)), key=lambda j: len(fold(words[j])))
        typo_q = " ".join(typo(w, rng) if j == longest else fold(w) for j, w in enumerate(words))
        out.append(Query(f"{cid}:typo", "telex_typo", typo_q, cid, {}))
        for k, e in enumerate(en):
            out.append(Query(f"{cid}:en{k}", "english", e, cid, {}))
        out.append(Query(f"{cid}:mixed", "mixed", mixed, cid, {}))
        last = words[-1]
        if len(fold(last)) >= 3:
            cut = max(2, len(last) // 2)
            out.append(Query(f"{cid}:prefix", "prefix", " ".join(words[:-1] + [fold(last)[:cut]]), cid, {}))
            out.append(
                Query(f"{cid}:prefix_acc", "prefix", " ".join(words[:-1] + [last[: cut + 1]]), cid, {})
            )
        olds = [o for o in dict.fromkeys(old_tone(t.lower()) for t in [base, *syn, *CONCEPTS[cid][2]]) if o]
        for k, old in enumerate(olds[:2]):
            out.append(Query(f"{cid}:old{k}", "old_tone", old, cid, {}))
        for k, s in enumerate(syn):
            out.append(Query(f"{cid}:syn{k}", "synonym", s, cid, {}))
        holders = [f for f in firms if cid in f.concepts]
        if holders:
            pcode = rng.choice(holders).doc.province_code
            out.append(Query(f"{cid}:prov", "filtered", base, cid, {"province": pcode}))
            cert = next((c for f in holders for c in f.doc.certifications), None)
            if cert:
                out.append(Query(f"{cid}:cert", "filtered", fold(base), cid, {"certification": cert}))
            # a place in the words: firms there first, the others after
            holder = rng.choice(holders)
            place = holder.doc.province_name if rng.random() < 0.5 else fold(holder.doc.province_name)
            out.append(
                Query(
                    f"{cid}:place",
                    "place",
                    f"{base} {place}",
                    cid,
                    {"prefer_province": holder.doc.province_code},
                )
            )
        # a whole buyer sentence around the thing, in Vietnamese or English
        template = rng.choice(_SENTENCES_VI)
        out.append(
            Query(f"{cid}:sentence", "sentence", template.format(rng.choice([base, fold(base)])), cid, {})
        )
        if en:
            out.append(
                Query(f"{cid}:sentence_en", "sentence", rng.choice(_SENTENCES_EN).format(en[0]), cid, {})
            )
        # abbreviations of business writing
        short = base
        for long, abbr in _ABBREVIATE:
            short = short.replace(long, abbr)
        prefix = rng.choice(("cty ", "ct tnhh ", "sx ", "dn ", ""))
        if short != base or prefix:
            out.append(Query(f"{cid}:abbrev", "abbrev", prefix + short, cid, {}))
    return out


_SENTENCES_VI = (
    "cần tìm nhà cung cấp {} cho nhà máy",
    "công ty nào sản xuất {}",
    "tìm đơn vị {} uy tín",
    "cần mua {} số lượng lớn",
    "cần nhà cung ứng {} cho dây chuyền lắp ráp",
)
_SENTENCES_EN = (
    "looking for a local supplier of {}",
    "we need {} for our factory",
    "who makes {} in vietnam",
)
_ABBREVIATE = (("linh kiện", "lk"), ("gia công", "gc"), ("phụ tùng", "pt"), ("cơ khí", "ck"))


def grades(q: Query, firms: list[Firm]) -> dict[str, int]:
    """tax_code → grade for one query (only positive grades)."""
    group = CONCEPTS[q.concept][1]
    sector = CONCEPTS[q.concept][0]
    out = {}
    prefer = q.filters.get("prefer_province")
    for f in firms:
        if q.filters.get("province") and f.doc.province_code != q.filters["province"]:
            continue
        if prefer:
            if q.concept in f.concepts:
                out[f.doc.tax_code] = 3 if f.doc.province_code == prefer else 1
            continue
        if q.filters.get("certification") and q.filters["certification"] not in f.doc.certifications:
            continue
        if q.concept in f.concepts:
            out[f.doc.tax_code] = 3
        elif any(CONCEPTS[c][1] == group and CONCEPTS[c][0] == sector for c in f.concepts):
            out[f.doc.tax_code] = 1
    return out
