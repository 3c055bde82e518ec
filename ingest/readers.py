"""Readers for the enterprise lists staff send: CSV (any delimiter, UTF-8 or Windows-1258, even mixed
line by line), XLSX, XLS (Excel 97–2003), ODS, and HTML tables saved as ".xls".

``open_table`` finds the sheet and the header row as a person would — the sheet whose header names
the most known columns, the header below a title or the national motto, a two-row header, a row of
column numbers under it — fills merged cells down, and returns the header and an iterator of (row
number as the spreadsheet shows it, values). Workbooks are read with python-calamine, which keeps
only cells that hold values (a sheet formatted down to row 1,000,000 costs what its data costs).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ingest.columns import map_headers, match_header


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
    header_row: int = 1  # as the spreadsheet numbers it (the last row, for a two-row header)


HEADER_SCAN = 30  # rows searched for the header


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def _score(row: list[Any]) -> int:
    mapping, _ = map_headers([_text(v) or None for v in row])
    return len(mapping)


def _is_numbering(row: list[Any]) -> bool:
    """A row of column numbers under a header: "1 2 3 …" or "(1) (2) (3) …"."""
    cells = [_text(v) for v in row if _text(v)]
    return len(cells) >= 2 and all(re.fullmatch(r"\(?\d{1,2}\)?|[A-Z]", c) for c in cells)


def find_header(rows: list[list[Any]]) -> tuple[int, list[str | None], int, int] | None:
    """(index of the last row before the data, header cells, how many known columns they name, index
    of the header's last row), or None. A row of column numbers right under the header is skipped.
    The header is the row naming the most known columns among the first rows; a row directly below
    that names further columns completes it (a two-row header: "Liên hệ" over "Điện thoại | Email")."""
    best, best_score = -1, 1
    for i, row in enumerate(rows[:HEADER_SCAN]):
        score = _score(row)
        if score > best_score:
            best, best_score = i, score
    if best < 0:
        return None
    header = [_text(v) or None for v in rows[best]]
    end = best
    if best + 1 < len(rows) and not _is_numbering(rows[best + 1]):
        below = [_text(v) or None for v in rows[best + 1]]
        merged = list(header) + [None] * max(0, len(below) - len(header))
        for c, cell in enumerate(below):
            if cell and match_header(cell) and not (merged[c] and match_header(merged[c])):
                merged[c] = cell
        if _score(merged) > best_score and _score(below) >= 1:
            header, best_score, end = merged, _score(merged), best + 1
    skip = end + 1 if end + 1 < len(rows) and _is_numbering(rows[end + 1]) else end
    return skip, header, best_score, end


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


def _decoded_lines(fh: Any, encoding: str) -> Iterator[str]:
    """Text lines of a binary file. A UTF-8 file may hold lines saved by older software in
    Windows-1258 (a list pasted together from two sources): such a line is read as Windows-1258."""
    for n, raw in enumerate(fh):
        if n == 0 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8" if encoding.startswith("utf-8") else encoding)
        except UnicodeDecodeError:
            yield raw.decode("cp1258", errors="replace")


def _open_csv(path: Path) -> Table:
    with path.open("rb") as fh:
        sample = fh.read(256 * 1024)
    if not sample.strip():
        raise ReadError("Tệp rỗng", "The file is empty")
    encoding = _detect_encoding(sample)
    wide = encoding.startswith("utf-16")
    if wide:
        text_sample = sample.decode(encoding, errors="ignore")
    else:
        text_sample = "".join(_decoded_lines(io.BytesIO(sample), encoding))
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

    head_reader = csv.reader(io.StringIO(text_sample.lstrip("\ufeff")), delimiter=delimiter)
    for _ in range(skip):
        next(head_reader, None)
    first: list[list[Any]] = []
    try:
        for rec in head_reader:
            first.append(rec)
            if len(first) >= HEADER_SCAN:
                break
    except csv.Error:
        pass  # a cell cut at the end of the sample: the rows are read again below
    found = find_header(first)
    skip_to, headers, header_at = (
        (found[0], found[1], found[3]) if found else (0, [h.strip() for h in (first[0] if first else [])], 0)
    )

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # Opened on first use: a table whose rows are never read leaves no open file behind.
        with path.open("rb") as fh:
            lines_in: Iterator[str] = (
                io.TextIOWrapper(fh, encoding=encoding, newline="") if wide else _decoded_lines(fh, encoding)
            )
            for _ in range(skip):
                next(lines_in, None)
            reader = csv.reader(lines_in, delimiter=delimiter)
            try:
                # the row number as the spreadsheet shows it: records, not text lines (a cell may hold
                # line breaks)
                for n, rec in enumerate(reader, start=skip + 1):
                    if n - skip - 1 > skip_to:
                        yield n, rec
            except UnicodeDecodeError as exc:
                raise ReadError(
                    f"Lỗi mã hóa ký tự gần dòng {reader.line_num + 1}",
                    f"Character encoding error near line {reader.line_num + 1}",
                ) from exc

    return Table(
        headers=[h.strip() if isinstance(h, str) else h for h in headers],
        rows=rows(),
        format="csv",
        encoding=encoding,
        header_row=skip + header_at + 1,
    )


@dataclass
class _Candidate:
    name: str
    head: list[list[Any]]
    rest: Iterator[list[Any]]
    found: tuple[int, list[str | None], int, int] | None
    start: tuple[int, int]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]

    @property
    def score(self) -> int:
        return self.found[2] if self.found else 0

    @property
    def complete(self) -> bool:
        if not self.found:
            return False
        mapping, _ = map_headers(self.found[1])
        return {"name", "province"} <= set(mapping.values())


def _fill_merged(
    rows: Iterator[tuple[int, list[Any]]],
    merged: list[tuple[tuple[int, int], tuple[int, int]]],
    first_data: int,
) -> Iterator[tuple[int, list[Any]]]:
    """Cells of a merged range below the header take the range's value (what staff mean by merging
    "Hà Nội" over five firms). Rows are (0-based sheet row, values indexed by sheet column)."""
    covering: dict[int, list[tuple[int, int, int, int]]] = {}
    for (r0, c0), (r1, c1) in merged:
        if r0 < first_data or (r0 == r1 and c0 == c1):
            continue
        for r in range(r0, r1 + 1):
            covering.setdefault(r, []).append((r0, c0, c1, r1))
    anchors: dict[tuple[int, int], Any] = {}
    for r, values in rows:
        for r0, c0, c1, _r1 in covering.get(r, ()):
            if r == r0:
                anchors[(r0, c0)] = values[c0] if c0 < len(values) else None
            value = anchors.get((r0, c0))
            for c in range(c0, c1 + 1):
                if (r, c) == (r0, c0):
                    continue
                while len(values) <= c:
                    values.append(None)
                if values[c] in (None, ""):
                    values[c] = value
        yield r, values


def _choose(candidates: Iterator[_Candidate], what: str) -> _Candidate:
    """The first sheet (or table) whose header names the firm and its province; else the one whose
    header names the most known columns."""
    tried: list[str] = []
    best: _Candidate | None = None
    for cand in candidates:
        tried.append(cand.name)
        if best is None or cand.score > best.score:
            best = cand
        if cand.complete:
            return cand
    if best is None or best.found is None:
        names = ", ".join(f"'{t}'" for t in tried) or "—"
        raise ReadError(
            f"Không tìm thấy dòng tiêu đề ({what} đã xem: {names}; {HEADER_SCAN} dòng đầu mỗi {what})",
            f"No header row found (looked at {what}s {names}, the first {HEADER_SCAN} rows of each)",
        )
    return best


def _table_from(cand: _Candidate, fmt: str, close: Callable[[], object] | None = None) -> Table:
    assert cand.found is not None
    end, headers, _, header_at = cand.found
    row0, col0 = cand.start
    pad = [None] * col0

    def cells(values: list[Any]) -> list[Any]:
        return pad + [None if v == "" else v for v in values]  # an empty cell is None, as in openpyxl

    def sheet_rows() -> Iterator[tuple[int, list[Any]]]:
        for i, values in enumerate(cand.head[end + 1 :], start=end + 1):
            yield row0 + i, cells(values)
        for i, values in enumerate(cand.rest, start=len(cand.head)):
            yield row0 + i, cells(values)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for r, values in _fill_merged(sheet_rows(), cand.merged, row0 + end + 1):
                yield r + 1, values
        finally:
            if close:
                close()

    padded: list[str | None] = [None] * col0
    return Table(
        headers=padded + list(headers),
        rows=rows(),
        format=fmt,
        sheet=cand.name,
        close=close,
        header_row=row0 + header_at + 1,
    )


def _open_workbook(path: Path, sheet: str | None, fmt: str) -> Table:
    from python_calamine import CalamineWorkbook  # noqa: PLC0415 - CSV files never need it

    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise ReadError(
            "Không đọc được tệp bảng tính (tệp hỏng hoặc không phải XLSX, XLS, ODS)",
            "Cannot read the spreadsheet (damaged, or not XLSX, XLS or ODS)",
        ) from exc
    if sheet and sheet not in names:
        wb.close()
        raise ReadError(
            f"Không có trang tính '{sheet}' (có: {', '.join(names)})",
            f"No sheet named '{sheet}' (available: {', '.join(names)})",
        )

    def sheets() -> Iterator[_Candidate]:
        for name in [sheet] if sheet else names:
            try:
                ws = wb.get_sheet_by_name(name)
            except Exception:  # a chart sheet or a damaged one: the next may hold the list
                continue
            it = ws.iter_rows()
            head = [list(r) for _, r in zip(range(HEADER_SCAN), it, strict=False)]
            start = ws.start or (0, 0)
            merged = list(ws.merged_cell_ranges or [])
            yield _Candidate(name, head, it, find_header(head), (start[0], start[1]), merged)

    closed: list[bool] = []

    def close() -> None:  # once: the rows' end and the caller may both close
        if not closed:
            closed.append(True)
            wb.close()

    try:
        cand = _choose(sheets(), "trang")
    except ReadError:
        close()
        raise
    return _table_from(cand, fmt, close=close)


class _HtmlTables(HTMLParser):
    """The tables of an HTML page (what some software saves as ".xls"): rows of cell texts, a cell
    spanning rows repeated below (as a merged cell is filled down)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._spans: dict[int, tuple[int, str]] = {}  # column → (rows left, text)
        self._rowspan = 1
        self._colspan = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self.tables.append([])
            self._spans = {}
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._rowspan = _span(a.get("rowspan"))
            self._colspan = _span(a.get("colspan"))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._fill_spans()
            text = " ".join("".join(self._cell).split())
            for k in range(self._colspan):
                col = len(self._row)
                self._row.append(text if k == 0 else "")
                if self._rowspan > 1:
                    self._spans[col] = (self._rowspan - 1, text)
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self._fill_spans(end=True)
            self.tables[-1].append(self._row)
            self._row = None

    def _fill_spans(self, end: bool = False) -> None:
        assert self._row is not None
        while True:
            col = len(self._row)
            left = self._spans.get(col)
            if left is None:
                if end and any(c > col for c in self._spans):
                    self._row.append("")
                    continue
                return
            n, text = left
            self._row.append(text)
            if n <= 1:
                del self._spans[col]
            else:
                self._spans[col] = (n - 1, text)


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _open_html(path: Path) -> Table:
    raw = path.read_bytes()
    if len(raw) > 64 * 1024 * 1024:
        raise ReadError("Tệp HTML quá lớn", "The HTML file is too large")
    encoding = _detect_encoding(raw[: 256 * 1024])
    parser = _HtmlTables()
    parser.feed(raw.decode(encoding, errors="replace"))
    parser.close()

    def tables() -> Iterator[_Candidate]:
        for n, rows in enumerate(parser.tables, start=1):
            head = rows[:HEADER_SCAN]
            yield _Candidate(f"table {n}", head, iter(rows[HEADER_SCAN:]), find_header(head), (0, 0), [])

    return _table_from(_choose(tables(), "bảng"), "html")


def open_table(path: str | Path, sheet: str | None = None) -> Table:
    path = Path(path)
    if not path.exists():
        raise ReadError(f"Không tìm thấy tệp {path}", f"File not found: {path}")
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return _open_workbook(path, sheet, "ods" if b"opendocument.spreadsheet" in head else "xlsx")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _open_workbook(path, sheet, "xls")
    if path.stat().st_size == 0:
        raise ReadError("Tệp rỗng", "The file is empty")
    lead = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lead.startswith(b"<") and (b"<table" in head.lower() or b"<html" in lead[:200]):
        return _open_html(path)
    return _open_csv(path)


def estimate_rows(path: str | Path) -> int | None:
    """Roughly how many data rows a file holds (for a progress bar), without parsing it."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
            if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
                from python_calamine import CalamineWorkbook  # noqa: PLC0415 - only for a workbook

                wb = CalamineWorkbook.from_path(str(path))
                n = wb.get_sheet_by_index(0).height
                wb.close()
                return max((n or 1) - 1, 0)
            fh.seek(0)
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
            return max(lines - 1, 0)
    except Exception:
        return None
