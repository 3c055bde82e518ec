"""Vietnamese text normalisation and folding.

Contract: ``normalize`` gives the canonical *exact* form (NFC, lower case, one tone-mark placement,
clean whitespace); ``fold`` removes every diacritic including đ → d. Both accept any Unicode form
(NFC, NFD, mixed) and give the same result for all of them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters that carry no text and only break matching.
# Removed from every text: zero-width and soft-hyphen characters, control characters other than the
# whitespace that _SPACES folds (a stray \x01 breaks XLSX files and means nothing), and lone surrogates
# (not encodable as UTF-8: a database or a JSON encoder would fail on them later).
_INVISIBLE = dict.fromkeys(
    [
        *map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"),
        *(c for c in range(0x20) if chr(c) not in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"),
        *range(0x7F, 0xA0),
        *range(0xD800, 0xE000),
    ],
    None,
)
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

# Old ("hoà") and new ("hòa") tone placement. We canonicalise to the new style, where the mark sits
# on the first vowel of the oa/oe/uy nucleus when the syllable has no final consonant. The table is
# the one VnCoreNLP and most Vietnamese projects use; it only applies at the end of a syllable.
_TONE_PAIRS = {
    "oà": "òa",
    "oá": "óa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "oè": "òe",
    "oé": "óe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
    "uỳ": "ùy",
    "uý": "úy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
}
# "qu" is a consonant: in "quý", "quả" the mark already sits on the vowel.
_TONE_RE = re.compile(r"(?<!q)(" + "|".join(_TONE_PAIRS) + r")(?![\w])")


def nfc(text: str) -> str:
    """NFC with invisible characters removed and whitespace collapsed; case and marks kept."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip()


def normalize(text: str) -> str:
    """Exact search form: NFC, lower case, canonical tone placement, single spaces."""
    text = nfc(text).lower()
    return _TONE_RE.sub(lambda m: _TONE_PAIRS[m.group(1)], text)


# Every non-spacing mark (combining diacritic) of the BMP, deleted by str.translate at C speed.
_MARKS = dict.fromkeys((c for c in range(0x10000) if unicodedata.category(chr(c)) == "Mn"), None)
_MARKS[ord("đ")] = "d"


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Diacritic-free lower-case form: 'Đúc đồng ĐÀ NẴNG' → 'duc dong da nang'."""
    return unicodedata.normalize("NFD", nfc(text).lower()).translate(_MARKS)


_NON_WORD = re.compile(r"[^\w]+")


def fold_key(text: str) -> str:
    """Folded form with punctuation turned into single spaces: a lookup key for names."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


# Tokens: letters/digits runs; decimals ("0.01", "0,01") and alphanumerics ("SUS304", "9001") stay whole.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Exact search tokens: normalised (NFC, lower case, canonical tone placement) syllables."""
    return [t for t in _TOKEN.findall(normalize(text)) if t != "_"]


@lru_cache(maxsize=500_000)
def fold_token(token: str) -> str:
    decomposed = unicodedata.normalize("NFD", token)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").replace("đ", "d")


def has_marks(text: str) -> bool:
    """True when the text carries Vietnamese diacritics (or đ)."""
    return fold(text) != nfc(text).lower()


@lru_cache(maxsize=32768)
def token_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, folded token) over the NFC text as stored: used to place highlights in the
    accented text even when the query had no diacritics. Kept per text: a result's name, products and
    description are highlighted again for every query that finds it."""
    text = unicodedata.normalize("NFC", text)
    return tuple((m.start(), m.end(), fold_token(m.group().lower())) for m in _TOKEN.finditer(text))


def bigrams(folded: list[str]) -> list[str]:
    """Adjacent folded syllable pairs joined by '_' ('co khi chinh xac' → co_khi, khi_chinh, chinh_xac)."""
    return [f"{a}_{b}" for a, b in zip(folded, folded[1:], strict=False)]


# Telex / VNI leftovers: what remains when an input method is off or misfires.
_VNI_DIGITS = re.compile(r"(?<=[a-z])[1-9]|[1-9](?=[a-z])")
_TELEX_VOWELS = (("dd", "d"), ("aa", "a"), ("ee", "e"), ("oo", "o"), ("aw", "a"), ("ow", "o"), ("uw", "u"))
_TONE_KEYS = "sfrxjz"


def telex_candidates(token: str) -> list[str]:
    """Folded spellings a token may have meant if it holds Telex or VNI keys, most likely first.
    ('nhuwaj' → 'nhua', 'khuoon' → 'khuon', 'nhu7a5' → 'nhua', 'eps' → 'ep'). The caller keeps only
    candidates that exist in the index vocabulary."""
    t = fold_token(token.lower())
    out: list[str] = []

    def add(c: str) -> None:
        if c and c != t and c not in out:
            out.append(c)

    if any(ch.isdigit() for ch in t) and any(ch.isalpha() for ch in t):
        add(_VNI_DIGITS.sub("", t))
    base = t
    for pair, single in _TELEX_VOWELS:
        base = base.replace(pair, single)
    if "w" in base and not base.startswith("w"):
        base = base.replace("w", "")
    add(base)
    for stem in {t, base}:
        if len(stem) > 2 and stem[-1] in _TONE_KEYS:
            add(stem[:-1])
            # tone key typed after the vowel and before the final consonant: "nhuajn", "toasn"
        for i in range(1, len(stem) - 1):
            if stem[i] in _TONE_KEYS and stem[i - 1] in "aeiouy":
                add(stem[:i] + stem[i + 1 :])
    return out
