"""Counts behind the statistics, sector and province pages and the home page: facet counts from the
search index, whole-table aggregates from SQL (cached a few minutes)."""

from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import extract, func, select

from cnht.db import session
from cnht.enterprises.models import Enterprise
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


def by_certification(limit: int = 10):
    return facet_counts()["certification"][:limit]


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


def by_founding_decade():
    return _cached(f"decades:{session.get_bind().engine.url}", _by_founding_decade)


def _by_founding_decade():
    decade = (Enterprise.founded_year // 10) * 10  # floor division: SQLAlchemy 2 makes "/" true division
    rows = session.execute(
        select(decade, func.count())
        .where(_active(), Enterprise.founded_year.is_not(None))
        .group_by(decade)
        .order_by(decade)
    ).all()
    return [(int(d), n) for d, n in rows]
