"""Statistics page, sector and province pages; charts are drawn server-side as SVG."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _

from cnht import labels
from cnht.db import session
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
)

bp = Blueprint("stats", __name__, template_folder="templates")


@bp.route("/statistics")
def statistics():
    lang = current_lang()
    charts = [
        ("sector", _("Doanh nghiệp theo ngành"), [(sector_label(c, lang), n) for c, n in by_sector()]),
        (
            "province",
            _("Doanh nghiệp theo tỉnh/thành phố"),
            [(name, n) for _c, name, n in by_province(limit=15)],
        ),
        (
            "size",
            _("Theo quy mô (Nghị định 80/2021)"),
            [(labels.of(labels.SIZE, k, lang, _("Chưa rõ")), n) for k, n in by_size()],
        ),
        ("certification", _("Theo chứng chỉ"), [(k, n) for k, n in by_certification()]),
        ("founded", _("Theo thập niên thành lập"), [(f"{d}s", n) for d, n in by_founding_decade()]),
    ]
    return render_template(
        "stats/statistics.html", charts=charts, growth=growth(), total=enterprises.count_active(session)
    )


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
