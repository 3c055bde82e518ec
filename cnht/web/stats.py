"""Statistics page, sector and province pages; charts are drawn server-side as SVG."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from sqlalchemy import func, select

from cnht.db import session
from cnht.enterprises import services
from cnht.enterprises.models import Enterprise, enterprise_sector
from cnht.reference.models import Province, Sector
from cnht.web import SIZE_LABELS, label

bp = Blueprint("stats", __name__)


def _active():
    return Enterprise.deleted_at.is_(None)


def facet_counts(sector: str | None = None, province: str | None = None) -> dict[str, list[tuple[str, int]]]:
    """Counts per sector, province, size, certification… of the active enterprises (optionally within
    a sector or province), read from the search index's facet arrays: exact, kept in step with the
    database on every commit, and far cheaper than GROUP BY over the tables."""
    from cnht.searching import get_backend
    from search.backends.base import Filters
    from search.query import plan_query

    backend = get_backend()
    result = backend.search(plan_query("", backend.vocabulary()), Filters(sector=sector, province=province),
                            per_page=1)
    return result.facets


def by_sector(province: str | None = None):
    return facet_counts(province=province)["sector"]


def by_province(sector: str | None = None, limit: int = 34):
    names = dict(session.execute(select(Province.code, Province.name)).all())
    rows = [(code, names.get(code, code), n) for code, n in facet_counts(sector=sector)["province"]]
    return rows[:limit]


def by_size(sector: str | None = None, province: str | None = None):
    counts = dict(facet_counts(sector=sector, province=province)["size"])
    return [(k, counts[k]) for k in ("micro", "small", "medium", "large") if counts.get(k)]


def by_certification(limit: int = 10):
    return facet_counts()["certification"][:limit]


_CACHE: dict[str, tuple[float, object]] = {}
CACHE_SECONDS = 300


def _cached(key: str, compute):
    """Aggregates over the whole table (growth by month, founding decades) change slowly: keep them a
    few minutes rather than scan every enterprise on every view."""
    import time

    from flask import current_app

    hit = _CACHE.get(key)
    if hit is not None and time.monotonic() - hit[0] < current_app.config.get("STATS_CACHE_SECONDS", CACHE_SECONDS):
        return hit[1]
    value = compute()
    _CACHE[key] = (time.monotonic(), value)
    return value


def growth():
    return _cached(f"growth:{session.get_bind().engine.url}", _growth)


def _growth():
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
    return _cached(f"decades:{session.get_bind().engine.url}", _by_founding_decade)


def _by_founding_decade():
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
