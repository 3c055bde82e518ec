"""The first stage, engine-free: which documents are results of a plan and which are worth scoring.

A plan's groups become clauses; a clause matches through all of its words (each word through any
of its alternatives: the user's form, a repair, a completion, a synonym, a correction) or through
one of the thesaurus phrases covering it. A document is a result when it matches at least
``Weights.min_should_match`` clauses — not all-or-nothing, so a sentence with one word no firm uses
still finds the firms that have the rest. Each backend renders this one structure in its own query
language (FTS5 MATCH text, an Elasticsearch bool query), so both select the same documents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations

from vnsearch.query import Alt, QToken, QueryPlan
from vnsearch.weights import WEIGHTS, Weights

MAX_COMBINED = 6  # clauses beyond this many (the commonest) do not count towards the minimum


@dataclass(frozen=True)
class Term:
    phrase: tuple[str, ...]  # folded tokens; exact (accented) tokens when ``exact``
    exact: bool = False
    prefix: bool = False  # the last token is a prefix (a half-typed word)


@dataclass
class Clause:
    group: int  # index into plan.groups
    words: list[list[Term]] = field(default_factory=list)  # OR over each word's terms
    phrases: list[Term] = field(default_factory=list)  # OR: a thesaurus phrase covering the group
    rarity: float = 0.0  # larger is rarer (the caller's idf): which clauses count when there are many
    minimum_words: int = 0  # how many of the words must match (0: all)

    @property
    def word_sets(self) -> list[tuple[list[Term], ...]]:
        """The sets of words any one of which makes the clause match through its own words."""
        need = self.minimum_words or len(self.words)
        if need >= len(self.words):
            return [tuple(self.words)]
        return list(combinations(self.words, need))


@dataclass
class Retrieval:
    clauses: list[Clause]
    minimum: int  # how many clauses a result must match

    @property
    def strict(self) -> bool:
        return self.minimum >= len(self.clauses)

    def counted(self) -> list[Clause]:
        """The clauses the minimum is over: all of them, or the rarest MAX_COMBINED."""
        if len(self.clauses) <= MAX_COMBINED:
            return self.clauses
        keep = sorted(self.clauses, key=lambda c: -c.rarity)[:MAX_COMBINED]
        return [c for c in self.clauses if c in keep]


def _term(alt: Alt, token: QToken | None = None, exact_marked: bool = False) -> Term:
    if exact_marked and token is not None and token.marked and alt.kind == "user":
        return Term((token.exact,), exact=True)
    return Term(tuple(alt.phrase), exact=alt.exact, prefix=alt.prefix)


def retrieval(
    plan: QueryPlan,
    *,
    skip: set[int] | None = None,
    exact_marked: bool = False,
    rarity: dict[int, float] | None = None,
    minimum: int | None = None,
    w: Weights = WEIGHTS,
) -> Retrieval:
    """The clauses of a plan and the minimum a result must match. ``skip``: group indexes left out
    (they match nothing); ``exact_marked``: words typed with marks match only the accented text."""
    clauses = []
    for gi, g in enumerate(plan.groups):
        if skip and gi in skip:
            continue
        members = [t for t in plan.tokens[g.start : g.end] if not t.dropped]
        words = []
        for t in members:
            terms = list(dict.fromkeys(_term(a, t, exact_marked) for a in t.alts))
            if terms:
                words.append(terms)
        phrases = list(dict.fromkeys(_term(a) for a in g.phrases))
        if words or phrases:
            # a word of two syllables matches whole; of a longer group ("đế giày cao su") half will do
            need = len(words) if len(words) <= 2 else math.ceil(len(words) / 2)
            clauses.append(Clause(gi, words, phrases, (rarity or {}).get(gi, 0.0), need))
    n = min(len(clauses), MAX_COMBINED)
    need = w.min_should_match(n) if minimum is None else min(minimum, n)
    return Retrieval(clauses, need)
