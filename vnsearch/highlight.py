"""Highlights: the matched words of a result marked in its accented text, whatever the query's marks."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from html import escape

from vnsearch.analysis import token_spans


def highlight(
    text: str,
    terms: set[tuple[str, ...]] | frozenset[tuple[str, ...]],
    prefixes: tuple[str, ...],
    *,
    max_len: int | None = None,
) -> str:
    """HTML-escaped text with <mark> around what matched: words and whole phrases, compared folded,
    shown in the accented text as stored."""
    if not text:
        return ""
    return _highlight(text, frozenset(terms), prefixes, max_len)


@lru_cache(maxsize=32768)
def _highlight(
    text: str, terms: frozenset[tuple[str, ...]], prefixes: tuple[str, ...], max_len: int | None
) -> str:
    """Kept per text and query: the results of a common query are highlighted again on every search."""
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
