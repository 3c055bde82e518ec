"""Search and suggest latency through the HTTP API at scale, with facets, and the bare FTS5 MATCH
latency for the same queries in the same run (so our overhead is a ratio), plus full reindex time
and the server's memory.

    .venv/bin/python -m bench.latency [--docs 100000] [--rounds 3] [--json bench/results/latency.json]

The corpus is bench/corpus.py's generator; the server is `cnht serve` (waitress) in a child process
on a loopback port; requests are sequential over one keep-alive connection.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from bench.corpus import generate, queries
from vnsearch.analysis import nfc
from vnsearch.backends.embedded import EmbeddedBackend


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_mb(pid: int) -> tuple[float, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    cur = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    return cur, peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    t0 = time.perf_counter()
    firms = generate(args.docs)
    docs = [f.doc for f in firms]
    gen_s = time.perf_counter() - t0
    instance = Path(tempfile.mkdtemp(prefix="cnht-latency-"))
    env = {**os.environ, "CNHT_INSTANCE_PATH": str(instance), "CNHT_SEARCH_BACKEND": "embedded"}
    env.pop("CNHT_DATABASE_URL", None)
    cnht = str(Path(sys.executable).parent / "cnht")
    subprocess.run([cnht, "init-db"], env=env, check=True, capture_output=True)

    backend = EmbeddedBackend(instance / "search.sqlite3")
    t0 = time.perf_counter()
    backend.reindex(docs)
    reindex_s = time.perf_counter() - t0
    backend.close()

    # the bare engine: FTS5 with its own folding, BM25 over the raw OR-ed words
    bare = sqlite3.connect(str(instance / "bare.sqlite3"))
    bare.execute(
        "CREATE VIRTUAL TABLE b USING fts5(name, products, processes, description,"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    bare.executemany(
        "INSERT INTO b VALUES (?,?,?,?)",
        [(d.name, d.texts["products"], d.texts["processes"], d.description) for d in docs],
    )
    bare.commit()

    qs = [q for q in queries(firms)]
    search_urls = []
    for q in qs:
        params = {"q": q.text, "per_page": 20, **{k: v for k, v in q.filters.items()}}
        search_urls.append(("/api/v1/search?" + urllib.parse.urlencode(params), q))
    suggest_urls = []
    for q in qs:
        if q.type in ("accented", "unaccented"):
            for cut in (3, 6, 9):
                suggest_urls.append("/api/v1/suggest?" + urllib.parse.urlencode({"q": q.text[:cut]}))

    port = free_port()
    server = subprocess.Popen(
        [cnht, "serve", "--port", str(port), "--threads", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def get(url: str) -> float:
            t = time.perf_counter()
            conn.request("GET", url)
            resp = conn.getresponse()
            body = resp.read()
            elapsed = (time.perf_counter() - t) * 1000
            if resp.status != 200:
                raise SystemExit(f"{url}: HTTP {resp.status} {body[:200]!r}")
            return elapsed

        t = time.perf_counter()
        get(search_urls[0][0])  # first query loads the vocabulary and facet arrays
        warmup_ms = (time.perf_counter() - t) * 1000
        for url, _ in search_urls[:30]:
            get(url)
        # each remaining query seen for the first time: only what other queries share is warm (the
        # index keeps clause postings per version), as with distinct buyers' queries
        first_ms = [get(url) for url, _ in search_urls[30:]]
        search_ms: list[float] = []
        per_type: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            for url, q in search_urls:
                ms = get(url)
                search_ms.append(ms)
                per_type.setdefault(q.type, []).append(ms)
        suggest_ms = [get(u) for _ in range(args.rounds) for u in suggest_urls]
        rss, peak = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)

    bare_ms = []
    for _ in range(args.rounds):
        for _url, q in search_urls:
            words = re.findall(r"\w+", nfc(q.text))
            expr = " OR ".join('"' + w + '"' for w in words)
            t = time.perf_counter()
            bare.execute("SELECT rowid FROM b WHERE b MATCH ? ORDER BY bm25(b) LIMIT 20", (expr,)).fetchall()
            bare_ms.append((time.perf_counter() - t) * 1000)

    s50, s95 = statistics.median(search_ms), pct(search_ms, 95)
    g50, g95 = statistics.median(suggest_ms), pct(suggest_ms, 95)
    b50, b95 = statistics.median(bare_ms), pct(bare_ms, 95)
    print(
        f"corpus: {args.docs} enterprises (generated in {gen_s:.1f} s); {len(search_urls)} queries × {args.rounds}"
    )
    print(f"full reindex (embedded, from documents): {reindex_s:.1f} s")
    print(f"first query (loads vocabulary + facet arrays): {warmup_ms:.0f} ms")
    print(
        f"search  via HTTP, facets included: p50 {s50:.1f} ms  p95 {s95:.1f} ms  max {max(search_ms):.1f} ms"
    )
    print(
        f"search, each query's first time:   p50 {statistics.median(first_ms):.1f} ms  "
        f"p95 {pct(first_ms, 95):.1f} ms  ({len(first_ms)} queries)"
    )
    print(
        f"suggest via HTTP:                  p50 {g50:.1f} ms  p95 {g95:.1f} ms  ({len(suggest_ms)} requests)"
    )
    print(f"bare FTS5 MATCH (rd2, bm25, OR-ed words, no HTTP): p50 {b50:.1f} ms  p95 {b95:.1f} ms")
    print(f"ratio ours/bare: p50 {s50 / b50:.2f}×  p95 {s95 / b95:.2f}×")
    print(f"server RSS after the run: {rss:.0f} MB (peak {peak:.0f} MB)")
    print(
        "per query type (p50 / p95 ms): "
        + ", ".join(f"{k} {statistics.median(v):.1f}/{pct(v, 95):.1f}" for k, v in sorted(per_type.items()))
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "docs": args.docs,
                    "reindex_s": reindex_s,
                    "search_p50_ms": s50,
                    "search_p95_ms": s95,
                    "search_first_p50_ms": statistics.median(first_ms),
                    "search_first_p95_ms": pct(first_ms, 95),
                    "suggest_p50_ms": g50,
                    "suggest_p95_ms": g95,
                    "bare_p50_ms": b50,
                    "bare_p95_ms": b95,
                    "rss_mb": rss,
                    "rss_peak_mb": peak,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
