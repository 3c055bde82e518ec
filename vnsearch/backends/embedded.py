"""The embedded backend: a SQLite FTS5 index in the instance folder.

It is used whatever the database is (SQLite or PostgreSQL), so search behaves the same on both;
Elasticsearch is the scale-out option. Design points (see the search notes):

- Python does all analysis; FTS5 only stores tokens (``unicode61 remove_diacritics 0``: its own
  folding misses đ and two-mark letters). Each text field has an exact column and a folded one;
  ``big`` holds folded syllable bigrams; ``filt`` holds facet tokens so filters are index lookups.
- The result set is every document matching enough of the plan's clauses (``vnsearch.retrieval``).
  Each clause's rowids are fetched once; numpy counts the result set and picks the candidates (the
  rarest clauses held, in the strong fields first; see ``vnsearch.weights``), plus accented and
  phrase tiers; they are re-scored in Python by ``vnsearch.ranking.score``; the rest of the result
  set follows in browse order (verified first, then by name).
- Exact totals and facet counts come from the full list of matching rowids, counted with numpy
  over per-document facet arrays held in memory.
- Every write bumps the index version and logs the rowids it changed and its vocabulary deltas
  (``changes``); a process reading the index patches its facet arrays, vocabulary and cached clause
  rowids from that log (one edit costs milliseconds, not a reread of every document), and rereads
  everything after a reindex or when it is more than ``CHANGE_LOG`` versions behind.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from vnsearch.analysis import fold, fold_token, tokens
from vnsearch.backends.base import FACETS, Filters, Hit, SearchBackend, SearchResult, Suggestion
from vnsearch.documents import TEXT_FIELDS, SearchDoc
from vnsearch.highlight import highlight
from vnsearch.query import QueryPlan, Vocabulary
from vnsearch.ranking import Candidate, Preferences, Scored, ordered, score, score_key
from vnsearch.retrieval import Clause, Retrieval, Term, retrieval
from vnsearch.weights import WEIGHTS

EXACT_COLS = [f"{f}_x" for f in TEXT_FIELDS]
FOLD_COLS = [f"{f}_f" for f in TEXT_FIELDS]
TOKENIZE = "unicode61 remove_diacritics 0 tokenchars '_'"
SCHEMA_VERSION = "4"  # bump when the index layout changes: the index is then rebuilt empty (cnht reindex)
SIZE_ORDER = ("micro", "small", "medium", "large")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta{sfx}(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS docs{sfx}(
    rowid INTEGER PRIMARY KEY,
    ent_id INTEGER NOT NULL UNIQUE,
    tax_code TEXT NOT NULL, name TEXT NOT NULL, name_en TEXT,
    province_code TEXT, province_name TEXT, sectors TEXT, ownership TEXT, size_class TEXT,
    verification TEXT, certs TEXT, products TEXT, description TEXT, sort_key TEXT);
CREATE VIRTUAL TABLE IF NOT EXISTS fts{sfx} USING fts5({cols}, big, filt, comp UNINDEXED,
    tokenize = "{tokenize}", prefix = '2 3');
CREATE TABLE IF NOT EXISTS sugg_src{sfx}(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, text TEXT NOT NULL,
    text_f TEXT NOT NULL, tax_code TEXT NOT NULL DEFAULT '', UNIQUE(kind, text, tax_code));
CREATE VIRTUAL TABLE IF NOT EXISTS sugg{sfx} USING fts5(text_f, content='sugg_src{sfx}', content_rowid='id',
    tokenize = "{tokenize}", prefix = '1 2 3');
"""
# What each index version changed, so that every process patches its facet arrays, vocabulary and
# cached clause rowids instead of rereading the whole index after each edit. rowids NULL: everything
# (a reindex or a clear). vocab: the document-frequency deltas, new accented forms and bigrams.
_CHANGES = """
CREATE TABLE IF NOT EXISTS changes(version INTEGER PRIMARY KEY, rowids TEXT, vocab TEXT);
"""
# the documents changed since a cached clause was read, alone: what the clause matches among them
_DELTA = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.delta USING fts5({', '.join(EXACT_COLS + FOLD_COLS)}, big, filt,"
    f' comp UNINDEXED, tokenize = "{TOKENIZE}")'
)
_FTS_COLS = ", ".join([*EXACT_COLS, *FOLD_COLS, "big", "filt", "comp"])
# the same documents as they were at a kept page's version (from the change log): with ``delta`` it
# tells whether an edit changed what a page was made of (``_untouched``)
_DELTA_OLD = _DELTA.replace("temp.delta ", "temp.delta_old ")
# what a page's facet counts and browse order read of a document
_FACET_COLS = "province_code, ownership, size_class, verification, sectors, certs, sort_key"
# an edit of at most this many documents logs their previous state (a bulk import does not)
BEFORE_MAX = 64
# a firm's own suggestion (its name), dropped and written again at each edit of the firm: without it an
# edit read every firm's (30 ms at 100,000 firms)
_SUGG_BY_FIRM = "CREATE INDEX IF NOT EXISTS sugg_src_firm ON sugg_src(tax_code) WHERE kind = 'enterprise'"
CHANGE_LOG = 2000  # versions kept; a reader further behind reloads everything
PATCH_MAX = 2000  # changed documents beyond which a reload is cheaper than patching
_WORD = re.compile(r"\w+")
# one phrase or prefix under column filters, as fts_term writes it (and the strong fields', and filters)
_ONE_PHRASE = re.compile(
    r'(?:(?:\{[^{}"]*\}|\w+): \()?(?:\{[^{}"]*\}: )?"(?P<phrase>(?:[^"]|"")*)"(?P<star>\*?)\)?'
)
SUGGEST_KIND_ORDER = {"product": 0, "category": 1, "process": 2, "enterprise": 3}


def filter_token(kind: str, value: str) -> str:
    return f"{kind}_{re.sub(r'[^0-9a-z]+', '_', fold_token(value.lower())).strip('_')}"


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


_FOLD_FILTER = "{" + " ".join(FOLD_COLS) + "}: "
_STRONG_FILTER = (
    "{" + " ".join(f"{f}_{x}" for f in ("name", "alias", "products", "processes") for x in "fx") + "}: "
)
_EXACT_FILTER = "{" + " ".join(EXACT_COLS) + "}: "


def fts_term(term: Term) -> str:
    expr = _quote(" ".join(term.phrase)) + ("*" if term.prefix else "")
    return (_EXACT_FILTER if term.exact else _FOLD_FILTER) + expr


def _or(parts: list[str]) -> str:
    parts = list(dict.fromkeys(parts))
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def fts_clause(clause: Clause) -> str:
    """A clause as FTS5 text: all its words (each through any of its terms), or one of its phrases."""
    options = []
    for words in clause.word_sets if clause.words else []:
        own = [_or([fts_term(t) for t in word]) for word in words]
        options.append(own[0] if len(own) == 1 else "(" + " AND ".join(own) + ")")
    options.extend(fts_term(t) for t in clause.phrases)
    return _or(options)


def fts_any(r: Retrieval) -> str | None:
    return _or([fts_clause(c) for c in r.clauses]) if r.clauses else None


def fts_all(r: Retrieval) -> str | None:
    return " AND ".join(fts_clause(c) for c in r.clauses) if r.clauses else None


def fts_expression(
    plan: QueryPlan,
    *,
    relaxed: bool = False,
    skip: set[int] | None = None,
    only: set[int] | None = None,
    exact_marked: bool = False,
) -> str | None:
    """Every group (AND) — or, relaxed, any group (OR) — as FTS5 text; every term carries its column
    filter: folded columns, or the accented ones for a half-typed word typed with marks."""
    if only is not None:
        skip = (skip or set()) | {gi for gi in range(len(plan.groups)) if gi not in only}
    r = retrieval(plan, skip=skip, exact_marked=exact_marked)
    return fts_any(r) if relaxed else fts_all(r)


def exact_expression(plan: QueryPlan) -> str | None:
    live = [t for t in plan.tokens if not t.dropped and any(a.kind == "user" for a in t.alts)]
    if not live or not plan.marked:
        return None
    cols = " ".join(f"{f}_x" for f in ("name", "alias", "products", "processes"))
    return "{" + cols + "}: (" + " AND ".join(_quote(t.exact) for t in live) + ")"


def bigram_expression(plan: QueryPlan) -> str | None:
    live = [t for t in plan.tokens if not t.dropped]
    grams = [f"{a.key}_{b.key}" for a, b in zip(live, live[1:], strict=False)]
    if not grams:
        return None
    return "big: (" + " AND ".join(_quote(g) for g in grams) + ")"


def filter_expression(filters: Filters) -> str | None:
    parts = []
    if filters.sector:
        parts.append(filter_token("s", filters.sector))
    if filters.province:
        parts.append(filter_token("p", filters.province))
    if filters.certification:
        parts.append(filter_token("c", filters.certification))
    if filters.ownership:
        parts.append(filter_token("o", filters.ownership))
    if filters.size:
        parts.append(filter_token("z", filters.size))
    if filters.verified is True:
        parts.append(
            "("
            + " OR ".join(_quote(filter_token("v", v)) for v in ("documents_checked", "staff_assessed"))
            + ")"
        )
    elif filters.verified is False:
        parts.append(
            "(" + " OR ".join(_quote(filter_token("v", v)) for v in ("unverified", "self_declared")) + ")"
        )
    if not parts:
        return None
    return "filt: (" + " AND ".join(p if p.startswith("(") else _quote(p) for p in parts) + ")"


def _and(*exprs: str | None) -> str | None:
    present = [e for e in exprs if e]
    if not present:
        return None
    return " AND ".join(f"({e})" if len(present) > 1 else e for e in present)


def _grow(a: np.ndarray, size: int, fill) -> np.ndarray:
    """A copy of ``a`` at least ``size`` long, new places holding ``fill``."""
    if len(a) >= size:
        return a.copy()
    return np.concatenate([a, np.full(size - len(a), fill, dtype=a.dtype)])


def _by_name(key: str) -> str:
    return key.split(" ", 1)[-1]  # the sort key is "<prior> <folded name> <tax code>"


class _Facets:
    """Per-document facet values as arrays indexed by rowid. Built once from every document, then
    patched per edit (``patched``): a copy, so a search holding the old one is never disturbed."""

    _SINGLE = ("province", "ownership", "size", "verified")

    def __init__(self, rows: Sequence[tuple]):
        size = (max((r[0] for r in rows), default=0)) + 1
        self.size = size
        self.labels: dict[str, list[str]] = {f: [] for f in FACETS}
        self._index: dict[str, dict[str, int]] = {f: {} for f in FACETS}
        self.present = np.zeros(size, dtype=bool)
        self.single = {f: np.full(size, -1, dtype=np.int32) for f in self._SINGLE}
        self._key_of: list[str | None] = [None] * size
        multi_rows: dict[str, list[int]] = {"sector": [], "certification": []}
        multi_vals: dict[str, list[int]] = {"sector": [], "certification": []}
        for row in rows:
            self._set(row, multi_rows, multi_vals)
        self.multi = {
            f: (np.asarray(multi_rows[f], dtype=np.int64), np.asarray(multi_vals[f], dtype=np.int32))
            for f in multi_rows
        }
        # browse order (verified first, then by name) and A–Z by folded name, as sorted (key, rowid)
        pairs = [(k, rid) for rid, k in enumerate(self._key_of) if k is not None]
        self._keys = sorted(pairs)
        self._names = sorted((_by_name(k), rid) for k, rid in pairs)
        self._rank()

    def _set(self, row: tuple, multi_rows: dict[str, list[int]], multi_vals: dict[str, list[int]]) -> None:
        rowid, province, ownership, size_class, verification, sectors, certs, sort_key = row
        self.present[rowid] = True
        self._key_of[rowid] = sort_key or ""
        for facet, value in (
            ("province", province),
            ("ownership", ownership),
            ("size", size_class),
            ("verified", "true" if verification in ("documents_checked", "staff_assessed") else "false"),
        ):
            if value:
                self.single[facet][rowid] = self._id(facet, value)
        for facet, values in (
            ("sector", json.loads(sectors or "[]")),
            ("certification", json.loads(certs or "[]")),
        ):
            for v in values:
                multi_rows[facet].append(rowid)
                multi_vals[facet].append(self._id(facet, v))

    def _rank(self) -> None:
        """Positions in the two orders, as floats so that a patch places a document between its
        neighbours without renumbering the rest (renumbered only when two become too close)."""
        for attr, pairs in (("order", self._keys), ("name_order", self._names)):
            arr = np.full(self.size, np.inf)
            if pairs:
                arr[np.fromiter((rid for _, rid in pairs), dtype=np.int64, count=len(pairs))] = np.arange(
                    len(pairs), dtype=np.float64
                )
            setattr(self, attr, arr)

    @staticmethod
    def _place(pairs: list[tuple[str, int]], item: tuple[str, int], ranks: np.ndarray) -> bool:
        """Insert ``item`` in the sorted pairs and give it a rank between its neighbours'; False when
        there is no room left between them."""
        i = bisect.bisect_left(pairs, item)
        pairs.insert(i, item)
        lo = ranks[pairs[i - 1][1]] if i > 0 else ranks[pairs[i + 1][1]] - 2 if len(pairs) > 1 else -1.0
        hi = ranks[pairs[i + 1][1]] if i + 1 < len(pairs) else lo + 2
        mid = (lo + hi) / 2
        ranks[item[1]] = mid
        return lo < mid < hi

    def patched(self, changed: np.ndarray, rows: Sequence[tuple]) -> _Facets:
        """A copy with the ``changed`` rowids replaced by ``rows`` (those not among them are gone)."""
        new = _Facets.__new__(_Facets)
        size = max(self.size, max((r[0] for r in rows), default=0) + 1)
        new.size = size
        new.labels = {f: list(v) for f, v in self.labels.items()}
        new._index = {f: dict(v) for f, v in self._index.items()}
        new.present = _grow(self.present, size, False)
        new.single = {f: _grow(a, size, -1) for f, a in self.single.items()}
        new.order, new.name_order = _grow(self.order, size, np.inf), _grow(self.name_order, size, np.inf)
        new._key_of = self._key_of + [None] * (size - self.size)
        new._keys, new._names = list(self._keys), list(self._names)
        for rid in (int(x) for x in changed):
            key = self._key_of[rid] if rid < self.size else None
            if key is None:
                continue
            for pairs, k in ((new._keys, key), (new._names, _by_name(key))):
                i = bisect.bisect_left(pairs, (k, rid))
                if i < len(pairs) and pairs[i] == (k, rid):
                    del pairs[i]
            new.present[rid] = False
            new._key_of[rid] = None
            new.order[rid] = new.name_order[rid] = np.inf
            for a in new.single.values():
                a[rid] = -1
        multi_rows: dict[str, list[int]] = {f: [] for f in self.multi}
        multi_vals: dict[str, list[int]] = {f: [] for f in self.multi}
        room = True
        for row in rows:
            new._set(row, multi_rows, multi_vals)
            key = new._key_of[row[0]] or ""
            room &= self._place(new._keys, (key, row[0]), new.order)
            room &= self._place(new._names, (_by_name(key), row[0]), new.name_order)
        new.multi = {}
        for f, (mrows, mvals) in self.multi.items():
            keep = ~np.isin(mrows, changed)
            new.multi[f] = (
                np.concatenate([mrows[keep], np.asarray(multi_rows[f], dtype=np.int64)]),
                np.concatenate([mvals[keep], np.asarray(multi_vals[f], dtype=np.int32)]),
            )
        if not room:
            new._rank()
        return new

    def _id(self, facet: str, value: str) -> int:
        idx = self._index[facet]
        if value not in idx:
            idx[value] = len(self.labels[facet])
            self.labels[facet].append(value)
        return idx[value]

    def count(self, ids: np.ndarray | None) -> dict[str, list[tuple[str, int]]]:
        """Counts over the given rowids (None: every document)."""
        if ids is None:
            mask = self.present
        else:
            mask = np.zeros(self.size, dtype=bool)
            ids = ids[ids < self.size]
            mask[ids] = True
        out: dict[str, list[tuple[str, int]]] = {}
        few = ids is not None and len(ids) < self.size // 8  # then reading just those is cheaper
        for facet, arr in self.single.items():
            vals = arr[ids] if few else arr[mask]
            vals = vals[vals >= 0]
            out[facet] = self._pairs(facet, np.bincount(vals, minlength=len(self.labels[facet])))
        for facet, (rows, vals) in self.multi.items():
            sel = vals[mask[rows]] if len(rows) else vals
            out[facet] = self._pairs(facet, np.bincount(sel, minlength=len(self.labels[facet])))
        return {f: out[f] for f in FACETS}

    def sort(
        self,
        ids: Sequence[int] | np.ndarray,
        limit: int | None = None,
        exclude: Iterable[int] = (),
        by: str = "verified",
    ) -> list[int]:
        """The ids in browse order (verified first, then by name); only the first ``limit`` are
        sorted fully (argpartition), so a page of a 50,000-hit result costs little."""
        arr = np.asarray(ids, dtype=np.int64)
        if not len(arr):
            return []
        arr = arr[arr < self.size]
        exclude = [i for i in exclude if 0 <= i < self.size]
        if exclude:
            keep = np.ones(self.size, dtype=bool)  # a mask: isin would sort the whole result
            keep[exclude] = False
            arr = arr[keep[arr]]
        keys = (self.name_order if by == "name" else self.order)[arr]
        if limit is not None and limit < len(arr):
            part = np.argpartition(keys, limit)[:limit]
            arr, keys = arr[part], keys[part]
        return arr[np.argsort(keys, kind="stable")].tolist()

    def in_provinces(self, ids: np.ndarray, codes: Sequence[str]) -> np.ndarray:
        """Mask over ids: the document is in one of the provinces."""
        wanted = [self._index["province"][c] for c in codes if c in self._index["province"]]
        if not wanted or not len(ids):
            return np.zeros(len(ids), dtype=bool)
        safe = np.minimum(ids, self.size - 1)
        return np.isin(self.single["province"][safe], wanted) & (ids < self.size)

    def _pairs(self, facet: str, counts: np.ndarray) -> list[tuple[str, int]]:
        pairs = [(self.labels[facet][i], int(c)) for i, c in enumerate(counts) if c > 0]
        pairs.sort(key=lambda p: (-p[1], p[0]))
        return pairs


@dataclass
class _Matched:
    """The documents matching enough clauses, from each clause's rowids (counted with numpy rather than
    asking FTS5 for every set of clauses), with what the first stage needs to rank partial matches."""

    ids: np.ndarray  # sorted rowids with at least the minimum
    full: np.ndarray  # those with every counted clause
    weight: np.ndarray  # per id: the summed rarity of the clauses it has

    @classmethod
    def empty(cls) -> _Matched:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, np.zeros(0))

    def add_strong(self, r: Retrieval, strong: list[np.ndarray], bonus: float) -> None:
        """Raise the first-stage weight of documents holding a clause in a strong field."""
        for c, a in zip(r.clauses, strong, strict=True):
            if not len(a) or not len(self.ids):
                continue
            pos = np.searchsorted(self.ids, a)
            ok = (pos < len(self.ids)) & (self.ids[np.minimum(pos, len(self.ids) - 1)] == a)
            self.weight[pos[ok]] += bonus * max(c.rarity, 0.1)

    @classmethod
    def of(cls, r: Retrieval, per_clause: list[np.ndarray]) -> _Matched:
        counted = {id(c) for c in r.counted()}
        pairs = [
            (a, max(c.rarity, 0.1)) for c, a in zip(r.clauses, per_clause, strict=True) if id(c) in counted
        ]
        if not pairs or not any(len(a) for a, _ in pairs):
            return cls.empty()
        # counted over the rowid range rather than sorting every clause's rowids together: linear
        size = max(int(a[-1]) for a, _ in pairs if len(a)) + 1
        counts = np.zeros(size, dtype=np.int32)
        summed = np.zeros(size)
        for a, w in pairs:  # a clause's rowids have no repeats
            counts[a] += 1
            summed[a] += w
        ids = np.flatnonzero(counts >= max(r.minimum, 1))
        return cls(ids, np.flatnonzero(counts >= len(pairs)), summed[ids])

    def prefer(self, mask: np.ndarray, factor: float) -> None:
        self.weight[mask] *= factor

    def best(self, n: int) -> np.ndarray:
        """The n ids covering the rarest clauses, those in strong fields first (ties: lower rowid, the
        stored prior order)."""
        if n <= 0 or not len(self.ids):
            return np.zeros(0, dtype=np.int64)
        part = np.argpartition(-self.weight, n - 1)[:n] if n < len(self.ids) else np.arange(len(self.ids))
        order = np.lexsort((self.ids[part], -self.weight[part]))
        return self.ids[part][order]


class _Delta:
    """What one write changed, kept in the change log: the rowids, and the vocabulary's deltas counted
    as ``_load_vocab`` counts (a word once per folded column holding it), with Python splitting
    words as the index's unicode61 tokenizer does (letters, digits and "_")."""

    def __init__(self) -> None:
        self.rowids: set[int] = set()
        self.df: dict[str, int] = {}
        self.n = 0
        self.accented: dict[str, str] = {}
        self.bigrams: set[str] = set()
        # each replaced document as it was (its index row and facet row; None for a new one)
        self.before: dict[int, list | None] = {}

    def words(self, folded: Sequence[str | None], sign: int) -> None:
        for text in folded:
            for w in set(_WORD.findall((text or "").lower())):
                self.df[w] = self.df.get(w, 0) + sign

    def added(self, fts: tuple) -> None:
        n = len(TEXT_FIELDS)
        self.words(fts[n : 2 * n], 1)
        for text in fts[:n]:
            for w in _WORD.findall((text or "").lower()):
                f = fold_token(w)
                if f != w:
                    self.accented.setdefault(f, w)
        self.bigrams.update(_WORD.findall((fts[2 * n] or "").lower()))

    def to_json(self) -> str:
        df = {w: d for w, d in self.df.items() if d}
        body = {"df": df, "n": self.n, "acc": self.accented, "big": sorted(self.bigrams)}
        if len(self.before) == len(self.rowids) <= BEFORE_MAX:
            body["before"] = {str(r): v for r, v in self.before.items()}
        return json.dumps(body, ensure_ascii=False)


def _parse_ids(text: str | None) -> np.ndarray:
    # parsed by numpy's text reader: splitting into Python strings first cost 5 times as much
    return np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)


_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_IDS.setflags(write=False)


def _union(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Sorted rowids in any of the sorted arrays: a mask over the rowid range, linear in it."""
    present = [a for a in arrays if len(a)]
    if len(present) <= 1:
        return present[0] if present else _NO_IDS
    mask = np.zeros(max(int(a[-1]) for a in present) + 1, dtype=bool)
    for a in present:
        mask[a] = True
    return np.flatnonzero(mask).astype(np.int64, copy=False)


def _intersect(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Sorted rowids in every one of the sorted arrays, the shortest filtered by the others' masks."""
    if not arrays or any(not len(a) for a in arrays):
        return _NO_IDS
    first, *rest = sorted(arrays, key=len)
    out = first
    for b in rest:
        mask = np.zeros(int(b[-1]) + 1, dtype=bool)
        mask[b] = True
        out = out[out <= b[-1]]
        out = out[mask[out]]
        if not len(out):
            return _NO_IDS
    return out


def _at_least(arrays: Sequence[np.ndarray], need: int) -> np.ndarray:
    """Sorted rowids in at least ``need`` of the sorted arrays (each free of repeats)."""
    if need >= len(arrays):
        return _intersect(arrays)
    if need <= 1:
        return _union(arrays)
    present = [a for a in arrays if len(a)]
    if len(present) < need:
        return _NO_IDS
    counts = np.bincount(np.concatenate(present))
    return np.flatnonzero(counts >= need).astype(np.int64, copy=False)


@dataclass(frozen=True)
class _Snapshot:
    """What a search reads besides the index itself, at one index version."""

    version: int
    facets: _Facets
    vocab: Vocabulary


# bounds of the per-version cache of term rowids, kept as 4-byte ints: 12 million is 48 MB. At 100,000
# firms the common syllables ("co", "may", "cong") hold most documents each and a few hundred of them are
# in use at once (bench.load: 7.6 million ids); fewer, and they evict each other and are read again.
CLAUSE_CACHE_IDS = 12_000_000
CLAUSE_CACHE_ENTRIES = 4096
SCORE_CACHE_ENTRIES = 1024  # queries; each up to ~150 documents' scores
CANDIDATE_CACHE_ENTRIES = 20_000  # documents' analysed fields, ~3 KB each
RESULT_CACHE_ENTRIES = 1024  # pages of results; each ~25 KB (20 hits, facets, a bitmap of the rowids read)
MMAP_SIZE = 1 << 30  # address space, not memory


def _after_swap(method):
    """A read that meets a rebuild's swap of the tables on its connection ("vtable constructor failed:
    fts", seen once in a few hundred rebuilds under load) is read again on a new connection, once."""

    @functools.wraps(method)
    def read(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.OperationalError as exc:
            if "vtable constructor failed" not in str(exc):
                raise
            self.close()
            return method(self, *args, **kwargs)

    return read


@dataclass
class _KeptResult:
    version: int
    rowids: np.ndarray  # bitmap (np.packbits) of the rowids those expressions matched
    size: int
    exprs: tuple[str, ...]  # what decides which documents the page is made of (any clause, the tiers)
    terms: tuple[str, ...]  # every expression the page read (each term, the filter): see _untouched
    used: frozenset[int]  # the documents it scored or listed
    result: SearchResult


class EmbeddedBackend(SearchBackend):
    name = "embedded"
    reindex_keeps_writes = (
        True  # the rebuild holds the index's write lock: writers wait, then see the new tables
    )

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._snap: _Snapshot | None = None
        # the rowids each recent version changed (from the change log), to patch cached clause rowids
        self._log: OrderedDict[int, np.ndarray] = OrderedDict()
        # for the versions that logged it, each changed document as it was before (``_Delta.before``)
        self._before: dict[int, dict[int, list | None]] = {}
        # documents' analysed fields as scoring reads them, with the version they were read at: the
        # same firms are candidates for many queries, and reading and parsing their rows was a third of
        # the cost of scoring them; an entry is good while its document has not changed since
        self._cands: OrderedDict[int, tuple[int, Candidate]] = OrderedDict()
        self._last_change: dict[int, int] = {}  # rowid → the last version that changed it
        self._cands_floor = 0  # a reload's version: rowids read before it may name other documents
        # each clause's rowids and the version they were read at: the words buyers type recur across
        # their queries ("khuôn", "gia công", "nhựa"), and reading a common one's postings is most of a
        # search's time; after an edit an entry is patched with the few changed documents
        self._clause_ids: OrderedDict[str, tuple[int, np.ndarray]] = OrderedDict()
        self._clause_ids_size = 0
        # each query's document scores (and folded names, for ties) at the version they were computed:
        # the same queries recur, and scoring the pool is most of what is left of a search; an edit
        # drops the changed documents' scores only
        self._scores: OrderedDict[tuple[object, ...], tuple[int, dict[int, tuple[Scored, str] | None]]] = (
            OrderedDict()
        )
        # each page of results with the version it was computed at and what chose its documents: the
        # same queries recur, and after an edit most pages are untouched (_kept_result)
        self._results: OrderedDict[tuple[object, ...], _KeptResult] = OrderedDict()
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = self._raw()
        conn.executescript("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);")
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None or row[0] != SCHEMA_VERSION:
            for t in ("fts", "docs", "sugg", "sugg_src"):
                conn.execute(f"DROP TABLE IF EXISTS {t}")
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
        conn.executescript(self._schema(""))
        conn.execute(_SUGG_BY_FIRM)
        conn.executescript(_CHANGES)
        conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('version', '0')")

    # -- connections -----------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA temp_store=MEMORY")
            # read through the OS page cache: every write (from any process) empties each connection's
            # own page cache, and rereading the postings a pread at a time was most of a search's
            # system time under load
            conn.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
            self._local.conn = conn
        return _Tx(conn)

    def _raw(self) -> sqlite3.Connection:
        return self._conn().conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
            self._local.delta_key = self._local.before_key = None

    @staticmethod
    def _schema(sfx: str) -> str:
        cols = ", ".join(EXACT_COLS + FOLD_COLS)
        return _SCHEMA.format(sfx=sfx, cols=cols, tokenize=TOKENIZE.replace('"', '""'))

    # -- writing ---------------------------------------------------------------------------------

    @staticmethod
    def _rows(doc: SearchDoc) -> tuple[tuple, tuple, list[tuple]]:
        analysed = doc.analysed()
        filt = ["all", filter_token("p", doc.province_code), filter_token("v", doc.verification)]
        filt += [filter_token("s", s) for s in doc.sectors]
        filt += [filter_token("c", c) for c in doc.certifications]
        if doc.ownership:
            filt.append(filter_token("o", doc.ownership))
        if doc.size_class:
            filt.append(filter_token("z", doc.size_class))
        fts = (
            tuple(analysed[f][0] for f in TEXT_FIELDS)
            + tuple(analysed[f][1] for f in TEXT_FIELDS)
            + (doc.bigram_text(), " ".join(filt), doc.compounds())
        )
        meta = (
            doc.id,
            doc.tax_code,
            doc.name,
            doc.name_en,
            doc.province_code,
            doc.province_name,
            json.dumps(doc.sectors),
            doc.ownership,
            doc.size_class,
            doc.verification,
            json.dumps(doc.certifications, ensure_ascii=False),
            json.dumps(doc.products, ensure_ascii=False),
            doc.description,
            f"{2.0 - doc.prior():.3f} {fold(doc.name)} {doc.tax_code}",
        )
        sugg = [("category", c, "") for c in doc.categories]
        sugg += [("product", p, "") for p in doc.products]
        sugg += [("process", p, "") for p in doc.texts.get("processes", "").split(" ; ") if p]
        sugg.append(("enterprise", doc.name, doc.tax_code))
        return meta, fts, [(k, t, " ".join(fold_token(x) for x in tokens(t)), c) for k, t, c in sugg]

    def _write(
        self,
        conn: sqlite3.Connection,
        docs: Iterable[SearchDoc],
        sfx: str = "",
        fresh: bool = False,
        delta: _Delta | None = None,
    ) -> int:
        """Add or replace documents. ``fresh``: the tables are new and empty (a reindex), so rows are
        appended in batches without looking anything up; suggestions are indexed once at the end."""
        n = 0
        cols = ", ".join(EXACT_COLS + FOLD_COLS + ["big", "filt", "comp"])
        marks = ", ".join("?" * (len(EXACT_COLS) * 2 + 3))
        doc_cols = (
            "ent_id, tax_code, name, name_en, province_code, province_name, sectors, ownership, size_class,"
            " verification, certs, products, description, sort_key"
        )
        if fresh:
            batch_docs, batch_fts, batch_sugg = [], [], []
            next_rowid = 1
            for doc in docs:
                meta, fts, sugg = self._rows(doc)
                batch_docs.append((next_rowid, *meta))
                batch_fts.append((next_rowid, *fts))
                batch_sugg.extend(sugg)
                next_rowid += 1
                n += 1
                if len(batch_docs) >= 2000:
                    self._flush_fresh(conn, sfx, doc_cols, cols, marks, batch_docs, batch_fts, batch_sugg)
            self._flush_fresh(conn, sfx, doc_cols, cols, marks, batch_docs, batch_fts, batch_sugg)
            conn.execute(f"INSERT INTO sugg{sfx}(sugg{sfx}) VALUES ('rebuild')")
            return n
        for doc in docs:
            meta, fts, sugg = self._rows(doc)
            row = conn.execute(f"SELECT rowid FROM docs{sfx} WHERE ent_id = ?", (doc.id,)).fetchone()
            if row:
                rowid = row[0]
                if delta is not None:
                    old = conn.execute(
                        f"SELECT {_FTS_COLS} FROM fts{sfx} WHERE rowid = ?", (rowid,)
                    ).fetchone()
                    n_exact = len(EXACT_COLS)
                    delta.words(old[n_exact : n_exact + len(FOLD_COLS)] if old else (), -1)
                    if rowid not in delta.before:  # its state before this version, not a later one of it
                        facet = conn.execute(
                            f"SELECT {_FACET_COLS} FROM docs{sfx} WHERE rowid = ?", (rowid,)
                        ).fetchone()
                        delta.before[rowid] = [list(old), list(facet)] if old and facet else None
                conn.execute(f"DELETE FROM fts{sfx} WHERE rowid = ?", (rowid,))
                conn.execute(
                    f"UPDATE docs{sfx} SET ent_id=?, tax_code=?, name=?, name_en=?, province_code=?, province_name=?,"
                    f" sectors=?, ownership=?, size_class=?, verification=?, certs=?, products=?, description=?,"
                    f" sort_key=? WHERE rowid = ?",
                    (*meta, rowid),
                )
            else:
                rowid = conn.execute(
                    f"INSERT INTO docs{sfx}({doc_cols}) VALUES ({', '.join('?' * 14)})", meta
                ).lastrowid
                if delta is not None:
                    delta.n += 1
                    delta.before[rowid] = None
            conn.execute(f"INSERT INTO fts{sfx}(rowid, {cols}) VALUES (?, {marks})", (rowid, *fts))
            if delta is not None:
                delta.rowids.add(rowid)
                delta.added(fts)
            self._drop_suggestion(conn, doc.tax_code, sfx)
            for kind, text, text_f, tax_code in sugg:
                cur = conn.execute(
                    f"INSERT INTO sugg_src{sfx}(kind, text, text_f, tax_code) VALUES (?, ?, ?, ?) "
                    f"ON CONFLICT(kind, text, tax_code) DO NOTHING",
                    (kind, text, text_f, tax_code),
                )
                if cur.rowcount:  # the external-content FTS table is kept in step by hand
                    conn.execute(
                        f"INSERT INTO sugg{sfx}(rowid, text_f) VALUES (?, ?)", (cur.lastrowid, text_f)
                    )
            n += 1
        return n

    @staticmethod
    def _flush_fresh(conn, sfx, doc_cols, cols, marks, batch_docs, batch_fts, batch_sugg) -> None:
        conn.executemany(
            f"INSERT INTO docs{sfx}(rowid, {doc_cols}) VALUES (?, {', '.join('?' * 14)})", batch_docs
        )
        conn.executemany(f"INSERT INTO fts{sfx}(rowid, {cols}) VALUES (?, {marks})", batch_fts)
        conn.executemany(
            f"INSERT INTO sugg_src{sfx}(kind, text, text_f, tax_code) VALUES (?, ?, ?, ?) "
            f"ON CONFLICT(kind, text, tax_code) DO NOTHING",
            batch_sugg,
        )
        batch_docs.clear()
        batch_fts.clear()
        batch_sugg.clear()

    @staticmethod
    def _drop_suggestion(conn: sqlite3.Connection, tax_code: str, sfx: str = "") -> None:
        for sid, text_f in conn.execute(
            f"SELECT id, text_f FROM sugg_src{sfx} WHERE kind = 'enterprise' AND tax_code = ?", (tax_code,)
        ).fetchall():
            conn.execute(
                f"INSERT INTO sugg{sfx}(sugg{sfx}, rowid, text_f) VALUES ('delete', ?, ?)", (sid, text_f)
            )
            conn.execute(f"DELETE FROM sugg_src{sfx} WHERE id = ?", (sid,))

    def _bump(self, conn: sqlite3.Connection, delta: _Delta | None) -> None:
        """A new index version, logged with what it changed (``delta`` None: everything)."""
        conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")
        version = int(conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0])
        rowids = None if delta is None else ",".join(str(r) for r in sorted(delta.rowids))
        conn.execute(
            "INSERT OR REPLACE INTO changes(version, rowids, vocab) VALUES (?, ?, ?)",
            (version, rowids, None if delta is None else delta.to_json()),
        )
        conn.execute("DELETE FROM changes WHERE version <= ?", (version - CHANGE_LOG,))

    def index(self, docs: Iterable[SearchDoc]) -> int:
        with self._conn() as conn:
            delta = _Delta()
            n = self._write(conn, docs, delta=delta)
            if n:
                self._bump(conn, delta)
        return n

    def delete(self, ids: Iterable[int]) -> int:
        ids = list(ids)
        if not ids:
            return 0
        with self._conn() as conn:
            n = 0
            delta = _Delta()
            for ent_id in ids:
                row = conn.execute("SELECT rowid, tax_code FROM docs WHERE ent_id = ?", (ent_id,)).fetchone()
                if row:
                    old = conn.execute(f"SELECT {', '.join(FOLD_COLS)} FROM fts WHERE rowid = ?", (row[0],))
                    delta.words(old.fetchone() or (), -1)
                    delta.n -= 1
                    delta.rowids.add(row[0])
                    conn.execute("DELETE FROM fts WHERE rowid = ?", (row[0],))
                    conn.execute("DELETE FROM docs WHERE rowid = ?", (row[0],))
                    self._drop_suggestion(conn, row[1])
                    n += 1
            if n:
                self._bump(conn, delta)
        return n

    def clear(self) -> None:
        with self._conn() as conn:
            conn.execute("DELETE FROM fts")
            conn.execute("DELETE FROM docs")
            conn.execute("INSERT INTO sugg(sugg) VALUES ('delete-all')")
            conn.execute("DELETE FROM sugg_src")
            self._bump(conn, None)

    def reindex(self, docs: Iterable[SearchDoc]) -> int:
        """Build shadow tables, then swap them in with one transaction: readers never see an empty index."""
        conn = self._raw()
        for t in ("fts_new", "docs_new", "meta_new", "sugg_new", "sugg_src_new"):
            conn.execute(f"DROP TABLE IF EXISTS {t}")
        conn.executescript(self._schema("_new"))
        # The caller streams documents in prior order (verified first): rowid order is then a top-K by
        # prior (see the module docstring). Sorting here would hold every document in memory.
        # One write transaction from the first document read to the swap: a write from another process
        # waits for it and lands in the new tables (in a gap between building and swapping it would
        # land in the old ones, which the swap drops).
        conn.execute("BEGIN IMMEDIATE")
        try:
            n = self._write(conn, docs, "_new", fresh=True)
            conn.execute("INSERT INTO fts_new(fts_new) VALUES ('optimize')")
            for t in ("fts", "docs", "sugg", "sugg_src"):
                conn.execute(f"DROP TABLE {t}")
            for t in ("fts", "docs", "sugg", "sugg_src"):
                conn.execute(f"ALTER TABLE {t}_new RENAME TO {t}")
            conn.execute("DROP TABLE meta_new")
            conn.execute(_SUGG_BY_FIRM)  # built once on the full table (the shadow one is only appended to)
            self._bump(conn, None)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return n

    # -- reading ---------------------------------------------------------------------------------

    def _current_version(self) -> str:
        return self._raw().execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0]

    def _snapshot(self) -> _Snapshot:
        """Facet arrays and vocabulary at the index's current version; after an edit (from any
        process) the last ones are patched with the change log, after a reindex reloaded."""
        version = int(self._current_version())
        snap = self._snap
        if snap is not None and snap.version >= version:
            return snap
        with self._lock:
            snap = self._snap
            if snap is None or snap.version < version:
                snap = self._snap = self._advance(snap)
        return snap

    def _advance(self, snap: _Snapshot | None) -> _Snapshot:
        conn = self._raw()
        conn.execute("DROP TABLE IF EXISTS temp.fts_vocab")  # it names "fts", which a reindex replaces
        conn.execute("CREATE VIRTUAL TABLE temp.fts_vocab USING fts5vocab(main, fts, 'col')")
        own = not conn.in_transaction
        if own:  # one read transaction: the version and what is read agree
            conn.execute("BEGIN")
        try:
            version = int(conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0])
            if snap is not None and snap.version == version:
                return snap
            if snap is not None and snap.version < version:
                patched = self._patch(conn, snap, version)
                if patched is not None:
                    return patched
            # (under self._lock: _snapshot holds it)
            self._log.clear()
            self._before.clear()
            self._cands.clear()
            self._last_change.clear()
            self._cands_floor = version
            return _Snapshot(version, _Facets(self._facet_rows(conn)), self._load_vocab(conn))
        finally:
            if own:
                conn.execute("COMMIT")

    def _patch(self, conn: sqlite3.Connection, snap: _Snapshot, version: int) -> _Snapshot | None:
        rows = conn.execute(
            "SELECT version, rowids, vocab FROM changes WHERE version > ? AND version <= ? ORDER BY version",
            (snap.version, version),
        ).fetchall()
        if len(rows) != version - snap.version or any(r[1] is None for r in rows):
            return None  # the log no longer reaches back so far, or everything changed
        per_version = [(v, _parse_ids(ids)) for v, ids, _ in rows]
        changed = np.unique(np.concatenate([a for _, a in per_version]))
        if len(changed) > PATCH_MAX:
            return None
        df: dict[str, int] = {}
        n, accented, bigrams = 0, {}, set()
        for (v, ids), (_v, _ids, body) in zip(per_version, rows, strict=True):
            d = json.loads(body)
            self._log[v] = ids
            self._last_change.update(dict.fromkeys(ids.tolist(), v))
            if (before := d.get("before")) is not None:
                self._before[v] = {int(r): state for r, state in before.items()}
            for w, x in d["df"].items():
                df[w] = df.get(w, 0) + x
            n += d["n"]
            for f, w in d["acc"].items():
                accented.setdefault(f, w)
            bigrams.update(d["big"])
        while len(self._log) > CHANGE_LOG:
            gone, _ids = self._log.popitem(last=False)
            self._before.pop(gone, None)
        facets = snap.facets.patched(changed, self._facet_rows(conn, changed))
        return _Snapshot(version, facets, snap.vocab.patched(df, n, accented, bigrams))

    @staticmethod
    def _facet_rows(conn: sqlite3.Connection, rowids: np.ndarray | None = None) -> list[tuple]:
        sql = f"SELECT rowid, {_FACET_COLS} FROM docs"
        if rowids is None:
            return conn.execute(sql).fetchall()
        if not len(rowids):
            return []
        return conn.execute(
            sql + " WHERE rowid IN (SELECT value FROM json_each(?))", (json.dumps(rowids.tolist()),)
        ).fetchall()

    def _changed_between(self, old: int, new: int) -> np.ndarray | None:
        """The rowids versions old+1 … new changed, if the log holds them all."""
        parts = [self._log.get(v) for v in range(old + 1, new + 1)]
        if any(p is None for p in parts):
            return None
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    @_after_swap
    def vocabulary(self) -> Vocabulary:
        return self._snapshot().vocab

    @staticmethod
    def _load_vocab(conn: sqlite3.Connection) -> Vocabulary:
        df: dict[str, int] = {}
        accented_counts: dict[str, tuple[str, int]] = {}
        bigrams: set[str] = set()
        fold_cols = tuple(FOLD_COLS)
        exact_cols = tuple(EXACT_COLS)
        for term, col, doc in conn.execute("SELECT term, col, doc FROM temp.fts_vocab"):
            if col in fold_cols:
                df[term] = df.get(term, 0) + doc  # an upper bound: a doc may hold a word in two fields
            elif col == "big":
                bigrams.add(term)
            elif col in exact_cols:
                f = fold_token(term)
                if f != term:
                    best = accented_counts.get(f)
                    if best is None or doc > best[1]:
                        accented_counts[f] = (term, doc)
        n_docs = conn.execute("SELECT count(*) FROM docs").fetchone()[0]
        # cap summed document frequencies at the number of documents
        capped = {t: min(d, n_docs) for t, d in df.items()}
        return Vocabulary(n_docs, capped, {f: t for f, (t, _) in accented_counts.items()}, bigrams, raw_df=df)

    def count(self) -> int:
        return self._raw().execute("SELECT count(*) FROM docs").fetchone()[0]

    def _reads(self) -> list[tuple[str, list]] | None:
        """While a page of results is computed (``_keep_result``): the expressions that decide which
        documents it is made of, each with the rowids it matched."""
        return getattr(self._local, "reads", None)

    def _ids(self, expr: str | None, limit: int | None = None) -> list[int]:
        conn = self._raw()
        if expr is None:
            sql = "SELECT rowid FROM docs ORDER BY rowid"
            args: tuple = ()
        else:
            sql = "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rowid"
            args = (expr,)
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [r[0] for r in conn.execute(sql, args)]

    def _id_array(self, expr: str, version: int | None = None) -> np.ndarray:
        """Every matching rowid, sorted, as a read-only array: one string from SQLite, parsed by numpy
        (a Python object per row costs more than the search itself for a common word). Kept with the
        index version it was read at; read at an older one, it is patched with the documents changed
        since (the version row changes with every write, from any process)."""
        if version is None:
            version = self._snapshot().version
        changed = None
        with self._lock:
            hit = self._clause_ids.get(expr)
            if hit is not None:
                self._clause_ids.move_to_end(expr)
                if hit[0] >= version:
                    return hit[1]
                changed = self._changed_between(hit[0], version)
        if hit is not None and changed is not None:
            ids = hit[1]
            if len(changed):  # a few documents out and in again: copies, not a sort of the whole list
                pos = np.searchsorted(ids, changed)
                held = pos < len(ids)
                held[held] = ids[pos[held]] == changed[held]
                may = self._may_match(expr, changed, version)
                if held.any() or may:  # most terms are in neither the old nor the new text of an edit
                    ids = np.delete(ids, pos[held])
                    add = np.sort(self._changed_matching(expr, changed, version)) if may else _NO_IDS
                    ids = np.insert(ids, np.searchsorted(ids, add), add)
        else:
            text = (
                self._raw()
                .execute("SELECT group_concat(rowid) FROM fts WHERE fts MATCH ?", (expr,))
                .fetchone()[0]
            )
            ids = np.sort(_parse_ids(text))
        if len(ids) and ids[-1] < 2**31:
            ids = ids.astype(np.int32, copy=False)  # half the memory: rowids are counted in millions at most
        ids.setflags(write=False)
        with self._lock:
            prev = self._clause_ids.get(expr)
            if prev is None or prev[0] < version:
                self._clause_ids[expr] = (version, ids)
                self._clause_ids_size += len(ids) - (len(prev[1]) if prev is not None else 0)
                while self._clause_ids and (
                    self._clause_ids_size > CLAUSE_CACHE_IDS or len(self._clause_ids) > CLAUSE_CACHE_ENTRIES
                ):
                    _e, (_v, gone) = self._clause_ids.popitem(last=False)
                    self._clause_ids_size -= len(gone)
        return ids

    def _clause_array(
        self, clause: Clause, filt: str | None, version: int, *, strong: bool = False
    ) -> np.ndarray:
        """The rowids matching a clause (and the filter), combined from each term's. FTS5's AND and OR
        are set operations on documents, so the result is the clause's own; kept per term, a word read
        for one query serves every query holding it ("linh kiện" and "linh kiện nhựa" share "linh"),
        where a clause kept whole rarely comes again, and reading a clause of two common words costs
        FTS5 both doclists anyway."""
        terms: dict[str, np.ndarray] = {}

        def term(t: Term) -> np.ndarray:
            expr = fts_term(t)
            if strong:
                expr = _STRONG_FILTER + "(" + expr + ")"
            if expr not in terms:
                terms[expr] = self._id_array(expr, version)
                if (reads := self._reads()) is not None:
                    reads.append((expr, None))
            return terms[expr]

        options = []
        if clause.words:
            words = [_union([term(t) for t in word]) for word in clause.words]
            options.append(_at_least(words, clause.minimum_words or len(words)))
        options.extend(term(t) for t in clause.phrases)
        out = _union(options)
        if filt and len(out):
            if (reads := self._reads()) is not None:
                reads.append((filt, None))
            return _intersect([out, self._id_array(filt, version)])
        return out

    def _may_match(self, expr: str, changed: np.ndarray, version: int) -> bool:
        """False when no changed document can match a one-phrase expression: one of its words (folded,
        so never stricter than the index) is missing from every such document's text. Asking FTS5 the
        same of every kept term after each edit cost a query apiece, most of them finding nothing."""
        m = _ONE_PHRASE.fullmatch(expr)
        if m is None:
            return True
        words = [fold_token(w) for w in _WORD.findall(m["phrase"].replace('""', '"').lower())]
        if not words:
            return True
        *whole, last = words
        # each changed document's words at this version, read once per thread (terms kept at different
        # versions ask about different sets of changes)
        if getattr(self._local, "words_version", None) != version:
            self._local.words_version, self._local.words = version, {}
        known: dict[int, frozenset[str]] = self._local.words
        missing = [int(i) for i in changed if int(i) not in known]
        if missing:
            for i in missing:
                known[i] = frozenset()  # not in the index now: it matches nothing
            for rowid, *texts in self._raw().execute(
                f"SELECT rowid, {_FTS_COLS} FROM main.fts WHERE rowid IN (SELECT value FROM json_each(?))",
                (json.dumps(missing),),
            ):
                known[rowid] = frozenset(
                    fold_token(w) for t in texts for w in _WORD.findall((t or "").lower())
                )
        for doc in (known[int(i)] for i in changed):
            if all(w in doc for w in whole) and (
                any(x.startswith(last) for x in doc) if m["star"] else last in doc
            ):
                return True
        return False

    def _changed_matching(self, expr: str, changed: np.ndarray, version: int) -> np.ndarray:
        """Which of the changed documents match the expression now. It runs on a table of just those
        documents (filled once per connection, version and set of changes): run on the whole index and
        limited to their rowids, a clause with a prefix or a phrase costs as much as reading all of its
        postings, once per cached clause after every edit."""
        conn = self._raw()
        key = (version, changed.tobytes())
        if getattr(self._local, "delta_key", None) != key:
            conn.execute(_DELTA)
            conn.execute("DELETE FROM temp.delta")
            # the stored columns are already analysed tokens: the same tokenizer gives the same terms
            conn.execute(
                f"INSERT INTO temp.delta(rowid, {_FTS_COLS}) SELECT rowid, {_FTS_COLS} FROM main.fts"
                " WHERE rowid IN (SELECT value FROM json_each(?))",
                (json.dumps(changed.tolist()),),
            )
            self._local.delta_key, self._local.delta_found = key, {}
        found: dict[str, np.ndarray] = self._local.delta_found  # pages share their terms
        if expr not in found:
            text = conn.execute(
                "SELECT group_concat(rowid) FROM temp.delta WHERE delta MATCH ?", (expr,)
            ).fetchone()[0]
            found[expr] = _parse_ids(text)
        return found[expr]

    def _untouched(self, kept: _KeptResult, changed: np.ndarray, version: int) -> bool:
        """True when the changed documents, all of them, are neither scored nor listed on the kept page,
        have the facet values they had and match each expression it read exactly as they did: then
        every count, facet, candidate and position on the page is what it was (the re-saved firm that
        still makes what it made, among the thousands matching "khuôn"). Their earlier state comes from
        the change log (``_Delta.before``); a version that did not log it (a bulk import) answers False."""
        if len(changed) > BEFORE_MAX or any(int(d) in kept.used for d in changed):
            return False
        before: dict[int, list | None] = {}
        for v in range(kept.version + 1, version + 1):
            logged = self._before.get(v)
            if logged is None:
                return False
            for rowid, state in logged.items():
                before.setdefault(rowid, state)  # the first change after the page: its state then
        if any(int(d) not in before for d in changed):
            return False
        now = {r[0]: list(r[1:]) for r in self._facet_rows(self._raw(), changed)}
        if any((before[int(d)] or (None, None))[1] != now.get(int(d)) for d in changed):
            return False
        return all(
            set(self._changed_matching(e, changed, version).tolist())
            == self._matching_before(e, kept.version, changed, before)
            for e in kept.terms
        )

    def _matching_before(
        self, expr: str, since: int, changed: np.ndarray, before: dict[int, list | None]
    ) -> set[int]:
        """Which of the changed documents matched the expression as they were at version ``since``."""
        conn = self._raw()
        key = (since, changed.tobytes())
        if getattr(self._local, "before_key", None) != key:
            conn.execute(_DELTA_OLD)
            conn.execute("DELETE FROM temp.delta_old")
            rows = [(int(d), *before[int(d)][0]) for d in changed if before[int(d)] is not None]
            marks = ", ".join("?" * (len(rows[0]) - 1)) if rows else ""
            if rows:
                conn.executemany(f"INSERT INTO temp.delta_old(rowid, {_FTS_COLS}) VALUES (?, {marks})", rows)
            self._local.before_key, self._local.before_found = key, {}
        found: dict[str, set[int]] = self._local.before_found
        if expr not in found:
            text = conn.execute(
                "SELECT group_concat(rowid) FROM temp.delta_old WHERE delta_old MATCH ?", (expr,)
            ).fetchone()[0]
            found[expr] = set(_parse_ids(text).tolist())
        return found[expr]

    def _count(self, expr: str) -> int:
        return self._raw().execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (expr,)).fetchone()[0]

    def _candidates(self, ids: list[int], version: int) -> list[Candidate]:
        """The documents as scoring reads them, in the order given (those gone left out): kept ones
        that have not changed since they were read, the others read now."""
        kept: dict[int, Candidate] = {}
        with self._lock:
            for i in ids:
                hit = self._cands.get(i)
                if hit is not None and hit[0] >= max(self._last_change.get(i, 0), self._cands_floor):
                    self._cands.move_to_end(i)
                    kept[i] = hit[1]
        missing = [i for i in ids if i not in kept]
        read = {c.id: c for c in self._read_candidates(missing)}
        with self._lock:
            # read now, possibly newer than ``version``: kept under it, so that a change logged after
            # it makes the entry stale (never an old row kept as new)
            for c in read.values():
                self._cands[c.id] = (version, c)
            while len(self._cands) > CANDIDATE_CACHE_ENTRIES:
                self._cands.popitem(last=False)
        return [c for i in ids if (c := kept.get(i) or read.get(i)) is not None]

    def _read_candidates(self, ids: list[int]) -> list[Candidate]:
        if not ids:
            return []
        conn = self._raw()
        cols = ", ".join(EXACT_COLS + FOLD_COLS + ["big", "comp"])
        marks = ",".join("?" * len(ids))
        fts_rows = {
            r[0]: r[1:] for r in conn.execute(f"SELECT rowid, {cols} FROM fts WHERE rowid IN ({marks})", ids)
        }
        meta = {
            r[0]: r[1:]
            for r in conn.execute(
                f"SELECT rowid, name, tax_code, verification, province_code, certs FROM docs"
                f" WHERE rowid IN ({marks})",
                ids,
            )
        }
        out = []
        n = len(TEXT_FIELDS)
        for rowid in ids:
            row = fts_rows.get(rowid)
            if row is None or rowid not in meta:
                continue
            name, tax_code, verification, province, certs = meta[rowid]
            out.append(
                Candidate(
                    id=rowid,
                    name=name,
                    tax_code=tax_code,
                    verification=verification,
                    exact={f: row[i] or "" for i, f in enumerate(TEXT_FIELDS)},
                    folded={f: row[n + i] or "" for i, f in enumerate(TEXT_FIELDS)},
                    bigrams=row[2 * n] or "",
                    compounds=row[2 * n + 1] or "",
                    province_code=province or "",
                    certifications=tuple(json.loads(certs or "[]")),
                )
            )
        return out

    @_after_swap
    def search(
        self,
        plan: QueryPlan,
        filters: Filters,
        page: int = 1,
        per_page: int = 20,
        sort: str = "relevance",
        prefs: Preferences | None = None,
    ) -> SearchResult:
        snap = self._snapshot()
        vocab, facets = snap.vocab, snap.facets
        filt = filter_expression(filters)
        relaxed = False
        scores: dict[int, float] = {}
        if plan.unmatched:
            ordered, total = [], 0
            facet_counts = {f: [] for f in FACETS}
        elif plan.empty:
            # browsing everything: the facet arrays already know every document
            matched = (
                np.flatnonzero(facets.present)
                if filt is None
                else np.asarray(self._ids(filt), dtype=np.int64)
            )
            total = len(matched)
            ordered = facets.sort(matched, limit=page * per_page, by=sort)
            facet_counts = facets.count(None if filt is None else matched)
        else:
            key = (
                score_key(plan, vocab, prefs),
                tuple(self._rarity(plan, vocab).items()),
                filt,
                page,
                per_page,
                sort,
            )
            kept = self._kept_result(key, snap)
            if kept is not None:  # what this search would compute now (did_you_mean reads the vocabulary)
                return replace(kept, hits=list(kept.hits), did_you_mean=plan.did_you_mean(vocab))
            self._local.reads = reads = []
            try:
                result = self._ranked(plan, filt, snap, page, per_page, sort, prefs)
            finally:
                self._local.reads = None
            self._keep_result(key, snap.version, reads, self._local.used, result)
            return replace(result, did_you_mean=plan.did_you_mean(vocab))
        return self._page(
            plan, ordered, scores, total, facet_counts, page, per_page, relaxed, plan.did_you_mean(vocab)
        )

    def _ranked(
        self,
        plan: QueryPlan,
        filt: str | None,
        snap: _Snapshot,
        page: int,
        per_page: int,
        sort: str,
        prefs: Preferences | None,
    ) -> SearchResult:
        """A page of a query's results, ranked (did_you_mean left to the caller)."""
        facets = snap.facets
        scores: dict[int, float] = {}
        r, m = self._matched(plan, filt, snap)
        relaxed = bool(len(m.ids)) and not r.strict and not len(m.full)
        matched = m.ids
        facet_counts = facets.count(matched)
        total = len(matched)
        pool: list[int] = []
        if sort != "relevance":
            ordered = facets.sort(matched, limit=page * per_page, by=sort)
        else:
            pool = self._pool(plan, r, filt, snap, needed=page * per_page, matched=m, prefs=prefs)
            ranked = self._rank(plan, pool, snap, prefs)
            scores = {s.id: s.score for s in ranked}
            head = [s.id for s in ranked]
            if head:  # the pool's phrase and exact tiers stay inside the match set that is counted
                h = np.asarray(head, dtype=np.int64)  # matched is sorted
                pos = np.minimum(np.searchsorted(matched, h), max(len(matched) - 1, 0))
                keep = (matched[pos] == h) if len(matched) else np.zeros(len(h), dtype=bool)
                head = [i for i, k in zip(head, keep, strict=True) if k]
            need = page * per_page - len(head)
            tail = facets.sort(matched, limit=need, exclude=head) if need > 0 else []
            ordered = head + tail
        # the documents scored or listed: an edit of one of them recomputes a kept page (_untouched)
        self._local.used = {*pool, *ordered}
        return self._page(plan, ordered, scores, total, facet_counts, page, per_page, relaxed, None)

    def _page(
        self,
        plan: QueryPlan,
        ordered: list[int],
        scores: dict[int, float],
        total: int,
        facet_counts: dict[str, list[tuple[str, int]]],
        page: int,
        per_page: int,
        relaxed: bool,
        did_you_mean: str | None,
    ) -> SearchResult:
        start = (page - 1) * per_page
        return SearchResult(
            total=total,
            page=page,
            per_page=per_page,
            hits=self._hits(ordered[start : start + per_page], scores, plan),
            facets=facet_counts,
            did_you_mean=did_you_mean,
            relaxed=relaxed,
            dropped=[t.text for t in plan.tokens if t.dropped],
        )

    def _keep_result(
        self, key: tuple[object, ...], version: int, reads: list, used: set[int], result: SearchResult
    ) -> None:
        """Keep a page of results with what decides whether a later edit can change it: the
        expressions that chose its documents (any of the query's clauses; the exact and phrase tiers)
        and the rowids they matched; every expression it read; the documents it scored or listed."""
        arrays = [np.asarray(a, dtype=np.int64) for _e, parts in reads if parts for a in parts if len(a)]
        size = max((int(a.max()) + 1 for a in arrays), default=0)
        mask = np.zeros(size, dtype=bool)
        for a in arrays:
            mask[a] = True
        exprs = tuple(dict.fromkeys(e for e, parts in reads if parts is not None))
        terms = tuple(dict.fromkeys(e for e, _parts in reads))
        kept = _KeptResult(version, np.packbits(mask), size, exprs, terms, frozenset(used), result)
        with self._lock:
            prev = self._results.get(key)
            if prev is None or prev.version <= version:
                self._results[key] = kept
                self._results.move_to_end(key)
                while len(self._results) > RESULT_CACHE_ENTRIES:
                    self._results.popitem(last=False)

    def _kept_result(self, key: tuple[object, ...], snap: _Snapshot) -> SearchResult | None:
        """The kept page of results if it is still what the search would compute at this version: no
        document changed since matched any of the query's clauses or tiers then (the bitmap) or does
        now (FTS5 on just the changed documents). Documents matching none of them have no part in a
        result: not counted, ranked, listed or in a facet; the others are unchanged, and the scores'
        key (the words' rarity) is the same, so the page is the same."""
        with self._lock:
            kept = self._results.get(key)
            if kept is None:
                return None
            self._results.move_to_end(key)
        if kept.version == snap.version:
            return kept.result
        if kept.version > snap.version:
            return None
        changed = self._changed_between(kept.version, snap.version)
        valid = changed is not None
        if valid and len(changed):
            old = changed[changed < kept.size]
            valid = not ((kept.rowids[old >> 3] >> (7 - (old & 7))) & 1).any() and not any(
                len(self._changed_matching(e, changed, snap.version)) for e in kept.exprs
            )
            valid = valid or self._untouched(kept, changed, snap.version)
        with self._lock:
            if self._results.get(key) is kept:
                if valid:  # checked up to here: the next search checks only what changes after
                    self._results[key] = replace(kept, version=snap.version)
                else:
                    del self._results[key]
        return kept.result if valid else None

    @_after_swap
    def candidates(
        self,
        plan: QueryPlan,
        filters: Filters,
        limit: int = 100,
        relax: bool = True,
        prefs: Preferences | None = None,
    ) -> list[tuple[int, float]]:
        if plan.unmatched or plan.empty:
            return []
        snap = self._snapshot()
        filt = filter_expression(filters)
        if not relax:
            strict = retrieval(plan, minimum=len(plan.groups))
            if not strict.clauses or not self._ids(_and(fts_all(strict), filt), limit=1):
                return []
        # the matching engine weighs the text with its other criteria: any clause makes a candidate,
        # and the score puts the full matches first
        r, m = self._matched(plan, filt, snap, minimum=1)
        if not len(m.ids):
            return []
        pool = self._pool(
            plan, r, filt, snap, needed=limit, k=max(2 * limit, WEIGHTS.first_stage_k), matched=m, prefs=prefs
        )
        ranked = self._rank(plan, pool, snap, prefs)[:limit]
        if not ranked:
            return []
        marks = ",".join("?" * len(ranked))
        ent = dict(
            self._raw()
            .execute(f"SELECT rowid, ent_id FROM docs WHERE rowid IN ({marks})", [s.id for s in ranked])
            .fetchall()
        )
        return [(ent[s.id], s.score) for s in ranked if s.id in ent]

    def _rank(
        self, plan: QueryPlan, pool: list[int], snap: _Snapshot, prefs: Preferences | None
    ) -> list[Scored]:
        """``rank`` over the pool, scoring only the documents this query has not scored since they last
        changed."""
        key = score_key(plan, snap.vocab, prefs)
        known: dict[int, tuple[Scored, str] | None] = {}
        with self._lock:
            entry = self._scores.get(key)
            if entry is not None:
                self._scores.move_to_end(key)
                version, known = entry
                if version < snap.version:
                    changed = self._changed_between(version, snap.version)
                    if changed is None:
                        known = {}
                    elif len(changed):
                        gone = set(changed.tolist())
                        known = {i: v for i, v in known.items() if i not in gone}
        missing = [i for i in pool if i not in known]
        if missing:
            # read now, possibly newer than the snapshot: kept under the snapshot's version, so the
            # next search at a later version drops it again (never a stale score kept)
            fresh: dict[int, tuple[Scored, str] | None] = dict.fromkeys(missing)
            for c in self._candidates(missing, snap.version):
                got = score(plan, c, snap.vocab, prefs)
                # kept without its evidence (nothing here reads it): a few hundred bytes per document
                fresh[c.id] = (Scored(got.id, got.score, got.name, got.tax_code), c.folded.get("name", ""))
            known = {**known, **fresh}
            with self._lock:
                prev = self._scores.get(key)
                if prev is None or prev[0] <= snap.version:
                    self._scores[key] = (snap.version, known)
                    self._scores.move_to_end(key)
                    while len(self._scores) > SCORE_CACHE_ENTRIES:
                        self._scores.popitem(last=False)
        return ordered([x for x in (known[i] for i in pool) if x is not None])

    def _result_set(self, plan: QueryPlan, filt: str | None) -> tuple[Retrieval, list[int]]:
        """The plan's clauses and every document matching enough of them, in rowid order."""
        r, matched = self._matched(plan, filt, self._snapshot())
        return r, matched.ids.tolist()

    def _matched(
        self, plan: QueryPlan, filt: str | None, snap: _Snapshot, minimum: int | None = None
    ) -> tuple[Retrieval, _Matched]:
        """Each clause's documents, counted: those with enough clauses are the result. Parts no
        document has at all (a word or phrase absent from the index, "nhỏ" in "máy biến áp nhỏ") do
        not count towards the minimum; failing that, any clause will do."""
        rarity = self._rarity(plan, snap.vocab)
        r = retrieval(plan, rarity=rarity, minimum=minimum)
        if not r.clauses:
            return r, _Matched.empty()
        per_clause = [self._clause_array(c, filt, snap.version) for c in r.clauses]
        if (reads := self._reads()) is not None:
            # a document matching none of the clauses has no part in any result made of them
            reads.append((_and(fts_any(r), filt), per_clause))
        m = _Matched.of(r, per_clause)
        if len(m.ids) or len(r.clauses) == 1:
            return r, m
        # words typed with marks count as typed: "đầu dò" is not "dầu … Đô"
        marked = retrieval(plan, exact_marked=True)
        counted = [(c, _and(fts_clause(c), filt)) for c in marked.clauses]
        if (reads := self._reads()) is not None:
            reads.extend((e, None) for _c, e in counted)
        hopeless = {c.group for c, e in counted if not self._count(e)}
        if hopeless and len(hopeless) < len(r.clauses):
            kept = retrieval(plan, skip=hopeless, rarity=rarity)
            arrays = [a for c, a in zip(r.clauses, per_clause, strict=True) if c.group not in hopeless]
            m = _Matched.of(kept, arrays)
            if len(m.ids):
                return kept, m
        anyof = retrieval(plan, rarity=rarity, minimum=1)
        return anyof, _Matched.of(anyof, per_clause)

    @staticmethod
    def _rarity(plan: QueryPlan, vocab: Vocabulary) -> dict[int, float]:
        out = {}
        for gi, g in enumerate(plan.groups):
            live = [t for t in plan.tokens[g.start : g.end] if not t.dropped]
            out[gi] = max((vocab.idf(t.key) for t in live), default=0.0)
        return out

    def _pool(
        self,
        plan: QueryPlan,
        r: Retrieval,
        filt: str | None,
        snap: _Snapshot,
        needed: int,
        *,
        matched: _Matched,
        k: int | None = None,
        prefs: Preferences | None = None,
    ) -> list[int]:
        """What the score is computed on: the results covering the rarest clauses, those holding them in
        the name, products or processes first; plus the accented and the phrase tiers."""
        k = k or max(WEIGHTS.first_stage_k, needed + 20)
        pool: dict[int, None] = {}
        if len(matched.ids) > k:
            # which clauses each document holds in its name, products or processes
            strong = [self._clause_array(c, filt, snap.version, strong=True) for c in r.clauses]
            matched.add_strong(r, strong, WEIGHTS.first_stage_strong)
            if prefs is not None and prefs.provinces:
                matched.prefer(snap.facets.in_provinces(matched.ids, prefs.provinces), WEIGHTS.place)
        pool.update(dict.fromkeys(int(x) for x in matched.best(k)))
        small = max(20, k // 6)
        for tier in (exact_expression(plan), bigram_expression(plan)):
            if tier:  # supplements in prior order: FTS5 stops at the limit
                expr = _and(tier, filt)
                tier_ids = self._ids(expr, limit=small)
                if (reads := self._reads()) is not None:
                    reads.append((expr, [tier_ids]))
                for rowid in tier_ids:
                    pool[rowid] = None
        return list(pool)

    def _hits(self, ids: list[int], scores: dict[int, float], plan: QueryPlan) -> list[Hit]:
        if not ids:
            return []
        conn = self._raw()
        marks = ",".join("?" * len(ids))
        rows = {
            r[0]: r
            for r in conn.execute(
                f"SELECT rowid, ent_id, tax_code, name, name_en, province_code, province_name, sectors, verification,"
                f" products, description FROM docs WHERE rowid IN ({marks})",
                ids,
            )
        }
        words, prefixes = plan.highlight_terms() if not plan.empty else (frozenset(), ())
        hits = []
        for rowid in ids:
            r = rows.get(rowid)
            if r is None:
                continue
            _, ent_id, tax_code, name, name_en, pcode, pname, sectors, verification, products, description = r
            highlights = {}
            if words or prefixes:
                highlights = {
                    "name": highlight(name, words, prefixes),
                    "products": highlight("; ".join(json.loads(products or "[]")), words, prefixes),
                    "description": highlight(description or "", words, prefixes, max_len=220),
                }
            hits.append(
                Hit(
                    id=ent_id,
                    tax_code=tax_code,
                    name=name,
                    name_en=name_en,
                    province_code=pcode,
                    province_name=pname,
                    sectors=json.loads(sectors or "[]"),
                    verification=verification,
                    score=scores.get(rowid, 0.0),
                    highlights=highlights,
                )
            )
        return hits

    @_after_swap
    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Names, products, categories and processes containing the typed words, the last one
        completed as a prefix ('khuon ep nh' → 'Khuôn ép nhựa'). Categories and products first."""
        toks = [fold_token(t) for t in tokens(prefix)]
        if not toks or not toks[-1]:
            return []
        expr = "text_f: " + _quote(" ".join(toks)) + ("*" if not prefix[-1:].isspace() else "")
        rows = (
            self._raw()
            .execute(
                "SELECT s.kind, s.text, s.tax_code FROM sugg JOIN sugg_src s ON s.id = sugg.rowid"
                " WHERE sugg MATCH ? ORDER BY sugg.rowid LIMIT 300",
                (expr,),
            )
            .fetchall()
        )
        rows.sort(key=lambda r: (SUGGEST_KIND_ORDER.get(r[0], 9), len(r[1]), r[1]))
        out, seen = [], set()
        for kind, text, tax_code in rows:
            key = fold_token(text.lower()) if kind != "enterprise" else tax_code
            if key in seen:
                continue
            seen.add(key)
            out.append(Suggestion(text=text, kind=kind, tax_code=tax_code or None))
            if len(out) == limit:
                break
        return out


class _Tx:
    """``with backend._conn() as conn``: one write transaction on the thread's connection."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
