"""A page of results kept by the embedded index is answered again after an edit only while it is still
what the search computes: after any mix of edits (from another process) every answer equals a fresh
reader's, and the kept pages both survive edits elsewhere and give way to edits that concern them."""

import dataclasses
import random

from bench.corpus import generate, queries
from tests.search.test_index_patching import QUERIES, _edits
from vnsearch.backends.base import Filters
from vnsearch.backends.embedded import EmbeddedBackend
from vnsearch.query import plan_query
from vnsearch.ranking import Preferences


def _asks(docs):
    province = docs[0].province_code
    return [
        (Filters(), 1, 20, "relevance", None),
        (Filters(province=province), 1, 20, "relevance", None),
        (Filters(), 2, 10, "relevance", None),
        (Filters(), 1, 20, "name", None),
        (Filters(), 1, 20, "relevance", Preferences(provinces=(province,))),
    ]


def _answer(b, q, ask):
    filters, page, per_page, sort, prefs = ask
    r = b.search(plan_query(q, b.vocabulary()), filters, page, per_page, sort=sort, prefs=prefs)
    return (
        r.total,
        [(h.tax_code, h.score, h.name, h.province_code, h.verification, h.highlights) for h in r.hits],
        r.facets,
        r.relaxed,
        r.did_you_mean,
        r.dropped,
    )


def _index(tmp_path, firms, indexed):
    """The first ``indexed`` firms written by one backend, and another reading the same file (another
    process): (docs, path, writer, reader)."""
    docs = [f.doc for f in firms]
    path = tmp_path / "i.sqlite3"
    writer = EmbeddedBackend(path)
    writer.reindex(docs[:indexed])
    return docs, path, writer, EmbeddedBackend(path)


def test_kept_pages_answer_as_a_fresh_reader(tmp_path):
    firms = generate(400, seed=11)
    docs, path, writer, reader = _index(tmp_path, firms, 300)
    texts = QUERIES + [q.text for q in queries(firms, seed=3)[:25]]
    asks = _asks(docs)
    computed = []
    ranked = reader._ranked
    reader._ranked = lambda *a, **k: computed.append(1) or ranked(*a, **k)
    for q in texts:
        for ask in asks:
            _answer(reader, q, ask)
    rng = random.Random(8)
    live, spare = list(docs[:300]), list(docs[300:])
    searches = 0
    computed.clear()
    for _ in range(10):
        _edits(writer, docs, live, spare, rng, rng.randint(1, 3))
        fresh = EmbeddedBackend(path)
        for q in texts:
            for ask in asks:
                searches += 1
                assert _answer(reader, q, ask) == _answer(fresh, q, ask), (q, ask)
    # both happened: pages kept across edits that did not concern them, pages recomputed after ones that did
    assert 0.1 * searches < searches - len(computed) < 0.95 * searches, (searches, len(computed))


def test_an_edit_to_a_listed_firm_or_a_new_firm_with_the_words_recomputes(tmp_path):
    docs, path, writer, reader = _index(tmp_path, generate(200, seed=5), 150)
    q = "khuôn ép nhựa"
    before = _answer(reader, q, (Filters(), 1, 20, "relevance", None))
    # a firm that did not have the words now has them: it is counted, and may be listed
    outsider = next(d for d in docs[:150] if "khuôn" not in " ".join(d.texts.values()).lower())
    more = {**outsider.texts, "products": outsider.texts.get("products", "") + " ; Khuôn ép nhựa chính xác"}
    writer.index([dataclasses.replace(outsider, texts=more)])
    after = _answer(reader, q, (Filters(), 1, 20, "relevance", None))
    assert after[0] == before[0] + 1
    assert after == _answer(EmbeddedBackend(path), q, (Filters(), 1, 20, "relevance", None))
    # a listed firm loses the words: it is gone from the page
    listed = after[1][0][0]
    doc = next(d for d in docs if d.tax_code == listed)
    other = {"name": "Công ty TNHH Thương mại Minh Anh", "products": "Bao bì giấy"}
    writer.index([dataclasses.replace(doc, name=other["name"], texts=other, products=["Bao bì giấy"])])
    again = _answer(reader, q, (Filters(), 1, 20, "relevance", None))
    assert again[0] == after[0] - 1 and listed not in [h[0] for h in again[1]]
    assert again == _answer(EmbeddedBackend(path), q, (Filters(), 1, 20, "relevance", None))


def _small_edit(doc, rng, words):
    """What an SME's save usually is: a word added to one text, a product dropped, a text reworded
    (its words in another order: the same words, other phrases) or moved to another field (the words'
    counts unchanged, their place not), or the verification changed; the rest of the firm as it was."""
    texts = dict(doc.texts)
    op = rng.random()
    field = rng.choice(sorted(texts))
    if op < 0.3:
        texts[field] = f"{texts[field]} {rng.choice(words)}".strip()
        return dataclasses.replace(doc, texts=texts)
    if op < 0.45:
        texts[field] = " ".join(reversed(texts[field].split()))
        return dataclasses.replace(doc, texts=texts)
    if op < 0.6:
        other = rng.choice(sorted(set(texts) - {field}))
        texts[other], texts[field] = f"{texts[other]} {texts[field]}".strip(), ""
        return dataclasses.replace(doc, texts=texts)
    if op < 0.8 and doc.products:
        products = doc.products[1:] if rng.random() < 0.5 else [*doc.products, rng.choice(words)]
        texts["products"] = " ; ".join(products)
        return dataclasses.replace(doc, texts=texts, products=products)
    return dataclasses.replace(doc, verification=rng.choice(["unverified", "documents_checked"]))


def test_a_page_outlives_edits_that_leave_what_it_read_unchanged(tmp_path):
    """An edit of a firm matching the query but neither scored nor listed, which keeps its facet
    values and matches every expression the page read as before, keeps the page; any other
    recomputes it. Every answer equals a fresh reader's."""
    firms = generate(400, seed=21)
    docs, path, writer, reader = _index(tmp_path, firms, 400)
    texts = QUERIES + [q.text for q in queries(firms, seed=5)[:20]]
    asks = _asks(docs)
    for q in texts:
        for ask in asks:
            _answer(reader, q, ask)
    outcomes = []
    untouched = reader._untouched
    reader._untouched = lambda *a: outcomes.append(untouched(*a)) or outcomes[-1]
    rng = random.Random(2)
    # unusual words (in no query), a query's words, a whole query: every kind of edit happens
    words = ["Loadmark", "Zyx", "bảo hành", "giao nhanh", *QUERIES, *(w for q in QUERIES for w in q.split())]
    live = list(docs)
    for _ in range(30):
        i = rng.randrange(len(live))
        live[i] = _small_edit(live[i], rng, words)
        writer.index([live[i]])
        fresh = EmbeddedBackend(path)
        for q in texts:
            for ask in asks:
                assert _answer(reader, q, ask) == _answer(fresh, q, ask), (q, ask)
    assert outcomes.count(True) > 20 and outcomes.count(False) > 5, (outcomes.count(True), len(outcomes))


def test_a_bulk_write_logs_no_earlier_state_and_recomputes(tmp_path):
    docs, path, writer, reader = _index(tmp_path, generate(200, seed=4), 200)
    q = "khuôn ép nhựa"
    _answer(reader, q, (Filters(), 1, 20, "relevance", None))
    texts = {**docs[0].texts, "description": docs[0].texts.get("description", "") + " Zyx"}
    many = [dataclasses.replace(docs[0], texts=texts)] + [
        dataclasses.replace(d, texts={**d.texts, "description": d.texts.get("description", "") + " Zyx"})
        for d in docs[1:70]
    ]
    writer.index(many)  # more documents than a version logs the earlier state of
    assert reader._snapshot().version not in reader._before
    assert _answer(reader, q, (Filters(), 1, 20, "relevance", None)) == _answer(
        EmbeddedBackend(path), q, (Filters(), 1, 20, "relevance", None)
    )


def test_documents_kept_for_scoring_give_way_to_edits_and_to_a_rebuild(tmp_path):
    """Scoring reads each candidate once and keeps it; an edit to it, or a rebuild that hands its
    rowid to another firm, must make the reader read it again."""
    firms = generate(300, seed=21)
    docs, path, writer, reader = _index(tmp_path, firms, 300)
    texts = QUERIES[:12]
    ask = (Filters(), 1, 20, "relevance", None)
    reads = []
    read = reader._read_candidates
    reader._read_candidates = lambda ids: reads.append(len(ids)) or read(ids)
    for q in texts:
        _answer(reader, q, ask)
    first = sum(reads)
    rng = random.Random(4)
    words = [w for q in texts for w in q.split()]
    for step in range(3):
        for i in rng.sample(range(len(docs)), 8):
            docs[i] = _small_edit(docs[i], rng, words)
            writer.index([docs[i]])
        if step == 1:
            rng.shuffle(docs)  # the rebuild numbers the rows anew: rowid n is now another firm
            writer.reindex(docs)
        reads.clear()
        fresh = EmbeddedBackend(path)
        for q in texts:
            assert _answer(reader, q, ask) == _answer(fresh, q, ask), (step, q)
        # kept documents were used where nothing changed; all were read again after the rebuild
        if step == 1:
            assert sum(reads) >= first, (sum(reads), first)
        else:
            assert 0 < sum(reads) < first, (sum(reads), first)
