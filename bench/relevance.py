"""Relevance benchmark: nDCG@10 and recall@50 per query type, for our search and, in the same run,
for the untuned baseline (SQLite FTS5 unicode61 remove_diacritics 2, BM25, the raw query words).

    .venv/bin/python -m bench.relevance [--docs 3000] [--json bench/results/relevance.json]

Ground truth comes from the corpus generator (bench/corpus.py), not from either engine.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.corpus import Query, generate, grades, queries
from cnht.search.services import plan_search
from cnht.search.synonyms import install_query_understanding, install_taxonomy_synonyms
from vnsearch.analysis import nfc
from vnsearch.backends.base import Filters
from vnsearch.backends.embedded import EmbeddedBackend


def ndcg(ranked: list[str], gains: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** gains.get(t, 0) - 1) / math.log2(i + 2) for i, t in enumerate(ranked[:k]))
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: list[str], gains: dict[str, int], k: int = 50) -> float:
    """Share of the enterprises that have the concept found in the top k — out of min(k, how many
    there are), so that a query with 120 right answers can still score 1."""
    relevant = {t for t, g in gains.items() if g >= 3}
    return len(relevant & set(ranked[:k])) / min(len(relevant), k) if relevant else 0.0


class Baseline:
    """What an untuned engine does: BM25 over a tokenizer that strips diacritics (not đ)."""

    def __init__(self, firms):
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE b USING fts5(tax_code UNINDEXED, province UNINDEXED, certs UNINDEXED,"
            " name, products, processes, certs_t, description,"
            " tokenize='unicode61 remove_diacritics 2')"
        )
        self.db.executemany(
            "INSERT INTO b VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    f.doc.tax_code,
                    f.doc.province_code,
                    "|".join(f.doc.certifications),
                    f.doc.name,
                    f.doc.texts["products"],
                    f.doc.texts["processes"],
                    f.doc.texts["certs"],
                    f.doc.description,
                )
                for f in firms
            ],
        )

    def search(self, q: Query, k: int = 50) -> list[str]:
        words = re.findall(r"\w+", nfc(q.text))
        if not words:
            return []
        expr = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        sql = "SELECT tax_code, province, certs FROM b WHERE b MATCH ? ORDER BY bm25(b) LIMIT 500"
        out = []
        for tax_code, province, certs in self.db.execute(sql, (expr,)):
            if q.filters.get("province") and province != q.filters["province"]:
                continue
            if q.filters.get("certification") and q.filters["certification"] not in certs.split("|"):
                continue
            out.append(tax_code)
            if len(out) == k:
                break
        return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    install_taxonomy_synonyms()  # what the portal installs at start-up
    install_query_understanding()
    firms = generate(args.docs)
    qs = queries(firms)
    tmp = tempfile.mkdtemp(prefix="cnht-relevance-")
    backend = EmbeddedBackend(Path(tmp) / "search.sqlite3")
    t0 = time.perf_counter()
    backend.reindex([f.doc for f in firms])
    build = time.perf_counter() - t0
    baseline = Baseline(firms)
    vocab = backend.vocabulary()

    rows: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    worst = []
    for q in qs:
        gains = grades(q, firms)
        planned = plan_search(q.text, vocab)
        filters = Filters(province=q.filters.get("province"), certification=q.filters.get("certification"))
        result = backend.search(planned.plan, filters, page=1, per_page=50, prefs=planned.prefs)
        ours = [h.tax_code for h in result.hits]
        base = baseline.search(q)
        n_ours, n_base = ndcg(ours, gains), ndcg(base, gains)
        for key in (q.type, "all"):
            rows[key]["ndcg"].append(n_ours)
            rows[key]["base_ndcg"].append(n_base)
            rows[key]["recall"].append(recall(ours, gains))
            rows[key]["base_recall"].append(recall(base, gains))
        worst.append((n_ours, q.type, q.text, q.filters))

    order = [
        "accented",
        "unaccented",
        "telex_typo",
        "english",
        "mixed",
        "prefix",
        "old_tone",
        "synonym",
        "filtered",
        "place",
        "sentence",
        "abbrev",
        "all",
    ]
    print(f"corpus: {args.docs} enterprises, {len(qs)} queries; index built in {build:.2f} s")
    print(f"{'type':<12} {'n':>4}  {'nDCG@10':>8} {'baseline':>8} {'Δ':>6}   {'R@50':>6} {'baseline':>8}")
    summary = {}
    for key in order:
        if key not in rows:
            continue
        r = rows[key]
        m = {k: statistics.fmean(v) for k, v in r.items()}
        summary[key] = {"n": len(r["ndcg"]), **{k: round(v, 4) for k, v in m.items()}}
        print(
            f"{key:<12} {len(r['ndcg']):>4}  {m['ndcg']:>8.3f} {m['base_ndcg']:>8.3f} {m['ndcg'] - m['base_ndcg']:>+6.3f}"
            f"   {m['recall']:>6.3f} {m['base_recall']:>8.3f}"
        )
    worst.sort()
    print("\nweakest queries (ours):")
    for n, t, text, f in worst[:12]:
        print(f"  {n:.3f}  {t:<11} {text!r} {f or ''}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"docs": args.docs, "queries": len(qs), "types": summary}, indent=2))


if __name__ == "__main__":
    main()
