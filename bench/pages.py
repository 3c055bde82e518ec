"""Server time of every main page with N enterprises in the database (default 100,000).

    .venv/bin/python -m bench.pages [--docs 100000] [--rounds 30]

Rows are bulk-inserted (as in bench/reindex_db.py), `cnht reindex` builds the search index, then each
page is requested through the WSGI app in process (no network): medians and p95 in ms, and the
ratio of each median to /healthz (one `SELECT 1`) measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bench.corpus import generate


def build(instance: Path, docs: int) -> None:
    env = {**os.environ, "CNHT_INSTANCE_PATH": str(instance)}
    cnht = str(Path(sys.executable).parent / "cnht")
    subprocess.run([cnht, "init-db"], env=env, check=True, capture_output=True)
    from cnht import create_app
    from cnht.enterprises.models import (
        Certification,
        Enterprise,
        EnterpriseProcess,
        EnterpriseProduct,
        enterprise_sector,
    )

    app = create_app({"INSTANCE_PATH": str(instance)})
    engine = app.extensions["cnht_db"].engine
    now = datetime.now(UTC)
    with engine.begin() as conn:
        ents, sectors, products, certs, procs = [], [], [], [], []
        for i, f in enumerate(generate(docs), start=1):
            d = f.doc
            ents.append(
                {
                    "id": i,
                    "tax_code": d.tax_code,
                    "name": d.name,
                    "name_en": d.name_en,
                    "province_code": d.province_code,
                    "ownership": d.ownership,
                    "size_class": d.size_class,
                    "employees": 10 + i % 900,
                    "founded_year": 1990 + i % 35,
                    "export_markets": [],
                    "key_customers": [],
                    "description": d.description,
                    "verification_status": d.verification,
                    "created_at": now - timedelta(days=i % 700),
                    "updated_at": now - timedelta(days=i % 900),
                }
            )
            sectors.extend({"enterprise_id": i, "sector_code": s} for s in d.sectors)
            products.extend({"enterprise_id": i, "name": p, "position": k} for k, p in enumerate(d.products))
            certs.extend(
                {"enterprise_id": i, "standard": c, "standard_key": c, "position": k}
                for k, c in enumerate(d.certifications)
            )
            procs.append({"enterprise_id": i, "name": "Phay CNC", "position": 0})
        conn.execute(insert(Enterprise.__table__), ents)
        conn.execute(insert(enterprise_sector), sectors)
        conn.execute(insert(EnterpriseProduct.__table__), products)
        conn.execute(insert(Certification.__table__), certs)
        conn.execute(insert(EnterpriseProcess.__table__), procs)
    engine.dispose()
    subprocess.run([cnht, "reindex"], env=env, check=True, capture_output=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="cnht-pages-"))
    os.environ["CNHT_INSTANCE_PATH"] = str(instance)
    t0 = time.perf_counter()
    build(instance, args.docs)
    print(f"{args.docs} enterprises loaded and indexed in {time.perf_counter() - t0:.0f} s")

    from cnht import create_app
    from cnht.accounts.services import create_account
    from cnht.enterprises.services import get_by_tax_code
    from cnht.matching.models import SourcingRequirement

    app = create_app({"INSTANCE_PATH": str(instance), "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
    db = app.extensions["cnht_db"]
    with app.app_context(), db.sessionmaker() as s:
        staff = create_account(s, email="staff@example.vn", password="bench-password-1", role="staff")
        own = get_by_tax_code(s, f"{1:010d}", full=False)
        create_account(
            s, email="sme@example.vn", password="bench-password-1", role="sme", enterprise_id=own.id
        )
        for k in range(30):
            s.add(
                SourcingRequirement(
                    owner_id=staff.id,
                    title=f"Khuôn ép nhựa lô {k}",
                    status="open",
                    visibility="public",
                    processes=["phay CNC"],
                )
            )
        s.commit()
    tax = f"{4242:010d}"
    public = [
        "/healthz",
        "/",
        "/search?q=khuon+ep+nhua",
        "/search?q=&sector=mechanical&province=01",
        "/search?q=plastic+injection+mould&page=3",
        "/enterprises",
        "/enterprises?province=79&page=40",
        f"/enterprises/{tax}",
        "/statistics",
        "/sectors/mechanical",
        "/provinces/79",
        "/requirements",
        "/requirements/1",
        "/api/v1/search?q=gia+cong+cnc+iso+9001",
        "/api/v1/suggest?q=khuon+e",
        f"/api/v1/enterprises/{tax}",
        "/api/v1/enterprises?sector=textile&page=100",
    ]
    staff_pages = ["/staff/", "/requirements/1", "/connections", "/staff/duplicates"]
    sme_pages = [f"/enterprises/{1:010d}/edit", "/opportunities", "/inbox"]
    results = {}

    def measure(client, urls):
        for url in urls:
            assert client.get(url).status_code == 200, url  # warm
            times = []
            for _ in range(args.rounds):
                t = time.perf_counter()
                r = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (url, r.status_code)
            times.sort()
            results[url] = (statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))])

    measure(app.test_client(), public)
    for email, urls in (("staff@example.vn", staff_pages), ("sme@example.vn", sme_pages)):
        c = app.test_client()
        r = c.post("/login", data={"email": email, "password": "bench-password-1"})
        assert r.status_code == 302, f"sign-in failed for {email}"
        measure(c, urls)
    base = results["/healthz"][0] or 1e-9
    print(f"{'page':55s} {'p50 ms':>8s} {'p95 ms':>8s} {'×healthz':>9s}")
    for url, (p50, p95) in results.items():
        print(f"{url:55s} {p50:8.1f} {p95:8.1f} {p50 / base:9.1f}")
    worst = max(p95 for _u, (_m, p95) in results.items())
    print(f"worst p95: {worst:.1f} ms (target ≤ 200 ms)")
    db.engine.dispose()


if __name__ == "__main__":
    main()
