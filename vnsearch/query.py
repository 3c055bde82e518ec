"""Query planning: what the user typed as groups of alternatives — the user's words, Telex/VNI
repairs, typo corrections, a prefix for the last half-typed word, thesaurus synonyms. Every backend
fetches candidates from the same plan (``vnsearch.retrieval``) and ranks them with the same score
(``vnsearch.ranking``)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from vnsearch.analysis import fold_token, telex_candidates, tokens
from vnsearch.synonyms import expansions
from vnsearch.weights import WEIGHTS


class Vocabulary:
    """What the index knows about its words. Backends fill it from their own term statistics."""

    def __init__(
        self,
        n_docs: int,
        df: dict[str, int],
        accented: dict[str, str],
        bigrams: set[str],
        raw_df: dict[str, int] | None = None,
    ):
        self.n_docs = max(n_docs, 1)
        self.df = df
        # the counts before capping at n_docs (an index summing fields can count a document twice),
        # which a patch adds to
        self.raw_df = df if raw_df is None else raw_df
        self.accented = accented
        self.bigrams = bigrams
        words = [w for w in df if len(w) >= 3 and w.isalpha()]
        self._by_len: dict[int, list[str]] = {}
        for w in words:
            self._by_len.setdefault(len(w), []).append(w)

    def patched(
        self, df_delta: dict[str, int], n_delta: int, accented: dict[str, str], bigrams: set[str]
    ) -> Vocabulary:
        """A copy with a few documents' words added or taken away: an edit costs a dictionary copy,
        not a scan of the whole index. Accented forms and bigrams are only ever added (a stale one
        makes a clause or a display form that matches nothing, never a wrong result)."""
        new = Vocabulary.__new__(Vocabulary)
        new.n_docs = max(self.n_docs + n_delta, 1)
        new.raw_df = dict(self.raw_df)
        new._by_len = dict(self._by_len)
        for term, d in df_delta.items():
            n = new.raw_df.get(term, 0) + d
            if n > 0:
                if term not in new.raw_df and len(term) >= 3 and term.isalpha():
                    new._by_len[len(term)] = [*new._by_len.get(len(term), ()), term]
                new.raw_df[term] = n
            else:
                new.raw_df.pop(term, None)  # near() skips words no longer in df
        cap = new.n_docs
        if new.n_docs != self.n_docs:
            new.df = {t: min(n, cap) for t, n in new.raw_df.items()}
        else:
            new.df = dict(self.df)
            for term in df_delta:
                if term in new.raw_df:
                    new.df[term] = min(new.raw_df[term], cap)
                else:
                    new.df.pop(term, None)
        fresh = {f: t for f, t in accented.items() if f not in self.accented}
        new.accented = {**self.accented, **fresh} if fresh else self.accented
        new.bigrams = self.bigrams if bigrams <= self.bigrams else self.bigrams | bigrams
        return new

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
        out: dict[str, int] = {}
        for w, d, _ in hits:  # a patched vocabulary keeps removed words in _by_len (and a re-added one twice)
            if w in self.df:
                out.setdefault(w, int(d))
        return list(out.items())

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
        return WEIGHTS.kinds[self.kind]


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

    def highlight_terms(self) -> tuple[frozenset[tuple[str, ...]], tuple[str, ...]]:
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
        return frozenset(terms), tuple(prefixes)


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
    groups = _word_groups(groups, qtokens, vocab, toks)
    return QueryPlan(raw=raw, tokens=qtokens, groups=groups, corrected=corrected)


def _word_groups(
    groups: list[Group], qtokens: list[QToken], vocab: Vocabulary, toks: list[str]
) -> list[Group]:
    """Vietnamese words are often two syllables ("mô tơ", "chính xác"): a result should match words,
    not loose syllables. Adjacent single syllables become one group when they are a word — by pyvi
    on a query typed with marks, or because the index holds them side by side in names, products or
    processes."""
    joined = _segmented_pairs(toks) if any(t.marked for t in qtokens) else set()
    out: list[Group] = []
    i = 0
    while i < len(groups):
        g = groups[i]
        h = groups[i + 1] if i + 1 < len(groups) else None
        if (
            h is not None
            and not g.phrases
            and not h.phrases
            and g.end - g.start == 1
            and h.end - h.start == 1
        ):
            a, b = qtokens[g.start], qtokens[h.start]
            usable = all(not t.dropped and any(x.kind != "prefix" for x in t.alts) for t in (a, b))
            if usable and ((g.start, h.start) in joined or f"{a.key}_{b.key}" in vocab.bigrams):
                out.append(Group(g.start, h.end, []))
                i += 2
                continue
        out.append(g)
        i += 1
    return out


def _segmented_pairs(toks: list[str]) -> set[tuple[int, int]]:
    """Positions of adjacent syllables pyvi joins into one word."""
    from vnsearch.documents import segment_words  # noqa: PLC0415 - loads pyvi's model on first use

    pairs = set()
    pos = 0
    for word in segment_words(" ".join(toks)):
        n = len(word)
        for j in range(pos, pos + n - 1):
            pairs.add((j, j + 1))
        pos += n
    return pairs


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


__all__ = ["Alt", "Group", "QToken", "QueryPlan", "Vocabulary", "plan_query"]
