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
