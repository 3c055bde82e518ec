"""Text in the legacy Vietnamese encodings, as it comes out of old spreadsheets re-saved with Unicode
fonts: TCVN3 (ABC, the .VnTime fonts) and VNI (VNI-Times). Detected per cell and converted to NFC.

TCVN3 puts each accented lower-case letter on one byte in 0xA1–0xFE; upper-case accented letters
lived in separate ".VnTimeH" fonts, so only Ă Â Đ Ê Ô Ơ Ư have codes of their own. VNI writes a
base letter followed by one or two mark characters ("Coâng ty" = "Công ty").
"""

from __future__ import annotations

import re
import unicodedata

# TCVN 5712:1993 VN3 (ABC): byte (as a cp1252/latin-1 character) → letter.
_TCVN3 = dict(
    zip(
        "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ¡¢§£¤¥¦",
        "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ",
        strict=True,
    )
)
# characters that never occur in ordinary Vietnamese Unicode text but are common in TCVN3
_TCVN3_SIGNS = set("µ¸¶·¹¨»¾¼½©®ª«¬¡¢§£¤¥¦\xad")
# TCVN3 letters that look like Latin-1 capitals inside a lower-case word ("khÝ" = "khí")
_TCVN3_INNER = re.compile(r"[a-z][ÆÇÊÈÉËÌÐÎÏÑÒÕÓÔÖ×ÝØÜÞ]")

# letters of Unicode Vietnamese that neither legacy encoding produces (â ê ô are VNI mark characters)
_VN_LETTERS = re.compile(r"[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")
# A Vietnamese syllable: initial consonant, one of the language's vowel nuclei (with their vowel
# marks: "oâ" is not one, "uâ" is), final consonant; at most one tone mark.
_NUCLEI = (
    "uyê|uya|oai|oay|uây|oeo|iêu|yêu|uôi|ươi|ươu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|oo|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê|"
    "a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
)
_SYLLABLE = re.compile(
    rf"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?({_NUCLEI})(ch|ng|nh|[cmnpt])?$"
)
_TONE_MARKS = set("\u0300\u0301\u0303\u0309\u0323")


def _is_syllable(word: str) -> bool:
    nfd = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in nfd if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONE_MARKS))
    m = _SYLLABLE.match(base) if re.fullmatch("[a-zăâêôơưđ]+", base) else None
    if m is None:
        return False
    # a syllable closed by a stop (c, ch, p, t) takes only the sắc or nặng tone: "dệt", never "dưt"
    return m.group(3) not in ("c", "ch", "p", "t") or tones in (["\u0301"], ["\u0323"])


# VNI: tone mark characters after a vowel, by tone (sắc, huyền, hỏi, ngã, nặng)
_VNI_TONES = "ùøûõï"
_VNI_TONES_UP = "ÙØÛÕÏ"
_COMBINING = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}

    def add(seq_lower: str, seq_upper: str, letter: str) -> None:
        table[seq_lower] = letter
        table[seq_upper] = letter.upper()

    def toned(base: str, tone: int) -> str:
        return unicodedata.normalize("NFC", base + _COMBINING[tone])

    for v in "aeouy":
        for t in range(5):
            add(v + _VNI_TONES[t], v.upper() + _VNI_TONES_UP[t], toned(v, t))
    # circumflex: â ê ô ("aâ"), with tones the circumflex character changes: á à å ã ä
    for v, hat in (("a", "â"), ("e", "ê"), ("o", "ô")):
        add(v + "â", v.upper() + "Â", hat)
        for t, mark in enumerate("áàåãä"):
            add(v + mark, v.upper() + mark.upper(), toned(hat, t))
    # breve: ă = "aê", with tones é è ú ü ë
    add("aê", "AÊ", "ă")
    for t, mark in enumerate("éèúüë"):
        add("a" + mark, "A" + mark.upper(), toned("ă", t))
    # horn: ơ = "ô", ư = "ö" (single characters), tones follow them
    for horn, code, code_up in (("ơ", "ô", "Ô"), ("ư", "ö", "Ö")):
        add(code, code_up, horn)
        for t in range(5):
            add(code + _VNI_TONES[t], code_up + _VNI_TONES_UP[t], toned(horn, t))
    # i takes single characters: í ì æ ó ò; đ = ñ; ỵ = î
    for t, mark in enumerate("íìæóò"):
        add(mark, mark.upper(), toned("i", t))
    add("ñ", "Ñ", "đ")
    add("î", "Î", "ỵ")
    return table


_VNI = _vni_table()
_VNI_RE = re.compile("|".join(re.escape(k) for k in sorted(_VNI, key=len, reverse=True)))
# What VNI produces and Unicode Vietnamese never contains: the letters ø û ï å ä ü ë ö ñ æ î, a
# circumflex or breve character after a/e/o ("oâ", "aê"), "ù" after a vowel. (Sequences such as
# "oà" are left out: "Hoàng" is Unicode.)
_VNI_SIGN = re.compile(r"[øûïåäüëöñæîØÛÏÅÄÜËÖÑÆÎ]|[aeoAEO][âêôÂÊÔ]|[aeiouyAEIOUY][ùÙ]")


def tcvn3_to_unicode(text: str) -> str:
    return unicodedata.normalize("NFC", "".join(_TCVN3.get(ch, ch) for ch in text))


def vni_to_unicode(text: str) -> str:
    return unicodedata.normalize("NFC", _VNI_RE.sub(lambda m: _VNI[m.group()], text))


def unicode_to_tcvn3(text: str) -> str:
    """The inverse (for tests and for re-creating what old systems produce)."""
    back = {v: k for k, v in _TCVN3.items()}
    return "".join(back.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def unicode_to_vni(text: str) -> str:
    back: dict[str, str] = {}
    for seq, letter in sorted(_VNI.items(), key=lambda kv: len(kv[0])):
        back.setdefault(letter, seq)
    # prefer the two-character forms for letters that have a base vowel (aù over a single char)
    for seq, letter in _VNI.items():
        if len(seq) > len(back.get(letter, "")) and seq[0].lower() in "aeouy":
            back[letter] = seq
    return "".join(back.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def detect(text: str) -> str | None:
    """'tcvn3', 'vni' or None for a cell's text. Text that already holds Vietnamese Unicode letters is
    never converted."""
    if not text or text.isascii() or _VN_LETTERS.search(text):
        return None
    tcvn = sum(1 for ch in text if ch in _TCVN3_SIGNS) + len(_TCVN3_INNER.findall(text))
    vni = len(_VNI_SIGN.findall(text))
    if tcvn == 0 and vni == 0:
        return None
    return "tcvn3" if tcvn >= vni else "vni"


def _plausible(before: str, after: str) -> bool:
    """Most words the conversion changed must read as Vietnamese syllables ("ABC®" does not)."""
    changed = [b for a, b in zip(before.split(), after.split(), strict=False) if a != b]
    if not changed:
        return False
    ok = sum(1 for w in changed if _is_syllable(re.sub(r"[^\w]", "", w)))
    return ok >= max(1, 0.7 * len(changed))


def _reads_as_vietnamese(text: str) -> float:
    """Share of the words with letters outside ASCII that are Vietnamese syllables."""
    words = [w.strip(".,;:!?()[]{}\"'-/") for w in text.split()]
    marked = [w for w in words if w and not w.isascii()]
    if not marked:
        return 0.0
    return sum(1 for w in marked if _is_syllable(w)) / len(marked)


def repair(text: str) -> tuple[str, str | None]:
    """(text in Unicode NFC, the legacy encoding it was in or None). Both legacy readings are tried
    and the one that reads as Vietnamese wins ("DÖt" is TCVN3 for "Dệt", "Baéc" VNI for "Bắc"); text
    that already reads as Vietnamese Unicode ("Bé", "Hà Nội") is left alone."""
    if not text or text.isascii() or _VN_LETTERS.search(text):
        return text, None
    before = _reads_as_vietnamese(text)
    best: tuple[float, str, str | None] = (before, text, None)
    kinds = [("tcvn3", tcvn3_to_unicode), ("vni", vni_to_unicode)]
    if detect(text) == "vni":  # on a tie, the encoding whose marks the text shows
        kinds.reverse()
    for kind, convert in kinds:
        converted = convert(text)
        if converted == text or not _plausible(text, converted):
            continue
        score = _reads_as_vietnamese(converted)
        if score > best[0]:
            best = (score, converted, kind)
    return best[1], best[2]
