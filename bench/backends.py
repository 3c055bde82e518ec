"""Same answers on both backends: the relevance sets run on the embedded index and on the search cluster
in the same run, over the same documents, through the same query understanding.

    scripts/search-cluster.sh .venv/bin/python -m bench.backends [--docs 3000]

Two sets: our generated corpus (bench/corpus.py, its own grades) and the real firms of
../shared/eval/real-dev (imported with `cnht import`, queries and grades judged outside the team). Per
set: nDCG@10 of each backend, the share of queries whose top 3 agree, and the share whose totals and
facet counts are identical; the queries that differ are listed. Targets (issue 15): nDCG@10 within
0.02, the same top 3 for at least 90 % of queries, totals and facets identical.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import uuid
from pathlib import Path

from bench.corpus import generate, grades, queries
from bench.relevance import ndcg
from cnht import create_app, migrate
from cnht.imports.importer import import_file
from cnht.reference.services import load_reference
from cnht.search.indexing import iter_all_docs
from cnht.search.schemas import SearchArgs
from cnht.search.services import plan_search, run_search
from cnht.search.synonyms import install_query_understanding, install_taxonomy_synonyms
from vnsearch.backends.base import Filters
from vnsearch.backends.elasticsearch import OpenSearchBackend
from vnsearch.backends.embedded import EmbeddedBackend

REAL_DEV = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval" / "real-dev"


def _cluster() -> OpenSearchBackend:
    url = os.environ.get("CNHT_ES_URL")
    if not url:
        raise SystemExit("CNHT_ES_URL is not set: run this under scripts/search-cluster.sh")
    return OpenSearchBackend(url, alias=f"cnht-bench-{uuid.uuid4().hex[:8]}")


def _drop(b: OpenSearchBackend) -> None:
    if b.es.indices.exists_alias(name=b.alias):
        for index in b.es.indices.get_alias(name=b.alias):
            b.es.indices.delete(index=index)


def _compare(name: str, runs: list[tuple[str, str, dict, object, object]]) -> dict:
    """runs: (query id, kind, gains, embedded result, cluster result)."""
    per_kind: dict[str, list[tuple[float, float]]] = {}
    top3 = same_counts = 0
    differ = []
    for qid, kind, gains, a, b in runs:
        ta, tb = [h.tax_code for h in a.hits], [h.tax_code for h in b.hits]
        na, nb = ndcg(ta, gains), ndcg(tb, gains)
        per_kind.setdefault(kind, []).append((na, nb))
        per_kind.setdefault("all", []).append((na, nb))
        top3 += ta[:3] == tb[:3]
        same = a.total == b.total and a.facets == b.facets
        same_counts += same
        if ta[:3] != tb[:3] or not same:
            differ.append((qid, kind, a.total, b.total, ta[:3], tb[:3], same))
    n = len(runs)
    print(f"\n{name}: {n} queries")
    print(f"{'kind':<14} {'n':>4} {'embedded':>9} {'cluster':>9} {'Δ':>7}")
    table = {}
    for kind, pairs in sorted(per_kind.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        ea = statistics.fmean(p[0] for p in pairs)
        cb = statistics.fmean(p[1] for p in pairs)
        table[kind] = {"n": len(pairs), "embedded": round(ea, 4), "cluster": round(cb, 4)}
        print(f"{kind:<14} {len(pairs):>4} {ea:>9.3f} {cb:>9.3f} {cb - ea:>+7.3f}")
    print(
        f"same top 3: {top3}/{n} ({top3 / n:.1%}); same totals and facet counts: {same_counts}/{n} ({same_counts / n:.1%})"
    )
    for qid, kind, at, bt, a3, b3, same in differ[:15]:
        print(f"  {qid} ({kind}): totals {at}/{bt}{'' if same else ' (counts differ)'}; top 3 {a3} / {b3}")
    return {"kinds": table, "top3": top3 / n, "counts": same_counts / n}


def generated(docs: int) -> dict:
    firms = generate(docs)
    tmp = Path(tempfile.mkdtemp(prefix="cnht-backends-"))
    embedded, cluster = EmbeddedBackend(tmp / "search.sqlite3"), _cluster()
    try:
        for b in (embedded, cluster):
            b.reindex([f.doc for f in firms])
        runs = []
        for i, q in enumerate(queries(firms)):
            gains = grades(q, firms)
            if not any(g >= 3 for g in gains.values()):
                continue
            filters = Filters(
                province=q.filters.get("province"), certification=q.filters.get("certification")
            )
            results = []
            for b in (embedded, cluster):
                planned = plan_search(q.text, b.vocabulary())
                results.append(b.search(planned.plan, filters, 1, 10, prefs=planned.prefs))
            runs.append((f"g{i}", q.type, gains, *results))
        return _compare(f"generated corpus, {docs} firms", runs)
    finally:
        _drop(cluster)


def real_dev() -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="cnht-backends-real-"))
    app = create_app(
        {"INSTANCE_PATH": str(tmp), "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}", "SECRET_KEY": "b"}
    )
    db = app.extensions["cnht_db"]
    migrate.upgrade(db.engine)
    cluster = _cluster()
    try:
        with app.app_context():
            with db.sessionmaker() as s:
                load_reference(s)
                s.commit()
                report = import_file(s, REAL_DEV / "firms.csv")
                s.commit()
            embedded = app.extensions["cnht_search"]
            with db.sessionmaker() as s:
                cluster.reindex(list(iter_all_docs(s)))
            print(
                f"real-dev: {report.created if hasattr(report, 'created') else ''} firms imported, "
                f"{embedded.count()} embedded, {cluster.count()} on the cluster"
            )
            runs = []
            with app.test_request_context():
                for line in (REAL_DEV / "queries.jsonl").read_text(encoding="utf-8").splitlines():
                    q = json.loads(line)
                    params = {"q": q["q"], "per_page": 10}
                    for k, v in (q.get("filters") or {}).items():
                        params[{"certifications": "certification"}.get(k, k)] = v
                    req = SearchArgs().load(params)
                    results = [run_search(req, b) for b in (embedded, cluster)]
                    runs.append((q["id"], q["type"], q["relevant"], *results))
        return _compare("real-dev (../shared/eval/real-dev)", runs)
    finally:
        _drop(cluster)
        db.engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    install_taxonomy_synonyms()
    install_query_understanding()
    out = {"generated": generated(args.docs), "real_dev": real_dev()}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
