"""Query planning, FTS expressions and highlighting, against a small hand-made vocabulary."""

import pytest

from vnsearch.analysis import tokens
from vnsearch.backends.base import Filters
from vnsearch.backends.embedded import bigram_expression, exact_expression, filter_expression, fts_expression
from vnsearch.highlight import highlight
from vnsearch.query import Vocabulary, plan_query
from vnsearch.synonyms import expansions

WORDS = {
    "khuon": 40,
    "ep": 30,
    "nhua": 50,
    "nhau": 2,
    "duc": 20,
    "gang": 5,
    "giay": 30,
    "de": 25,
    "co": 90,
    "khi": 90,
    "chinh": 40,
    "xac": 40,
    "cnc": 30,
    "iso": 60,
    "9001": 55,
    "mau": 20,
    "khau": 3,
    "eva": 8,
}
BIGRAMS = {"khuon_ep", "ep_nhua", "co_khi", "de_giay", "duc_gang", "giay_eva"}


@pytest.fixture
def vocab():
    return Vocabulary(100, dict(WORDS), {"nhua": "nhựa", "khuon": "khuôn", "ep": "ép"}, set(BIGRAMS))


def _alts(plan, i):
    return [(a.phrase, a.kind) for a in plan.tokens[i].alts]


def test_known_words_are_taken_as_typed(vocab):
    plan = plan_query("khuon ep nhua ", vocab)
    assert [t.folded for t in plan.tokens] == ["khuon", "ep", "nhua"]
    assert all(_alts(plan, i)[0][1] == "user" for i in range(3))
    assert not plan.corrected and plan.did_you_mean(vocab) is None


def test_telex_leftovers_are_repaired_and_shown_with_diacritics(vocab):
    plan = plan_query("khuoon eps nhuwaj ", vocab)
    assert [t.key for t in plan.tokens] == ["khuon", "ep", "nhua"]
    assert plan.did_you_mean(vocab) == "khuôn ép nhựa"


def test_a_real_word_that_breaks_a_phrase_is_corrected_by_context(vocab):
    plan = plan_query("khuon ep nhau ", vocab)
    assert ("nhua",) in [a.phrase for a in plan.tokens[2].alts]
    assert plan.did_you_mean(vocab) == "khuôn ép nhựa"


def test_typos_use_osa_distance():
    # "gnag" is one transposition away from "gang" (two edits for Levenshtein) and two from "giay"
    vocab = Vocabulary(100, {"duc": 20, "gang": 5, "giay": 30, "gian": 4}, {}, {"duc_gang"})
    plan = plan_query("duc gnag ", vocab)
    assert plan.tokens[1].key == "gang"
    assert plan.did_you_mean(vocab) == "duc gang"


def test_typo_ties_are_broken_by_the_known_phrase():
    # "khau" and "nhua" are both one OSA edit from "nhau"; "ep nhua" is a known phrase
    vocab = Vocabulary(100, {"ep": 30, "nhua": 50, "khau": 60}, {}, {"ep_nhua"})
    assert plan_query("ep nhau ", vocab).tokens[1].key == "nhua"


@pytest.mark.parametrize("word", ["cnx", "dc", "ab"])
def test_short_words_are_never_fuzzed(vocab, word):
    plan = plan_query(word + " ", vocab)
    assert not any(a.kind == "fuzzy" for a in plan.tokens[0].alts)


def test_unknown_words_are_dropped_not_matched_to_everything(vocab):
    plan = plan_query("qwertyuiop ", vocab)
    assert plan.tokens[0].dropped and plan.unmatched and not plan.empty


def test_half_typed_last_word_becomes_a_prefix(vocab):
    plan = plan_query("khuon ep nh", vocab)
    assert ("nh",) in [a.phrase for a in plan.tokens[2].alts if a.prefix]
    assert not plan_query("khuon ep nh ", vocab).tokens[2].alts  # a space ends the word


def test_glued_standard_codes_are_split(vocab):
    plan = plan_query("iso9001 ", vocab)
    assert (("iso", "9001"), "user") in _alts(plan, 0)


def test_synonyms_cover_multi_word_english_terms(vocab):
    plan = plan_query("plastic injection mold ", vocab)
    phrases = {a.phrase: a.exact for g in plan.groups for a in g.phrases}
    assert phrases[("khuôn", "ép", "nhựa")] is True  # matched on the accented text


def test_marked_synonym_keys_keep_their_meaning():
    forging = expansions(tokens("rèn"))
    assert any(("forging",) in alts for _, _, alts in forging)
    assert not any(("lace",) in alts for _, _, alts in forging)
    lace_or_forging = expansions(tokens("ren"))
    assert any(("lace",) in alts for _, _, alts in lace_or_forging)


def test_fts_expression_is_and_of_groups_over_folded_columns(vocab):
    expr = fts_expression(plan_query("duc gang ", vocab))
    fold_cols = "{name_f alias_f products_f processes_f certs_f materials_f equipment_f customers_f loc_f cats_f desc_f}: "
    assert f'{fold_cols}"duc"' in expr and f'{fold_cols}"gang"' in expr and " AND " in expr
    assert "_x" not in expr  # nothing typed with marks: folded columns only
    relaxed = fts_expression(plan_query("duc gang ", vocab), relaxed=True)
    assert " OR " in relaxed


def test_user_input_cannot_inject_fts_syntax(vocab):
    expr = fts_expression(plan_query('khuon" OR * NEAR(', vocab))
    assert expr.count('"') % 2 == 0
    assert "NEAR(" not in expr


def test_a_half_typed_word_with_marks_completes_on_the_accented_text(vocab):
    expr = fts_expression(plan_query("khuôn ép nhự", vocab))
    assert (
        '{name_x alias_x products_x processes_x certs_x materials_x equipment_x customers_x loc_x cats_x desc_x}: "nhự"*'
        in expr
    )


def test_exact_and_bigram_expressions(vocab):
    plan = plan_query("khuôn ép nhựa ", vocab)
    assert exact_expression(plan) == '{name_x alias_x products_x processes_x}: ("khuôn" AND "ép" AND "nhựa")'
    assert bigram_expression(plan) == 'big: ("khuon_ep" AND "ep_nhua")'
    assert exact_expression(plan_query("khuon ep ", vocab)) is None  # no marks typed


def test_filter_expression():
    assert filter_expression(Filters()) is None
    expr = filter_expression(
        Filters(sector="mechanical", province="79", certification="ISO 9001", verified=True)
    )
    assert (
        expr
        == 'filt: ("s_mechanical" AND "p_79" AND "c_iso_9001" AND ("v_documents_checked" OR "v_staff_assessed"))'
    )


def test_highlight_places_marks_in_the_accented_text():
    html = highlight("Chuyên sản xuất Khuôn ép nhựa & <b>đồ gá</b>", {("khuon", "ep", "nhua"), ("do",)}, ())
    assert html == "Chuyên sản xuất <mark>Khuôn ép nhựa</mark> &amp; &lt;b&gt;<mark>đồ</mark> gá&lt;/b&gt;"


def test_highlight_prefix_and_window():
    text = "a " * 200 + "Nhựa kỹ thuật"
    html = highlight(text, set(), ("nhu",), max_len=60)
    assert html.startswith("…") and "<mark>Nhựa</mark>" in html
