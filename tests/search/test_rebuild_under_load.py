"""A full rebuild of the index while people search and SMEs save: no search fails or loses results
during the swap, and every save made meanwhile is found afterwards. On the live cluster (make
test-search) the rebuild is a new index swapped in by alias, and the saves made while it ran wait in
the backlog until the swap is done; on the embedded index they wait for its write lock."""

from __future__ import annotations

import time

import pytest

from cnht.db import writing
from cnht.search import indexing
from cnht.search.services import reindex
from tests.search.live import Traffic, drop, make_app, seed

FIRMS = 600


@pytest.fixture
def live_app(tmp_path):
    app = make_app(tmp_path)
    yield app
    drop(app)


def test_a_rebuild_loses_no_search_and_no_save(live_app, monkeypatch):
    app = live_app
    taxes = seed(app, FIRMS)
    # the documents are read a little slowly (3 s in all), so that saves certainly fall inside the rebuild
    # (on the cluster 600 documents are indexed in well under a second)
    fast = indexing.iter_all_docs

    def slow(session):
        for doc in fast(session):
            time.sleep(0.005)
            yield doc

    monkeypatch.setattr(indexing, "iter_all_docs", slow)
    with Traffic(app, FIRMS) as traffic:
        time.sleep(0.3)
        with app.app_context():
            assert reindex(app) == FIRMS
        time.sleep(0.3)  # and a few saves after the swap
    assert not traffic.failures, traffic.failures[:3]
    assert traffic.totals and min(traffic.totals) == FIRMS  # no search saw a half-built or missing index
    if not app.extensions["cnht_search"].reindex_keeps_writes:
        assert any(during for _i, _m, during in traffic.saved), "no save was made while the rebuild ran"
    assert not traffic.lost(taxes)


def test_a_rebuild_started_by_an_import_does_not_wait_for_itself(live_app, monkeypatch):
    # an import commits inside writing() (its sessions take SQLite's write lock at once) and a large one
    # rebuilds the index from its after-commit hook; the rebuild's heartbeat is another session
    app = live_app
    backend = app.extensions["cnht_search"]
    monkeypatch.setattr(backend, "reindex_keeps_writes", False)  # as on the cluster: writes held back
    monkeypatch.setattr(indexing, "BEAT_EVERY", 50)
    seed(app, 200)
    t = time.monotonic()
    with app.app_context(), writing():
        assert reindex(app) == 200
    assert time.monotonic() - t < 20  # a heartbeat waiting for the reader's lock would time out at 30 s
    with app.extensions["cnht_db"].sessionmaker() as s:
        assert not indexing.rebuilding(s)
