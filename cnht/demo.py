"""Deterministic demo data: realistic supporting-industry enterprises across the four focus sectors.

The same seed always gives the same enterprises (names, tax codes with valid check digits,
products, processes, equipment, certifications). Records go through the same load schema as API
and import input, so the demo also exercises validation.
"""

from __future__ import annotations

import random
from datetime import date

from vnsearch.analysis import fold

BRANDS = [
    "Thành Đạt",
    "Hưng Phát",
    "Phú Cường",
    "Minh Long",
    "An Phát",
    "Tân Tiến",
    "Hoàng Gia",
    "Việt Nhật",
    "Sao Việt",
    "Đại Dương",
    "Trường Thịnh",
    "Nam Á",
    "Bình Minh",
    "Phúc Lộc",
    "Đông Á",
    "Kim Long",
    "Thiên Phú",
    "Quang Minh",
    "Hải Âu",
    "Toàn Thắng",
    "Tiến Đạt",
    "Vạn Xuân",
    "Hồng Hà",
    "Lạc Hồng",
    "Việt Đức",
    "Việt Hàn",
    "Thăng Long",
    "Gia Phát",
    "Thuận Phát",
    "Đức Thành",
    "Nhật Quang",
    "Phước Thành",
    "Ngọc Lâm",
    "Hùng Vương",
    "Tân Phú",
    "Hưng Thịnh",
    "Trung Kiên",
    "Bảo Tín",
    "Phương Nam",
    "Kim Sơn",
    "Đại Việt",
    "Hòa Phát Lợi",
    "Tín Nghĩa",
    "Sông Hồng",
    "Cửu Long",
    "Trí Việt",
    "Khải Hoàn",
    "Anh Dũng",
    "Vĩnh Tường",
    "Mai Linh",
    "Thái Bình Dương",
    "Tây Đô",
    "Đồng Tâm",
    "Hữu Nghị",
    "Tường An",
    "Quốc Bảo",
    "Song Long",
    "Hoàn Mỹ",
    "Nhất Tâm",
    "Lộc Thiên",
]

LEGAL_FORMS = [
    ("Công ty TNHH", "Co., Ltd", 50),
    ("Công ty Cổ phần", "JSC", 30),
    ("Công ty TNHH MTV", "One Member Co., Ltd", 15),
    ("Doanh nghiệp tư nhân", "Private Enterprise", 5),
]

# sector → (Vietnamese name stems with English glosses, products, processes, materials, equipment, certs)
SECTOR_DATA = {
    "mechanical": {
        "stems": [
            ("Cơ khí Chính xác", "Precision Mechanical"),
            ("Cơ khí", "Mechanical"),
            ("Khuôn mẫu", "Mould"),
            ("Đúc", "Casting"),
            ("Chế tạo máy", "Machinery"),
            ("Kim khí", "Metalware"),
            ("Kỹ thuật Cơ khí", "Mechanical Engineering"),
            ("Linh kiện Kim loại", "Metal Components"),
        ],
        "products": [
            "Khuôn ép nhựa",
            "Khuôn dập",
            "Chi tiết gia công CNC",
            "Bu lông cường độ cao",
            "Bánh răng",
            "Trục truyền động",
            "Chi tiết đúc gang",
            "Chi tiết đúc nhôm",
            "Phôi rèn",
            "Linh kiện dập kim loại",
            "Kết cấu thép",
            "Đồ gá",
            "Vỏ hộp số",
            "Lò xo",
            "Khuôn đúc áp lực",
            "Chi tiết nhựa kỹ thuật",
            "Phụ tùng xe máy",
            "Phụ tùng ô tô",
            "Gioăng cao su",
            "Ốc vít",
        ],
        "processes": [
            "Phay CNC",
            "Tiện CNC",
            "Mài phẳng",
            "Cắt dây EDM",
            "Xung điện",
            "Dập",
            "Đúc áp lực",
            "Đúc cát",
            "Rèn nóng",
            "Hàn MIG/TIG",
            "Hàn robot",
            "Sơn tĩnh điện",
            "Mạ kẽm nhúng nóng",
            "Xử lý nhiệt",
            "Ép phun nhựa",
            "Cắt laser",
            "Chấn gấp",
            "Thiết kế khuôn CAD/CAM",
        ],
        "materials": [
            "Thép SKD11",
            "Thép S45C",
            "Inox SUS304",
            "Nhôm ADC12",
            "Gang xám FC250",
            "Đồng thau",
            "Nhựa ABS",
            "Nhựa PP",
            "Thép tấm SPCC",
        ],
        "equipment": [
            (
                "Máy phay CNC",
                ["Mazak", "DMG Mori", "Haas", "Okuma"],
                ["dung sai ±0,01 mm", "5 trục", "3 trục"],
            ),
            ("Máy tiện CNC", ["Mazak", "Doosan", "Okuma"], ["đường kính tiện 400 mm", "dung sai ±0,01 mm"]),
            ("Máy cắt dây EDM", ["Sodick", "Mitsubishi", "Fanuc"], ["dung sai ±0,005 mm"]),
            ("Máy ép nhựa", ["Haitian", "JSW", "Engel", "Toyo"], ["180 tấn", "350 tấn", "650 tấn"]),
            ("Máy dập", ["Amada", "Aida", "Komatsu"], ["80 tấn", "200 tấn", "400 tấn"]),
            ("Máy đo 3 chiều CMM", ["Mitutoyo", "Zeiss", "Hexagon"], ["độ chính xác 2,5 µm"]),
            ("Robot hàn", ["Fanuc", "Yaskawa", "Panasonic"], ["6 trục"]),
        ],
        "certs": [
            ("ISO 9001:2015", 0.65),
            ("ISO 14001:2015", 0.25),
            ("IATF 16949:2016", 0.15),
            ("ISO 45001:2018", 0.12),
        ],
        "customers": [
            "Nhà sản xuất xe máy tại Hà Nội",
            "Nhà lắp ráp ô tô tại Quảng Nam",
            "Nhà máy máy in FDI tại Bắc Ninh",
            "Nhà sản xuất điều hòa tại Hưng Yên",
            "Nhà máy điện tử gia dụng tại Hải Phòng",
            "Tập đoàn thiết bị công nghiệp Nhật Bản",
        ],
        "units": ("chiếc", "tấn", "bộ"),
    },
    "electronics": {
        "stems": [
            ("Điện tử", "Electronics"),
            ("Linh kiện Điện tử", "Electronic Components"),
            ("Công nghệ Điện tử", "Electronic Technology"),
            ("Điện - Điện tử", "Electrical & Electronics"),
            ("Cáp điện", "Cable"),
            ("Thiết bị Điện", "Electrical Equipment"),
        ],
        "products": [
            "Bo mạch in PCBA",
            "Bo mạch in PCB",
            "Bộ dây điện ô tô",
            "Dây cáp điện tử",
            "Bộ nguồn",
            "Biến áp",
            "Cuộn cảm",
            "Cảm biến nhiệt độ",
            "Đèn LED",
            "Vỏ nhựa linh kiện điện tử",
            "Bộ sạc điện thoại",
            "Loa",
            "Tai nghe",
            "Pin lithium",
            "Công tắc",
            "Rơ le",
        ],
        "processes": [
            "Hàn dán bề mặt SMT",
            "Hàn nhúng",
            "Hàn sóng",
            "Kiểm tra AOI",
            "Kiểm tra ICT",
            "Lắp ráp thiết bị điện tử",
            "Bấm đầu cốt",
            "Quấn dây",
            "Phủ conformal coating",
            "Ép phun nhựa",
            "Thiết kế mạch điện tử",
        ],
        "materials": ["Đồng", "Nhựa PC", "Nhựa ABS", "Thiếc hàn không chì", "FR-4"],
        "equipment": [
            ("Dây chuyền SMT", ["Fuji", "Panasonic", "Yamaha"], ["8 line", "4 line", "0201 chip"]),
            ("Máy AOI", ["Koh Young", "Omron", "Saki"], ["3D"]),
            ("Lò hàn reflow", ["Heller", "BTU"], ["10 vùng nhiệt"]),
            ("Máy bấm cốt tự động", ["Komax", "Schleuniger"], ["4.000 đầu/giờ"]),
            ("Máy ép nhựa", ["Haitian", "Sumitomo"], ["120 tấn", "220 tấn"]),
        ],
        "certs": [
            ("ISO 9001:2015", 0.7),
            ("ISO 14001:2015", 0.35),
            ("IATF 16949:2016", 0.12),
            ("RoHS", 0.3),
            ("ISO 13485:2016", 0.05),
            ("UL", 0.1),
        ],
        "customers": [
            "Nhà sản xuất điện thoại FDI tại Thái Nguyên",
            "Nhà máy điện tử FDI tại Bắc Ninh",
            "Nhà sản xuất thiết bị gia dụng tại Bình Dương",
            "Nhà lắp ráp ô tô tại Ninh Bình",
            "Tập đoàn điện tử Hàn Quốc",
        ],
        "units": ("chiếc", "bộ", "bo mạch"),
    },
    "textile": {
        "stems": [
            ("Dệt may", "Textile & Garment"),
            ("Phụ liệu May", "Garment Accessories"),
            ("Sợi", "Yarn"),
            ("Dệt kim", "Knitting"),
            ("Nhuộm", "Dyeing"),
            ("Vải", "Fabric"),
        ],
        "products": [
            "Vải dệt kim",
            "Vải dệt thoi",
            "Sợi cotton",
            "Sợi polyester",
            "Chỉ may",
            "Khóa kéo",
            "Nhãn dệt",
            "Cúc áo",
            "Mex dựng",
            "Dây thun",
            "Ren",
            "Vải không dệt",
            "Băng gai dính",
            "Nhãn in",
        ],
        "processes": [
            "Dệt kim",
            "Dệt thoi",
            "Nhuộm",
            "In lụa",
            "In chuyển nhiệt",
            "Thêu vi tính",
            "Kéo sợi",
            "Hoàn tất vải",
            "Dệt nhãn",
            "May công nghiệp",
            "Cắt laser",
        ],
        "materials": ["Cotton", "Polyester", "Spandex", "Nylon", "Visco", "Polyester tái chế"],
        "equipment": [
            ("Máy dệt kim tròn", ["Mayer & Cie", "Pailung", "Terrot"], ["30 inch", "34 inch"]),
            ("Máy dệt kiếm", ["Picanol", "Toyota"], ["khổ 190 cm"]),
            ("Máy nhuộm cao áp", ["Fongs", "Thies"], ["500 kg/mẻ"]),
            ("Máy thêu vi tính", ["Tajima", "Barudan"], ["20 đầu"]),
            ("Máy dệt nhãn", ["Jakob Müller", "Dornier"], ["khổ hẹp"]),
        ],
        "certs": [
            ("ISO 9001:2015", 0.45),
            ("OEKO-TEX Standard 100", 0.4),
            ("WRAP", 0.15),
            ("BSCI", 0.2),
            ("GRS", 0.1),
            ("ISO 14001:2015", 0.15),
        ],
        "customers": [
            "Các doanh nghiệp may xuất khẩu tại TP Hồ Chí Minh",
            "Tổng công ty may tại Hưng Yên",
            "Nhà máy may FDI tại Đồng Nai",
            "Thương hiệu thời trang Nhật Bản",
            "Nhà may đồng phục tại Hà Nội",
        ],
        "units": ("mét", "tấn", "chiếc"),
    },
    "leather_footwear": {
        "stems": [
            ("Da giày", "Footwear"),
            ("Đế giày", "Shoe Soles"),
            ("Thuộc da", "Tannery"),
            ("Phụ liệu Giày", "Footwear Accessories"),
            ("Giả da", "Synthetic Leather"),
        ],
        "products": [
            "Đế giày cao su",
            "Đế giày EVA",
            "Đế giày PU",
            "Mũ giày",
            "Da thuộc",
            "Giả da PU",
            "Keo dán giày",
            "Dây giày",
            "Lót giày",
            "Khoen giày",
            "Chỉ khâu giày",
            "Hộp giày",
        ],
        "processes": [
            "Ép phun EVA",
            "Lưu hóa cao su",
            "Đúc PU",
            "Thuộc da",
            "Cắt da CNC",
            "May mũ giày",
            "In lụa",
            "Dán đế",
            "Phun sơn đế",
        ],
        "materials": ["Cao su tự nhiên", "EVA", "PU", "Da bò", "TPU", "Vải lưới"],
        "equipment": [
            ("Máy ép đế", ["Main Group", "King Steel", "Desma"], ["24 trạm", "12 trạm"]),
            ("Máy cắt da CNC", ["Atom", "Comelz"], ["dao rung"]),
            ("Máy may mũ giày", ["Juki", "Brother"], ["kim đôi"]),
            ("Trống thuộc da", ["Dosemaq", "Tecnoarg"], ["3 m"]),
        ],
        "certs": [("ISO 9001:2015", 0.45), ("LWG", 0.3), ("ISO 14001:2015", 0.2), ("BSCI", 0.15)],
        "customers": [
            "Nhà máy giày thể thao FDI tại Đồng Nai",
            "Nhà máy giày FDI tại Tây Ninh",
            "Thương hiệu giày thể thao quốc tế",
            "Nhà máy túi xách tại TP Hồ Chí Minh",
        ],
        "units": ("đôi", "m²", "chiếc"),
    },
}

# (province as people write it, weight, industrial parks or streets, tax-office prefix)
PROVINCES = [
    ("Hà Nội", 14, ["KCN Quang Minh", "KCN Thăng Long", "KCN Nội Bài", "Cụm công nghiệp Phú Thị"], "01"),
    (
        "TP Hồ Chí Minh",
        16,
        ["KCX Tân Thuận", "KCN Tân Tạo", "KCN VSIP", "KCN Mỹ Phước 2", "KCN Hiệp Phước"],
        "03",
    ),
    ("Bắc Ninh", 8, ["KCN Yên Phong", "KCN Quế Võ", "KCN Tiên Sơn", "KCN Đình Trám"], "23"),
    ("Hải Phòng", 7, ["KCN Đình Vũ", "KCN Nomura", "KCN Tràng Duệ", "KCN Đại An"], "02"),
    ("Đồng Nai", 7, ["KCN Amata", "KCN Biên Hòa 2", "KCN Nhơn Trạch 3", "KCN Long Thành"], "36"),
    ("Hưng Yên", 5, ["KCN Phố Nối A", "KCN Thăng Long II", "KCN Minh Đức"], "09"),
    ("Thái Nguyên", 4, ["KCN Yên Bình", "KCN Sông Công"], "46"),
    ("Phú Thọ", 3, ["KCN Thụy Vân", "KCN Bá Thiện"], "26"),
    ("Tây Ninh", 4, ["KCN Phước Đông", "KCN Long Hậu", "KCN Trảng Bàng"], "39"),
    ("Đà Nẵng", 4, ["KCN Hòa Khánh", "KCN Điện Nam - Điện Ngọc", "KCN Chu Lai"], "04"),
    ("Quảng Ninh", 2, ["KCN Đông Mai", "KCN Việt Hưng"], "57"),
    ("Ninh Bình", 3, ["KCN Gián Khẩu", "KCN Đồng Văn II", "KCN Hòa Xá"], "27"),
    ("Cần Thơ", 2, ["KCN Trà Nóc", "KCN Hưng Phú"], "18"),
    ("An Giang", 2, ["KCN Bình Hòa", "KCN Thạnh Lộc"], "16"),
    ("Vĩnh Long", 2, ["KCN Hòa Phú", "KCN Giao Long"], "15"),
    ("Thanh Hóa", 2, ["KCN Lễ Môn", "KCN Nghi Sơn"], "28"),
    ("Nghệ An", 2, ["KCN VSIP Nghệ An", "KCN Bắc Vinh"], "29"),
    ("Khánh Hòa", 1, ["KCN Suối Dầu"], "42"),
    ("Đồng Tháp", 1, ["KCN Sa Đéc", "KCN Tân Hương"], "14"),
    ("Lâm Đồng", 1, ["KCN Lộc Sơn"], "58"),
    ("Quảng Ngãi", 1, ["KCN Dung Quất"], "43"),
    ("Lào Cai", 1, ["KCN Tằng Loỏng"], "53"),
    ("Gia Lai", 1, ["KCN Phú Tài"], "41"),
    ("Huế", 1, ["KCN Phú Bài"], "33"),
    ("Tuyên Quang", 1, ["KCN Long Bình An"], "50"),
]

SECTOR_WEIGHTS = [("mechanical", 36), ("electronics", 24), ("textile", 22), ("leather_footwear", 18)]
EXPORT_MARKETS = [
    "Nhật Bản",
    "Hàn Quốc",
    "Hoa Kỳ",
    "EU",
    "Trung Quốc",
    "Thái Lan",
    "Đài Loan",
    "Singapore",
    "Úc",
]
ISSUERS = ["QUACERT", "Bureau Veritas", "TÜV Rheinland", "SGS", "Intertek", "DNV", "TÜV SÜD"]
VERIFICATION = [("unverified", 40), ("self_declared", 30), ("documents_checked", 18), ("staff_assessed", 12)]
OWNERSHIP = [("Tư nhân", 70), ("FDI", 15), ("Liên doanh", 8), ("Nhà nước", 7)]


def _pick(rng: random.Random, weighted):
    items, weights = zip(*[(x[:-1] if len(x) > 2 else x[0], x[-1]) for x in weighted], strict=True)
    return rng.choices(items, weights=weights, k=1)[0]


def _lc(text: str) -> str:
    """Lower-case the first letter for use inside a sentence; acronyms ("SMT", "PCBA") untouched."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _ascii(text: str) -> str:
    return " ".join(w.capitalize() for w in fold(text).split())


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.6:  # landline: 0 + area code + 8 digits (Hà Nội 24, HCM 28, Bắc Ninh 222…)
        area = rng.choice(["24", "28", "222", "225", "251", "236", "274", "221"])
        local = f"{rng.randint(10**7, 10**8 - 1)}"[: 10 - len(area)]
        return f"0{area} {local[:4]} {local[4:]}"
    return f"09{rng.randint(0, 99):02d} {rng.randint(100, 999)} {rng.randint(100, 999)}"


def _tax_code(rng: random.Random, prefix: str, used: set[str]) -> str:
    from cnht.enterprises.rules import make_tax_code

    while True:
        code = make_tax_code(prefix + f"{rng.randrange(1, 10**7):07d}")
        if code and code not in used:
            used.add(code)
            return code


def _names(rng: random.Random, count: int):
    """Unique (brand, sector, stem) triples in a deterministic shuffled order."""
    combos = []
    for sector, data in SECTOR_DATA.items():
        for stem in data["stems"]:
            for brand in BRANDS:
                combos.append((brand, sector, stem))
    rng.shuffle(combos)
    weights = dict(SECTOR_WEIGHTS)
    by_sector: dict[str, list] = {s: [c for c in combos if c[1] == s] for s in SECTOR_DATA}
    used_brand_sector: set[tuple[str, str]] = set()
    for _ in range(count):
        sector = rng.choices(list(weights), weights=list(weights.values()), k=1)[0]
        pool = by_sector[sector]
        while pool:
            brand, sec, stem = pool.pop()
            if (brand, sec) in used_brand_sector and len(pool) > 50:
                continue
            used_brand_sector.add((brand, sec))
            yield brand, sec, stem
            break


def generate(count: int = 320, seed: int = 2025) -> list[dict]:
    """Enterprise records as the load schema expects them (API field names)."""
    rng = random.Random(seed)
    used_codes: set[str] = set()
    out = []
    for brand, sector, (stem_vi, stem_en) in _names(rng, count):
        data = SECTOR_DATA[sector]
        form_vi, form_en = _pick(rng, [(a, b, w) for a, b, w in LEGAL_FORMS])
        province, _w, parks, prefix = rng.choices(PROVINCES, weights=[p[1] for p in PROVINCES], k=1)[0]
        name = f"{form_vi} {stem_vi} {brand}"
        name_en = f"{_ascii(brand)} {stem_en} {form_en}"
        sectors = [sector]
        if sector == "mechanical" and rng.random() < 0.15:
            sectors.append("automotive")
        if sector == "electronics" and rng.random() < 0.1:
            sectors.append("mechanical")
        products = rng.sample(data["products"], k=rng.randint(2, 5))
        processes = rng.sample(data["processes"], k=rng.randint(2, 5))
        materials = rng.sample(data["materials"], k=rng.randint(1, 3))
        size_roll = rng.random()
        if size_roll < 0.25:
            employees, revenue = rng.randint(5, 10), round(rng.uniform(0.8, 3.0), 1)
        elif size_roll < 0.65:
            employees, revenue = rng.randint(11, 100), round(rng.uniform(3, 50), 1)
        elif size_roll < 0.85:
            employees, revenue = rng.randint(101, 200), round(rng.uniform(40, 200), 1)
        else:
            employees, revenue = rng.randint(201, 3000), round(rng.uniform(150, 2500), 0)
        capital = round(revenue * rng.uniform(0.2, 0.6), 1)
        founded = rng.randint(1992, 2022)
        certs = []
        for standard, p in data["certs"]:
            if rng.random() < p:
                valid = date(rng.randint(2026, 2029), rng.randint(1, 12), rng.randint(1, 28))
                certs.append(
                    {
                        "standard": standard,
                        "issuer": rng.choice(ISSUERS),
                        "valid_until": valid.isoformat(),
                        "number": f"{rng.choice(['VN', 'QC', 'HCM', 'HN'])}{rng.randint(10000, 99999)}",
                    }
                )
        equipment = []
        for machine, brands, specs in rng.sample(
            data["equipment"], k=rng.randint(1, min(3, len(data["equipment"])))
        ):
            equipment.append(
                {
                    "machine_type": machine,
                    "brand": rng.choice(brands),
                    "count": rng.randint(1, 12 if employees > 50 else 3),
                    "key_spec": rng.choice(specs),
                }
            )
        capacity_product = products[0]
        unit = rng.choice(data["units"])
        capacity = {
            "product": capacity_product,
            "quantity": rng.choice([5, 10, 20, 50, 120, 300]) * 1000
            if unit not in ("tấn", "bộ")
            else rng.choice([50, 120, 500, 1200]),
            "unit": unit,
            "period": rng.choice(["month", "year"]),
        }
        markets = rng.sample(EXPORT_MARKETS, k=rng.choice([0, 0, 1, 2, 3]))
        customers = rng.sample(data["customers"], k=rng.randint(1, 2))
        park = rng.choice(parks)
        address = (
            f"Lô {rng.choice('ABCDEFGH')}{rng.randint(1, 40)}, {park}"
            if park.startswith(("KCN", "KCX", "Cụm"))
            else f"Số {rng.randint(1, 300)}, {park}"
        )
        domain = "".join(fold(brand).split()) + (
            "-" + stem_en.split()[0].lower() if rng.random() < 0.5 else ""
        )
        domain = domain.replace("&", "")
        cert_text = ", ".join(c["standard"] for c in certs)
        description = (
            f"{stem_vi} {brand} chuyên {_lc(processes[0])} và {_lc(processes[1])}, sản xuất "
            f"{', '.join(_lc(p) for p in products[:3])} cho {_lc(customers[0])}."
        )
        if equipment:
            e0 = equipment[0]
            description += (
                f" Nhà xưởng có {e0['count']} {_lc(e0['machine_type'])} {e0['brand']} ({e0['key_spec']})."
            )
        if cert_text:
            description += f" Hệ thống quản lý đạt {cert_text}."
        if markets:
            description += f" Sản phẩm xuất khẩu sang {', '.join(markets)}."
        out.append(
            {
                "tax_code": _tax_code(rng, prefix, used_codes),
                "name": name,
                "name_en": name_en,
                "short_name": f"{stem_vi} {brand}" if rng.random() < 0.3 else None,
                "province": province,
                "address": address,
                "sectors": sectors,
                "products": products,
                "processes": processes,
                "materials": materials,
                "equipment": equipment,
                "certifications": certs,
                "capacities": [capacity],
                "employees": employees,
                "revenue_bn_vnd": revenue,
                "charter_capital_bn_vnd": capital,
                "founded_year": founded,
                "ownership": _pick(rng, OWNERSHIP),
                "export_markets": markets,
                "key_customers": customers,
                "email": f"{rng.choice(['info', 'sales', 'lienhe', 'contact', 'kinhdoanh'])}@{domain}.example.vn",
                "phone": _phone(rng),
                "website": f"{domain}.example.vn" if rng.random() < 0.7 else None,
                "description": description,
                "verification_status": _pick(rng, VERIFICATION),
            }
        )
    return out


def load(session, count: int = 320, seed: int = 2025) -> dict[str, int]:
    """Load (or refresh) the demo enterprises. Idempotent."""
    from datetime import timedelta

    from cnht.db import utcnow
    from cnht.enterprises import services
    from cnht.enterprises.schemas import EnterpriseIn

    schema = EnterpriseIn()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    session.info["actor"] = "demo"
    rng = random.Random(seed + 1)
    now = utcnow()
    for record in generate(count, seed):
        data = schema.load(record)
        result = services.upsert(session, data)
        counts[result.status] += 1
        if result.status == "created":
            # spread the demo's registration dates over two years, so growth charts have a history
            result.enterprise.created_at = now - timedelta(days=rng.randint(0, 730))
    session.flush()
    return counts


DEMO_ACCOUNTS = (
    ("staff", "canbo@demo.cnht.vn", "Nguyễn Thị Cán Bộ", None),
    ("sme", "doanhnghiep@demo.cnht.vn", "Trần Văn Doanh", "Công ty demo"),
    ("buyer", "benmua@demo.cnht.vn", "Sato Kenji", "Công ty TNHH Điện tử Demo Việt Nam"),
)
DEMO_REQUIREMENTS = (
    (
        "Cần tìm nhà cung cấp khuôn ép nhựa cho vỏ máy in",
        "mechanical",
        ["phay CNC", "xử lý nhiệt"],
        ["ISO 9001"],
    ),
    ("Gia công CNC trục inox SUS304 theo bản vẽ", "mechanical", ["tiện CNC"], []),
    ("Looking for PCBA assembly supplier (SMT)", "electronics", ["SMT"], ["ISO 9001"]),
    ("Đế giày EVA cho giày thể thao xuất khẩu", "leather_footwear", [], []),
    ("Nhãn dệt và phụ liệu may cho áo khoác", "textile", [], ["OEKO-TEX"]),
)


def load_accounts(session) -> list[tuple[str, str, str]]:
    """Demo accounts (one per role; the SME manages the first demo enterprise) with fresh random
    passwords, and a few open sourcing requests from the demo buyer. Returns (role, email, password)."""
    import secrets

    from sqlalchemy import select

    from cnht.accounts.models import User
    from cnht.accounts.services import create_account, hash_password
    from cnht.enterprises.models import Enterprise
    from cnht.enterprises.rules import normalize_certification
    from cnht.matching.models import SourcingRequirement

    first = session.scalars(
        select(Enterprise).where(Enterprise.deleted_at.is_(None)).order_by(Enterprise.id)
    ).first()
    out, users = [], {}
    for role, email, name, org in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(9)
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_account(session, email=email, password=password, role=role, full_name=name)
        else:
            user.password_hash = hash_password(password)
        user.organisation = first.name if role == "sme" and first else org
        if role == "sme" and first is not None:
            user.enterprise_id = first.id
        users[role] = user
        out.append((role, email, password))
    session.flush()
    buyer = users["buyer"]
    if not session.scalar(
        select(SourcingRequirement.id).where(SourcingRequirement.owner_id == buyer.id).limit(1)
    ):
        for title, sector, processes, certs in DEMO_REQUIREMENTS:
            session.add(
                SourcingRequirement(
                    owner_id=buyer.id,
                    title=title,
                    sector_code=sector,
                    processes=processes,
                    materials=[],
                    certifications_required=[],
                    certifications_preferred=[normalize_certification(c) for c in certs],
                    provinces_required=[],
                    provinces_preferred=["24"],
                    quantity=20000,
                    quantity_unit="chiếc",
                    visibility="public",
                    status="open",
                    buyer_name=buyer.organisation,
                )
            )
    session.flush()
    from cnht.events import demo as event_demo

    event_demo.load(session, users["staff"], buyer, users["sme"].enterprise_id)
    session.flush()
    return out
