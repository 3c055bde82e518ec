"""The search backend interface and the shapes every backend returns."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vnsearch.documents import SearchDoc
from vnsearch.query import QueryPlan, Vocabulary
from vnsearch.ranking import Preferences

FACETS = ("sector", "province", "certification", "ownership", "size", "verified")
SORTS = ("relevance", "name", "verified")


@dataclass
class Filters:
    sector: str | None = None  # sector code
    province: str | None = None  # 2025 province code
    certification: str | None = None  # normalised key, "ISO 9001"
    ownership: str | None = None
    size: str | None = None
    verified: bool | None = None  # True: documents checked or staff-assessed


@dataclass
class Hit:
    id: int
    tax_code: str
    name: str
    name_en: str | None
    province_code: str
    province_name: str
    sectors: list[str]
    verification: str
    score: float
    highlights: dict[str, str] = field(default_factory=dict)


@dataclass
class SearchResult:
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    did_you_mean: str | None = None
    relaxed: bool = False
    dropped: list[str] = field(default_factory=list)
    understood: Any = None  # vnsearch.understand.Understanding, set by the caller that understood the query


@dataclass
class Suggestion:
    text: str
    kind: str  # enterprise | product | category | process
    tax_code: str | None = None


class SearchBackend(abc.ABC):
    name = "base"
    # True when writes made while ``reindex`` runs (from any process) reach the rebuilt index by
    # themselves: the embedded index makes them wait for its swap. A search cluster does not: they
    # would go to the index the swap then drops, so the application holds them back until it is done.
    reindex_keeps_writes = False

    @abc.abstractmethod
    def index(self, docs: Iterable[SearchDoc]) -> int:
        """Add or replace documents; returns how many were written."""

    @abc.abstractmethod
    def delete(self, ids: Iterable[int]) -> int:
        """Remove documents by enterprise id."""

    @abc.abstractmethod
    def reindex(self, docs: Iterable[SearchDoc]) -> int:
        """Rebuild from scratch without an empty window for readers."""

    @abc.abstractmethod
    def vocabulary(self) -> Vocabulary: ...

    @abc.abstractmethod
    def search(
        self,
        plan: QueryPlan,
        filters: Filters,
        page: int = 1,
        per_page: int = 20,
        sort: str = "relevance",
        prefs: Preferences | None = None,
    ) -> SearchResult:
        """``sort``: relevance (default), name (A–Z, diacritics ignored) or verified (verified first).
        ``prefs``: what query understanding found (province, certificate, application) — boosts."""
        ...

    def candidates(
        self,
        plan: QueryPlan,
        filters: Filters,
        limit: int = 100,
        relax: bool = True,
        prefs: Preferences | None = None,
    ) -> list[tuple[int, float]]:
        """(enterprise id, relevance score) of the best ``limit`` documents, without totals, facets
        or highlights: what the matching engine needs. ``relax=False``: nothing unless every word
        matches. Backends may do this more cheaply."""
        result = self.search(plan, filters, page=1, per_page=limit, prefs=prefs)
        if not relax and result.relaxed:
            return []
        return [(h.id, h.score) for h in result.hits]

    @abc.abstractmethod
    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]: ...

    @abc.abstractmethod
    def count(self) -> int: ...

    @abc.abstractmethod
    def clear(self) -> None:
        """Remove every document (tests, and before a restore)."""

    def health(self) -> dict[str, Any]:
        """``{"status": "ok" | "down", …}`` for /healthz: never raises."""
        try:
            return {"status": "ok", "documents": self.count()}
        except Exception as exc:
            return {"status": "down", "error": f"{exc.__class__.__name__}: {exc}"[:300]}

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
