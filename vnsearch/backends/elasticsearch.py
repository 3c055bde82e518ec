"""The Elasticsearch backend (scale-out engine).

Python does the Vietnamese analysis for query planning and re-scoring, as for the embedded backend,
so both rank alike; Elasticsearch holds the documents with its own explicit mapping so the index is
also usable on its own:

- ``vi_exact`` (lower case) and ``vi_fold`` (lower case + asciifolding: folds every Vietnamese letter
  including đ in one step) as separate sub-fields, so "exact first" is a field boost. The notes on
  shingles over ``preserve_original`` token stacks (a position increment of 0 the shingle filter does
  not handle) are why the exact/folded split is done with sub-fields there;
- ``vi_fold_shingle``: folded syllable bigrams ("co khi" as a unit);
- ``vi_suggest``: edge n-grams over ``asciifolding`` with ``preserve_original`` for autocomplete,
  so "khuôn" and "khuon" both complete, searched with a non-n-gram analyzer;
- reindexing builds a new time-stamped index and swaps the alias atomically (no downtime).

The pure builders (``index_body``, ``build_query``, ``bulk_actions``) are unit-tested as data; the
contract tests run against a live engine when ``CNHT_ES_URL`` is set.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from vnsearch.analysis import fold, fold_token, tokens
from vnsearch.backends.base import FACETS, Filters, Hit, SearchBackend, SearchResult, Suggestion
from vnsearch.documents import TEXT_FIELDS, SearchDoc
from vnsearch.highlight import highlight
from vnsearch.query import QueryPlan, Vocabulary
from vnsearch.ranking import Candidate, Preferences, rank
from vnsearch.retrieval import Clause, Retrieval, Term, retrieval
from vnsearch.weights import WEIGHTS

FIELD_WEIGHTS = WEIGHTS.fields

K_CANDIDATES = 200
VOCAB_SECONDS = 15  # how stale another process's new words may be (a terms aggregation over the index)
VERIFIED = ("documents_checked", "staff_assessed")
FACET_FIELDS = {
    "sector": "sectors",
    "province": "province_code",
    "certification": "certifications",
    "ownership": "ownership",
    "size": "size_class",
    "verified": "verified",
}


def index_body() -> dict:
    """Settings and mapping of the enterprise index."""
    analysis = {
        "filter": {
            "fold_keep": {"type": "asciifolding", "preserve_original": True},
            "syll_bigram": {
                "type": "shingle",
                "min_shingle_size": 2,
                "max_shingle_size": 2,
                "output_unigrams": False,
            },
            "edge_2_20": {"type": "edge_ngram", "min_gram": 2, "max_gram": 20},
        },
        "analyzer": {
            "vi_exact": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
            "vi_fold": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
            "vi_fold_shingle": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding", "syll_bigram"],
            },
            "vi_suggest": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "fold_keep", "edge_2_20"],
            },
            "vi_suggest_search": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "fold_keep"],
            },
        },
    }
    text_field = {
        "type": "text",
        "analyzer": "vi_exact",
        "fields": {
            "fold": {"type": "text", "analyzer": "vi_fold"},
            "shingle": {"type": "text", "analyzer": "vi_fold_shingle"},
        },
    }
    properties: dict = {f: dict(text_field) for f in TEXT_FIELDS}
    properties["name"] = {**text_field, "fields": {**text_field["fields"], "raw": {"type": "keyword"}}}
    properties.update(
        {
            "suggest": {"type": "text", "analyzer": "vi_suggest", "search_analyzer": "vi_suggest_search"},
            "suggest_items": {"type": "keyword", "index": False},
            "ent_id": {"type": "long"},
            "tax_code": {"type": "keyword"},
            "name_en": {"type": "text", "analyzer": "vi_fold"},
            "province_code": {"type": "keyword"},
            "province_name": {"type": "keyword", "index": False},
            "sectors": {"type": "keyword"},
            "ownership": {"type": "keyword"},
            "size_class": {"type": "keyword"},
            "verification": {"type": "keyword"},
            "verified": {"type": "boolean"},
            "certifications": {"type": "keyword"},
            "vocab": {"type": "keyword"},
            "sort_key": {"type": "keyword"},
            "name_sort": {"type": "keyword"},
            "prior": {"type": "float"},
            # the analysed text the shared re-scorer reads back (stored, not indexed)
            "rescore": {"type": "object", "enabled": False},
        }
    )
    return {
        "settings": {"number_of_shards": 1, "analysis": analysis},
        "mappings": {"dynamic": "strict", "properties": properties},
    }


def es_document(doc: SearchDoc) -> dict:
    analysed = doc.analysed()
    vocab_terms = sorted(
        {t for f in TEXT_FIELDS for t in analysed[f][1].split() if t != "|"} | set(doc.bigram_text().split())
    )
    suggest_items = [*doc.products, *doc.categories, doc.name]
    return {
        "ent_id": doc.id,
        "tax_code": doc.tax_code,
        **{f: doc.texts.get(f, "") for f in TEXT_FIELDS},
        "name_en": doc.name_en,
        "suggest": suggest_items,
        "suggest_items": suggest_items,
        "province_code": doc.province_code,
        "province_name": doc.province_name,
        "sectors": doc.sectors,
        "ownership": doc.ownership,
        "size_class": doc.size_class,
        "verification": doc.verification,
        "verified": doc.verification in VERIFIED,
        "certifications": doc.certifications,
        "vocab": vocab_terms,
        "sort_key": f"{2.0 - doc.prior():.3f} {fold(doc.name)} {doc.tax_code}",
        "name_sort": f"{fold(doc.name)} {doc.tax_code}",
        "prior": doc.prior(),
        "rescore": {
            "exact": {f: analysed[f][0] for f in TEXT_FIELDS},
            "folded": {f: analysed[f][1] for f in TEXT_FIELDS},
            "bigrams": doc.bigram_text(),
            "compounds": doc.compounds(),
            "products": doc.products,
            "description": doc.description,
        },
    }


def bulk_actions(docs: Iterable[SearchDoc], index: str) -> Iterable[dict]:
    for doc in docs:
        yield {"_op_type": "index", "_index": index, "_id": str(doc.id), "_source": es_document(doc)}


def filter_clauses(filters: Filters) -> list[dict]:
    out: list[dict] = []
    if filters.sector:
        out.append({"term": {"sectors": filters.sector}})
    if filters.province:
        out.append({"term": {"province_code": filters.province}})
    if filters.certification:
        out.append({"term": {"certifications": filters.certification}})
    if filters.ownership:
        out.append({"term": {"ownership": filters.ownership}})
    if filters.size:
        out.append({"term": {"size_class": filters.size}})
    if filters.verified is not None:
        out.append({"term": {"verified": filters.verified}})
    return out


def _fold_fields(boost: bool = True) -> list[str]:
    return [f"{f}.fold^{FIELD_WEIGHTS[f]:g}" if boost else f"{f}.fold" for f in TEXT_FIELDS]


def es_term(term: Term) -> dict:
    text = " ".join(term.phrase)
    if term.prefix:
        fields = [f"{f}^{FIELD_WEIGHTS[f]:g}" for f in TEXT_FIELDS] if term.exact else _fold_fields()
        return {"multi_match": {"query": text, "type": "phrase_prefix", "fields": fields}}
    fields = [f"{f}^{FIELD_WEIGHTS[f]:g}" for f in TEXT_FIELDS] if term.exact else _fold_fields()
    if len(term.phrase) > 1:
        return {"multi_match": {"query": text, "type": "phrase", "fields": fields}}
    return {"multi_match": {"query": text, "fields": fields}}


def _should(clauses: list[dict]) -> dict:
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}


def es_clause(clause: Clause) -> dict:
    """A clause as a bool query: all its words (each through any of its terms), or one of its phrases."""
    options = []
    if clause.words:
        words = [_should([es_term(t) for t in word]) for word in clause.words]
        need = clause.minimum_words or len(words)
        if len(words) == 1:
            options.append(words[0])
        elif need >= len(words):
            options.append({"bool": {"must": words}})
        else:
            options.append({"bool": {"should": words, "minimum_should_match": need}})
    options.extend(es_term(t) for t in clause.phrases)
    return _should(options)


def es_match(r: Retrieval) -> dict:
    """Documents matching at least ``r.minimum`` of the counted clauses (the others only add score)."""
    counted = r.counted()
    core: dict = {"bool": {"should": [es_clause(c) for c in counted], "minimum_should_match": r.minimum}}
    extra = [es_clause(c) for c in r.clauses if c not in counted]
    return {"bool": {"must": [core], "should": extra}} if extra else core


def match_clauses(plan: QueryPlan, *, skip: set[int] | None = None) -> list[dict]:
    """One clause per group: the group's words (each through any alternative) or a synonym phrase."""
    return [es_clause(c) for c in retrieval(plan, skip=skip).clauses]


def build_query(
    plan: QueryPlan,
    filters: Filters,
    *,
    size: int = K_CANDIDATES,
    relaxed: bool = False,
    minimum: int | None = None,
    facets: bool = True,
    sort: str = "relevance",
) -> dict:
    """The search request body: candidates (re-scored in Python afterwards), exact total, facets."""
    body: dict = {
        "size": size,
        "track_total_hits": True,
        "_source": [
            "ent_id",
            "tax_code",
            "name",
            "name_en",
            "province_code",
            "province_name",
            "sectors",
            "verification",
            "certifications",
            "rescore",
        ],
    }
    filt = filter_clauses(filters)
    if plan.empty:
        query: dict = {"bool": {"filter": filt}} if filt else {"match_all": {}}
        body["sort"] = [{"sort_key": "asc"}]
    else:
        r = retrieval(plan, minimum=1 if relaxed else minimum)
        live = [t for t in plan.tokens if not t.dropped]
        should: list[dict] = []
        exact_text = " ".join(t.exact for t in live)
        if exact_text:
            should.append(
                {
                    "multi_match": {
                        "query": exact_text,
                        "boost": 2,
                        "fields": [f"{f}^{FIELD_WEIGHTS[f]:g}" for f in TEXT_FIELDS],
                    }
                }
            )
            should.append(
                {
                    "multi_match": {
                        "query": " ".join(t.key for t in live),
                        "type": "phrase",
                        "fields": [f"{f}.shingle" for f in ("name", "products", "processes")],
                    }
                }
            )
            should.append(
                {"match_phrase": {"name.fold": {"query": " ".join(t.key for t in live), "boost": 50}}}
            )
        bool_q: dict = {"should": should, "filter": filt}
        if r.clauses:
            bool_q["must"] = [es_match(r)]
        query = {"bool": bool_q}
        body["sort"] = ["_score", {"sort_key": "asc"}]
    if sort == "name":
        body["sort"] = [{"name_sort": "asc"}]
    elif sort == "verified":
        body["sort"] = [{"sort_key": "asc"}]
    body["query"] = query
    if facets:
        body["aggs"] = {facet: {"terms": {"field": FACET_FIELDS[facet], "size": 100}} for facet in FACETS}
    return body


SUGGEST_MIN_GRAM = 2  # the edge n-grams of vi_suggest start at two letters


def suggest_query(prefix: str, limit: int) -> dict:
    """A word still shorter than the n-grams ("khuon e") cannot match in the engine: it is left to the
    phrase check in Python, and more candidates are fetched for it."""
    words = tokens(prefix)
    kept = [w for w in words if len(fold_token(w)) >= SUGGEST_MIN_GRAM]
    short = len(kept) < len(words)
    query = (
        {"match": {"suggest": {"query": " ".join(kept), "operator": "and"}}} if kept else {"match_all": {}}
    )
    return {
        "size": limit * (10 if short else 3),
        "_source": ["suggest_items", "tax_code", "name"],
        "query": query,
    }


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, url: str, alias: str = "cnht-enterprises", client=None):
        if client is None:
            from elasticsearch import Elasticsearch  # noqa: PLC0415 - the client is needed only with this backend

            client = Elasticsearch(url, request_timeout=30)
        self.es = client
        self.alias = alias
        self._vocab: Vocabulary | None = None
        self._vocab_at = 0.0

    def _bulk(self, actions, **kw):
        from elasticsearch import helpers  # noqa: PLC0415 - the client is needed only with this backend

        return helpers.bulk(self.es, actions, **kw)

    def _cluster_health(self) -> dict:
        return dict(self.es.options(request_timeout=2).cluster.health())

    def health(self) -> dict:
        """The cluster's own health (green, yellow: a replica missing, red: a primary missing)."""
        try:
            h = self._cluster_health()
            return {
                "status": "ok" if h["status"] in ("green", "yellow") else "down",
                "cluster": h["status"],
                "nodes": h.get("number_of_nodes"),
            }
        except Exception as exc:
            return {"status": "down", "error": f"{exc.__class__.__name__}: {exc}"[:300]}

    def _ensure(self) -> None:
        if not self.es.indices.exists_alias(name=self.alias):
            index = f"{self.alias}-{int(time.time() * 1000)}"
            self.es.indices.create(index=index, **index_body())
            self.es.indices.put_alias(index=index, name=self.alias, is_write_index=True)

    def index(self, docs: Iterable[SearchDoc]) -> int:
        self._ensure()
        docs = list(docs)
        ok, _ = self._bulk(bulk_actions(docs, self.alias), refresh="wait_for")
        if self._vocab is not None and docs:
            # the words just written are searchable at once through this process (the cached
            # statistics would drop a word they do not hold); others see them at their next refresh
            df: dict[str, int] = {}
            bigrams: set[str] = set()
            for doc in docs:
                for term in es_document(doc)["vocab"]:
                    if "_" in term:
                        bigrams.add(term)
                    elif term not in self._vocab.df:
                        df[term] = df.get(term, 0) + 1
            self._vocab = self._vocab.patched(df, 0, {}, bigrams)
        return ok

    def delete(self, ids: Iterable[int]) -> int:
        actions = [{"_op_type": "delete", "_index": self.alias, "_id": str(i)} for i in ids]
        if not actions:
            return 0
        self._ensure()
        ok, _ = self._bulk(actions, refresh="wait_for", raise_on_error=False)
        return ok

    def reindex(self, docs: Iterable[SearchDoc]) -> int:
        """Build a new index beside the live one, then move the alias in one atomic step."""
        new = f"{self.alias}-{int(time.time() * 1000)}"
        body = index_body()
        body["settings"].update({"number_of_replicas": 0, "refresh_interval": "-1"})
        self.es.indices.create(index=new, **body)
        ok, _ = self._bulk(bulk_actions(docs, new), chunk_size=1000)
        self.es.indices.put_settings(index=new, settings={"refresh_interval": "1s", "number_of_replicas": 1})
        self.es.indices.refresh(index=new)
        old = (
            list(self.es.indices.get_alias(name=self.alias).keys())
            if self.es.indices.exists_alias(name=self.alias)
            else []
        )
        actions = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": new, "alias": self.alias, "is_write_index": True}})
        self.es.indices.update_aliases(actions=actions)
        for i in old:
            self.es.indices.delete(index=i)
        self._vocab = None
        return ok

    def clear(self) -> None:
        """An empty index swapped in (delete-by-query needs the engine's reindex module, which a minimal
        cluster does not load)."""
        if self.es.indices.exists_alias(name=self.alias):
            self.reindex([])
        self._vocab = None

    def count(self) -> int:
        if not self.es.indices.exists_alias(name=self.alias):
            return 0
        return self.es.count(index=self.alias)["count"]

    def vocabulary(self) -> Vocabulary:
        """Term statistics from a terms aggregation over the folded vocabulary field, cached for
        VOCAB_SECONDS (and patched with this process's own writes)."""
        if self._vocab is not None and time.time() - self._vocab_at < VOCAB_SECONDS:
            return self._vocab
        self._ensure()
        resp = self.es.search(
            index=self.alias, size=0, aggs={"v": {"terms": {"field": "vocab", "size": 65000}}}
        )
        df, bigrams = {}, set()
        for b in resp["aggregations"]["v"]["buckets"]:
            if "_" in b["key"]:
                bigrams.add(b["key"])
            else:
                df[b["key"]] = b["doc_count"]
        self._vocab = Vocabulary(resp["hits"]["total"]["value"], df, {}, bigrams)
        self._vocab_at = time.time()
        return self._vocab

    def search(
        self,
        plan: QueryPlan,
        filters: Filters,
        page: int = 1,
        per_page: int = 20,
        sort: str = "relevance",
        prefs: Preferences | None = None,
    ) -> SearchResult:
        vocab = self.vocabulary()
        if plan.unmatched:
            return SearchResult(
                total=0, page=page, per_page=per_page, hits=[], facets={f: [] for f in FACETS}
            )
        size = max(K_CANDIDATES, page * per_page)
        relaxed = False
        resp = self.es.search(index=self.alias, **build_query(plan, filters, size=size, sort=sort))
        if not plan.empty and resp["hits"]["total"]["value"]:
            strict = build_query(plan, filters, size=0, minimum=len(plan.groups), facets=False)
            relaxed = self.es.count(index=self.alias, query=strict["query"])["count"] == 0
        if resp["hits"]["total"]["value"] == 0 and not plan.empty and len(plan.groups) > 1:
            relaxed = True
            resp = self.es.search(
                index=self.alias, **build_query(plan, filters, size=size, relaxed=True, sort=sort)
            )
        hits = resp["hits"]["hits"]
        src = {int(h["_id"]): h["_source"] for h in hits}
        order = [int(h["_id"]) for h in hits]
        scores: dict[int, float] = {}
        if not plan.empty and sort == "relevance":
            cands = [
                Candidate(
                    id=i,
                    name=s["name"],
                    tax_code=s["tax_code"],
                    verification=s["verification"],
                    exact=s["rescore"]["exact"],
                    folded=s["rescore"]["folded"],
                    bigrams=s["rescore"]["bigrams"],
                    compounds=s["rescore"].get("compounds", ""),
                    province_code=s.get("province_code") or "",
                    certifications=tuple(s.get("certifications") or ()),
                )
                for i, s in src.items()
            ]
            ranked = rank(plan, cands, vocab, prefs)
            scores = {r.id: r.score for r in ranked}
            head = [r.id for r in ranked]
            order = head + [i for i in order if i not in scores]
        start = (page - 1) * per_page
        words, prefixes = plan.highlight_terms() if not plan.empty else (frozenset(), ())
        page_hits = []
        for i in order[start : start + per_page]:
            s = src[i]
            hl = {}
            if words or prefixes:
                hl = {
                    "name": highlight(s["name"], words, prefixes),
                    "products": highlight("; ".join(s["rescore"]["products"]), words, prefixes),
                    "description": highlight(s["rescore"]["description"] or "", words, prefixes, max_len=220),
                }
            page_hits.append(
                Hit(
                    id=s["ent_id"],
                    tax_code=s["tax_code"],
                    name=s["name"],
                    name_en=s.get("name_en"),
                    province_code=s["province_code"],
                    province_name=s["province_name"],
                    sectors=s["sectors"],
                    verification=s["verification"],
                    score=scores.get(i, 0.0),
                    highlights=hl,
                )
            )
        facets = {}
        for facet in FACETS:
            buckets = resp.get("aggregations", {}).get(facet, {}).get("buckets", [])
            facets[facet] = sorted(
                ((_facet_key(facet, b), b["doc_count"]) for b in buckets), key=lambda p: (-p[1], p[0])
            )
        return SearchResult(
            total=resp["hits"]["total"]["value"],
            page=page,
            per_page=per_page,
            hits=page_hits,
            facets=facets,
            did_you_mean=plan.did_you_mean(vocab),
            relaxed=relaxed,
            dropped=[t.text for t in plan.tokens if t.dropped],
        )

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        if not prefix.strip():
            return []
        resp = self.es.search(index=self.alias, **suggest_query(prefix, limit))
        want = [fold_token(t) for t in tokens(prefix)]
        out, seen = [], set()
        for h in resp["hits"]["hits"]:
            s = h["_source"]
            for text in s["suggest_items"]:
                folded = [fold_token(t) for t in tokens(text)]
                if not _prefix_phrase(folded, want):
                    continue
                kind = "enterprise" if text == s["name"] else "product"
                key = s["tax_code"] if kind == "enterprise" else " ".join(folded)
                if key in seen:
                    continue
                seen.add(key)
                out.append(
                    Suggestion(text=text, kind=kind, tax_code=s["tax_code"] if kind == "enterprise" else None)
                )
        out.sort(key=lambda x: (x.kind == "enterprise", len(x.text)))
        return out[:limit]


def _prefix_phrase(folded: list[str], want: list[str]) -> bool:
    n = len(want)
    for i in range(len(folded) - n + 1):
        if folded[i : i + n - 1] == want[:-1] and folded[i + n - 1].startswith(want[-1]):
            return True
    return False


def _facet_key(facet: str, bucket: dict) -> str:
    if facet == "verified":
        return "true" if bucket.get("key_as_string", str(bucket["key"])).lower() in ("true", "1") else "false"
    return str(bucket["key"])


class _OpenSearchIndices:
    """``client.indices`` with the Elasticsearch 8 keyword style the backend is written in."""

    def __init__(self, raw):
        self.raw = raw

    def exists_alias(self, name: str) -> bool:
        return bool(self.raw.exists_alias(name=name))

    def create(self, index: str, settings: dict | None = None, mappings: dict | None = None):
        return self.raw.create(index=index, body={"settings": settings or {}, "mappings": mappings or {}})

    def put_alias(self, index: str, name: str, is_write_index: bool | None = None):
        body = {"is_write_index": is_write_index} if is_write_index is not None else None
        return self.raw.put_alias(index=index, name=name, body=body)

    def put_settings(self, index: str, settings: dict):
        return self.raw.put_settings(index=index, body=settings)

    def refresh(self, index: str):
        return self.raw.refresh(index=index)

    def get_alias(self, name: str):
        return self.raw.get_alias(name=name)

    def update_aliases(self, actions: list):
        return self.raw.update_aliases(body={"actions": actions})

    def delete(self, index: str):
        return self.raw.delete(index=index)


class _OpenSearchClient:
    """The calls the backend makes, translated to opensearch-py (request bodies as ``body=``): the query
    builders above stay the same for both engines."""

    def __init__(self, raw):
        self.raw = raw
        self.indices = _OpenSearchIndices(raw.indices)

    def search(self, index: str, **body):
        return self.raw.search(index=index, body=body)

    def count(self, index: str, query: dict | None = None):
        return self.raw.count(index=index, body={"query": query} if query is not None else None)

    def delete_by_query(self, index: str, query: dict, refresh: bool = False):
        return self.raw.delete_by_query(index=index, body={"query": query}, refresh=refresh)

    def close(self) -> None:
        self.raw.close()


class OpenSearchBackend(ElasticsearchBackend):
    """The same index design and queries on OpenSearch (2.x), through opensearch-py — the Elasticsearch 8
    client refuses servers that are not Elasticsearch."""

    name = "opensearch"

    def __init__(self, url: str, alias: str = "cnht-enterprises", client=None):
        if client is None:
            from opensearchpy import OpenSearch  # noqa: PLC0415 - the client is needed only with this backend

            client = OpenSearch(url, timeout=30)
        super().__init__(url, alias, client=_OpenSearchClient(client))

    def _bulk(self, actions, **kw):
        from opensearchpy import helpers  # noqa: PLC0415 - the client is needed only with this backend

        return helpers.bulk(self.es.raw, actions, **kw)

    def _cluster_health(self) -> dict:
        return dict(self.es.raw.cluster.health(request_timeout=2))
