"""Ranking: the score of one candidate document for a query plan, the same for every backend.
What each number means is documented in ``vnsearch.weights``."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vnsearch.analysis import fold_token
from vnsearch.documents import TEXT_FIELDS
from vnsearch.query import QToken, QueryPlan, Vocabulary
from vnsearch.weights import WEIGHTS, Weights


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
    province_code: str = ""
    certifications: tuple[str, ...] = ()  # normalised keys, "ISO 9001"


@dataclass
class Preferences:
    """What query understanding found beside the words: preferences, not filters."""

    provinces: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    context: QueryPlan | None = None  # the application's words ("xe máy" in "… cho xe máy")
    raw_fold: str = ""  # the whole query, folded, for the exact-name tier

    @property
    def empty(self) -> bool:
        return not (self.provinces or self.certifications or self.context)


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


def _cuts_a_compound(phrase: tuple[str, ...], compounds: str) -> bool:
    """True when the phrase only occurs inside a longer word of the document ('biến áp' inside
    'cảm biến áp suất') and never as a word of its own. ``compounds`` is the document's folded
    compounds space-padded (" cam_bien_ap_suat xi_lanh "): substring tests at C speed, where a loop
    over every compound's windows cost a tenth of the score."""
    j = "_".join(phrase)
    if f" {j} " in compounds:
        return False
    return f"_{j}_" in compounds or f" {j}_" in compounds or f"_{j} " in compounds


def item_focus(folded_text: str, words: set[str], w: Weights = WEIGHTS) -> float:
    """How much a list field is *about* the query words: for the best item, the share of it they cover
    and how early it is listed (a firm's first products are what it mainly makes). 1.0 is neutral."""
    best = 0.0
    for pos, item in enumerate(folded_text.split(" | ")):
        toks = item.split()
        if not toks or words.isdisjoint(toks):  # most items hold none of the words
            continue
        share = sum(map(words.__contains__, toks)) / len(toks)
        if share:
            value = (1 - w.item_share + w.item_share * share) * (1 + w.lead_item / (1 + pos))
            best = max(best, value)
    return best or (1 - w.item_share)


def desc_focus(folded_text: str, words: set[str], w: Weights = WEIGHTS) -> float:
    """A description about the query (its words a large share of it) against one that mentions it."""
    toks = folded_text.split()
    if not toks:
        return 1.0
    share = sum(map(words.__contains__, toks)) / len(toks)
    return 1 + w.desc_focus * min(1.0, 4 * share)


def _focus(f: str, folded_text: str, words: set[str], w: Weights) -> float:
    if f == "desc":
        return desc_focus(folded_text, words, w)
    if f in ("name", "alias", "loc"):
        return 1.0
    return item_focus(folded_text, words, w)


@dataclass
class _Prepared:
    """What ``score`` needs from a plan, computed once per query rather than once per candidate."""

    groups: list[tuple[Any, ...]]
    live_keys: list[str]
    pair_bonus: list[tuple[str, float]]
    q_fold: str
    query_words: set[str]


def _prepare(plan: QueryPlan, vocab: Vocabulary, w: Weights) -> _Prepared:
    cached = getattr(plan, "_prepared", None)
    if cached is not None and cached[0] is vocab and cached[1] is w:
        return cached[2]  # type: ignore[no-any-return]
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
            (a.phrase, w.own_synonym if {fold_token(x) for x in a.phrase} <= own_words else a.weight, a.exact)
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
        (f"{a}_{b}", w.pair * (vocab.idf(a) + vocab.idf(b)) / 2) for a, b in zip(keys, keys[1:], strict=False)
    ]
    words = {
        fold_token(a.phrase[0]) for t in plan.tokens for a in t.alts if len(a.phrase) == 1 and not a.prefix
    }
    words |= {fold_token(x) for g in plan.groups for a in g.phrases for x in a.phrase}
    prepared = _Prepared(groups, keys, pairs, " ".join(keys), words)
    plan._prepared = (vocab, w, prepared)  # type: ignore[attr-defined]
    return prepared


def score(
    plan: QueryPlan,
    cand: Candidate,
    vocab: Vocabulary,
    prefs: Preferences | None = None,
    w: Weights = WEIGHTS,
) -> Scored:
    prep = _prepare(plan, vocab, w)
    fw = w.fields
    folded_text = cand.folded
    # which fields hold a token, by substring search on the space-padded field text (C speed; the
    # candidate's fields are never split into sets)
    padded = {f: f" {folded_text.get(f, '')} " for f in TEXT_FIELDS}
    padded_exact: dict[str, str] = {}
    looked: dict[tuple[str, bool, bool], list[str]] = {}
    # every field at once (padded fields joined: no needle spans two): most alternatives of a word
    # (its synonyms, English forms) are in none of the document's fields, found with one search
    all_text = " ".join(padded.values())
    all_exact = ""

    def fields_with(token: str, exact: bool = False, prefix: bool = False) -> list[str]:
        nonlocal all_exact
        key = (token, exact, prefix)
        got = looked.get(key)
        if got is None:
            if exact and not padded_exact:
                padded_exact.update({f: f" {cand.exact.get(f, '')} " for f in TEXT_FIELDS})
                all_exact = " ".join(padded_exact.values())
            texts, whole = (padded_exact, all_exact) if exact else (padded, all_text)
            needle = f" {token}" if prefix else f" {token} "
            got = looked[key] = [f for f in TEXT_FIELDS if needle in texts[f]] if needle in whole else []
        return got

    def has(token: str) -> bool:
        return f" {token} " in all_text

    compounds = f" {cand.compounds} " if cand.compounds else ""
    focus_of: dict[str, float] = {}
    total, matched_groups, counted_groups = 0.0, 0, 0
    idf_total = idf_matched = 0.0
    exact_evidence = False
    matched_terms: list[str] = []

    def token_fields(qt: QToken, alts: list[Any]) -> tuple[dict[str, float], bool]:
        """field → best match weight of this query word in that field; and exact evidence."""
        best_by_field: dict[str, float] = {}
        exact_hit = False
        for phrase, prefix, exact, kind, weight in alts:
            head = phrase[0]
            if prefix or len(phrase) == 1:
                where = fields_with(head, exact, prefix)
            else:
                if not all(has(fold_token(x)) for x in phrase):
                    continue
                where = [
                    f
                    for f in fields_with(head, exact)
                    if _contains_phrase((cand.exact if exact else folded_text).get(f, ""), phrase)
                ]
            if not where:
                continue
            marked_in = fields_with(qt.exact, True) if kind == "user" and qt.marked else None
            for f in where:
                m = weight
                if marked_in is not None:
                    if f in marked_in:
                        exact_hit = True
                    else:
                        m *= w.fold_only
                elif exact:
                    exact_hit = True
                if m > best_by_field.get(f, 0.0):
                    best_by_field[f] = m
        return best_by_field, exact_hit

    for span, members, idf, phrase, prefix_last, syn_alts, token_alts in prep.groups:
        counted_groups += 1
        own = 0.0
        share = 0.0  # of the group's words found
        if members:
            per_token = []
            for qt, alts in token_alts:
                fields_hit, hit = token_fields(qt, alts)
                per_token.append(fields_hit)
                exact_evidence |= hit
            found = sum(1 for ft in per_token if ft)
            # a long group ("đế giày cao su") counts partly when only part of it is found; a word of
            # two syllables ("mô tơ") counts only whole
            if found == len(per_token) or (len(per_token) > 2 and 2 * found >= len(per_token)):
                share = found / len(span)
                # scattered: each word in its best field, wherever that is
                scattered = sum(max(fw[f] * m for f, m in ft.items()) for ft in per_token if ft) / len(
                    per_token
                )
                # coherent: the words together in one field, better still as the same phrase
                coherent = 0.0
                cut = len(members) > 1 and bool(compounds) and _cuts_a_compound(phrase, compounds)
                for f in TEXT_FIELDS:
                    inside = [ft[f] for ft in per_token if f in ft]
                    if not inside:
                        continue
                    value = fw[f] * sum(inside) / len(per_token)
                    if (
                        len(members) > 1
                        and len(inside) == len(per_token)
                        and _contains_phrase(folded_text.get(f, ""), phrase, prefix_last=prefix_last)
                    ):
                        value *= w.cut_compound if cut else w.phrase
                    fv = focus_of.get(f)
                    if fv is None:  # the same for every group of the query
                        fv = focus_of[f] = _focus(f, folded_text.get(f, ""), prep.query_words, w)
                    value *= fv
                    coherent = max(coherent, value)
                own = max(coherent, w.scattered * scattered) * len(members) / len(span)
        syn = 0.0
        for alt_phrase, weight, exact in syn_alts:
            folded_phrase = tuple(fold_token(x) for x in alt_phrase) if exact else alt_phrase
            if not all(has(x) for x in folded_phrase):
                continue
            if len(folded_phrase) > 1 and compounds and _cuts_a_compound(folded_phrase, compounds):
                continue
            source = cand.exact if exact else folded_text
            for f in TEXT_FIELDS:
                if _contains_phrase(source.get(f, ""), alt_phrase):
                    value = fw[f] * weight * (w.synonym_phrase if len(alt_phrase) > 1 else 1.0)
                    value *= _focus(f, folded_text.get(f, ""), set(folded_phrase), w)
                    syn = max(syn, value)
        best = max(own, syn)
        idf_total += idf
        if best > 0:
            matched_groups += 1
            idf_matched += idf * (1.0 if syn >= own else share)
            matched_terms.append(" ".join(phrase))
        total += best * idf

    if counted_groups == 0 or idf_total <= 0:
        return Scored(cand.id, 0.0, cand.name, cand.tax_code)
    # the share of the query found, each part weighted by its rarity: missing "chính xác" costs
    # less than missing "mô tơ"
    coverage = idf_matched / idf_total
    total *= coverage**w.coverage_power

    # phrase evidence: the user's adjacent words adjacent in the document too
    if prep.pair_bonus:
        big = set(cand.bigrams.split())
        for gram, bonus in prep.pair_bonus:
            if gram in big and not (compounds and _cuts_a_compound(tuple(gram.split("_")), compounds)):
                total += bonus
    # exact-name tier
    name_f = folded_text.get("name", "")
    names = {name_f, folded_text.get("alias", "")} - {""}
    if (prep.q_fold and prep.q_fold in names) or (prefs is not None and prefs.raw_fold in names):
        total += w.exact_name
    elif len(prep.live_keys) >= 2 and _contains_phrase(name_f, tuple(prep.live_keys)):
        total += w.name_phrase
    if plan.marked and not exact_evidence:
        total *= w.fold_only_doc
    if prefs is not None and not prefs.empty and total > 0:
        total *= preference_factor(prefs, cand, has, w)
    total *= w.verification_boost(cand.verification)
    return Scored(
        cand.id,
        round(total, 6),
        cand.name,
        cand.tax_code,
        {"coverage": round(coverage, 3), "exact": exact_evidence, "matched": matched_terms},
    )


def preference_factor(
    prefs: Preferences, cand: Candidate, doc_has: Callable[[str], bool], w: Weights = WEIGHTS
) -> float:
    """Multiplier for what the query said beside its words: the province, the certificate, the
    application ("cho xe máy": a firm that mentions motorbikes ranks above one that does not)."""
    factor = 1.0
    if prefs.provinces and cand.province_code in prefs.provinces:
        factor *= w.place
    if prefs.certifications and set(prefs.certifications) & set(cand.certifications):
        factor *= w.certification
    ctx = prefs.context
    if ctx is not None and ctx.groups:
        found = 0
        counted = 0
        for g in ctx.groups:
            span = [t for t in ctx.tokens[g.start : g.end] if not t.dropped]
            if not span and not g.phrases:
                continue
            counted += 1
            own = bool(span) and all(
                any(all(doc_has(fold_token(x)) for x in a.phrase) for a in t.alts if not a.prefix)
                for t in span
            )
            syn = any(all(doc_has(fold_token(x)) for x in a.phrase) for a in g.phrases)
            found += own or syn
        if counted:
            factor *= 1 + w.context * found / counted
    return factor


def _alt_idf(t: QToken, vocab: Vocabulary) -> float:
    vals = [vocab.idf(a.phrase[0]) for a in t.alts if len(a.phrase) == 1 and not a.prefix]
    return max(vals) if vals else math.log(1 + vocab.n_docs)


def score_key(plan: QueryPlan, vocab: Vocabulary, prefs: Preferences | None) -> tuple[object, ...]:
    """Everything a document's score depends on besides the document, under the default weights: the
    plan as analysed (words, alternatives, groups), the rarity of its words at this vocabulary and the
    preferences. Under one key every document scores the same, so scores kept under it are exact; an
    edit that shifts a query word's document frequency makes a new key."""
    prep = _prepare(plan, vocab, WEIGHTS)
    return (
        repr(plan.tokens),
        repr(plan.groups),
        tuple(g[2] for g in prep.groups),
        tuple(prep.pair_bonus),
        repr(prefs),
    )


def rank(
    plan: QueryPlan,
    candidates: list[Candidate],
    vocab: Vocabulary,
    prefs: Preferences | None = None,
    w: Weights = WEIGHTS,
) -> list[Scored]:
    """Candidates by score; ties by name (folded, as already analysed) then tax code."""
    return ordered([(score(plan, c, vocab, prefs, w), c.folded.get("name", "")) for c in candidates])


def ordered(scored: list[tuple[Scored, str]]) -> list[Scored]:
    """Scored documents (each with its folded name) by score, ties by name then tax code; those
    scoring nothing left out."""
    kept = [x for x in scored if x[0].score > 0]
    kept.sort(key=lambda x: (-x[0].score, x[1], x[0].tax_code))
    return [s for s, _ in kept]
