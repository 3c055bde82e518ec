import unicodedata

import pytest

from vnsearch.analysis import (
    bigrams,
    fold,
    fold_token,
    has_marks,
    normalize,
    telex_candidates,
    token_spans,
    tokens,
)

# The 12 Vietnamese vowels × 5 tone marks + plain forms, and đ: every letter and its base.
BASES = {
    "a": "aàáảãạăằắẳẵặâầấẩẫậ",
    "e": "eèéẻẽẹêềếểễệ",
    "i": "iìíỉĩị",
    "o": "oòóỏõọôồốổỗộơờớởỡợ",
    "u": "uùúủũụưừứửữự",
    "y": "yỳýỷỹỵ",
    "d": "đ",
}
LETTERS = [(ch, base) for base, chars in BASES.items() for ch in chars if ch != base]


def test_the_alphabet_table_has_all_67_marked_lowercase_letters():
    assert len(LETTERS) == 67


@pytest.mark.parametrize("letter, base", LETTERS + [(c.upper(), b) for c, b in LETTERS])
def test_every_vietnamese_letter_folds_to_its_base(letter, base):
    assert fold(letter) == base
    assert fold(unicodedata.normalize("NFD", letter)) == base


def test_a_two_mark_letter_built_in_two_steps_folds():
    built = "e" + "\u0323" + "\u0302"  # e + dot below + circumflex = ệ
    assert fold(built) == "e"
    assert fold("Vi" + built + "t") == "viet"
    assert normalize("Vi" + built + "t") == "việt"


def test_fold_examples():
    assert fold("Đúc đồng ĐÀ NẴNG") == "duc dong da nang"
    assert fold("Khuôn ép nhựa") == "khuon ep nhua"


@pytest.mark.parametrize(
    "old, new",
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("Hoà Bình", "hòa bình"),
        ("khoá", "khóa"),
        ("uý ban", "úy ban"),
    ],
)
def test_old_and_new_tone_placement_are_made_equal(old, new):
    assert normalize(old) == normalize(new) == new


@pytest.mark.parametrize("word", ["hoàng", "khoảng", "thuyền", "toàn", "quý"])
def test_tone_placement_leaves_syllables_with_a_final_consonant(word):
    assert normalize(word) == word


def test_invisible_characters_and_odd_spaces_are_removed():
    assert normalize("Khuôn\u200b ép\u00a0\u00a0nhựa\ufeff ") == "khuôn ép nhựa"


def test_tokens_keep_technical_terms_usable():
    assert tokens("ISO 9001:2015, SUS304; dung sai ±0,01 mm; CNC 5-trục") == [
        "iso",
        "9001",
        "2015",
        "sus304",
        "dung",
        "sai",
        "0,01",
        "mm",
        "cnc",
        "5",
        "trục",
    ]


def test_no_vietnamese_syllable_is_split():
    text = "Công ty TNHH Cơ khí Chính xác Thành Đạt"
    assert tokens(text) == text.lower().split()


def test_has_marks():
    assert has_marks("khuôn") and has_marks("đúc") and not has_marks("khuon ep") and not has_marks("CNC")


def test_bigrams():
    assert bigrams(["co", "khi", "chinh", "xac"]) == ["co_khi", "khi_chinh", "chinh_xac"]


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("nhuaj", "nhua"),
        ("nhuwaj", "nhua"),
        ("khuoon", "khuon"),
        ("eps", "ep"),
        ("nhu7a5", "nhua"),
        ("ddúc", "duc"),
        ("chinhs", "chinh"),
    ],
)
def test_telex_and_vni_leftovers_are_repaired(typed, meant):
    assert meant in telex_candidates(typed)


def test_highlight_spans_are_positions_in_the_accented_text():
    text = "Khuôn ép nhựa"
    spans = token_spans(text)
    assert [(text[s:e], f) for s, e, f in spans] == [("Khuôn", "khuon"), ("ép", "ep"), ("nhựa", "nhua")]
    nfd = unicodedata.normalize("NFD", text)
    assert [f for _, _, f in token_spans(nfd)] == ["khuon", "ep", "nhua"]


def test_fold_token_handles_d_stroke():
    assert fold_token("đồng") == "dong"
