"""Writing tables as .xlsx or .csv (by the file's suffix), streamed row by row.

Text cells stay text, so tax codes and phone numbers keep their leading zeros. The CSV is UTF-8 with
a BOM, which Excel needs to show Vietnamese correctly.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path


def write_table(
    path: str | Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    sheet: str = "Sheet1",
    widths: Sequence[int] | None = None,
    title: str | None = None,
) -> int:
    """Write ``headers`` then ``rows``; ``title`` is an extra first line (a report's summary).
    Returns the number of data rows written."""
    path = Path(path)
    n = 0
    if path.suffix.lower() == ".xlsx":
        import openpyxl  # noqa: PLC0415 - a CSV export does not need it (openpyxl loads slowly)
        from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
        from openpyxl.styles import Font  # noqa: PLC0415
        from openpyxl.utils import get_column_letter  # noqa: PLC0415

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet(sheet[:31])
        ws.freeze_panes = "A3" if title else "A2"
        for i, width in enumerate(widths or (), start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        if title:
            ws.append([title])
        bold = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = Font(bold=True)
            bold.append(cell)
        ws.append(bold)
        for r in rows:
            ws.append(list(r))
            n += 1
        wb.save(path)
        return n
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        for r in rows:
            w.writerow(r)
            n += 1
    return n
