"""Writing tables as .xlsx or .csv (by the file's suffix), streamed row by row.

Text cells stay text, so tax codes and phone numbers keep their leading zeros. The CSV is UTF-8 with
a BOM, which Excel needs to show Vietnamese correctly.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What XLSX cannot hold at all (openpyxl refuses it): C0 controls other than tab, newline, carriage return.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def csv_cell(value: object) -> object:
    """A value safe in a CSV opened by a spreadsheet: text that would start a formula gets a leading
    apostrophe, Excel's own text marker (the importer strips it again)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


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
            ws.append([_xlsx_cell(ws, WriteOnlyCell, v) for v in r])
            n += 1
        wb.save(path)
        return n
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([csv_cell(h) for h in headers])
        for r in rows:
            w.writerow([csv_cell(v) for v in r])
            n += 1
    return n


def _xlsx_cell(ws: Any, cell_type: Any, value: object) -> object:
    """Text stays text: openpyxl would store "=HYPERLINK(…)" as a live formula, so such a value is
    written as a string cell; characters XLSX cannot hold are dropped."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL_XML.sub("", value)
    if not value.startswith("="):
        return value
    cell = cell_type(ws, value=value)
    cell.data_type = "s"
    return cell
