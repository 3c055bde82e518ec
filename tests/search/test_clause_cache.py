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
