"""Search inside the portal: backend selection, the query entry point used by the API and the
pages, and index maintenance."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from cnht.enterprises.rules import TaxCodeError, normalize_tax_code
from search.backends.base import Filters, Hit, SearchBackend, SearchResult
from search.query import plan_query

_TAX_CODE_LIKE = re.compile(r"^\s*\d[\d\s.]{8,}\d(\s*-\s*\d{3})?\s*$")


def init_search(app: Flask) -> SearchBackend:
    from search.indexing import install_sync

    if app.config["SEARCH_BACKEND"] == "elasticsearch":
        from search.backends.elasticsearch import ElasticsearchBackend

        backend: SearchBackend = ElasticsearchBackend(app.config["ES_URL"], app.config["ES_INDEX"])
    else:
        from search.backends.embedded import EmbeddedBackend

        backend = EmbeddedBackend(Path(app.config["INSTANCE_PATH"]) / "search.sqlite3")
    app.extensions["cnht_search"] = backend
    install_sync(app.extensions["cnht_db"].sessionmaker, lambda: app.extensions["cnht_search"])
    return backend


def get_backend() -> SearchBackend:
    return current_app.extensions["cnht_search"]


@dataclass
class SearchRequest:
    q: str = ""
    filters: Filters | None = None
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"


def run_search(req: SearchRequest, backend: SearchBackend | None = None) -> SearchResult:
    backend = backend or get_backend()
    filters = req.filters or Filters()
    exact = _tax_code_hit(req.q, backend, filters)
    if exact is not None:
        return exact
    plan = plan_query(req.q or "", backend.vocabulary())
    return backend.search(plan, filters, page=req.page, per_page=req.per_page, sort=req.sort)


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
    from cnht.db import session
    from cnht.enterprises.services import get_by_tax_code

    ent = get_by_tax_code(session, tax_code)
    if ent is None:
        return SearchResult(total=0, page=1, per_page=1, hits=[], facets={}, did_you_mean=None)
    hit = Hit(id=ent.id, tax_code=ent.tax_code, name=ent.name, name_en=ent.name_en, province_code=ent.province_code,
              province_name=ent.province.name, sectors=[s.code for s in ent.sectors],
              verification=ent.verification_status, score=1000.0, highlights={})
    return SearchResult(total=1, page=1, per_page=1, hits=[hit], facets={}, did_you_mean=None)


def reindex(app: Flask) -> int:
    from search.indexing import iter_all_docs

    backend = app.extensions["cnht_search"]
    with app.extensions["cnht_db"].sessionmaker() as session:
        return backend.reindex(iter_all_docs(session))
