"""Load bench: many concurrent clients with mixed traffic against `cnht serve` on loopback, bounded in time.

    .venv/bin/python -m bench.load [--docs 100000] [--clients 50,200] [--seconds 60] [--workers 2]
                                   [--threads 2] [--instance DIR] [--rate 100] [--warmup 60]
                                   [--cluster]

The instance is built once (`cnht init-db`, `cnht import` of a generated list, SME accounts) and kept
with --instance. Each client is a thread with its own keep-alive connection looping over searches (the
list's product words as typed and unaccented, a product with a place, firms' names; some with a province
filter), profile pages, suggestions and matches;
beside them SME editors sign in and save their product list about twice a second in all, each save
carrying a unique word. Reported per level: requests per second, p50/p95/p99 per kind, errors; then
every acknowledged save is checked in the database and found by search (nothing acknowledged lost).
The load generator runs on the same machine: its own CPU is part of what is measured.

Back to back (the default) the clients measure capacity: by Little's law their mean latency is then
clients / throughput, whatever the server does (50 clients at 100 requests/s wait 500 ms on average).
With --rate the clients offer that many requests per second in all, at random (Poisson) times, and each
latency runs from when its request was due: how fast the portal answers at a given load.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import requests

from bench.import_bench import write
from bench.latency import free_port, pct
from ingest.columns import TEMPLATE_FIELDS
from vnsearch.analysis import fold
from vnsearch.backends.elasticsearch import VOCAB_SECONDS

PASSWORD = "bench-Load-2026"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def build(instance: Path, docs: int, editors: int) -> dict:
    env = {**os.environ, "CNHT_INSTANCE_PATH": str(instance)}
    env.pop("CNHT_DATABASE_URL", None)
    env.pop("CNHT_SEARCH_BACKEND", None)
    info_path = instance / "load-bench.json"
    cnht = str(Path(sys.executable).parent / "cnht")
    if info_path.exists():  # a kept instance: brought to this code's schema (serve refuses an older one)
        subprocess.run([cnht, "init-db"], env=env, check=True, capture_output=True)
        return json.loads(info_path.read_text())
    instance.mkdir(parents=True, exist_ok=True)
    subprocess.run([cnht, "init-db"], env=env, check=True, capture_output=True)
    path = instance / "list.csv"
    write(path, docs)
    t0 = time.perf_counter()
    subprocess.run([cnht, "import", str(path)], env=env, check=True, capture_output=True)
    print(f"built {docs} firms in {time.perf_counter() - t0:.0f} s")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    col = TEMPLATE_FIELDS.index("products")
    words = sorted(
        {w for r in rows[:5000] for p in r[col].split("; ") for w in [p.strip()] if 3 < len(w) < 40}
    )
    taxes = [r[0] for r in rows]
    code = (
        "import sys\n"
        "from cnht import create_app\n"
        "from cnht.accounts.services import create_account\n"
        "from cnht.enterprises.services import get_by_tax_code\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    s = app.extensions['cnht_db'].sessionmaker()\n"
        "    for i, tax in enumerate(sys.argv[2:]):\n"
        "        ent = get_by_tax_code(s, tax)\n"
        "        create_account(s, email=f'sme{i}@bench.example.vn', password=sys.argv[1], role='sme',"
        " enterprise_id=ent.id)\n"
        "    s.commit()\n"
    )
    edit_taxes = taxes[100 : 100 + editors]
    subprocess.run([sys.executable, "-c", code, PASSWORD, *edit_taxes], env=env, check=True)
    info = {"docs": docs, "words": words, "taxes": taxes[:20000], "editors": edit_taxes}
    info_path.write_text(json.dumps(info, ensure_ascii=False))
    return info


PLACES = ["Hà Nội", "TP Hồ Chí Minh", "Bình Dương", "Đồng Nai", "Bắc Ninh", "Hải Phòng", "Đà Nẵng", "Long An"]
_LEGAL = re.compile(r"^(Công ty|Cty)\s+(TNHH|Cổ phần|CP)(\s+(MTV|Một thành viên))?\s+", re.IGNORECASE)


def query_pool(info: dict, instance: Path) -> dict[str, list[str]]:
    """What the clients search for, by kind: the list's product words as typed and without marks, a
    product with a place ("… Bình Dương": query understanding turns it into a preference), and firms'
    names without their legal form. Names rarely repeat, so kept results help them little."""
    names = []
    with (instance / "list.csv").open(encoding="utf-8") as fh:
        for i, row in enumerate(csv.reader(fh)):
            if 0 < i <= 20000:
                names.append(_LEGAL.sub("", row[TEMPLATE_FIELDS.index("name")]))
    words = info["words"]
    return {
        "product": words,
        "unaccented": [fold(w) for w in words],
        "with_place": [f"{w} {p}" for w in words for p in PLACES],
        "name": names,
    }


QUERY_MIX = (("product", 0.5), ("unaccented", 0.15), ("with_place", 0.15), ("name", 0.2))


class Client(threading.Thread):
    """One reader: a keep-alive connection, requests in a loop until the deadline."""

    def __init__(
        self, port: int, info: dict, pool: dict, deadline: float, seed: int, rate: float | None = None
    ):
        super().__init__(daemon=True)
        self.port, self.info, self.pool, self.deadline = port, info, pool, deadline
        self.rate = rate  # this client's requests per second (Poisson arrivals); None: back to back
        self.rng = random.Random(seed)
        self.times: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def query(self) -> str:
        kinds, shares = zip(*QUERY_MIX, strict=True)
        return self.rng.choice(self.pool[self.rng.choices(kinds, shares)[0]])

    def request(self) -> tuple[str, str, str, bytes | None]:
        r, words = self.rng.random(), self.info["words"]
        if r < 0.55:
            params = {"q": self.query(), "per_page": 20}
            if self.rng.random() < 0.3:
                params["province"] = self.rng.choice(["01", "79", "24", "31", "75"])
            return "search", "GET", "/api/v1/search?" + urllib.parse.urlencode(params), None
        if r < 0.65:
            return (
                "search_page",
                "GET",
                "/search?" + urllib.parse.urlencode({"q": self.query()}),
                None,
            )
        if r < 0.82:
            return "profile", "GET", f"/enterprises/{self.rng.choice(self.info['taxes'])}", None
        if r < 0.95:
            w = self.rng.choice(words)
            return (
                "suggest",
                "GET",
                "/api/v1/suggest?" + urllib.parse.urlencode({"q": w[: self.rng.randint(3, 8)]}),
                None,
            )
        body = json.dumps(
            {"title": f"Cần nhà cung cấp {self.rng.choice(words)}", "quantity": "5.000 cái/tháng"}
        )
        return "match", "POST", "/api/v1/match?limit=10", body.encode()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        due = time.perf_counter()
        while time.perf_counter() < self.deadline:
            kind, method, url, body = self.request()
            t = time.perf_counter()
            if self.rate:
                # paced: a request is due at its arrival time, and its latency runs from then, so a
                # request held up behind this client's previous slow one counts its wait (no
                # coordinated omission)
                due += self.rng.expovariate(self.rate)
                if due > self.deadline:
                    break
                if due > t:
                    time.sleep(due - t)
                t = due
            try:
                headers = {"Content-Type": "application/json"} if body else {}
                conn.request(method, url, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    self.errors.append(f"{kind} {resp.status}")
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(f"{kind} {exc.__class__.__name__}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            self.times.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
        conn.close()


class Editor(threading.Thread):
    """An SME saving its product list; every acknowledged save is remembered to be checked."""

    def __init__(self, port: int, index: int, tax: str, deadline: float, interval: float):
        super().__init__(daemon=True)
        self.base, self.index, self.tax = f"http://127.0.0.1:{port}", index, tax
        self.deadline, self.interval = deadline, interval
        self.acked: list[str] = []
        self.errors: list[str] = []
        self.times: list[float] = []

    def run(self) -> None:
        s = requests.Session()
        page = s.get(self.base + "/login").text
        s.post(
            self.base + "/login",
            data={
                "email": f"sme{self.index}@bench.example.vn",
                "password": PASSWORD,
                "csrf_token": _TOKEN.search(page)[1],
            },
        )
        edit = f"{self.base}/enterprises/{self.tax}/edit"
        token = _TOKEN.search(s.get(edit).text)[1]
        n = 0
        while time.perf_counter() < self.deadline:
            n += 1
            mark = f"Loadmark{self.index}x{n}"
            t = time.perf_counter()
            try:
                r = s.post(
                    edit + "/products",
                    data={  # the editor's rows, as the page sends them
                        "products-key": ["new-0", "new-1"],
                        "products-name": [f"Chi tiết {mark}", "Khuôn ép nhựa"],
                        "products-description": ["", ""],
                        "csrf_token": token,
                    },
                    allow_redirects=False,
                    timeout=30,
                )
                if r.status_code == 302:
                    self.acked.append(mark)
                else:
                    self.errors.append(f"edit {r.status_code}")
            except requests.RequestException as exc:
                self.errors.append(f"edit {exc.__class__.__name__}")
            self.times.append((time.perf_counter() - t) * 1000)
            time.sleep(max(0.0, self.interval - (time.perf_counter() - t)))


def run_level(
    port: int,
    info: dict,
    clients: int,
    seconds: float,
    editors: int,
    instance: Path,
    pool: dict[str, list[str]],
    settle: float = 0.0,
    rate: float | None = None,
) -> dict:
    deadline = time.perf_counter() + seconds
    each = rate / clients if rate else None
    readers = [Client(port, info, pool, deadline, seed=i, rate=each) for i in range(clients)]
    writers = [
        # a kept instance may hold more editor accounts than this run asks for
        Editor(port, i, tax, deadline, interval=editors / 2.0)
        for i, tax in enumerate(info["editors"][:editors])
    ]
    t0 = time.perf_counter()
    for th in readers + writers:
        th.start()
    for th in readers + writers:
        th.join(seconds + 60)
    wall = time.perf_counter() - t0
    all_ms = [ms for c in readers for v in c.times.values() for ms in v] + [
        ms for w in writers for ms in w.times
    ]
    per_kind: dict[str, list[float]] = {}
    for c in readers:
        for k, v in c.times.items():
            per_kind.setdefault(k, []).extend(v)
    per_kind["sme_edit"] = [ms for w in writers for ms in w.times]
    errors = [e for c in readers for e in c.errors] + [e for w in writers for e in w.errors]
    time.sleep(settle)  # on the cluster another worker's cached vocabulary may not hold a new word yet
    # every acknowledged save: the last one per firm is what the database holds, and search finds it
    db = sqlite3.connect(str(instance / "cnht.sqlite3"))
    lost_db, lost_search = 0, 0
    for w in writers:
        if not w.acked:
            continue
        last = w.acked[-1]
        held = db.execute(
            "SELECT count(*) FROM enterprise_product p JOIN enterprise e ON e.id = p.enterprise_id"
            " WHERE e.tax_code = ? AND p.name = ?",
            (w.tax, f"Chi tiết {last}"),
        ).fetchone()[0]
        lost_db += held != 1
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/api/v1/search?" + urllib.parse.urlencode({"q": last}))
        items = json.loads(conn.getresponse().read())["items"]
        lost_search += not any(i["ref"] == w.tax for i in items)
        conn.close()
    db.close()
    return {
        "clients": clients,
        "requests": len(all_ms),
        "rps": len(all_ms) / wall,
        "p50": statistics.median(all_ms) if all_ms else 0.0,
        "p95": pct(all_ms, 95),
        "p99": pct(all_ms, 99),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:10],
        "per_kind": {
            k: (len(v), statistics.median(v) if v else 0.0, pct(v, 95)) for k, v in sorted(per_kind.items())
        },
        # each client's mean latency: a keep-alive connection stays with one worker process, so an
        # uneven share of connections between workers shows as a spread here
        "client_means": sorted(
            statistics.mean(ms) for c in readers if (ms := [x for v in c.times.values() for x in v])
        ),
        "saves_acked": sum(len(w.acked) for w in writers),
        "lost_in_db": lost_db,
        "lost_in_search": lost_search,
    }


def machine_speed() -> float:
    """Milliseconds for a fixed piece of pure Python, the median of three: these machines are shared
    and their speed varies by half from hour to hour, so a level's numbers are read beside it."""
    runs = []
    for _ in range(3):
        t0, s = time.perf_counter(), 0
        for i in range(2_000_000):
            s += i * i
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--clients", default="50,200")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--editors", type=int, default=4)
    ap.add_argument("--instance", type=Path)
    ap.add_argument("--warmup", type=float, default=0.0, help="seconds of traffic before the measured levels")
    ap.add_argument(
        "--rate",
        type=float,
        help="requests per second offered by all clients together (Poisson arrivals, latency from each"
        " request's arrival); without it every client sends its next request as soon as one returns",
    )
    ap.add_argument(
        "--cluster",
        action="store_true",
        help="serve from the cluster at CNHT_ES_URL (under scripts/search-cluster.sh)",
    )
    args = ap.parse_args()
    instance = args.instance or Path(tempfile.mkdtemp(prefix="cnht-load-"))
    info = build(instance, args.docs, args.editors)
    pool = query_pool(info, instance)  # read once: the list is 75 MB at 100,000 firms
    env = {
        **os.environ,
        "CNHT_INSTANCE_PATH": str(instance),
        # one loopback address stands for every client: the per-address limits would be the bottleneck
        "CNHT_RATE_LIMIT_MATCH": "100000 per minute",
        "CNHT_RATE_LIMIT_LOGIN": "100000 per minute",
    }
    env.pop("CNHT_DATABASE_URL", None)
    env.pop("CNHT_SEARCH_BACKEND", None)
    port = free_port()
    cnht = str(Path(sys.executable).parent / "cnht")
    backend, settle = "embedded index", 0.0
    if args.cluster:
        if not os.environ.get("CNHT_ES_URL"):
            raise SystemExit("--cluster needs CNHT_ES_URL: run under scripts/search-cluster.sh")
        env.update(CNHT_SEARCH_BACKEND="opensearch", CNHT_ES_INDEX=f"cnht-load-{os.getpid()}")
        t0 = time.perf_counter()
        done = subprocess.run([cnht, "reindex"], env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"cnht reindex on the cluster failed:\n{done.stderr[-3000:]}")
        print(f"indexed {info['docs']} firms on the cluster in {time.perf_counter() - t0:.0f} s")
        backend, settle = "three-node OpenSearch cluster", VOCAB_SECONDS + 1.0
    server = subprocess.Popen(
        [cnht, "serve", "--port", str(port), "--workers", str(args.workers), "--threads", str(args.threads)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(instance / "server.log").open("w"),
    )
    try:
        for _ in range(600):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        for _ in range(4 * args.workers):  # each worker loads its vocabulary and facet arrays
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request("GET", "/api/v1/search?q=khuon")
            c.getresponse().read()
        print(
            f"{info['docs']} firms, `cnht serve --workers {args.workers} --threads {args.threads}` ({backend}), "
            f"{args.seconds:.0f} s per level, {args.editors} SME editors ≈ 2 saves/s, "
            + (f"{args.rate:g} requests/s offered" if args.rate else "clients back to back")
        )
        if args.warmup:
            # the same traffic, not counted: each worker's caches (clause rowids, scores, tokens) fill as
            # they would on a portal that has been up a while
            run_level(port, info, 50, args.warmup, args.editors, instance, pool, settle, args.rate)
            print(f"warm-up: {args.warmup:.0f} s of the same traffic, not counted")
        for clients in (int(x) for x in args.clients.split(",")):
            speed = machine_speed()  # before the level: the server is idle then
            r = run_level(port, info, clients, args.seconds, args.editors, instance, pool, settle, args.rate)
            print(f"machine: a fixed pure-Python loop took {speed:.0f} ms just before this level")
            print(
                f"{clients} clients: {r['rps']:.0f} req/s ({r['requests']} requests), p50 {r['p50']:.0f} ms, "
                f"p95 {r['p95']:.0f} ms, p99 {r['p99']:.0f} ms, errors {r['errors']} {r['error_kinds']}"
            )
            print(
                "  per kind (n, p50, p95 ms): "
                + ", ".join(f"{k} {n}/{a:.0f}/{b:.0f}" for k, (n, a, b) in r["per_kind"].items())
            )
            cm = r["client_means"]
            if cm:
                print(
                    f"  clients' mean latency: lowest {cm[0]:.0f} ms, median {statistics.median(cm):.0f} ms,"
                    f" highest {cm[-1]:.0f} ms"
                )
            print(
                f"  SME saves acknowledged {r['saves_acked']}: lost in the database {r['lost_in_db']}, "
                f"not found by search {r['lost_in_search']}"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
