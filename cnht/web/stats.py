"""Statistics page, sector and province pages; charts are drawn server-side as SVG."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from sqlalchemy import func, select

from cnht.db import session
from cnht.enterprises import services
from cnht.enterprises.models import Certification, Enterprise, enterprise_sector
from cnht.reference.models import Province, Sector
from cnht.web import SIZE_LABELS, label

bp = Blueprint("stats", __name__)


def _active():
    return Enterprise.deleted_at.is_(None)


def by_sector(province: str | None = None):
    stmt = (select(enterprise_sector.c.sector_code, func.count())
            .join(Enterprise, Enterprise.id == enterprise_sector.c.enterprise_id).where(_active()))
    if province:
        stmt = stmt.where(Enterprise.province_code == province)
    return session.execute(stmt.group_by(enterprise_sector.c.sector_code).order_by(func.count().desc())).all()


def by_province(sector: str | None = None, limit: int = 34):
    stmt = select(Province.code, Province.name, func.count(Enterprise.id)).join(
        Enterprise, (Enterprise.province_code == Province.code) & _active())
    if sector:
        stmt = stmt.join(enterprise_sector, (enterprise_sector.c.enterprise_id == Enterprise.id)
                         & (enterprise_sector.c.sector_code == sector))
    return session.execute(stmt.group_by(Province.code, Province.name)
                           .order_by(func.count(Enterprise.id).desc(), Province.name).limit(limit)).all()


def by_size(sector: str | None = None, province: str | None = None):
    stmt = select(Enterprise.size_class, func.count()).where(_active())
    if sector:
        stmt = stmt.join(enterprise_sector, (enterprise_sector.c.enterprise_id == Enterprise.id)
                         & (enterprise_sector.c.sector_code == sector))
    if province:
        stmt = stmt.where(Enterprise.province_code == province)
    rows = dict(session.execute(stmt.group_by(Enterprise.size_class)).all())
    order = ["micro", "small", "medium", "large", None]
    return [(k, rows.get(k, 0)) for k in order if rows.get(k)]


def by_certification(limit: int = 10):
    stmt = (select(Certification.standard_key, func.count(func.distinct(Certification.enterprise_id)))
            .join(Enterprise, Enterprise.id == Certification.enterprise_id).where(_active())
            .group_by(Certification.standard_key).order_by(func.count(func.distinct(Certification.enterprise_id)).desc())
            .limit(limit))
    return session.execute(stmt).all()


def growth():
    """Enterprises in the database at the end of each month (cumulative, from created_at)."""
    from sqlalchemy import extract

    year, month = extract("year", Enterprise.created_at), extract("month", Enterprise.created_at)
    rows = session.execute(select(year, month, func.count()).where(_active()).group_by(year, month)
                           .order_by(year, month)).all()
    out, total = [], 0
    for y, m, n in rows:
        total += n
        out.append((f"{int(y):04d}-{int(m):02d}", total))
    return out[-24:]


def by_founding_decade():
    decade = (Enterprise.founded_year / 10) * 10
    rows = session.execute(select(decade, func.count()).where(_active(), Enterprise.founded_year.is_not(None))
                           .group_by(decade).order_by(decade)).all()
    return [(int(d), n) for d, n in rows]


@bp.route("/statistics")
def statistics():
    from cnht.reference import sector_label

    lang = _("vi")
    charts = [
        ("sector", _("Doanh nghiệp theo ngành"),
         [(sector_label(c, lang), n) for c, n in by_sector()]),
        ("province", _("Doanh nghiệp theo tỉnh/thành phố"),
         [(name, n) for _c, name, n in by_province(limit=15)]),
        ("size", _("Theo quy mô (Nghị định 80/2021)"),
         [(label(SIZE_LABELS.get(k)) if k else _("Chưa rõ"), n) for k, n in by_size()]),
        ("certification", _("Theo chứng chỉ"), [(k, n) for k, n in by_certification()]),
        ("founded", _("Theo thập niên thành lập"), [(f"{d}s", n) for d, n in by_founding_decade()]),
    ]
    return render_template("stats/statistics.html", charts=charts, growth=growth(), total=services.count_active(session))


@bp.route("/sectors/<string:code>")
def sector_page(code: str):
    sector = session.get(Sector, code)
    if sector is None:
        abort(404)
    recent = session.scalars(services.active_query().join(
        enterprise_sector, (enterprise_sector.c.enterprise_id == Enterprise.id) & (enterprise_sector.c.sector_code == code))
        .order_by(Enterprise.verification_status.desc(), Enterprise.updated_at.desc()).limit(12)).all()
    return render_template("stats/sector.html", sector=sector, provinces=by_province(sector=code, limit=15),
                           sizes=by_size(sector=code), recent=recent)


@bp.route("/provinces/<string:code>")
def province_page(code: str):
    province = session.get(Province, code)
    if province is None:
        abort(404)
    recent = session.scalars(services.active_query().where(Enterprise.province_code == code)
                             .order_by(Enterprise.verification_status.desc(), Enterprise.updated_at.desc()).limit(12)).all()
    return render_template("stats/province.html", province=province, sectors=by_sector(province=code),
                           sizes=by_size(province=code), recent=recent)
