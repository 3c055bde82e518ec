"""A process reading the embedded index patches its facet arrays, vocabulary, cached clause rowids and scores
from the change log after each edit (from any process) instead of rereading the whole index. After
any mix of edits it must answer exactly as a process that has just read everything."""

import dataclasses
import random

import numpy as np

from bench.corpus import generate, queries
from vnsearch.backends.base import FACETS, Filters
from vnsearch.backends.embedded import CHANGE_LOG, EmbeddedBackend, _Facets, _parse_ids
from vnsearch.query import plan_query

QUERIES = ["khuôn ép nhựa", "gia cong co khi", "vải", "linh kiện điện tử", "da giày", "in lụa", "ốc vít"]


def _answers(b, texts, filters=None):
    out = []
    for q in texts:
        r = b.search(plan_query(q, b.vocabulary()), filters or Filters(), 1, 20)
        out.append((q, r.total, [(h.tax_code, h.score) for h in r.hits], r.facets))
    return out


def _edits(writer, docs, live, spare, rng, n):
    for _ in range(n):
        op = rng.random()
        if op < 0.3 and spare:
            doc = spare.pop()
            writer.index([doc])
            live.append(doc)
        elif op < 0.8:
            i = rng.randrange(len(live))
            other = rng.choice(docs)  # another firm's words, sectors and province under this firm's id
            live[i] = dataclasses.replace(
                other,
                id=live[i].id,
                tax_code=live[i].tax_code,
                verification=rng.choice(["unverified", "staff_assessed"]),
            )
            writer.index([live[i]])
        else:
            writer.delete([live.pop(rng.randrange(len(live))).id])


def test_patched_reader_answers_as_a_fresh_one(tmp_path):
    firms = generate(400, seed=9)
    docs = [f.doc for f in firms]
    path = tmp_path / "i.sqlite3"
    writer = EmbeddedBackend(path)
    writer.reindex(docs[:300])
    reader = EmbeddedBackend(path)  # another process on the same file
    texts = QUERIES + [q.text for q in queries(firms, seed=2)[:40]]
    _answers(reader, texts)
    rng = random.Random(4)
    live, spare = list(docs[:300]), list(docs[300:])
    for _ in range(12):  # edits in small steps, the reader searching between them
        _edits(writer, docs, live, spare, rng, rng.randint(1, 6))
        _answers(reader, texts[:10], Filters(province=docs[0].province_code))
    assert reader._log, "the reader was expected to patch, not reload"
    fresh = EmbeddedBackend(path)
    a, b = reader._snapshot(), fresh._snapshot()
    assert a.version == b.version
    assert a.vocab.n_docs == b.vocab.n_docs == len(live)
    assert a.vocab.df == b.vocab.df  # Python splits words as the tokenizer does
    assert set(b.vocab.accented) <= set(a.vocab.accented) and b.vocab.bigrams <= a.vocab.bigrams
    everything = np.flatnonzero(b.facets.present)
    assert np.array_equal(np.flatnonzero(a.facets.present), everything)
    for by in ("verified", "name"):
        assert a.facets.sort(everything, by=by) == b.facets.sort(everything, by=by)
    assert a.facets.count(None) == b.facets.count(None)
    assert a.facets.count(everything[::3]) == b.facets.count(everything[::3])
    assert _answers(reader, texts) == _answers(fresh, texts)
    # every kept term's rowids, patched edit by edit (most without asking FTS5), as FTS5 reads them now
    kept = list(reader._clause_ids)
    assert len(kept) > 50
    for expr in kept:
        text = (
            fresh._raw()
            .execute("SELECT group_concat(rowid) FROM fts WHERE fts MATCH ?", (expr,))
            .fetchone()[0]
        )
        assert reader._id_array(expr, a.version).tolist() == sorted(_parse_ids(text).tolist()), expr
    for f in FACETS:
        assert (
            reader.search(plan_query("", reader.vocabulary()), Filters(), 1, 5).facets[f]
            == b.facets.count(None)[f]
        )
    for x in (reader, writer, fresh):
        x.close()


def test_a_reader_too_far_behind_or_after_a_reindex_reloads(tmp_path):
    docs = [f.doc for f in generate(60, seed=5)]
    path = tmp_path / "i.sqlite3"
    writer = EmbeddedBackend(path)
    writer.reindex(docs[:40])
    reader = EmbeddedBackend(path)
    before = reader._snapshot()
    writer.reindex(docs[20:])  # everything changed: nothing to patch from
    after = reader._snapshot()
    assert after.version > before.version and not reader._log
    assert after.vocab.n_docs == len(docs[20:]) and _answers(reader, QUERIES) == _answers(
        EmbeddedBackend(path), QUERIES
    )
    # the log keeps CHANGE_LOG versions: a reader behind more than that reads everything again
    conn = writer._raw()
    conn.execute(
        "UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'version'", (CHANGE_LOG + 1,)
    )
    writer.index([docs[0]])
    late = reader._snapshot()
    assert late.version == after.version + CHANGE_LOG + 2 and late.vocab.n_docs == len(docs[20:]) + 1
    assert _answers(reader, QUERIES) == _answers(EmbeddedBackend(path), QUERIES)


def test_facet_order_survives_many_insertions_at_one_place():
    # each new key sorts just after the last one: halving the gap between two ranks runs out of
    # floating-point room after ~50 steps, and the order is then renumbered
    row = lambda rid, key: (rid, "79", None, None, "unverified", "[]", "[]", key)  # noqa: E731
    facets = _Facets([row(1, "1.000 a"), row(2, "1.000 b")])
    rows = [row(1, "1.000 a"), row(2, "1.000 b")]
    for i in range(3, 120):
        key = "1.000 a" + "m" * i
        facets = facets.patched(np.array([i]), [row(i, key)])
        rows.append(row(i, key))
    fresh = _Facets(rows)
    ids = np.arange(1, 120)
    for by in ("verified", "name"):
        assert (
            facets.sort(ids, by=by)
            == fresh.sort(ids, by=by)
            == sorted(ids.tolist(), key=lambda r: rows[r - 1][7])
        )
