"""Counts behind the statistics, sector and province pages and the home page: facet counts from the
search index, whole-table aggregates from SQL (cached a few minutes)."""

from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import extract, func, select

from cnht.assessment.models import Assessment
from cnht.db import local_today, session
from cnht.enterprises.models import Enterprise, enterprise_sector
from cnht.events.services import programme_figures
from cnht.matching.models import SUCCESS_STAGE, Connection, SourcingRequirement
from cnht.matching.services import reveals_a_firm
from cnht.reference.models import Province
from cnht.search.backend import get_backend
from vnsearch.backends.base import Filters
from vnsearch.query import plan_query


def _active():
    return Enterprise.deleted_at.is_(None)


def facet_counts(sector: str | None = None, province: str | None = None) -> dict[str, list[tuple[str, int]]]:
    """Counts per sector, province, size, certification… of the active enterprises (optionally within
    a sector or province), read from the search index's facet arrays: exact, kept in step with the
    database on every commit, and far cheaper than GROUP BY over the tables."""
    backend = get_backend()
    result = backend.search(
        plan_query("", backend.vocabulary()), Filters(sector=sector, province=province), per_page=1
    )
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


def by_certification(limit: int = 10, sector: str | None = None, province: str | None = None):
    return facet_counts(sector=sector, province=province)["certification"][:limit]


def _in_scope(stmt, sector: str | None, province: str | None, ent_id=Enterprise.id):
    """Restrict a statement over enterprises (joined on ``ent_id``) to a sector and a province."""
    if sector:
        stmt = stmt.where(
            ent_id.in_(
                select(enterprise_sector.c.enterprise_id).where(enterprise_sector.c.sector_code == sector)
            )
        )
    if province:
        stmt = stmt.where(Enterprise.province_code == province)
    return stmt


def kpis(
    sector: str | None = None, province: str | None = None, year: int | None = None, *, public: bool = True
):
    """The programme's headline figures within a sector, a province and a year (connections,
    contracts, assessments and events of that year; enterprises as they are now). ``public``: a
    contract value that would reveal one firm's is withheld (None)."""
    backend = get_backend()
    result = backend.search(
        plan_query("", backend.vocabulary()), Filters(sector=sector, province=province), per_page=1
    )
    today = local_today()

    rows = session.execute(
        _in_scope(
            select(
                Connection.enterprise_id,
                Connection.stage,
                Connection.contract_confirmed_at,
                Connection.contract_value_mvnd,
                Connection.created_at,
                func.coalesce(Connection.contract_signed_on, Connection.updated_at),
            ).join(Enterprise, Enterprise.id == Connection.enterprise_id),
            sector,
            province,
        )
    ).all()
    connections, contracts = 0, 0
    firms: dict[int, float] = {}
    for eid, stage, confirmed, value, created, signed in rows:
        if year is None or created.year == year:
            connections += 1  # put in touch that year
        if stage == SUCCESS_STAGE and confirmed is not None and (year is None or signed.year == year):
            contracts += 1  # signed that year, and confirmed by the other side
            firms[eid] = firms.get(eid, 0.0) + float(value or 0)
    value = sum(firms.values())
    withheld = public and bool(firms) and reveals_a_firm(firms)

    grades = select(Assessment.grade, func.count(Assessment.id)).join(
        Enterprise, Enterprise.id == Assessment.enterprise_id
    )
    grades = _in_scope(grades, sector, province).where(
        Assessment.revoked_at.is_(None), Assessment.valid_until >= today, Enterprise.deleted_at.is_(None)
    )
    if year:
        grades = grades.where(extract("year", Assessment.assessed_on) == year)
    by_grade = dict(session.execute(grades.group_by(Assessment.grade)).all())

    reqs = select(func.count(SourcingRequirement.id)).where(SourcingRequirement.status == "open")
    if sector:
        reqs = reqs.where(SourcingRequirement.sector_code == sector)
    ev = programme_figures(session, year) if not (sector or province) else None
    return {
        "enterprises": result.total,
        "verified": dict(result.facets.get("verified", [])).get("true", 0),  # documents checked or assessed
        "assessed": sum(by_grade.values()),
        "grades": [(g, by_grade.get(g, 0)) for g in ("A", "B", "C")],
        "open_requirements": session.scalar(reqs) or 0,
        "connections": connections,
        "contracts": contracts,
        "contract_value_mvnd": None if withheld else value,
        "events": ev["events"] if ev else None,
        "meetings_held": ev["meetings_held"] if ev else None,
    }


_CACHE: dict[str, tuple[float, object]] = {}
CACHE_SECONDS = 300


def _cached(key: str, compute):
    """Aggregates over the whole table (growth by month, founding decades) change slowly: keep them a
    few minutes rather than scan every enterprise on every view."""
    hit = _CACHE.get(key)
    if hit is not None and time.monotonic() - hit[0] < current_app.config.get(
        "STATS_CACHE_SECONDS", CACHE_SECONDS
    ):
        return hit[1]
    value = compute()
    _CACHE[key] = (time.monotonic(), value)
    return value


def growth():
    return _cached(f"growth:{session.get_bind().engine.url}", _growth)


def _growth():
    """Enterprises in the database at the end of each month (cumulative, from created_at)."""
    year, month = extract("year", Enterprise.created_at), extract("month", Enterprise.created_at)
    rows = session.execute(
        select(year, month, func.count()).where(_active()).group_by(year, month).order_by(year, month)
    ).all()
    out, total = [], 0
    for y, m, n in rows:
        total += n
        out.append((f"{int(y):04d}-{int(m):02d}", total))
    return out[-24:]


def by_founding_decade(sector: str | None = None, province: str | None = None):
    return _cached(
        f"decades:{session.get_bind().engine.url}:{sector}:{province}",
        lambda: _by_founding_decade(sector, province),
    )


def _by_founding_decade(sector: str | None, province: str | None):
    decade = (Enterprise.founded_year // 10) * 10  # floor division: SQLAlchemy 2 makes "/" true division
    stmt = select(decade, func.count()).where(_active(), Enterprise.founded_year.is_not(None))
    rows = session.execute(_in_scope(stmt, sector, province).group_by(decade).order_by(decade)).all()
    return [(int(d), n) for d, n in rows]
