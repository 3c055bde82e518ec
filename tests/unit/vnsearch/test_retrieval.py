"""The first stage is one structure rendered by each backend: the embedded index (real SQLite FTS5)
and the Elasticsearch query (read here by a small interpreter of the query DSL it uses) must select
the same documents as the structure's own meaning, on a fixed corpus."""

from __future__ import annotations

import pytest

from vnsearch.backends.base import Filters
from vnsearch.backends.elasticsearch import es_match
from vnsearch.backends.embedded import EmbeddedBackend
from vnsearch.documents import TEXT_FIELDS, SearchDoc
from vnsearch.query import plan_query
from vnsearch.retrieval import Clause, Retrieval, Term
from vnsearch.weights import WEIGHTS

FIRMS = [
    ("Công ty Khuôn mẫu An Phát", "Khuôn ép nhựa ; Đồ gá", "Ép nhựa"),
    ("Công ty Nhựa Bình Minh", "Chi tiết nhựa ; Vỏ nhựa", "Ép phun"),
    ("Công ty Đúc Gang Thái Nguyên", "Vỏ động cơ bằng gang", "Đúc gang ; Đúc khuôn cát"),
    ("Công ty Cơ khí Chính xác Hà Nội", "Chi tiết máy ; Trục", "Phay CNC ; Tiện CNC"),
    ("Nidec Motor Việt Nam", "Mô tơ rung ; Động cơ điện nhỏ", "Lắp ráp"),
    ("Công ty Giày Thượng Đình", "Đế giày cao su ; Giày vải", "Lưu hóa cao su"),
    ("Công ty Cao su Sao Vàng", "Lốp xe ; Săm xe", "Cán luyện cao su"),
    ("Công ty Dệt Kim Đông Xuân", "Vải thun ; Vải dệt kim", "Dệt kim ; Nhuộm"),
    ("Công ty Sợi Phú Bài", "Sợi cotton ; Sợi polyester", "Kéo sợi"),
    ("Công ty Dây cáp điện Cadivi", "Dây điện ; Cáp trung thế", "Kéo dây đồng"),
    ("Công ty Xi mạ Tân Á", "Mạ kẽm ; Mạ niken", "Xi mạ"),
    ("Công ty Thép Không Gỉ Inox Việt", "Ống inox ; Tấm inox 304", "Cắt laser"),
    ("Công ty Tơ lụa Bảo Lộc", "Tơ tằm ; Lụa", "Ươm tơ"),
]

QUERIES = [
    "khuon ep nhua",
    "mô tơ chính xác",
    "đế giày cao su",
    "de giay cao su",
    "gia cong co khi chinh xac cnc",
    "sợi cotton dệt kim nhuộm",
    "inox 304",
    "duc gang",
    "vai thun",
    "cap trung the",
    "xi mạ linh kiện nhựa",
    "khuôn ép nhự",
    "nhuwaj",
]


def _doc(i: int, name: str, products: str, processes: str) -> SearchDoc:
    return SearchDoc(
        id=i + 1,
        tax_code=f"01{i:08d}",
        name=name,
        name_en=None,
        province_code="01",
        province_name="Hà Nội",
        sectors=["mechanical"],
        ownership=None,
        size_class=None,
        verification="unverified",
        certifications=[],
        texts={"name": name, "products": products, "processes": processes},
        products=products.split(" ; "),
    )


DOCS = [_doc(i, *f) for i, f in enumerate(FIRMS)]


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    b = EmbeddedBackend(tmp_path_factory.mktemp("retrieval") / "s.sqlite3")
    b.reindex(DOCS)
    yield b
    b.close()


# ---- the meaning of the structure, written directly ---------------------------------------------


def _fields(doc: SearchDoc) -> dict[str, tuple[list[list[str]], list[list[str]]]]:
    """field → (exact items, folded items), each item a token list."""
    out = {}
    for f, (exact, folded) in doc.analysed().items():
        out[f] = ([i.split() for i in exact.split(" | ")], [i.split() for i in folded.split(" | ")])
    return out


def _has(items: list[list[str]], phrase: tuple[str, ...], prefix: bool) -> bool:
    n = len(phrase)
    for toks in items:
        for i in range(len(toks) - n + 1):
            head, last = toks[i : i + n - 1], toks[i + n - 1]
            if list(phrase[:-1]) == head and (last.startswith(phrase[-1]) if prefix else last == phrase[-1]):
                return True
    return False


def _term_matches(term: Term, fields) -> bool:
    return any(_has(fields[f][0 if term.exact else 1], term.phrase, term.prefix) for f in TEXT_FIELDS)


def _clause_matches(c: Clause, fields) -> bool:
    if any(_term_matches(t, fields) for t in c.phrases):
        return True
    if not c.words:
        return False
    found = sum(1 for word in c.words if any(_term_matches(t, fields) for t in word))
    return found >= (c.minimum_words or len(c.words))


def meaning(r: Retrieval, doc: SearchDoc) -> bool:
    fields = _fields(doc)
    counted = r.counted()
    return sum(1 for c in counted if _clause_matches(c, fields)) >= r.minimum


# ---- a reader of the Elasticsearch query DSL the backend emits -----------------------------------


def es_matches(q: dict, doc: SearchDoc) -> bool:
    fields = _fields(doc)
    if "bool" in q:
        b = q["bool"]
        must = all(es_matches(x, doc) for x in b.get("must", []))
        should = b.get("should", [])
        need = b.get("minimum_should_match", 0 if b.get("must") else 1)
        return must and sum(1 for x in should if es_matches(x, doc)) >= need
    mm = q["multi_match"]
    phrase = tuple(mm["query"].split())
    kind = mm.get("type", "best_fields")
    names = [f.split("^")[0] for f in mm["fields"]]
    for name in names:
        base, _, sub = name.partition(".")
        items = fields[base][1 if sub == "fold" else 0]
        if kind == "phrase_prefix" and _has(items, phrase, True):
            return True
        if kind in ("phrase", "best_fields") and len(phrase) > 1 and _has(items, phrase, False):
            return True
        if kind == "best_fields" and len(phrase) == 1 and _has(items, phrase, False):
            return True
    return False


def _ent(backend) -> dict[int, int]:
    return dict(backend._raw().execute("SELECT rowid, ent_id FROM docs").fetchall())


@pytest.mark.parametrize("q", QUERIES)
def test_both_backends_select_what_the_structure_means(backend, q):
    vocab = backend.vocabulary()
    plan = plan_query(q, vocab)
    r, rows = backend._result_set(plan, None)  # the structure the embedded index used
    assert r.clauses
    expected = {d.id for d in DOCS if meaning(r, d)}
    assert expected, "every query here finds something"
    assert {_ent(backend)[x] for x in rows} == expected
    es = es_match(r)
    assert {d.id for d in DOCS if es_matches(es, d)} == expected


def test_the_minimum_is_half_of_the_groups_beyond_two():
    assert [WEIGHTS.min_should_match(n) for n in range(1, 8)] == [1, 1, 2, 2, 3, 3, 4]


def test_a_sentence_is_not_all_or_nothing(backend):
    """One word no firm has does not empty the result, and a loose full match does not stop the rest."""
    vocab = backend.vocabulary()
    plan = plan_query("đế giày cao su chịu mài mòn", vocab)
    _, rows = backend._result_set(plan, None)
    names = {DOCS[_ent(backend)[x] - 1].name for x in rows}
    assert "Công ty Giày Thượng Đình" in names


def test_a_two_syllable_word_matches_whole(backend):
    """'mô tơ' is one word: 'tơ' alone (silk) does not make a result."""
    vocab = backend.vocabulary()
    plan = plan_query("mô tơ", vocab)
    assert [g.end - g.start for g in plan.groups] == [2]
    ids = {i for i, _ in backend.candidates(plan, Filters(), limit=20)}
    assert 5 in ids and 13 not in ids  # Nidec's motors, not the silk of Bảo Lộc
