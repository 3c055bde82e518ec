"""Vietnamese text normalisation and folding.

Contract: ``normalize`` gives the canonical *exact* form (NFC, lower case, one tone-mark placement,
clean whitespace); ``fold`` removes every diacritic including đ → d. Both accept any Unicode form
(NFC, NFD, mixed) and give the same result for all of them.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that carry no text and only break matching.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

# Old ("hoà") and new ("hòa") tone placement. We canonicalise to the new style, where the mark sits
# on the first vowel of the oa/oe/uy nucleus when the syllable has no final consonant. The table is
# the one VnCoreNLP and most Vietnamese projects use; it only applies at the end of a syllable.
_TONE_PAIRS = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
_TONE_RE = re.compile("(" + "|".join(_TONE_PAIRS) + r")(?![\w])")


def nfc(text: str) -> str:
    """NFC with invisible characters removed and whitespace collapsed; case and marks kept."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip()


def normalize(text: str) -> str:
    """Exact search form: NFC, lower case, canonical tone placement, single spaces."""
    text = nfc(text).lower()
    return _TONE_RE.sub(lambda m: _TONE_PAIRS[m.group(1)], text)


def fold(text: str) -> str:
    """Diacritic-free lower-case form: 'Đúc đồng ĐÀ NẴNG' → 'duc dong da nang'."""
    decomposed = unicodedata.normalize("NFD", nfc(text).lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d")


_NON_WORD = re.compile(r"[^\w]+")


def fold_key(text: str) -> str:
    """Folded form with punctuation turned into single spaces: a lookup key for names."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())
