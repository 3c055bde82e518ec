"""Localisation survey bench: a campaign of 2,000 firms × 10 products × 20 inputs (400,000 input lines).

    .venv/bin/python -m bench.localisation [--firms 2000] [--rounds 5]

Measured in one run, on a fresh SQLite instance: the aggregation of one metric with disclosure control
(stored per-product sums, summed per firm in SQL), beside a baseline that recomputes every product from its
input lines (what aggregation costs without the stored sums); publishing (the three metrics frozen); the
published report page's server time (Flask test client, in process). Medians of --rounds.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from decimal import Decimal

from sqlalchemy import insert, select


def build(app, firms: int, products: int, inputs: int, seed: int = 5) -> int:
    from cnht.db import get_db
    from cnht.enterprises.models import Enterprise, enterprise_sector
    from cnht.localisation import formulas
    from cnht.localisation.models import Campaign, InputLine, ProductReturn, Respondent

    rng = random.Random(seed)
    provinces = ["01", "24", "79", "31", "48", "22"]
    sectors = ["mechanical", "electronics", "textile", "leather_footwear"]
    with app.app_context():
        s = get_db().sessionmaker()
        s.execute(
            insert(Enterprise),
            [
                {
                    "id": i + 1,
                    "tax_code": None,
                    "name": f"Firm {i}",
                    "province_code": rng.choice(provinces),
                    "ownership": "fdi" if i % 3 else "private",
                    "export_markets": [],
                    "key_customers": [],
                    "verification_status": "unverified",
                    "revenue_bn_vnd": Decimal(rng.randint(10, 5000)),
                }
                for i in range(firms)
            ],
        )
        s.execute(
            insert(enterprise_sector),
            [{"enterprise_id": i + 1, "sector_code": rng.choice(sectors)} for i in range(firms)],
        )
        camp = Campaign(year=2025, name="Bench", status="published", sectors=[], provinces=[])
        s.add(camp)
        s.flush()
        s.execute(
            insert(Respondent),
            [
                {
                    "id": i + 1,
                    "campaign_id": camp.id,
                    "enterprise_id": i + 1,
                    "token": f"t{i}",
                    "status": "validated",
                    "role": "final",
                    "method": "lvc_indirect",
                    "flags": [],
                    "reminders": 0,
                }
                for i in range(firms)
            ],
        )
        prows, irows = [], []
        pid = 0
        for r in range(firms):
            for p in range(products):
                pid += 1
                ins = []
                for k in range(inputs):
                    origin = rng.choice(formulas.ORIGINS)
                    v = Decimal(rng.randint(1, 500))
                    ins.append(formulas.Input(v, origin, rng.random() < 0.5))
                    irows.append(
                        {
                            "product_id": pid,
                            "position": k,
                            "name": f"input {k}",
                            "value": v,
                            "origin": origin,
                            "declared": ins[-1].declared,
                            "hs6": f"{rng.randint(100000, 999999)}",
                        }
                    )
                materials = sum(i.value for i in ins)
                fob = materials * Decimal("1.6")
                res = formulas.compute(formulas.Product(fob=fob, inputs=tuple(ins)))
                prows.append(
                    {
                        "id": pid,
                        "respondent_id": r + 1,
                        "position": p,
                        "name": f"product {p}",
                        "fob": fob,
                        "materials": res.materials,
                        "vnm": res.vnm,
                        "purchases": res.purchases,
                        "local": res.local,
                        "local_vn_owned": res.local_vn_owned,
                        "local_fdi": res.local_fdi,
                        "local_undetermined": res.local_undetermined,
                        "direct_numerator": res.direct_numerator,
                        "warnings": [],
                    }
                )
        s.execute(insert(ProductReturn), prows)
        for i in range(0, len(irows), 50_000):
            s.execute(insert(InputLine), irows[i : i + 50_000])
        s.commit()
        return camp.id


def recompute_from_inputs(session, campaign_id: int) -> dict:
    """The baseline: every product recomputed from its input lines, then summed per sector."""
    from cnht.localisation import formulas
    from cnht.localisation.models import InputLine, ProductReturn, Respondent

    by_product: dict[int, list] = {}
    for pid, value, origin, declared in session.execute(
        select(InputLine.product_id, InputLine.value, InputLine.origin, InputLine.declared)
        .join(ProductReturn, ProductReturn.id == InputLine.product_id)
        .join(Respondent, Respondent.id == ProductReturn.respondent_id)
        .where(Respondent.campaign_id == campaign_id)
    ):
        by_product.setdefault(pid, []).append(formulas.Input(value, origin, declared))
    fobs = dict(session.execute(select(ProductReturn.id, ProductReturn.fob)).all())
    num = den = Decimal(0)
    for pid, ins in by_product.items():
        res = formulas.compute(formulas.Product(fob=fobs[pid], inputs=tuple(ins)))
        num += res.fob - res.vnm
        den += res.fob
    return {"rate": num / den if den else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--firms", type=int, default=2000)
    ap.add_argument("--products", type=int, default=10)
    ap.add_argument("--inputs", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    from cnht import create_app, migrate
    from cnht.db import get_db
    from cnht.localisation import services
    from cnht.localisation.models import Campaign
    from cnht.reference.services import load_reference

    inst = tempfile.mkdtemp(prefix="cnht-loc-bench-")
    app = create_app(
        {"INSTANCE_PATH": inst, "DATABASE_URL": f"sqlite:///{inst}/b.sqlite3", "SECRET_KEY": "bench"}
    )
    db = app.extensions["cnht_db"]
    migrate.upgrade(db.engine)
    with app.app_context(), db.sessionmaker() as s:
        load_reference(s)
        s.commit()
    t0 = time.perf_counter()
    cid = build(app, args.firms, args.products, args.inputs)
    build_s = time.perf_counter() - t0
    agg_t, base_t, page_t = [], [], []
    with app.app_context():
        s = get_db().sessionmaker()
        c = s.get(Campaign, cid)
        for _ in range(args.rounds):
            t = time.perf_counter()
            agg = services.aggregate(s, c, "lvc_indirect")
            agg_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            recompute_from_inputs(s, cid)
            base_t.append(time.perf_counter() - t)
        total = agg.rate(("*", "*"))
        suppressed = sum(1 for v in agg.status.values() if v != "published")
        t = time.perf_counter()
        c.snapshot = services.snapshot(s, c)  # publishing freezes the three metrics' tables
        publish_s = time.perf_counter() - t
        s.commit()
    client = app.test_client()
    for _ in range(args.rounds):
        t = time.perf_counter()
        assert client.get("/localisation/published").status_code == 200
        page_t.append(time.perf_counter() - t)
    out = {
        "firms": args.firms,
        "products": args.firms * args.products,
        "input_lines": args.firms * args.products * args.inputs,
        "build_seconds": round(build_s, 1),
        "aggregate_median_s": round(statistics.median(agg_t), 3),
        "baseline_recompute_median_s": round(statistics.median(base_t), 3),
        "ratio_to_baseline": round(statistics.median(agg_t) / statistics.median(base_t), 3),
        "publish_seconds": round(publish_s, 3),
        "published_page_median_s": round(statistics.median(page_t), 3),
        "grand_total_rate": str(total),
        "cells": len(agg.status),
        "suppressed_cells": suppressed,
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
