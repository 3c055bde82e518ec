"""The supporting-industry thesaurus: the data file plus groups an application adds (the portal adds
its product taxonomy's Vietnamese and English item names). Lookups are on folded token sequences,
longest match first."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from vnsearch.analysis import fold_token, tokens

MAX_PHRASE = 5
_EXTRA_GROUPS: list[list[str]] = []


def set_extra_groups(groups: list[list[str]]) -> None:
    """Groups of equivalent phrases to use beside the data file (replaces earlier ones)."""
    global _EXTRA_GROUPS
    groups = [list(g) for g in groups]
    if groups != _EXTRA_GROUPS:
        _EXTRA_GROUPS = groups
        _tables.cache_clear()


def _key(phrase: str) -> tuple[str, ...]:
    return tuple(fold_token(t) for t in tokens(phrase))


def thesaurus() -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """folded phrase → the other folded phrases of its groups (deduplicated, order kept)."""
    return _tables()[1]


@lru_cache(maxsize=1)
def _tables() -> tuple[
    dict[tuple[str, ...], list[tuple[str, ...]]], dict[tuple[str, ...], list[tuple[str, ...]]]
]:
    """(exact table, folded table). Keys are phrases as token tuples; values are the alternative phrases
    as written in the thesaurus (normalised exact tokens: a Vietnamese alternative keeps its marks, so
    'tiện' (turning) does not match the name 'Tiến'). The exact table separates words that fold alike
    ('rèn' forging, 'ren' lace)."""
    groups: list[list[str]] = []
    text = resources.files(__package__).joinpath("data", "synonyms.txt").read_text("utf-8")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        groups.append([t.strip() for t in line.split(",") if t.strip()])
    groups.extend(_EXTRA_GROUPS)
    exact: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    folded: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for group in groups:
        terms = [t for t in dict.fromkeys(tuple(tokens(t)) for t in group) if t and len(t) <= MAX_PHRASE]
        for term in terms:
            fk = tuple(fold_token(x) for x in term)
            for table, key in ((exact, term), (folded, fk)):
                bucket = table.setdefault(key, [])
                for other in terms:
                    if other != term and other not in bucket:
                        bucket.append(other)
    return exact, folded


def _lookup(exact: list[str], marked: list[bool], i: int, n: int) -> list[tuple[str, ...]] | None:
    exact_table, folded_table = _tables()
    if any(marked[i : i + n]):  # the user typed marks: honour them ("rèn" is not "ren")
        hit = exact_table.get(tuple(exact[i : i + n]))
        if hit is not None:
            return hit
        if all(marked[i : i + n]):
            return None
    return folded_table.get(tuple(fold_token(t) for t in exact[i : i + n]))


def expansions(
    exact: list[str], marked: list[bool] | None = None, max_len: int = MAX_PHRASE
) -> list[tuple[int, int, list[tuple[str, ...]]]]:
    """Synonym matches in a query given as exact tokens: (start, end, alternative phrases as written),
    longest match first, scanning left to right, plus the single tokens inside a longer match (so
    'plastic injection mold' yields the phrase and 'mold' alone)."""
    marked = marked if marked is not None else [fold_token(t) != t for t in exact]
    out = []
    i = 0
    while i < len(exact):
        for n in range(min(max_len, len(exact) - i), 0, -1):
            alts = _lookup(exact, marked, i, n)
            if alts:
                out.append((i, i + n, alts))
                if n > 1:
                    for j in range(i, i + n):
                        single = _lookup(exact, marked, j, 1)
                        if single:
                            out.append((j, j + 1, single))
                i += n
                break
        else:
            i += 1
    return out
