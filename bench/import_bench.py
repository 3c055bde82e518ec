"""Import benchmark: 100,000-row CSV and XLSX files through `cnht import`, search indexing included:
wall time, rows per second and the peak memory of the importing process.

    .venv/bin/python -m bench.import_bench [--rows 100000] [--formats csv,xlsx,xls-formatted]

The files are made here from the demo generator (valid tax codes, Vietnamese text, lists in cells);
each format is imported into a fresh instance in a child process. ``xlsx-formatted`` is the probe's
case: a sheet of --rows data rows formatted (styled, empty) down to row 1,000,000 — memory must follow
the rows present, not the formatted ones.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.measure import run_measured
from cnht.demo import generate
from cnht.enterprises.rules import make_tax_code
from ingest.columns import COLUMNS, TEMPLATE_FIELDS


def rows(n: int):
    base = generate(320)
    rng = random.Random(1)
    used: set[str] = set()
    for i in range(n):
        r = dict(base[i % len(base)])
        while True:
            code = make_tax_code(f"{rng.randrange(10**8 + 1, 10**9):09d}")
            if code and code not in used:
                used.add(code)
                break
        r["tax_code"] = code
        if i >= len(base):
            r["name"] = f"{r['name']} {i // len(base)}"
        out = []
        for f in TEMPLATE_FIELDS:
            v = r.get(f)
            if f == "certifications":
                v = "; ".join(c["standard"] for c in v)
            elif isinstance(v, list):
                v = "; ".join(v)
            out.append("" if v is None else v)
        yield out


def write(path: Path, n: int) -> None:
    header = [COLUMNS[f][0] for f in TEMPLATE_FIELDS]
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows(n))
    else:
        import openpyxl

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("DS")
        ws.append(header)
        for r in rows(n):
            ws.append(r)
        wb.save(path)


def write_formatted(path: Path, n: int, last_row: int = 1_000_000) -> None:
    """An XLSX whose sheet holds n rows and styled empty cells down to ``last_row``, streamed into the
    zip so that making it costs no memory."""
    import re
    import zipfile

    small = path.with_suffix(".small.xlsx")
    write(small, n)
    with zipfile.ZipFile(small) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in z.namelist():
            data = z.read(name)
            if not name.startswith("xl/worksheets/sheet"):
                out.writestr(name, data)
                continue
            text = re.sub(r'<dimension ref="[^"]+"/>', f'<dimension ref="A1:Z{last_row}"/>', data.decode())
            head, tail = text.split("</sheetData>")
            with out.open(name, "w") as fh:
                fh.write(head.encode())
                for r0 in range(n + 2, last_row + 1, 10_000):
                    chunk = "".join(
                        f'<row r="{r}"><c r="A{r}" s="0"/><c r="B{r}" s="0"/><c r="C{r}" s="0"/></row>'
                        for r in range(r0, min(r0 + 10_000, last_row + 1))
                    )
                    fh.write(chunk.encode())
                fh.write(("</sheetData>" + tail).encode())
    small.unlink()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--formats", default="csv,xlsx")
    args = ap.parse_args()
    cnht = str(Path(sys.executable).parent / "cnht")
    for fmt in args.formats.split(","):
        work = Path(tempfile.mkdtemp(prefix=f"cnht-import-{fmt}-"))
        path = work / f"list.{fmt.split('-')[0]}"
        t0 = time.perf_counter()
        # the file is made in a child process: a child's peak RSS (wait4) counts the pages it was forked
        # with, so a bench process swollen by writing the workbook would be charged to the import
        maker = "write_formatted" if fmt == "xlsx-formatted" else "write"
        code = f"from pathlib import Path; from bench.import_bench import {maker}; {maker}(Path({str(path)!r}), {args.rows})"
        subprocess.run([sys.executable, "-c", code], check=True)
        made = time.perf_counter() - t0
        env = {**os.environ, "CNHT_INSTANCE_PATH": str(work / "instance")}
        env.pop("CNHT_DATABASE_URL", None)
        subprocess.run([cnht, "init-db"], env=env, check=True, capture_output=True)
        t0 = time.perf_counter()
        returncode, out, err, peak_kb = run_measured([cnht, "import", str(path)], env)
        wall = time.perf_counter() - t0
        if returncode != 0:
            raise SystemExit(err[-2000:])
        summary = out.strip().splitlines()[-1]
        print(f"{fmt}: {args.rows} rows ({path.stat().st_size / 1e6:.1f} MB, written in {made:.1f} s)")
        print(f"  {summary}")
        print(
            f"  cnht import (indexing included): {wall:.1f} s, {args.rows / wall:,.0f} rows/s, "
            f"peak RSS {peak_kb / 1024:.0f} MB"
        )


if __name__ == "__main__":
    main()
