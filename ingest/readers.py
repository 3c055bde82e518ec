"""Streaming readers for CSV and XLSX enterprise lists.

``open_table`` returns the header row and an iterator of (row number as the user sees it, values).
Nothing holds the whole file in memory.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ReadError(Exception):
    """A file that cannot be read as a table; the message in Vietnamese and English."""

    def __init__(self, vi: str, en: str):
        super().__init__(f"{vi} / {en}")
        self.vi, self.en = vi, en


@dataclass
class Table:
    headers: list[str | None]
    rows: Iterator[tuple[int, list[Any]]]
    format: str
    encoding: str | None = None
    sheet: str | None = None
    close: Callable[[], object] | None = None  # release the file when the rows are not read to the end


_SEP_HINT = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)
# A cell may be long (a description pasted whole): the csv module's 128 kB default would stop the file.
# The schema's length limits then reject the field with a row error instead.
csv.field_size_limit(64 * 1024 * 1024)


def _close_all(*closers: Callable[[], object]) -> None:
    for close in closers:
        close()


def _detect_encoding(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(raw) >= 4 and raw[1:4:2] == b"\x00\x00" and raw[0] != 0:  # UTF-16-LE without BOM
        return "utf-16-le"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.start >= len(raw) - 3:
            return "utf-8"
        return "cp1258"


def _open_csv(path: Path) -> Table:
    with path.open("rb") as fh:
        sample = fh.read(256 * 1024)
    if not sample.strip():
        raise ReadError("Tệp rỗng", "The file is empty")
    encoding = _detect_encoding(sample)
    text_sample = sample.decode(encoding, errors="ignore")
    if "\x00" in text_sample:
        raise ReadError(
            "Tệp không phải là bảng tính CSV hoặc XLSX", "The file is not a CSV or XLSX spreadsheet"
        )
    lines = text_sample.lstrip("\ufeff").splitlines()
    hint = _SEP_HINT.match(lines[0]) if lines else None
    skip = 1 if hint else 0  # Excel's "sep=;" first line names the delimiter and is not data
    if hint:
        delimiter = hint.group(1)
    else:
        try:
            delimiter = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = max(",;\t", key=lines[0].count) if lines else ","

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # Opened on first use: a table whose rows are never read leaves no open file behind.
        with path.open("r", encoding=encoding, newline="", errors="strict") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            for _ in range(skip + 1):
                next(reader, None)
            try:
                # the row number as the spreadsheet shows it: records, not text lines (a cell may hold
                # line breaks)
                yield from enumerate(reader, start=skip + 2)
            except UnicodeDecodeError as exc:
                raise ReadError(
                    f"Lỗi mã hóa ký tự gần dòng {reader.line_num + 1}",
                    f"Character encoding error near line {reader.line_num + 1}",
                ) from exc

    reader = csv.reader(io.StringIO(text_sample.lstrip("\ufeff")), delimiter=delimiter)
    for _ in range(skip):
        next(reader, None)
    headers = next(reader, [])
    body = rows()
    return Table(headers=[h.strip() for h in headers], rows=body, format="csv", encoding=encoding)


def _open_xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl  # noqa: PLC0415 - loads slowly; CSV files never need it
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    fh = path.open("rb")  # a file object, so that an .xlsx saved under another extension still opens
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException) as exc:
        fh.close()
        raise ReadError(
            "Không đọc được tệp Excel (tệp hỏng hoặc không phải XLSX)",
            "Cannot read the Excel file (damaged or not XLSX)",
        ) from exc
    if sheet:
        if sheet not in wb.sheetnames:
            wb.close()
            fh.close()
            raise ReadError(
                f"Không có trang tính '{sheet}' (có: {', '.join(wb.sheetnames)})",
                f"No sheet named '{sheet}' (available: {', '.join(wb.sheetnames)})",
            )
        ws: Any = wb[sheet]
    else:
        ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    headers: list[str | None] = []
    header_row = 0
    for header_row, values in enumerate(it, start=1):  # noqa: B007 - skip blank lines and titles above the header
        if values and sum(1 for v in values if v not in (None, "")) >= 2:
            headers = [None if v is None else str(v).strip() for v in values]
            break
    if not headers:
        wb.close()
        fh.close()
        raise ReadError("Tệp không có dòng tiêu đề", "The file has no header row")

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for n, values in enumerate(it, start=header_row + 1):
                yield n, list(values)
        finally:
            wb.close()
            fh.close()

    return Table(
        headers=headers,
        rows=rows(),
        format="xlsx",
        sheet=ws.title,
        close=lambda: _close_all(wb.close, fh.close),
    )


def open_table(path: str | Path, sheet: str | None = None) -> Table:
    path = Path(path)
    if not path.exists():
        raise ReadError(f"Không tìm thấy tệp {path}", f"File not found: {path}")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(path, sheet)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(
            "Định dạng Excel 97-2003 (.xls) chưa được hỗ trợ: hãy lưu lại thành .xlsx",
            "Excel 97-2003 (.xls) is not supported: save the file as .xlsx",
        )
    if path.stat().st_size == 0:
        raise ReadError("Tệp rỗng", "The file is empty")
    return _open_csv(path)


def estimate_rows(path: str | Path) -> int | None:
    """Roughly how many data rows a file holds (for a progress bar), without parsing it."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
            if head.startswith(b"PK\x03\x04"):
                import openpyxl  # noqa: PLC0415 - only for an XLSX file

                fh.seek(0)
                wb = openpyxl.load_workbook(fh, read_only=True)
                n = wb.worksheets[0].max_row
                wb.close()
                return max((n or 1) - 1, 0)
            fh.seek(0)
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
            return max(lines - 1, 0)
    except Exception:
        return None
