"""Import of a list without tax codes (a survey): every row goes through the duplicate check
against the province's firms and the rows already imported.

    .venv/bin/python -m bench.import_untaxed [--rows 5000]

Prints the wall time of the first import (all new) and of the same file again (all recognised).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import tempfile
import time
from pathlib import Path

A = [
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
]
B = [
    "Đạt",
    "Phát",
    "Cường",
    "Long",
    "Tiến",
    "Gia",
    "Nhật",
    "Thịnh",
    "Lộc",
    "Sơn",
    "Quang",
    "Âu",
    "Thắng",
    "Xuân",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5000)
    args = ap.parse_args()
    inst = Path(tempfile.mkdtemp(prefix="cnht-untaxed-"))
    os.environ["CNHT_INSTANCE_PATH"] = str(inst)
    from cnht import create_app, migrate
    from cnht.imports.importer import import_file
    from cnht.reference.services import load_reference
    from ingest.columns import COLUMNS, TEMPLATE_FIELDS

    rng = random.Random(3)
    path = inst / "survey.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([COLUMNS[f][0] for f in TEMPLATE_FIELDS])
        for i in range(args.rows):
            row = {
                "name": f"Cơ sở cơ khí {rng.choice(A)} {rng.choice(B)} số {i}",
                "province": "Bắc Ninh",
                "sectors": "Cơ khí",
                "products": "Chi tiết gia công CNC",
            }
            w.writerow([row.get(f, "") for f in TEMPLATE_FIELDS])
    app = create_app({"INSTANCE_PATH": str(inst)})
    db = app.extensions["cnht_db"]
    migrate.upgrade(db.engine)
    with app.app_context(), db.sessionmaker() as s:
        load_reference(s)
        s.commit()
        for label in ("first import", "same file again"):
            t = time.perf_counter()
            report = import_file(s, path)
            s.commit()
            wall = time.perf_counter() - t
            print(f"{label}: {wall:.1f} s, {args.rows / wall:.0f} rows/s — {report.summary()}")
    db.engine.dispose()


if __name__ == "__main__":
    main()
