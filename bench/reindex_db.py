"""Full reindex from the database: `cnht reindex` over N enterprises stored in SQLite (or the database
of CNHT_DATABASE_URL), so the figure includes loading the records with their child rows.

    .venv/bin/python -m bench.reindex_db [--docs 100000]

Rows are bulk-inserted with SQLAlchemy Core from bench/corpus.py (the import bench measures the
importer itself); then `cnht reindex` runs in a child process and its wall time and peak memory are
reported.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bench.corpus import generate
from bench.measure import run_measured


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    args = ap.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="cnht-reindex-"))
    env = {**os.environ, "CNHT_INSTANCE_PATH": str(instance)}
    cnht = str(Path(sys.executable).parent / "cnht")
    subprocess.run([cnht, "init-db"], env=env, check=True, capture_output=True)

    os.environ["CNHT_INSTANCE_PATH"] = str(instance)
    from cnht import create_app
    from cnht.enterprises.models import Certification, Enterprise, EnterpriseProduct, enterprise_sector

    app = create_app()
    engine = app.extensions["cnht_db"].engine
    firms = generate(args.docs)
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        ents, sectors, products, certs = [], [], [], []
        for i, f in enumerate(firms, start=1):
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
                    "export_markets": [],
                    "key_customers": [],
                    "description": d.description,
                    "verification_status": d.verification,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            sectors.extend({"enterprise_id": i, "sector_code": s} for s in d.sectors)
            products.extend({"enterprise_id": i, "name": p, "position": k} for k, p in enumerate(d.products))
            certs.extend(
                {"enterprise_id": i, "standard": c, "standard_key": c, "position": k}
                for k, c in enumerate(d.certifications)
            )
        conn.execute(insert(Enterprise.__table__), ents)
        conn.execute(insert(enterprise_sector), sectors)
        conn.execute(insert(EnterpriseProduct.__table__), products)
        conn.execute(insert(Certification.__table__), certs)
    load_s = time.perf_counter() - t0
    engine.dispose()

    t0 = time.perf_counter()
    returncode, out, err, peak_kb = run_measured([cnht, "reindex"], env)
    wall = time.perf_counter() - t0
    if returncode != 0:
        raise SystemExit(err[-2000:])
    peak = peak_kb / 1024
    print(f"{args.docs} enterprises bulk-loaded into the database in {load_s:.1f} s")
    print(out.strip())
    print(f"cnht reindex: {wall:.1f} s wall (process start included), peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
