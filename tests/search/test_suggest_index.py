"""A firm's own suggestion is found by its index at each edit, on a built and on a rebuilt index."""

import dataclasses

from bench.corpus import generate
from vnsearch.backends.embedded import EmbeddedBackend


def test_an_edit_finds_the_firms_own_suggestion_by_index_after_a_rebuild_too(tmp_path):
    docs = [f.doc for f in generate(30, seed=2)]
    b = EmbeddedBackend(tmp_path / "i.sqlite3")
    for _ in range(2):  # built in place, then rebuilt into shadow tables and swapped in
        b.reindex(docs)
        plan = b._raw().execute(
            "EXPLAIN QUERY PLAN SELECT id, text_f FROM sugg_src WHERE kind = 'enterprise' AND tax_code = ?",
            (docs[0].tax_code,),
        )
        assert "USING INDEX sugg_src_firm" in " ".join(str(r) for r in plan)
    b.index([dataclasses.replace(docs[0], name="Công ty TNHH Cơ khí Minh Anh")])
    assert [s.text for s in b.suggest("minh anh", limit=5)] == ["Công ty TNHH Cơ khí Minh Anh"]


def test_a_read_that_meets_a_swap_is_read_again_on_a_new_connection(tmp_path, monkeypatch):
    import sqlite3

    import pytest

    from vnsearch.backends.base import Filters
    from vnsearch.query import plan_query

    docs = [f.doc for f in generate(30, seed=2)]
    b = EmbeddedBackend(tmp_path / "i.sqlite3")
    b.reindex(docs)
    plan = plan_query(docs[0].name, b.vocabulary())
    ranked, calls = b._ranked, []

    def once(*args, **kwargs):
        calls.append(b._raw())
        if len(calls) == 1:
            raise sqlite3.OperationalError("vtable constructor failed: fts")
        return ranked(*args, **kwargs)

    monkeypatch.setattr(b, "_ranked", once)
    assert b.search(plan, Filters()).total > 0
    assert len(calls) == 2 and calls[0] is not calls[1]  # the second read had a connection of its own
    monkeypatch.setattr(
        b, "_ranked", lambda *a, **k: (_ for _ in ()).throw(sqlite3.OperationalError("disk I/O error"))
    )
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        b.search(plan_query("khuôn mẫu", b.vocabulary()), Filters())
