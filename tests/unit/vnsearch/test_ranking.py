"""The score, read directly: what each documented weight does to the order of two firms."""

from __future__ import annotations

from dataclasses import replace

from vnsearch.documents import TEXT_FIELDS, SearchDoc
from vnsearch.query import Vocabulary, plan_query
from vnsearch.ranking import Candidate, Preferences, desc_focus, item_focus, rank
from vnsearch.weights import WEIGHTS


def cand(i: int, name: str, products: str = "", desc: str = "", province: str = "01", certs=()) -> Candidate:
    doc = SearchDoc(
        id=i,
        tax_code=f"{i:010d}",
        name=name,
        name_en=None,
        province_code=province,
        province_name="",
        sectors=[],
        ownership=None,
        size_class=None,
        verification="unverified",
        certifications=list(certs),
        texts={"name": name, "products": products, "desc": desc},
    )
    a = doc.analysed()
    return Candidate(
        id=i,
        name=name,
        tax_code=doc.tax_code,
        verification="unverified",
        exact={f: a[f][0] for f in TEXT_FIELDS},
        folded={f: a[f][1] for f in TEXT_FIELDS},
        bigrams=doc.bigram_text(),
        province_code=province,
        certifications=tuple(certs),
    )


def vocab(*words: str, n: int = 1000, common: tuple[str, ...] = ()) -> Vocabulary:
    df = {w: 10 for w in words} | {w: 400 for w in common}
    return Vocabulary(n, df, {}, set())


def order(
    q: str, cands: list[Candidate], v: Vocabulary, prefs: Preferences | None = None, w=WEIGHTS
) -> list[int]:
    return [s.id for s in rank(plan_query(q + " ", v), cands, v, prefs, w)]


def test_a_firm_that_mainly_makes_it_ranks_first():
    """Both list 'lò xo'; one lists it first of two, the other last of six."""
    v = vocab("lo", "xo", "bu", "long", "oc", "vit", "dinh", "tan", "ke", "moc")
    specialist = cand(1, "Công ty An", "Lò xo ; Móc treo")
    general = cand(2, "Công ty Bình", "Bu lông ; Ốc vít ; Đinh tán ; Tắc kê ; Móc ; Lò xo")
    assert order("lò xo", [general, specialist], v) == [1, 2]
    # without the lead-item weight the two tie on the product and fall back to name order
    flat = replace(WEIGHTS, lead_item=0.0, item_share=0.0)
    scores = {s.id: s.score for s in rank(plan_query("lò xo ", v), [general, specialist], v, None, flat)}
    assert scores[1] == scores[2]


def test_focus_numbers():
    assert item_focus("lo xo | moc", {"lo", "xo"}) > item_focus("moc | lo xo", {"lo", "xo"})
    assert desc_focus("lo xo lo xo", {"lo", "xo"}) > desc_focus("lo xo " + "a " * 40, {"lo", "xo"})


def test_missing_a_rare_word_costs_more_than_missing_a_common_one():
    """'mô tơ chính xác': a motor maker without 'chính xác' beats a precision firm without 'mô tơ'."""
    v = vocab("mo", "to", common=("chinh", "xac"))
    motor = cand(1, "Công ty Động lực", "Mô tơ rung")
    precision = cand(2, "Công ty Cơ khí Chính xác", "Chi tiết máy")
    assert order("mô tơ chính xác", [precision, motor], v) == [1, 2]


def test_a_full_match_beats_a_partial_one():
    v = vocab("lo", "xo", "moc")
    full = cand(1, "Công ty B", "Lò xo móc")
    part = cand(2, "Công ty A", "Lò xo")
    assert order("lo xo moc", [part, full], v) == [1, 2]


def test_a_named_province_is_preferred_not_required():
    v = vocab("khuon", "mau")
    hanoi = cand(1, "Công ty A", "Khuôn mẫu", province="01")
    saigon = cand(2, "Công ty B", "Khuôn mẫu", province="79")
    prefs = Preferences(provinces=("79",))
    assert order("khuôn mẫu", [hanoi, saigon], v, prefs) == [2, 1]
    assert order("khuôn mẫu", [hanoi, saigon], v) == [1, 2]  # ties fall back to name order


def test_the_application_and_certificate_break_ties():
    v = vocab("day", "dien", "o", "to", "xe", "may")
    cars = cand(1, "Công ty B", "Dây điện ô tô")
    bikes = cand(2, "Công ty A", "Dây điện xe máy", certs=("ISO 9001",))
    ctx = Preferences(context=plan_query("ô tô", v, allow_prefix=False))
    assert order("dây điện", [bikes, cars], v, ctx)[0] == 1
    assert order("dây điện", [bikes, cars], v, Preferences(certifications=("ISO 9001",)))[0] == 2


def test_the_exact_name_wins_even_with_company_words_left_out():
    v = vocab("an", "phat", "khuon")
    named = cand(1, "An Phát", "Bao bì")
    other = cand(2, "Khuôn An", "Khuôn An Phát ; Khuôn")
    prefs = Preferences(raw_fold="an phat")
    assert order("an phát", [other, named], v, prefs)[0] == 1
