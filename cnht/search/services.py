"""Searching the portal's enterprises: the one entry point used by the API, the pages, the CLI and
exports (with the tax-code shortcut), and rebuilding the index."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask

from cnht import labels
from cnht.db import session
from cnht.enterprises.rules import TaxCodeError, normalize_tax_code
from cnht.enterprises.services import get_by_tax_code
from cnht.reference import province_name, sector_label
from cnht.search.backend import get_backend
from cnht.search.indexing import rebuild, refresh_expired
from vnsearch.analysis import fold_key
from vnsearch.backends.base import Filters, Hit, SearchBackend, SearchResult
from vnsearch.query import QueryPlan, Vocabulary, plan_query
from vnsearch.ranking import Preferences
from vnsearch.understand import Understanding, understand

_TAX_CODE_LIKE = re.compile(r"^\s*\d[\d\s.]{8,}\d(\s*-\s*\d{3})?\s*$")


@dataclass
class SearchRequest:
    q: str = ""
    filters: Filters | None = None
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"
    literal: bool = False  # no query understanding: the words as typed


@dataclass
class Planned:
    """A query after understanding: the plan to search, the preferences to rank by, and what was
    understood (shown to the user, who can undo it)."""

    plan: QueryPlan
    prefs: Preferences
    understood: Understanding | None


def plan_search(q: str, vocab: Vocabulary, *, literal: bool = False, allow_prefix: bool = True) -> Planned:
    """The one query-understanding step shared by search and matching."""
    q = q or ""
    if literal:
        return Planned(
            plan_query(q, vocab, allow_prefix=allow_prefix), Preferences(raw_fold=fold_key(q)), None
        )
    u = understand(q)
    plan = plan_query(u.text, vocab, allow_prefix=allow_prefix)
    context = plan_query(u.context, vocab, allow_prefix=False) if u.context else None
    prefs = Preferences(
        provinces=u.province_codes,
        certifications=tuple(u.certifications),
        context=context,
        raw_fold=fold_key(q),
    )
    return Planned(plan, prefs, u if u.changed else None)


def run_search(req: SearchRequest, backend: SearchBackend | None = None) -> SearchResult:
    backend = backend or get_backend()
    refresh_expired(session, backend)  # once a day: certificates that lapsed stop being found
    filters = req.filters or Filters()
    exact = _tax_code_hit(req.q, backend, filters)
    if exact is not None:
        return exact
    planned = plan_search(req.q, backend.vocabulary(), literal=req.literal)
    result = backend.search(
        planned.plan, filters, page=req.page, per_page=req.per_page, sort=req.sort, prefs=planned.prefs
    )
    result.understood = planned.understood
    return result


def result_ids(q: str, *, max_pages: int | None = None, backend: SearchBackend | None = None) -> list[int]:
    """Every enterprise id a query finds, in result order (exports of a search result)."""
    first = run_search(SearchRequest(q=q, per_page=100), backend)
    ids, page = [h.id for h in first.hits], 2
    while len(ids) < first.total and (max_pages is None or page <= max_pages):
        more = run_search(SearchRequest(q=q, page=page, per_page=100), backend).hits
        if not more:
            break
        ids += [h.id for h in more]
        page += 1
    return ids


def _tax_code_hit(q: str, backend: SearchBackend, filters: Filters) -> SearchResult | None:
    """A query that is a tax code goes straight to that enterprise."""
    if not q or not _TAX_CODE_LIKE.match(q):
        return None
    try:
        tax_code = normalize_tax_code(q)
    except TaxCodeError:
        return None
    ent = get_by_tax_code(session, tax_code)
    if ent is None:
        return SearchResult(total=0, page=1, per_page=1, hits=[], facets={}, did_you_mean=None)
    hit = Hit(
        id=ent.id,
        tax_code=ent.tax_code,
        name=ent.name,
        name_en=ent.name_en,
        province_code=ent.province_code,
        province_name=ent.province.name,
        sectors=[s.code for s in ent.sectors],
        verification=ent.verification_status,
        score=1000.0,
        highlights={},
    )
    return SearchResult(total=1, page=1, per_page=1, hits=[hit], facets={}, did_you_mean=None)


def reindex(app: Flask) -> int:
    """Rebuild the index from the database (``indexing.rebuild``: no change made meanwhile is lost)."""
    return rebuild(app.extensions["cnht_db"].sessionmaker, app.extensions["cnht_search"])


def facet_label(facet: str, value: str, lang: str = "vi") -> str:
    """A facet value as people read it (sector and province names, size and ownership labels…)."""
    if facet == "sector":
        return sector_label(value, lang)
    if facet == "province":
        return province_name(value) or value
    if facet == "size":
        return labels.of(labels.SIZE, value, lang)
    if facet == "ownership":
        return labels.of(labels.OWNERSHIP, value, lang)
    if facet == "certification":
        return labels.CERT_DISPLAY.get(value, value)
    if facet == "verified":
        return labels.of(labels.VERIFIED_FACET, value, lang)
    return value


def result_json(result: SearchResult, lang: str = "vi") -> dict:
    """The search response as the API returns it; facet labels in ``lang``."""
    return {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "items": [
            {
                "ref": h.tax_code,
                "tax_code": None if h.tax_code.startswith("id-") else h.tax_code,
                "name": h.name,
                "name_en": h.name_en,
                "province": {"code": h.province_code, "name": h.province_name},
                "sectors": h.sectors,
                "verification": h.verification,
                "score": round(h.score, 4),
                "highlights": h.highlights,
            }
            for h in result.hits
        ],
        "facets": {
            facet: [{"value": v, "label": facet_label(facet, v, lang), "count": n} for v, n in pairs]
            for facet, pairs in result.facets.items()
        },
        "did_you_mean": result.did_you_mean,
        "relaxed": result.relaxed,
        "ignored_words": result.dropped,
        "understood": result.understood.to_dict() if result.understood is not None else None,
    }
