"""Statistics page, sector and province pages; charts are drawn server-side as SVG."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _
from sqlalchemy import select

from cnht import labels
from cnht.accounts import auth
from cnht.db import local_today, session
from cnht.enterprises import services as enterprises
from cnht.i18n import current_lang
from cnht.reference import sector_label
from cnht.reference.models import Province, Sector
from cnht.stats.services import (
    by_certification,
    by_founding_decade,
    by_province,
    by_sector,
    by_size,
    growth,
    kpis,
)
from ingest.writers import write_table

bp = Blueprint("stats", __name__, template_folder="templates")


def _scope() -> tuple[str | None, str | None, int | None]:
    """The page's filters, each ignored when it is not a known value (a link keeps working)."""
    sector = request.args.get("sector") or None
    province = request.args.get("province") or None
    if sector and session.get(Sector, sector) is None:
        sector = None
    if province and session.get(Province, province) is None:
        province = None
    year = request.args.get("year", "")
    this_year = local_today().year
    y = int(year) if year.isdigit() and len(year) == 4 else None
    return sector, province, y if y and 2000 <= y <= this_year else None


def _charts(sector: str | None, province: str | None) -> list[tuple[str, str, list[tuple[str, int]]]]:
    lang = current_lang()
    charts = [
        (
            "sector",
            _("Doanh nghiệp theo ngành"),
            [(sector_label(c, lang), n) for c, n in by_sector(province)],
        ),
        (
            "province",
            _("Doanh nghiệp theo tỉnh/thành phố"),
            [(name, n) for _c, name, n in by_province(sector=sector, limit=15)],
        ),
        (
            "size",
            _("Theo quy mô (Nghị định 80/2021)"),
            [(labels.of(labels.SIZE, k, lang, _("Chưa rõ")), n) for k, n in by_size(sector, province)],
        ),
        ("certification", _("Theo chứng chỉ"), list(by_certification(sector=sector, province=province))),
        (
            "founded",
            _("Theo thập niên thành lập"),
            [(f"{d}–{d + 9}", n) for d, n in by_founding_decade(sector, province)],
        ),
    ]
    return [c for c in charts if not (province and c[0] == "province") and not (sector and c[0] == "sector")]


def _province_name(code: str | None) -> str | None:
    p = session.get(Province, code) if code else None
    return p.name if p else None


@bp.route("/statistics")
def statistics():
    sector, province, year = _scope()
    user = auth.user_or_none()
    return render_template(
        "stats/statistics.html",
        charts=_charts(sector, province),
        growth=growth(),
        kpi=kpis(sector, province, year, public=not (user and user.is_staff)),
        scope={"sector": sector, "province": province, "year": year},
        sectors=session.scalars(select(Sector).order_by(Sector.code)).all(),
        provinces=session.scalars(select(Province).order_by(Province.name)).all(),
        years=list(range(local_today().year, local_today().year - 6, -1)),
    )


@bp.route("/statistics/<string:cid>.<any(csv, xlsx):fmt>")
def statistics_export(cid: str, fmt: str):
    """One chart's table as a spreadsheet, with the page's filters."""
    sector, province, _year = _scope()
    if cid == "growth":
        title, rows = _("Số doanh nghiệp trong cơ sở dữ liệu theo tháng"), growth()
    else:
        found = [c for c in _charts(sector, province) if c[0] == cid]
        if not found:
            abort(404)
        _cid, title, rows = found[0]
    where = [sector_label(sector, current_lang()) if sector else None, _province_name(province)]
    scope = " · ".join(x for x in where if x)
    with tempfile.TemporaryDirectory() as tmpdir:
        path = Path(tmpdir) / f"t.{fmt}"
        write_table(
            path,
            [_("Nhóm"), _("Số doanh nghiệp")],
            rows,
            sheet=cid,
            title=f"{title}{' — ' + scope if scope else ''} ({local_today().strftime('%d/%m/%Y')})",
        )
        data = io.BytesIO(path.read_bytes())
    return send_file(data, as_attachment=True, download_name=f"thong-ke-{cid}.{fmt}")


@bp.route("/sectors/<string:code>")
def sector_page(code: str):
    sector = session.get(Sector, code)
    if sector is None:
        abort(404)
    recent = enterprises.featured(session, sector=code, limit=12)
    return render_template(
        "stats/sector.html",
        sector=sector,
        provinces=by_province(sector=code, limit=15),
        sizes=by_size(sector=code),
        recent=recent,
    )


@bp.route("/provinces/<string:code>")
def province_page(code: str):
    province = session.get(Province, code)
    if province is None:
        abort(404)
    recent = enterprises.featured(session, province=code, limit=12)
    return render_template(
        "stats/province.html",
        province=province,
        sectors=by_sector(province=code),
        sizes=by_size(province=code),
        recent=recent,
    )
