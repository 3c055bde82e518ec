"""Query understanding and ranking shared by every backend.

``plan_query`` turns what the user typed into groups of alternatives (the user's words, Telex/VNI
repairs, typo corrections, a prefix for the last half-typed word, thesaurus synonyms). A backend
uses the plan to fetch candidates; ``score`` ranks them the same way whatever the backend:

    exact accented match > folded match > repair/prefix > synonym > fuzzy,
    weighted by field (name > products > processes > certifications > description) and by the
    rarity of the word (idf), plus phrase evidence, an exact-name tier, and a small boost for
    verified enterprises; ties broken by name then tax code.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from html import escape
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from vnsearch.analysis import fold_token, telex_candidates, token_spans, tokens
from vnsearch.documents import FIELD_WEIGHTS, TEXT_FIELDS, VERIFICATION_BOOST
from vnsearch.synonyms import expansions

KIND_WEIGHT = {"user": 1.0, "repair": 0.9, "context": 0.85, "prefix": 0.8, "synonym": 0.6, "fuzzy": 0.5}
FOLD_ONLY_WEIGHT = 0.6  # a folded match when the user typed the marks
FOLD_ONLY_DEMOTION = 0.5  # a document with no exact evidence at all for a marked query


class Vocabulary:
    """What the index knows about its words. Backends fill it from their own term statistics."""

    def __init__(self, n_docs: int, df: dict[str, int], accented: dict[str, str], bigrams: set[str]):
        self.n_docs = max(n_docs, 1)
        self.df = df
        self.accented = accented
        self.bigrams = bigrams
        words = [w for w in df if len(w) >= 3 and w.isalpha()]
        self._by_len: dict[int, list[str]] = {}
        for w in words:
            self._by_len.setdefault(len(w), []).append(w)

    def has(self, folded: str) -> bool:
        return self.df.get(folded, 0) > 0

    def idf(self, folded: str) -> float:
        return math.log(1 + self.n_docs / (self.df.get(folded, 0) + 1))

    def near(self, folded: str, max_edits: int) -> list[tuple[str, int]]:
        """Vocabulary words within ``max_edits`` OSA edits (a transposition is one edit)."""
        choices: list[str] = []
        for n in range(len(folded) - max_edits, len(folded) + max_edits + 1):
            choices.extend(self._by_len.get(n, ()))
        hits = process.extract(folded, choices, scorer=OSA.distance, score_cutoff=max_edits, limit=12)
        return [(w, int(d)) for w, d, _ in hits]

    def display(self, folded: str) -> str:
        return self.accented.get(folded, folded)


@dataclass
class Alt:
    phrase: tuple[str, ...]  # folded tokens (exact tokens when ``exact``)
    kind: str
    prefix: bool = False
    exact: bool = False  # matched on the accented text: a half-typed word typed with diacritics

    @property
    def weight(self) -> float:
        return KIND_WEIGHT[self.kind]


@dataclass
class QToken:
    text: str  # as typed (normalised)
    exact: str  # normalised exact form
    folded: str
    marked: bool
    alts: list[Alt] = field(default_factory=list)
    dropped: bool = False  # matches nothing in the index, even repaired

    @property
    def key(self) -> str:
        """The folded word the user most likely meant: a correction when one was found."""
        for kind in ("context", "repair", "fuzzy"):
            for a in self.alts:
                if a.kind == kind and len(a.phrase) == 1:
                    return a.phrase[0]
        return self.folded

    @property
    def prefix_only(self) -> bool:
        """Only a half-typed word: matched as a prefix."""
        return bool(self.alts) and all(a.prefix or a.kind == "synonym" for a in self.alts)

    @property
    def key_exact(self) -> str:
        return self.exact if self.key == self.folded else self.key


@dataclass
class Group:
    start: int
    end: int
    phrases: list[Alt] = field(default_factory=list)  # synonyms covering the whole span


@dataclass
class QueryPlan:
    raw: str
    tokens: list[QToken]
    groups: list[Group]
    corrected: bool = False

    @property
    def empty(self) -> bool:
        """Nothing to match on: browse (only when the user typed nothing; words that match nothing
        at all give no results rather than everything)."""
        return not self.tokens

    @property
    def unmatched(self) -> bool:
        return (
            bool(self.tokens)
            and all(t.dropped for t in self.tokens)
            and not any(g.phrases for g in self.groups)
        )

    @property
    def marked(self) -> bool:
        return any(t.marked and not t.dropped for t in self.tokens)

    def did_you_mean(self, vocab: Vocabulary) -> str | None:
        if not self.corrected:
            return None
        words = []
        for t in self.tokens:
            fixes = [a for a in t.alts if a.kind in ("repair", "fuzzy", "context")]
            if fixes:
                words.append(" ".join(vocab.display(p) for p in fixes[0].phrase))
            else:
                words.append(t.exact if t.marked else vocab.display(t.folded))
        return " ".join(words)

    def highlight_terms(self) -> tuple[set[tuple[str, ...]], tuple[str, ...]]:
        """Folded words and phrases to highlight, and prefixes (for the half-typed last word)."""
        terms: set[tuple[str, ...]] = set()
        prefixes: list[str] = []
        for t in self.tokens:
            if t.dropped:
                continue
            for a in t.alts:
                if a.prefix:
                    prefixes.append(fold_token(a.phrase[0]))
                else:
                    terms.add(tuple(fold_token(x) for x in a.phrase))
        for g in self.groups:
            terms.update(tuple(fold_token(x) for x in a.phrase) for a in g.phrases)
        return terms, tuple(prefixes)


def plan_query(raw: str, vocab: Vocabulary, *, allow_prefix: bool = True) -> QueryPlan:
    toks = tokens(raw)
    qtokens: list[QToken] = []
    corrected = False
    for i, tok in enumerate(toks):
        folded = fold_token(tok)
        qt = QToken(text=tok, exact=tok, folded=folded, marked=folded != tok)
        if vocab.has(folded):
            qt.alts.append(Alt((folded,), "user"))
        else:
            split = tuple(p for p in re.split(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", folded) if p)
            if len(split) > 1 and all(vocab.has(p) for p in split):  # "iso9001" → "iso 9001"
                qt.alts.append(Alt(split, "user"))
            for cand in _telex(tok, vocab):
                qt.alts.append(Alt((cand,), "repair"))
                corrected = True
                break
        if (
            allow_prefix
            and i == len(toks) - 1
            and len(folded) >= 2
            and folded.isalpha()
            and not raw[-1:].isspace()
        ):
            # "nhự" completes to "nhựa" only; "nhu" to "nhựa", "nhung", "nhuộm"…
            qt.alts.append(Alt((tok,), "prefix", prefix=True, exact=qt.marked))
        qtokens.append(qt)

    # a real word that breaks a known phrase ("khuon ep nhau"): offer the word that completes it
    for i, qt in enumerate(qtokens):
        if i == 0 or qt.marked or len(qt.folded) < 4 or not qt.alts or qt.alts[0].kind != "user":
            continue
        left = qtokens[i - 1].key
        if f"{left}_{qt.folded}" in vocab.bigrams:
            continue
        for cand, _d in vocab.near(qt.folded, 1):
            if cand != qt.folded and f"{left}_{cand}" in vocab.bigrams:
                qt.alts.append(Alt((cand,), "context"))
                corrected = True
                break

    # synonyms, on what the user meant (after repairs): an exact phrase typed with marks is honoured
    groups: list[Group] = []
    covered: set[int] = set()
    eff = [t.key_exact for t in qtokens]
    eff_marked = [t.marked and t.key == t.folded for t in qtokens]
    for start, end, alts in expansions(eff, eff_marked):
        # the phrase the user typed is not its own synonym
        own = tuple(fold_token(x) for x in eff[start:end])
        phrases = [_synonym_alt(p) for p in alts if tuple(fold_token(x) for x in p) != own][:8]
        if end - start == 1:
            qtokens[start].alts.extend(a for a in phrases if len(a.phrase) == 1)
            multi = [a for a in phrases if len(a.phrase) > 1]
            if multi and start not in covered:
                groups.append(Group(start, end, multi))
                covered.add(start)
        elif not covered.intersection(range(start, end)):
            groups.append(Group(start, end, phrases))
            covered.update(range(start, end))
    for i in range(len(qtokens)):
        if i not in covered:
            groups.append(Group(i, i + 1, []))
    groups.sort(key=lambda g: g.start)
    in_phrase_group = {i for g in groups if g.phrases for i in range(g.start, g.end)}

    # typos: only for words nothing else matches, the thesaurus included (a half-typed last word may
    # still be a typo); a word typed with diacritics was spelled on purpose and is not "corrected"
    for i, qt in enumerate(qtokens):
        if qt.marked or any(not a.prefix for a in qt.alts) or i in in_phrase_group:
            continue
        fix = _fuzzy(qt.folded, vocab, toks, i)
        if fix:
            qt.alts.append(Alt((fix,), "fuzzy"))
            corrected = True

    for qt in qtokens:  # words that match nothing at all
        if not qt.alts:
            qt.dropped = True
    return QueryPlan(raw=raw, tokens=qtokens, groups=groups, corrected=corrected)


def _synonym_alt(phrase: tuple[str, ...]) -> Alt:
    """A thesaurus alternative: matched on the accented text when written with marks."""
    folded = tuple(fold_token(x) for x in phrase)
    if folded != phrase:
        return Alt(phrase, "synonym", exact=True)
    return Alt(folded, "synonym")


def _telex(tok: str, vocab: Vocabulary) -> list[str]:
    return [c for c in telex_candidates(tok) if vocab.has(c)]


def _fuzzy(folded: str, vocab: Vocabulary, toks: list[str], i: int) -> str | None:
    if len(folded) <= 3 or not folded.isalpha():
        return None
    max_edits = 1 if len(folded) <= 7 else 2
    hits = vocab.near(folded, max_edits)
    if not hits:
        return None
    left = fold_token(toks[i - 1]) if i > 0 else None
    right = fold_token(toks[i + 1]) if i + 1 < len(toks) else None

    def context(w: str) -> int:
        return int(left is not None and f"{left}_{w}" in vocab.bigrams) + int(
            right is not None and f"{w}_{right}" in vocab.bigrams
        )

    hits.sort(key=lambda h: (h[1], -context(h[0]), -vocab.df.get(h[0], 0), h[0]))
    best = hits[0][0]
    # a 4–5 letter syllable has many one-edit neighbours ("phay" → "pham"): in a longer query, accept
    # a correction only when it forms a known phrase with a neighbouring word
    if len(folded) <= 5 and len(toks) > 1 and not context(best):
        return None
    return best


# ---- candidate ranking ---------------------------------------------------------------------------


@dataclass
class Candidate:
    """A document's analysed fields as the backend returns them for re-scoring."""

    id: int
    name: str
    tax_code: str
    verification: str
    exact: dict[str, str]  # field → exact tokens (space separated, items separated by " | ")
    folded: dict[str, str]  # field → folded tokens
    bigrams: str
    compounds: str = ""  # folded pyvi compounds, "cam_bien_ap_suat xi_lanh"


@dataclass
class Scored:
    id: int
    score: float
    name: str
    tax_code: str
    evidence: dict[str, Any] = field(default_factory=dict)


def _contains_phrase(haystack: str, phrase: tuple[str, ...], prefix_last: bool = False) -> bool:
    if not prefix_last:
        return f" {' '.join(phrase)} " in f" {haystack} "
    head = f" {' '.join(phrase[:-1])} {phrase[-1]}" if len(phrase) > 1 else f" {phrase[-1]}"
    return head in f" {haystack}"


def _cuts_a_compound(phrase: tuple[str, ...], compounds: list[tuple[str, ...]]) -> bool:
    """True when the phrase only occurs inside a longer word of the document ('biến áp' inside
    'cảm biến áp suất') and never as a word of its own."""
    n = len(phrase)
    inside = False
    for comp in compounds:
        for i in range(len(comp) - n + 1):
            if comp[i : i + n] == phrase:
                if i == 0 and i + n == len(comp):
                    return False
                inside = True
    return inside


def _item_fraction(folded_text: str, words: set[str]) -> float:
    """The best share of one list item (product, process…) covered by the query words."""
    best = 0.0
    for item in folded_text.split(" | "):
        toks = item.split()
        if toks:
            best = max(best, sum(1 for t in toks if t in words) / len(toks))
    return best


@dataclass
class _Prepared:
    """What ``score`` needs from a plan, computed once per query rather than once per candidate."""

    groups: list[tuple[Any, ...]]
    live_keys: list[str]
    pair_bonus: list[tuple[str, float]]
    q_fold: str
    query_words: set[str]


def _prepare(plan: QueryPlan, vocab: Vocabulary) -> _Prepared:
    cached = getattr(plan, "_prepared", None)
    if cached is not None and cached[0] is vocab:
        return cached[1]  # type: ignore[no-any-return]
    groups = []
    for g in plan.groups:
        span = plan.tokens[g.start : g.end]
        members = [t for t in span if not t.dropped]
        if not members and not g.phrases:
            continue
        idf = (
            (
                sum(vocab.idf(t.key) if vocab.has(t.key) else _alt_idf(t, vocab) for t in members)
                / len(members)
            )
            if members
            else 3.0
        )
        own_words = {t.key for t in span}
        syn = [
            (a.phrase, 0.9 if {fold_token(x) for x in a.phrase} <= own_words else a.weight, a.exact)
            for a in g.phrases
        ]
        token_alts = [(t, [(a.phrase, a.prefix, a.exact, a.kind, a.weight) for a in t.alts]) for t in members]
        groups.append(
            (
                span,
                members,
                idf,
                tuple(t.key for t in members),
                bool(members) and members[-1].prefix_only,
                syn,
                token_alts,
            )
        )
    live = [t for t in plan.tokens if not t.dropped]
    keys = [t.key for t in live]
    pairs = [
        (f"{a}_{b}", 4.0 * (vocab.idf(a) + vocab.idf(b)) / 2) for a, b in zip(keys, keys[1:], strict=False)
    ]
    words = {
        fold_token(a.phrase[0]) for t in plan.tokens for a in t.alts if len(a.phrase) == 1 and not a.prefix
    }
    words |= {fold_token(w) for g in plan.groups for a in g.phrases for w in a.phrase}
    prepared = _Prepared(groups, keys, pairs, " ".join(keys), words)
    plan._prepared = (vocab, prepared)  # type: ignore[attr-defined]
    return prepared


def score(plan: QueryPlan, cand: Candidate, vocab: Vocabulary) -> Scored:
    prep = _prepare(plan, vocab)
    folded_text = cand.folded
    all_tokens = set(" ".join(folded_text.values()).split())
    folded_sets: dict[str, set[str]] = {}
    exact_sets: dict[str, set[str]] = {}

    def fset(f: str) -> set[str]:
        got = folded_sets.get(f)
        if got is None:
            got = folded_sets[f] = set(folded_text.get(f, "").split())
        return got

    def eset(f: str) -> set[str]:
        got = exact_sets.get(f)
        if got is None:
            got = exact_sets[f] = set(cand.exact.get(f, "").split())
        return got

    compounds = [tuple(c.split("_")) for c in cand.compounds.split()] if cand.compounds else []
    total, matched_groups, counted_groups = 0.0, 0, 0
    exact_evidence = False
    matched_terms: list[str] = []

    def token_fields(qt: QToken, alts: list[Any]) -> tuple[dict[str, float], bool]:
        """field → best match weight of this query word in that field; and exact evidence."""
        best_by_field: dict[str, float] = {}
        exact_hit = False
        for phrase, prefix, exact, kind, weight in alts:
            head = phrase[0]
            if prefix:
                if not exact and not any(t.startswith(head) for t in all_tokens):
                    continue
            elif any(fold_token(w) not in all_tokens for w in phrase):
                continue
            for f in TEXT_FIELDS:
                if prefix:
                    pool = eset(f) if exact else fset(f)
                    if not any(t.startswith(head) for t in pool):
                        continue
                elif len(phrase) == 1:
                    if head not in (eset(f) if exact else fset(f)):
                        continue
                elif not _contains_phrase((cand.exact if exact else folded_text).get(f, ""), phrase):
                    continue
                m = weight
                if kind == "user" and qt.marked:
                    if qt.exact in eset(f):
                        exact_hit = True
                    else:
                        m *= FOLD_ONLY_WEIGHT
                elif exact:
                    exact_hit = True
                if m > best_by_field.get(f, 0.0):
                    best_by_field[f] = m
        return best_by_field, exact_hit

    for span, members, idf, phrase, prefix_last, syn_alts, token_alts in prep.groups:
        counted_groups += 1
        own = 0.0
        if members:
            per_token = []
            for qt, alts in token_alts:
                fields_hit, hit = token_fields(qt, alts)
                per_token.append(fields_hit)
                exact_evidence |= hit
            if all(per_token):
                # scattered: each word in its best field, wherever that is
                scattered = sum(max(FIELD_WEIGHTS[f] * m for f, m in ft.items()) for ft in per_token) / len(
                    per_token
                )
                # coherent: the words together in one field, better still as the same phrase
                coherent = 0.0
                cut = len(members) > 1 and bool(compounds) and _cuts_a_compound(phrase, compounds)
                for f in TEXT_FIELDS:
                    inside = [ft[f] for ft in per_token if f in ft]
                    if not inside:
                        continue
                    value = FIELD_WEIGHTS[f] * sum(inside) / len(per_token)
                    if (
                        len(members) > 1
                        and len(inside) == len(per_token)
                        and _contains_phrase(folded_text.get(f, ""), phrase, prefix_last=prefix_last)
                    ):
                        value *= 0.6 if cut else 1.5
                    # a product that is mostly what was asked for beats one that only mentions it
                    value *= 0.75 + 0.25 * _item_fraction(folded_text.get(f, ""), prep.query_words)
                    coherent = max(coherent, value)
                own = max(coherent, 0.4 * scattered) * len(members) / len(span)
        syn = 0.0
        for alt_phrase, weight, exact in syn_alts:
            folded_phrase = tuple(fold_token(w) for w in alt_phrase) if exact else alt_phrase
            if any(w not in all_tokens for w in folded_phrase):
                continue
            if len(folded_phrase) > 1 and compounds and _cuts_a_compound(folded_phrase, compounds):
                continue
            source = cand.exact if exact else folded_text
            for f in TEXT_FIELDS:
                if _contains_phrase(source.get(f, ""), alt_phrase):
                    value = FIELD_WEIGHTS[f] * weight * (1.5 if len(alt_phrase) > 1 else 1.0)
                    value *= 0.75 + 0.25 * _item_fraction(folded_text.get(f, ""), set(folded_phrase))
                    syn = max(syn, value)
        best = max(own, syn)
        if best > 0:
            matched_groups += 1
            matched_terms.append(" ".join(phrase))
        total += best * idf

    if counted_groups == 0:
        return Scored(cand.id, 0.0, cand.name, cand.tax_code)
    coverage = matched_groups / counted_groups
    total *= coverage * coverage

    # phrase evidence: the user's adjacent words adjacent in the document too
    if prep.pair_bonus:
        big = set(cand.bigrams.split())
        for gram, bonus in prep.pair_bonus:
            if gram in big and not (compounds and _cuts_a_compound(tuple(gram.split("_")), compounds)):
                total += bonus
    # exact-name tier
    name_f = folded_text.get("name", "")
    if prep.q_fold and (prep.q_fold == name_f or prep.q_fold == folded_text.get("alias", "")):
        total += 1000.0
    elif len(prep.live_keys) >= 2 and _contains_phrase(name_f, tuple(prep.live_keys)):
        total += 30.0
    if plan.marked and not exact_evidence:
        total *= FOLD_ONLY_DEMOTION
    total *= VERIFICATION_BOOST.get(cand.verification, 1.0)
    return Scored(
        cand.id,
        round(total, 6),
        cand.name,
        cand.tax_code,
        {"coverage": round(coverage, 3), "exact": exact_evidence, "matched": matched_terms},
    )


def _alt_idf(t: QToken, vocab: Vocabulary) -> float:
    vals = [vocab.idf(a.phrase[0]) for a in t.alts if len(a.phrase) == 1 and not a.prefix]
    return max(vals) if vals else math.log(1 + vocab.n_docs)


def rank(plan: QueryPlan, candidates: list[Candidate], vocab: Vocabulary) -> list[Scored]:
    """Candidates by score; ties by name (folded, as already analysed) then tax code."""
    name_key = {c.id: c.folded.get("name", "") for c in candidates}
    scored = [score(plan, c, vocab) for c in candidates]
    scored = [s for s in scored if s.score > 0]
    scored.sort(key=lambda s: (-s.score, name_key[s.id], s.tax_code))
    return scored


# ---- highlights ----------------------------------------------------------------------------------


def highlight(
    text: str, terms: set[tuple[str, ...]], prefixes: tuple[str, ...], *, max_len: int | None = None
) -> str:
    """HTML-escaped text with <mark> around what matched: words and whole phrases, compared folded,
    shown in the accented text as stored."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    if max_len and len(text) > 5000:  # a very long description: its first pages are enough
        text = text[:5000]
    toks = token_spans(text)
    folded = [f for _, _, f in toks]
    marked = [False] * len(toks)
    longest = max((len(t) for t in terms), default=1)
    for i in range(len(toks)):
        if prefixes and folded[i].startswith(prefixes):
            marked[i] = True
        for n in range(min(longest, len(toks) - i), 0, -1):
            if tuple(folded[i : i + n]) in terms:
                for j in range(i, i + n):
                    marked[j] = True
                break
    spans = [(s, e) for (s, e, _), m in zip(toks, marked, strict=True) if m]
    lead = trail = ""
    if max_len and len(text) > max_len:
        first = spans[0][0] if spans else 0
        start = max(0, first - max_len // 3)
        end = min(len(text), start + max_len)
        spans = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
        lead, trail = ("…" if start > 0 else ""), ("…" if end < len(text) else "")
        text = text[start:end]
    out, pos = [], 0
    for s, e in spans:
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:]))
    # adjacent marks read better as one: "<mark>Khuôn</mark> <mark>ép</mark>" → "<mark>Khuôn ép</mark>"
    return lead + "".join(out).replace("</mark> <mark>", " ") + trail


__all__ = [
    "Alt",
    "Candidate",
    "QueryPlan",
    "Scored",
    "Vocabulary",
    "highlight",
    "plan_query",
    "rank",
    "score",
]
