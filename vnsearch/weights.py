"""Every number the ranking uses, in one documented object.

The score of a document for a query (``vnsearch.ranking.score``) is built in this order:

1. For each query group (a word, or a phrase the thesaurus knows), its best evidence in each field:
   ``fields[f] × kinds[kind]`` — the user's own word beats a Telex repair, a completion, a synonym, a
   typo correction; a folded match for a word typed with marks counts ``fold_only``. The words of a
   group together in one field count more (``phrase`` when adjacent, ``cut_compound`` when they only
   occur inside a longer word); scattered over fields they count ``scattered``.
2. Specialists first: inside a list field the evidence is scaled by how much of the item the query
   covers (``item_share``) and by how early the item is listed (``lead_item``: a firm's first products
   are what it mainly makes); in the description by the share of it about the query (``desc_focus``).
3. Each group is weighted by the rarity of its words (idf). The sum is scaled by the idf-weighted share
   of the groups found, to the power ``coverage_power`` (a partial match ranks below a full one).
4. Bonuses: the user's adjacent words adjacent in the document (``pair`` × idf), the query equal to
   the name (``exact_name``) or inside it (``name_phrase``).
5. Preferences from query understanding: a named province (``place``), a named certificate
   (``certification``), the application's words (``context`` × the share found).
6. A marked query with no accented evidence at all is scaled by ``fold_only_doc``; a small boost by
   verification level breaks near-ties towards checked profiles.

The first stage (``first_stage_*``) fetches the candidates the score is computed on: among the
documents matching at least ``min_should_match`` of the groups, the ``first_stage_k`` with the largest
summed idf of the groups they hold, a group in the name, products or processes counting
``1 + first_stage_strong`` times (ties: verified and complete profiles first, the stored order).
FTS5's bm25() with column weights was measured for this and dropped: at 100,000 firms it costs
20–40 ms a query (it scores every matching row; FTS5 has no top-k pruning), against 2–5 ms here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


def _fields() -> dict[str, float]:
    return {
        "name": 10.0,
        "alias": 8.0,
        "products": 6.0,
        "processes": 5.0,
        "certs": 3.0,
        "materials": 3.0,
        "equipment": 2.0,
        "customers": 2.0,
        "loc": 1.5,
        "cats": 1.0,
        "desc": 1.0,
    }


def _kinds() -> dict[str, float]:
    return {"user": 1.0, "repair": 0.9, "context": 0.85, "prefix": 0.8, "synonym": 0.6, "fuzzy": 0.5}


def _verification() -> dict[str, float]:
    return {"unverified": 1.0, "self_declared": 1.02, "documents_checked": 1.04, "staff_assessed": 1.06}


@dataclass(frozen=True)
class Weights:
    fields: dict[str, float] = field(default_factory=_fields)
    kinds: dict[str, float] = field(default_factory=_kinds)
    verification: dict[str, float] = field(default_factory=_verification)
    fold_only: float = 0.6  # a folded match for a word the user typed with marks
    fold_only_doc: float = 0.5  # a document with no accented evidence for a marked query
    phrase: float = 1.5  # a group's words adjacent in one field
    cut_compound: float = 0.6  # … but only inside a longer word ("biến áp" in "cảm biến áp suất")
    scattered: float = 0.4  # a group's words found only in different fields
    synonym_phrase: float = 1.5  # a multi-word thesaurus phrase found whole
    own_synonym: float = 0.9  # a thesaurus phrase made only of the user's own words
    item_share: float = 0.25  # weight of the share of a list item the query covers
    lead_item: float = 0.3  # bonus for the first item of a list, falling as 1/(1 + position)
    desc_focus: float = 0.5  # bonus for a description about the query (share of its words)
    coverage_power: float = 2.0
    pair: float = 4.0  # adjacent query words adjacent in the document, × their mean idf
    exact_name: float = 1000.0
    name_phrase: float = 30.0
    place: float = 3.0  # the document is in a province the query names (first, but others still follow)
    certification: float = 1.25  # the document holds a certificate the query names
    context: float = 0.35  # × the share of the application's words the document has
    first_stage_k: int = 100
    first_stage_strong: float = 2.0  # first-stage weight of a group found in name, products or processes

    def min_should_match(self, groups: int) -> int:
        """How many of the query's groups a document must match to be a result: all of one or two,
        half (rounded up) of more — a sentence is not all-or-nothing."""
        return groups if groups <= 1 else max(1, math.ceil(groups / 2))

    def verification_boost(self, level: str) -> float:
        return self.verification.get(level, 1.0)


WEIGHTS = Weights()
