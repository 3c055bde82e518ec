"""Matching evaluation and latency.

    .venv/bin/python -m bench.matching [--docs 3000] [--requirements 150] [--json bench/results/matching.json]
    .venv/bin/python -m bench.matching --latency --docs 100000 [--rounds 200] [--instance DIR]

Evaluation: a generated supplier list (concepts from bench/corpus.py, plus processes, certificates
with expiry dates, head-counts and provinces across the 34 units) and generated sourcing
requirements written the way buyers write them (Vietnamese with or without diacritics, English,
other words than the profiles use, noise in the description). Ground truth comes from the
generator: grade 3 = the firm makes the concept and covers the required processes, 2 = makes it,
1 = makes something of the same group; a firm breaking a hard constraint has grade 0 and counts as
a violation wherever it is ranked. Our engine (POST /api/v1/match) and, in the same run, the
text-only baseline (title + description sent to GET /api/v1/search, no filters) are scored with
nDCG@10, precision@10 (grade ≥ 2) and the share of top-10 items that break a hard constraint.

Latency: the same requirements against --docs suppliers, through the API (Flask test client, in
process), medians and p95; with --instance also through HTTP (`cnht serve` on the kept instance),
each requirement's first time apart from repeats.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bench.corpus import CONCEPTS, generate
from vnsearch.analysis import fold

# Processes a firm of each concept lists, and other ways buyers write one of them.
PROCESSES: dict[str, list[str]] = {
    "injection_mould": ["Phay CNC", "Cắt dây EDM", "Xung điện"],
    "stamping_die": ["Phay CNC", "Cắt dây EDM", "Mài phẳng"],
    "cnc_machining": ["Phay CNC", "Tiện CNC"],
    "die_casting": ["Đúc áp lực", "Gia công CNC"],
    "iron_casting": ["Đúc gang", "Xử lý nhiệt"],
    "forging": ["Rèn nóng", "Xử lý nhiệt"],
    "stamping": ["Dập", "Chấn gấp"],
    "galvanizing": ["Mạ kẽm nhúng nóng"],
    "powder_coating": ["Sơn tĩnh điện"],
    "bolts": ["Xử lý nhiệt", "Mạ kẽm"],
    "gears": ["Phay CNC", "Xử lý nhiệt"],
    "hydraulic": ["Tiện CNC", "Hàn"],
    "steel_structure": ["Hàn", "Cắt laser"],
    "pcba": ["Hàn dán bề mặt SMT", "Hàn nhúng"],
    "smt": ["Hàn dán bề mặt SMT"],
    "wire_harness": ["Bấm đầu cos", "Hàn"],
    "cable": ["Ép đùn"],
    "transformer": ["Quấn dây"],
    "power_supply": ["Hàn dán bề mặt SMT"],
    "led": ["Hàn dán bề mặt SMT"],
    "sensor": ["Hàn dán bề mặt SMT"],
    "plastic_housing": ["Ép nhựa"],
    "knit_fabric": ["Dệt kim"],
    "woven_fabric": ["Dệt thoi"],
    "nonwoven": ["Ép nhiệt"],
    "yarn": ["Kéo sợi"],
    "thread": ["Kéo sợi", "Nhuộm"],
    "zipper": ["Ép nhựa", "Dập"],
    "woven_label": ["Dệt thoi"],
    "buttons": ["Ép nhựa"],
    "interlining": ["Tráng phủ"],
    "dyeing": ["Nhuộm"],
    "embroidery": ["Thêu vi tính"],
    "eva_sole": ["Ép phun EVA"],
    "rubber_sole": ["Lưu hóa cao su"],
    "shoe_upper": ["May", "Chặt da"],
    "leather": ["Thuộc da"],
    "pu_leather": ["Tráng phủ PU"],
    "shoe_adhesive": ["Pha chế hóa chất"],
    "insole": ["Ép nhiệt"],
    "automation": ["Lắp ráp tủ điện", "Lập trình PLC"],
    "dye_chemicals": ["Pha chế hóa chất"],
    "tanning_chemicals": ["Pha chế hóa chất"],
    "hydraulic_hose": ["Ép đầu ống"],
    "vulcanization": ["Lưu hóa cao su"],
}
PROCESS_ASKED = {
    "Phay CNC": ["CNC milling", "phay cnc"],
    "Tiện CNC": ["CNC turning", "tien cnc"],
    "Xử lý nhiệt": ["heat treatment", "nhiệt luyện"],
    "Mạ kẽm nhúng nóng": ["hot dip galvanizing"],
    "Sơn tĩnh điện": ["powder coating"],
    "Hàn dán bề mặt SMT": ["SMT", "surface mount"],
    "Cắt dây EDM": ["wire EDM", "cat day"],
    "Hàn": ["welding"],
    "Cắt laser": ["laser cutting"],
    "Đúc áp lực": ["die casting"],
    "Dập": ["stamping"],
    "Ép nhựa": ["injection molding", "ep nhua"],
    "Nhuộm": ["dyeing"],
    "Thêu vi tính": ["embroidery"],
    "Lưu hóa cao su": ["vulcanization"],
    "Rèn nóng": ["hot forging"],
    "Mài phẳng": ["surface grinding"],
    "Chấn gấp": ["bending"],
}
SECTOR_CERTS = {
    "mechanical": ["ISO 9001", "ISO 14001", "IATF 16949"],
    "electronics": ["ISO 9001", "ISO 14001"],
    "textile": ["ISO 9001", "OEKO-TEX STANDARD 100"],
    "leather_footwear": ["ISO 9001", "ISO 14001"],
}
CERT_TEXT = {
    "ISO 9001": "ISO 9001:2015",
    "ISO 14001": "ISO 14001:2015",
    "IATF 16949": "IATF 16949:2016",
    "OEKO-TEX STANDARD 100": "OEKO-TEX Standard 100",
}
REGIONS = {
    "north": ["01", "24", "31", "33", "37", "19", "25", "22"],
    "south": ["79", "75", "80", "82", "86", "92"],
    "central": ["48", "46", "51", "52", "56", "38", "40"],
}
ALL_PROVINCES = [p for ps in REGIONS.values() for p in ps]
APPLICATIONS = [
    "máy in",
    "xe máy",
    "ô tô",
    "điện thoại",
    "máy giặt",
    "tủ lạnh",
    "điều hòa",
    "đồ chơi trẻ em",
    "thiết bị y tế",
    "giày thể thao",
    "áo khoác xuất khẩu",
    "máy nông nghiệp",
]
EN_APPS = [
    "printers",
    "motorbikes",
    "cars",
    "phones",
    "washing machines",
    "medical devices",
    "sports shoes",
    "export jackets",
]


@dataclass
class Firm:
    ref: str
    concepts: list[str]
    sector: str
    province: str
    employees: int | None
    processes: list[str]
    certs: dict[str, date]  # key → valid until


@dataclass
class Req:
    rid: int
    concept: str
    body: dict
    required_processes: list[str] = field(default_factory=list)  # canonical names


def _tax_code(i: int) -> str:
    from cnht.enterprises.rules import make_tax_code

    n = i
    while True:
        code = make_tax_code(f"{(n % 900_000_000) + 100_000_000:09d}")
        if code:
            return code
        n += 1_000_003


def build_corpus(n: int, seed: int = 7) -> tuple[list[dict], list[Firm]]:
    rng = random.Random(seed)
    docs = generate(n, seed)
    records, firms, used = [], [], set()
    today = date.today()
    for k, f in enumerate(docs):
        d = f.doc
        code = _tax_code(k * 7919 + 13)
        while code in used:
            code = _tax_code(rng.randrange(10**8))
        used.add(code)
        sector = d.sectors[0]
        procs = list(dict.fromkeys(p for c in f.concepts for p in PROCESSES.get(c, [])))
        procs = [p for p in procs if rng.random() < 0.85]
        certs = {}
        for key in SECTOR_CERTS.get(sector, ["ISO 9001"]):
            if rng.random() < 0.4:
                certs[key] = today + timedelta(days=rng.choice([-400, 200, 700, 1100]))  # some expired
        employees = None if rng.random() < 0.1 else int(rng.lognormvariate(4.2, 1.1)) + 3
        province = rng.choice(ALL_PROVINCES)
        records.append(
            {
                "tax_code": code,
                "name": d.name,
                "name_en": d.name_en,
                "province": province,
                "sectors": [sector],
                "products": d.products,
                "processes": procs,
                "certifications": [f"{CERT_TEXT[c]} | | | {until.isoformat()}" for c, until in certs.items()],
                "employees": employees,
                "description": d.description,
                "verification_status": d.verification,
            }
        )
        firms.append(Firm(code, f.concepts, sector, province, employees, procs, certs))
    return records, firms


def build_requirements(firms: list[Firm], count: int, seed: int = 23) -> list[Req]:
    rng = random.Random(seed)
    concepts = [c for c in CONCEPTS if any(c in f.concepts for f in firms)]
    out = []
    for i in range(count):
        c = concepts[i % len(concepts)] if i < len(concepts) else rng.choice(concepts)
        sector, _group, _docs, vi, en, syn, mixed = CONCEPTS[c]
        style = rng.choice(["vi", "vi_plain", "en", "syn", "mixed"])
        app = rng.choice(APPLICATIONS)
        if style == "vi":
            title = rng.choice(
                [
                    f"Cần tìm nhà cung cấp {vi[0]}",
                    f"Tìm đơn vị sản xuất {vi[0]} cho {app}",
                    f"Đặt hàng {vi[0]} theo bản vẽ",
                ]
            )
        elif style == "vi_plain":
            title = fold(rng.choice([f"can tim nha cung cap {vi[0]}", f"{vi[0]} cho {app}"]))
        elif style == "en":
            title = rng.choice(
                [
                    f"Looking for {en[0]} supplier",
                    f"{en[-1].capitalize()} for {rng.choice(EN_APPS)}",
                    f"Sourcing: {en[0]}",
                ]
            )
        elif style == "syn":
            title = rng.choice([f"Cần {syn[0]} cho {app}", f"Tìm xưởng {syn[0]}"])
        else:
            title = f"Cần supplier {mixed}"
        other = rng.choice([x for x in CONCEPTS if x != c])
        desc = rng.choice(
            [
                f"Sản phẩm dùng cho dây chuyền lắp ráp {app}. Yêu cầu giao hàng đúng hạn, chất lượng ổn định.",
                f"Nhà máy FDI cần nhà cung ứng nội địa lâu dài. Đang mua {CONCEPTS[other][3][0]} từ nhà cung cấp khác.",
                "Có bản vẽ kỹ thuật, dung sai ±0,05 mm. Ưu tiên doanh nghiệp có kinh nghiệm xuất khẩu.",
                f"We supply {rng.choice(EN_APPS)} makers and need a reliable local partner. Samples first.",
            ]
        )
        body: dict = {"title": title, "description": desc}
        req = Req(i + 1, c, body)
        procs = PROCESSES.get(c, [])
        if procs and rng.random() < 0.5:
            p = rng.choice(procs)
            req.required_processes = [p]
            body["processes"] = [rng.choice(PROCESS_ASKED.get(p, [fold(p).lower()]))]
        if rng.random() < 0.5:
            body["sector"] = sector
        if rng.random() < 0.3:
            body["certifications_required"] = [rng.choice(SECTOR_CERTS[sector])]
        if rng.random() < 0.3:
            region = rng.choice(list(REGIONS.values()))
            body["provinces_required"] = rng.sample(region, k=min(len(region), rng.randint(2, 4)))
        if rng.random() < 0.25:
            body["min_employees"] = rng.choice([30, 50, 100, 200])
        if rng.random() < 0.4:
            body["provinces_preferred"] = [rng.choice(ALL_PROVINCES)]
        if rng.random() < 0.3:
            body["certifications_preferred"] = [rng.choice(SECTOR_CERTS[sector])]
        if rng.random() < 0.4:
            body["quantity"] = rng.choice([500, 20_000, 300_000, 2_000_000])
        out.append(req)
    return out


def violates(f: Firm, body: dict, today: date) -> bool:
    if body.get("sector") and f.sector != body["sector"]:
        return True
    if body.get("provinces_required") and f.province not in body["provinces_required"]:
        return True
    if body.get("min_employees") and (f.employees is None or f.employees < body["min_employees"]):
        return True
    return any(k not in f.certs or f.certs[k] < today for k in body.get("certifications_required", []))


def grades(r: Req, firms: list[Firm], today: date) -> dict[str, int]:
    group = CONCEPTS[r.concept][1]
    out = {}
    for f in firms:
        if violates(f, r.body, today):
            continue
        if r.concept in f.concepts:
            covered = all(p in f.processes for p in r.required_processes)
            out[f.ref] = 3 if covered else 2
        elif any(CONCEPTS[c][1] == group for c in f.concepts):
            out[f.ref] = 1
    return out


def ndcg(ranked: list[str], gains: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** gains.get(t, 0) - 1) / math.log2(i + 2) for i, t in enumerate(ranked[:k]))
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def make_app(instance: Path, records: list[dict]):
    os.environ["CNHT_INSTANCE_PATH"] = str(instance)
    from cnht import create_app, migrate
    from cnht.enterprises import services
    from cnht.enterprises.schemas import EnterpriseIn
    from cnht.reference.services import load_reference

    app = create_app({"INSTANCE_PATH": str(instance), "RATELIMIT_ENABLED": False})
    db = app.extensions["cnht_db"]
    migrate.upgrade(db.engine)
    schema = EnterpriseIn()
    with app.app_context(), db.sessionmaker() as s:
        load_reference(s)
        s.commit()
        for i in range(0, len(records), 5000):
            services.bulk_create(s, [schema.load(r) for r in records[i : i + 5000]])
            s.commit()
    with app.app_context():
        from cnht.search.services import reindex

        reindex(app)
    return app


def evaluate(app, reqs: list[Req], firms: list[Firm]) -> dict:
    today = date.today()
    by_ref = {f.ref: f for f in firms}
    client = app.test_client()
    rows = {"engine": [], "baseline": []}
    for r in reqs:
        gains = grades(r, firms, today)
        res = client.post("/api/v1/match?limit=10", json=r.body)
        assert res.status_code == 200, res.get_json()
        ours = [i["ref"] for i in res.get_json()["items"]]
        q = f"{r.body['title']} {r.body['description']}"
        base = [
            i["ref"]
            for i in client.get("/api/v1/search", query_string={"q": q, "per_page": 10}).get_json()["items"]
        ]
        for name, ranked in (("engine", ours), ("baseline", base)):
            viol = sum(violates(by_ref[t], r.body, today) for t in ranked[:10])
            rows[name].append(
                {
                    "ndcg": ndcg(ranked, gains),
                    "p10": sum(gains.get(t, 0) >= 2 for t in ranked[:10]) / 10,
                    "violations": viol,
                    "returned": len(ranked[:10]),
                }
            )
    out = {}
    for name, rs in rows.items():
        returned = sum(x["returned"] for x in rs) or 1
        out[name] = {
            "ndcg@10": round(statistics.mean(x["ndcg"] for x in rs), 3),
            "precision@10": round(statistics.mean(x["p10"] for x in rs), 3),
            "violation_rate": round(sum(x["violations"] for x in rs) / returned, 3),
        }
    return out


def latency(app, reqs: list[Req], rounds: int) -> dict:
    client = app.test_client()
    for r in reqs[:10]:
        client.post("/api/v1/match", json=r.body)  # warm caches
    times = []
    for i in range(rounds):
        body = reqs[i % len(reqs)].body
        t0 = time.perf_counter()
        res = client.post("/api/v1/match", json=body)
        times.append((time.perf_counter() - t0) * 1000)
        assert res.status_code == 200
    times.sort()
    base = []
    for i in range(rounds):
        t0 = time.perf_counter()
        client.get("/api/v1/search", query_string={"q": reqs[i % len(reqs)].body["title"], "per_page": 10})
        base.append((time.perf_counter() - t0) * 1000)
    base.sort()
    p = lambda xs, q: xs[min(len(xs) - 1, int(q * len(xs)))]  # noqa: E731
    return {
        "match_p50_ms": round(statistics.median(times), 1),
        "match_p95_ms": round(p(times, 0.95), 1),
        "search_p50_ms": round(statistics.median(base), 1),
        "search_p95_ms": round(p(base, 0.95), 1),
        "ratio_p50": round(statistics.median(times) / statistics.median(base), 2),
    }


def latency_http(instance: Path, reqs: list[Req], rounds: int) -> dict:
    """The same requirements through HTTP: `cnht serve` (waitress) on a loopback port, one keep-alive
    connection, first-time requirements reported apart from repeated ones."""
    import http.client
    import socket
    import subprocess
    import sys

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    env = {**os.environ, "CNHT_INSTANCE_PATH": str(instance), "CNHT_RATE_LIMIT_MATCH": "100000 per minute"}
    cnht = str(Path(sys.executable).parent / "cnht")
    server = subprocess.Popen(
        [cnht, "serve", "--port", str(port), "--threads", "4"], env=env, stdout=subprocess.DEVNULL
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def post(body: dict) -> float:
            t = time.perf_counter()
            conn.request("POST", "/api/v1/match", json.dumps(body), {"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
            if resp.status != 200:
                raise SystemExit(f"match: HTTP {resp.status} {data[:200]!r}")
            return (time.perf_counter() - t) * 1000

        post(reqs[0].body)  # loads the vocabulary and facet arrays
        first = sorted(post(r.body) for r in reqs[1:])
        again = sorted(post(reqs[i % len(reqs)].body) for i in range(rounds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    p = lambda xs, q: xs[min(len(xs) - 1, int(q * len(xs)))]  # noqa: E731
    return {
        "http_first_p50_ms": round(statistics.median(first), 1),
        "http_first_p95_ms": round(p(first, 0.95), 1),
        "http_p50_ms": round(statistics.median(again), 1),
        "http_p95_ms": round(p(again, 0.95), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--requirements", type=int, default=150)
    ap.add_argument("--latency", action="store_true")
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--json")
    ap.add_argument("--instance", help="keep the built database here and reuse it on the next run")
    args = ap.parse_args()
    records, firms = build_corpus(args.docs)
    reqs = build_requirements(firms, args.requirements)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        inst = Path(args.instance) if args.instance else Path(tmp)
        if args.instance and (inst / "cnht.sqlite3").exists():
            os.environ["CNHT_INSTANCE_PATH"] = str(inst)
            from cnht import create_app, migrate

            app = create_app({"INSTANCE_PATH": str(inst), "RATELIMIT_ENABLED": False})
            migrate.upgrade(app.extensions["cnht_db"].engine)  # a kept instance, to this code's schema
        else:
            inst.mkdir(parents=True, exist_ok=True)
            app = make_app(inst, records)
        print(
            f"{len(records)} suppliers, {len(reqs)} requirements (built in {time.perf_counter() - t0:.1f} s)"
        )
        with app.app_context():
            result = {"docs": len(records), "requirements": len(reqs)}
            if args.latency:
                result["latency"] = latency(app, reqs, args.rounds)
                if args.instance:  # the server reads the kept instance
                    result["latency"].update(latency_http(inst, reqs, args.rounds))
                print(json.dumps(result["latency"], indent=1))
            else:
                result.update(evaluate(app, reqs, firms))
                for name in ("engine", "baseline"):
                    print(f"{name:9s} " + "  ".join(f"{k} {v:.3f}" for k, v in result[name].items()))
        app.extensions["cnht_db"].engine.dispose()
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
