"""Import enterprise lists: map columns, validate every row with the shared load schema, upsert by
tax code. Each row is written whole or not at all (a savepoint per row); with ``on_error="abort"``
nothing is written if any row fails; ``dry_run`` validates and counts, then rolls everything back.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from marshmallow import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cnht.enterprises import services
from cnht.i18n import Msg, flatten_messages
from cnht.imports.dedup import Deduplicator, name_key, queue_for_review
from cnht.imports.schemas import ImportRow
from ingest.columns import COLUMNS, map_headers
from ingest.legacy import repair
from ingest.readers import ReadError, open_table
from ingest.writers import write_table
from vnsearch.analysis import fold


@dataclass
class RowIssue:
    row: int
    column: str
    value: str
    message: str
    level: str = "error"  # error | info


def _said(row: int, column: str, value: str, vi: str, en: str, level: str) -> RowIssue:
    """A row note in both languages."""
    return RowIssue(row, column, value, str(Msg(vi, en)), level=level)


@dataclass
class ImportReport:
    source: str
    format: str = ""
    encoding: str | None = None
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    queued: int = 0  # rows without a tax code waiting for a staff duplicate decision
    converted_rows: int = 0
    dry_run: bool = False
    aborted: bool = False
    unknown_columns: list[str] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    fatal: Msg | None = None
    sheet: str | None = None
    header_row: int | None = None
    # per row written: (row, created | updated | unchanged, the firm's ref, fields changed, fields cleared)
    outcomes: list[tuple[int, str, str, list[str], list[str]]] = field(default_factory=list)

    def where(self) -> Msg | None:
        """Which sheet and header row were read: said with every report, so that a surprise is visible."""
        if self.header_row is None:
            return None
        if self.sheet:
            return Msg(
                f"Đã đọc trang '{self.sheet}', dòng tiêu đề {self.header_row} ({self.format})",
                f"Read sheet '{self.sheet}', header row {self.header_row} ({self.format})",
            )
        return Msg(
            f"Dòng tiêu đề {self.header_row} ({self.format})", f"Header row {self.header_row} ({self.format})"
        )

    @property
    def errors(self) -> list[RowIssue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def ok(self) -> bool:
        return self.fatal is None and not self.aborted

    def summary(self) -> Msg:
        if self.fatal:
            return self.fatal
        verb = "Sẽ" if self.dry_run else "Đã"
        verb_en = "Would have" if self.dry_run else ""
        text = (
            f"{verb} nhập {self.rows_read} dòng: {self.created} mới, {self.updated} cập nhật, "
            f"{self.unchanged} không đổi, {self.failed} lỗi"
        )
        text_en = (
            f"{verb_en} {self.rows_read} rows read: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.failed} failed"
        ).strip()
        if self.queued:
            text += f", {self.queued} chờ xem xét trùng lặp"
            text_en += f", {self.queued} queued for duplicate review"
        if self.aborted:
            text += " — đã hủy, không ghi dữ liệu nào"
            text_en += " — aborted, nothing written"
        return Msg(text, text_en)


def cell_value(value) -> tuple[object, str | None]:
    """Spreadsheet cell → (what the load schema expects, legacy encoding it was converted from)."""
    if isinstance(value, dt.datetime):
        return (value.date().isoformat() if value.time() == dt.time() else value.isoformat()), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    if isinstance(value, float) and value.is_integer():
        return int(value), None
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("'"):  # Excel's text marker ('0100109106), also what our exports write
            value = value[1:]
        text, legacy = repair(value)
        return text, legacy
    return value, None


def _is_empty(values: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def import_file(
    session: Session,
    path: str | Path,
    *,
    dry_run: bool = False,
    on_error: str = "skip",
    sheet: str | None = None,
    actor: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    path = Path(path)
    report = ImportReport(source=path.name, dry_run=dry_run)
    try:
        table = open_table(path, sheet=sheet)
    except ReadError as exc:
        report.fatal = Msg(exc.vi, exc.en)
        return report
    report.format, report.encoding = table.format, table.encoding
    report.sheet, report.header_row = table.sheet, table.header_row
    mapping, report.unknown_columns = map_headers(table.headers)
    missing = [f for f in ("name", "province", "sectors") if f not in mapping.values()]
    if missing:
        if table.close:
            table.close()
        names = ", ".join(COLUMNS[f][0] for f in missing)
        report.fatal = Msg(f"Thiếu cột bắt buộc: {names}", f"Required columns missing: {names}")
        return report
    header_of = {f: str(table.headers[i]) for i, f in mapping.items()}

    session.info["actor"] = actor or f"import:{path.name}"
    schema = ImportRow()
    dedup = Deduplicator(session)
    seen: dict[str, int] = {}
    seen_untaxed: dict[tuple[str, str], int] = {}
    pending: list[tuple[int, dict]] = []
    outer = session.begin_nested()
    try:
        for row_no, values in table.rows:
            if _is_empty(values):
                continue
            report.rows_read += 1
            if progress:
                progress(report.rows_read)
            record, converted = {}, set()
            for i, f in mapping.items():
                value, legacy = cell_value(values[i]) if i < len(values) else (None, None)
                if f == "founded_year" and isinstance(values[i] if i < len(values) else None, dt.date):
                    value = values[i].year  # a year typed into a date-formatted cell
                record[f] = value
                if legacy:
                    converted.add(legacy.upper())
            if converted:
                report.converted_rows += 1
                report.issues.append(
                    RowIssue(
                        row_no,
                        "",
                        "",
                        str(
                            Msg(
                                f"Đã chuyển mã {', '.join(sorted(converted))} sang Unicode",
                                f"Converted from {', '.join(sorted(converted))} to Unicode",
                            )
                        ),
                        level="info",
                    )
                )
            if isinstance(record.get("tax_code"), str) and not record["tax_code"].strip():
                record["tax_code"] = None
            try:
                data = _present_only(schema.load(record), record)
            except ValidationError as exc:
                report.failed += 1
                for fld, messages in exc.messages.items():
                    for m in flatten_messages(messages):
                        report.issues.append(
                            RowIssue(row_no, header_of.get(fld, fld), _show(record.get(fld)), m)
                        )
                continue
            if data.get("province_legacy"):
                report.issues.append(
                    RowIssue(
                        row_no,
                        header_of["province"],
                        _show(record.get("province")),
                        str(
                            Msg(
                                f"Tỉnh cũ '{data['province_legacy']}' được chuyển thành đơn vị hiện hành",
                                f"Former province '{data['province_legacy']}' mapped to the current unit",
                            )
                        ),
                        level="info",
                    )
                )
            if data.get("tax_code") is None:
                key = (name_key(data["name"]), data["province_code"])
                first = seen_untaxed.get(key)
                if first is not None:
                    report.failed += 1
                    report.issues.append(
                        RowIssue(
                            row_no,
                            header_of["name"],
                            data["name"],
                            str(
                                Msg(
                                    f"Dòng không có mã số thuế trùng tên và tỉnh với dòng {first}",
                                    f"Row without tax code repeats the name and province of row {first}",
                                )
                            ),
                        )
                    )
                    continue
                seen_untaxed[key] = row_no
                if pending:  # new firms of this file must be seen by the duplicate check
                    _write_batch(session, pending, report)
                    dedup.reset()
                _write_untaxed(session, dedup, row_no, record, data, report, header_of, path.name)
                continue
            first = seen.get(data["tax_code"])
            if first is not None:
                report.failed += 1
                report.issues.append(
                    RowIssue(
                        row_no,
                        header_of["tax_code"],
                        data["tax_code"],
                        str(
                            Msg(
                                f"Mã số thuế trùng với dòng {first} trong cùng tệp",
                                f"Tax code repeats row {first} of the same file",
                            )
                        ),
                    )
                )
                continue
            seen[data["tax_code"]] = row_no
            pending.append((row_no, data))
            if len(pending) >= BATCH:
                _write_batch(session, pending, report)
        _write_batch(session, pending, report)
    except ReadError as exc:
        outer.rollback()
        report.fatal = Msg(exc.vi, exc.en)
        return report
    if (on_error == "abort" and report.failed) or dry_run:
        outer.rollback()
        report.aborted = on_error == "abort" and report.failed > 0
    else:
        outer.commit()
    return report


BATCH = 1000
# a spreadsheet column → the loaded fields it fills
_LOADED_FROM = {"province": ("province_code", "province_legacy")}


def _present_only(data: dict, record: dict) -> dict:
    """The loaded row without the fields whose column the file does not have: an absent column leaves
    the stored value alone (the schema would otherwise fill in an empty default and wipe it). An empty
    cell in a present column is kept: that clears the field, and the report says so."""
    keep = {"tax_code", "name"}
    for column in record:
        keep.update(_LOADED_FROM.get(column, (column,)))
    return {k: v for k, v in data.items() if k in keep}


def _keep_better_name(data: dict, ent) -> dict:
    """A file that writes the same name without diacritics or abbreviated ("Cty TNHH Co khi Minh Phat")
    never replaces the stored "Công ty TNHH Cơ khí Minh Phát": same normalised name, fewer letters or
    marks → the stored one stays."""
    new, old = data.get("name"), getattr(ent, "name", None)
    if not new or not old or new == old or name_key(new) != name_key(old):
        return data
    if _marks(new) < _marks(old) or len(new) < len(old):
        return {k: v for k, v in data.items() if k != "name"}
    return data


def _marks(text: str) -> int:
    """How many letters carry a Vietnamese mark (or are đ)."""
    return sum(1 for c in text if c in "đĐ" or unicodedata.decomposition(c))


def _cleared(data: dict, changed: list[str]) -> list[str]:
    return [f for f in changed if f in data and data[f] in (None, "", [], ())]


def _write_untaxed(
    session: Session,
    dedup: Deduplicator,
    row_no: int,
    record: dict,
    data: dict,
    report: ImportReport,
    header_of: dict,
    source: str,
) -> None:
    """A row without a tax code: update the firm it is known to be, queue it for review when it looks
    like an existing firm, otherwise create it."""
    res = dedup.resolve(data["name"], data["province_code"])
    try:
        with session.begin_nested():
            if res.action == "review":
                queue_for_review(
                    session,
                    source=source,
                    row_number=row_no,
                    record=_json_safe(record),
                    name=data["name"],
                    province=data["province_code"],
                    candidates=res.candidates,
                )
                session.flush()
                report.queued += 1
                names = "; ".join(f"{e.name} ({e.ref}, {s:.0f}%)" for e, s in res.candidates)
                report.issues.append(
                    _said(
                        row_no,
                        header_of["name"],
                        data["name"],
                        f"Không có mã số thuế, giống doanh nghiệp đã có: {names} — chờ cán bộ xem xét",
                        f"No tax code and similar to existing: {names} — queued for staff review",
                        "review",
                    )
                )
                return
            merged: list[str] = []
            if (
                res.action == "update"
                and res.reason == "same_untaxed"
                and data["name"] != res.enterprise.name
            ):
                # known by name and province only, and the name written otherwise ("Cty … Co khi" for
                # "Công ty … Cơ khí"): the row comes from another list, not a new edition of this one
                data, merged, conflicts = reconcile(data, res.enterprise)
                # said in the file's own column names
                conflicts = [header_of.get(f, f) for f in conflicts]
                merged = [header_of.get(f, f) for f in merged]
                if conflicts:
                    queue_for_review(
                        session,
                        source=source,
                        row_number=row_no,
                        record=_json_safe(record),
                        name=data["name"],
                        province=data["province_code"],
                        candidates=[(res.enterprise, 100.0)],
                    )
                    session.flush()
                    report.queued += 1
                    report.issues.append(
                        _said(
                            row_no,
                            header_of["name"],
                            data["name"],
                            f"Cùng tên với {res.enterprise.ref} nhưng khác ở: {', '.join(conflicts)}"
                            " — chờ cán bộ xem xét",
                            f"Same name as {res.enterprise.ref} but differs in: {', '.join(conflicts)}"
                            " — queued for staff review",
                            "review",
                        )
                    )
                    return
            if res.action == "update":
                result = services.upsert_untaxed(
                    session,
                    _keep_better_name(data, res.enterprise),
                    res.enterprise,
                    fill=res.reason == "decided_same",
                )
                if merged:
                    report.issues.append(
                        _said(
                            row_no,
                            "",
                            "",
                            f"Đã gộp danh sách với dữ liệu đã có: {', '.join(merged)}",
                            f"Lists merged with the stored ones: {', '.join(merged)}",
                            "info",
                        )
                    )
            else:
                result = services.upsert_untaxed(session, data, None)
            session.flush()
    except SQLAlchemyError as exc:
        report.failed += 1
        report.issues.append(
            RowIssue(
                row_no, "", "", str(Msg("Lỗi ghi dữ liệu", "Database error")) + f": {exc.__class__.__name__}"
            )
        )
        return
    if res.action == "create":
        dedup.remember_new(result.enterprise.id, data["name"], data["province_code"], None)
    setattr(report, result.status, getattr(report, result.status) + 1)
    ref = getattr(result.enterprise, "ref", "") or ""
    report.outcomes.append((row_no, result.status, ref, list(result.changed_fields or []), []))


# The first loaded key of each child row names it: a product by its name, a certificate by its standard.
_CHILD_KEY = {
    "products": "name",
    "processes": None,
    "materials": None,
    "equipment": "machine_type",
    "certifications": "standard_key",
    "capacities": "product",
}


def _same(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return fold(a).casefold() == fold(b).casefold()
    return a == b


def _empty(value) -> bool:
    return value in (None, "", [], (), {})


def reconcile(data: dict, ent) -> tuple[dict, list[str], list[str]]:
    """A row matched to ``ent`` by name and province alone. Lists are merged (the stored items first),
    blanks are filled, an empty cell clears nothing (another list's gap is not a decision about this
    firm); a value that differs from a stored one is a disagreement. Returns (data to write, fields
    whose lists were merged, fields that disagree — the row then goes to staff review)."""
    out = dict(data)
    merged: list[str] = []
    conflicts: list[str] = []
    for f, new in data.items():
        if f in ("name", "province_code", "tax_code"):
            continue
        if f in services.CHILD_SPECS:
            key = _CHILD_KEY[f]
            stored = [
                (c.name if key is None else {k: getattr(c, k) for k in services.CHILD_SPECS[f][1]})
                for c in getattr(ent, f)
            ]
            if f == "products":  # loaded products carry "category"; keep the stored classification
                stored = [dict(d, category=d.pop("category_code")) for d in stored]
            _merge_into(out, f, stored, new or [], key, merged)
            continue
        if f == "sectors":
            have = [s.code for s in ent.sectors]
            extra = [c for c in new or [] if c not in have]
            out[f] = have + extra
            if extra and have:
                merged.append(f)
            continue
        old = getattr(ent, f, None)
        if f in ("export_markets", "key_customers"):
            _merge_into(out, f, list(old or []), list(new or []), None, merged)
        elif _empty(new):
            out.pop(f)  # an empty cell: the stored value stays
        elif not _empty(old) and not _same(old, new):
            conflicts.append(f)
    return out, merged, conflicts


def _merge_into(out: dict, f: str, stored: list, new: list, key: str | None, merged: list[str]) -> None:
    def ident(item) -> str:
        value = item if key is None else item.get(key) or item.get("standard") or ""
        return fold(str(value)).casefold()

    seen = {ident(i) for i in stored}
    extra = [i for i in new if ident(i) not in seen]
    out[f] = stored + extra
    if extra and stored:
        merged.append(f)


def _json_safe(record: dict) -> dict:
    return {
        k: (v if v is None or isinstance(v, str | int | float | bool) else str(v)) for k, v in record.items()
    }


def _write_batch(session: Session, pending: list[tuple[int, dict]], report: ImportReport) -> None:
    """Write validated rows: the batch in one savepoint and one flush; if the database refuses it,
    row by row, so that only the offending rows are lost and each is reported."""
    if not pending:
        return
    existing = services.prefetch(session, [d["tax_code"] for _, d in pending])
    try:
        with session.begin_nested():
            new = [d for _, d in pending if d["tax_code"] not in existing]
            services.bulk_create(session, new)
            results = [
                (row_no, data, services.ApplyResult(None, "created", []))  # type: ignore[arg-type]
                for row_no, data in pending
                if data["tax_code"] not in existing
            ]
            results += [
                (
                    row_no,
                    data,
                    services.upsert(session, _keep_better_name(data, existing[data["tax_code"]]), existing),
                )
                for row_no, data in pending
                if data["tax_code"] in existing
            ]
            session.flush()
    except SQLAlchemyError:
        results = []
        for row_no, data in pending:
            try:
                with session.begin_nested():
                    result = services.upsert(session, data)
                    session.flush()
                results.append((row_no, data, result))
            except SQLAlchemyError as exc:
                report.failed += 1
                report.issues.append(
                    RowIssue(
                        row_no,
                        "",
                        "",
                        str(Msg("Lỗi ghi dữ liệu", "Database error")) + f": {exc.__class__.__name__}",
                    )
                )
    for row_no, data, result in results:
        setattr(report, result.status, getattr(report, result.status) + 1)
        cleared = _cleared(data, result.changed_fields) if result.status == "updated" else []
        changed = [f for f in result.changed_fields if f not in cleared] if result.status == "updated" else []
        report.outcomes.append((row_no, result.status, data.get("tax_code") or "", changed, cleared))
        if cleared:
            names = ", ".join(cleared)
            report.issues.append(
                RowIssue(
                    row_no,
                    names,
                    "",
                    str(
                        Msg(
                            f"Đã xóa giá trị cũ (ô trống trong tệp): {names}",
                            f"Cleared (empty cell in the file): {names}",
                        )
                    ),
                    level="info",
                )
            )
    for ent in existing.values():  # keep memory flat over a long file
        if ent in session:
            session.expunge(ent)
    pending.clear()


def _show(value) -> str:
    return "" if value is None else str(value)[:200]


OUTCOME_LABELS = {
    "created": Msg("Tạo mới", "Created"),
    "updated": Msg("Cập nhật", "Updated"),
    "unchanged": Msg("Không đổi (giữ nguyên)", "Left alone (nothing new)"),
}


def outcome_message(status: str, changed: list[str], cleared: list[str]) -> str:
    text = str(OUTCOME_LABELS.get(status, Msg(status, status)))
    if changed:
        text += " — " + str(Msg("đổi", "changed")) + ": " + ", ".join(changed)
    if cleared:
        text += " — " + str(Msg("xóa", "cleared")) + ": " + ", ".join(cleared)
    return text


def write_report(report: ImportReport, path: str | Path) -> None:
    """Every row of the file that was read, in order: what happened to it (created, updated with the
    fields changed and cleared, left alone, refused and why, queued for review)."""
    header = ["Dòng / Row", "Cột / Column", "Giá trị / Value", "Mức / Level", "Thông báo / Message"]
    lines = [(i.row, 1, [i.row, i.column, i.value, i.level, i.message]) for i in report.issues]
    lines += [
        (row, 0, [row, ", ".join(changed + cleared), ref, status, outcome_message(status, changed, cleared)])
        for row, status, ref, changed, cleared in report.outcomes
    ]
    lines.sort(key=lambda x: (x[0], x[1]))
    where = report.where()
    title = f"{report.summary()} · {where}" if where else str(report.summary())
    write_table(
        path,
        header,
        (line for _r, _k, line in lines),
        sheet="Báo cáo nhập",
        widths=(8, 24, 30, 10, 90),
        title=title,
    )
