"""The embedded index keeps each clause's rowids for one index version: a write — from this backend or
another process on the same file — is seen by the next search."""

import dataclasses

from bench.corpus import generate
from cnht.enterprises import services
from cnht.enterprises.schemas import EnterpriseIn
from cnht.search.indexing import docs_for
from tests.factories import FIRMS, enterprise_record
from vnsearch.backends.base import Filters
from vnsearch.backends.embedded import EmbeddedBackend
from vnsearch.query import plan_query


def _names(b, q):
    return [h.name for h in b.search(plan_query(q, b.vocabulary()), Filters(), 1, 20).hits]


def test_a_write_from_another_process_is_seen_by_the_next_search(session, tmp_path):
    ents = [services.upsert(session, EnterpriseIn().load(enterprise_record(**f))).enterprise for f in FIRMS]
    session.commit()
    docs, _ = docs_for(session, [e.id for e in ents])
    reader = EmbeddedBackend(tmp_path / "i.sqlite3")
    reader.reindex(docs[1:])
    writer = EmbeddedBackend(tmp_path / "i.sqlite3")  # another process's connection to the same file
    first = docs[0]
    word = first.name.split()[-1]
    before = _names(reader, word)
    assert _names(reader, word) == before and reader._clause_ids  # the second search reads the cache
    writer.index([first])
    assert first.name in _names(reader, word) and first.name not in before
    writer.index([dataclasses.replace(first, name=first.name + " Mới")])
    assert first.name + " Mới" in _names(reader, word)
    writer.delete([first.id])
    assert not [n for n in _names(reader, word) if n.startswith(first.name)]
    reader.close()
    writer.close()


def test_kept_scores_follow_an_edit_that_leaves_the_words_alone(tmp_path):
    # a verification changes a firm's score but no word's rarity: the query keeps its score key, and
    # only the edited firm's kept score may be dropped and computed again
    docs = [f.doc for f in generate(200, seed=3)]
    path = tmp_path / "i.sqlite3"
    writer = EmbeddedBackend(path)
    writer.reindex(docs)
    reader = EmbeddedBackend(path)
    q = "khuôn ép nhựa"

    def scores(b):
        r = b.search(plan_query(q, b.vocabulary()), Filters(), 1, 20)
        return {h.tax_code: h.score for h in r.hits}

    before = scores(reader)
    assert reader._scores and scores(reader) == before
    target = next(d for d in docs if d.tax_code in before and d.verification == "unverified")
    writer.index([dataclasses.replace(target, verification="staff_assessed")])
    after = scores(reader)
    assert after[target.tax_code] > before[target.tax_code]
    assert len(reader._scores) == 1  # the same key: the entry was patched, not replaced
    assert after == scores(EmbeddedBackend(path))


def test_a_clause_read_term_by_term_matches_what_fts5_answers_for_it_whole(tmp_path):
    # a clause's rowids are combined from its terms' kept rowids (AND, OR, "k of n words"); FTS5 run on
    # the whole clause text is the reference, with and without a filter and the strong-field columns
    from vnsearch.backends.embedded import (
        _STRONG_FILTER,
        _and,
        _parse_ids,
        filter_expression,
        fts_clause,
        retrieval,
    )

    docs = [f.doc for f in generate(400, seed=5)]
    b = EmbeddedBackend(tmp_path / "i.sqlite3")
    b.reindex(docs)
    vocab = b.vocabulary()
    version = b._snapshot().version
    queries = [
        "khuôn ép nhựa",
        "linh kien dien tu",
        "gia công cơ khí chính xác cnc",
        "may mặc xuất khẩu",
        "vải",
        "đúc nhôm áp lực bình dương",
        "bao bì carton in offset",
        "giày da",
        "dap",
    ]
    filters = [None, filter_expression(Filters(province="79")), filter_expression(Filters(verified=True))]
    checked = 0
    for q in queries:
        plan = plan_query(q, vocab)
        for minimum in (None, 1):
            for c in retrieval(plan, minimum=minimum).clauses:
                for filt in filters:
                    for strong in (False, True):
                        inner = fts_clause(c)
                        expr = _and(_STRONG_FILTER + "(" + inner + ")" if strong else inner, filt)
                        text = (
                            b._raw()
                            .execute("SELECT group_concat(rowid) FROM fts WHERE fts MATCH ?", (expr,))
                            .fetchone()[0]
                        )
                        want = sorted(_parse_ids(text).tolist())
                        assert b._clause_array(c, filt, version, strong=strong).tolist() == want, expr
                        checked += bool(want)
    assert checked > 50  # most of them match something: the comparison is not between empty sets
    b.close()
