"""A full rebuild of the index while people search and SMEs save: no search fails or loses results
during the swap, and every save made meanwhile is found afterwards. On the live cluster (make
test-search) the rebuild is a new index swapped in by alias, and the saves made while it ran wait in
the backlog until the swap is done; on the embedded index they wait for its write lock."""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest

from cnht import create_app, migrate
from cnht.db import writing
from cnht.enterprises import services
from cnht.enterprises.rules import make_tax_code
from cnht.enterprises.schemas import EnterpriseIn
from cnht.reference.services import load_reference
from cnht.search.indexing import rebuilding
from cnht.search.services import reindex
from tests.factories import enterprise_record
from vnsearch.backends.base import Filters
from vnsearch.query import plan_query

FIRMS = 600
TAX_CODES = [t for n in range(310100000, 310102000) if (t := make_tax_code(str(n)))][:FIRMS]


@pytest.fixture
def live_app(tmp_path):
    config = {
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'r.sqlite3'}",
        "SECRET_KEY": "t",
        "TESTING": True,
    }
    if os.environ.get("CNHT_ES_URL"):
        config.update(
            SEARCH_BACKEND=os.environ.get("CNHT_SEARCH_BACKEND", "opensearch"),
            ES_URL=os.environ["CNHT_ES_URL"],
            ES_INDEX=f"cnht-rebuild-{uuid.uuid4().hex[:8]}",
        )
    app = create_app(config)
    db = app.extensions["cnht_db"]
    migrate.upgrade(db.engine)
    with db.sessionmaker() as s:
        load_reference(s)
        s.commit()
    yield app
    backend = app.extensions["cnht_search"]
    if hasattr(backend, "es") and backend.es.indices.exists_alias(name=backend.alias):
        for index in backend.es.indices.get_alias(name=backend.alias):
            backend.es.indices.delete(index=index)
    backend.close()
    db.engine.dispose()


def _record(i: int, mark: str = "") -> dict:
    tax = TAX_CODES[i]
    products = ["Chi tiết cơ khí chính xác", "Khuôn dập"] + ([f"Chi tiết {mark}"] if mark else [])
    return enterprise_record(
        tax_code=tax, name=f"Công ty TNHH Cơ khí Số {i}", name_en=None, email=None, products=products
    )


def test_a_rebuild_loses_no_search_and_no_save(live_app):
    app = live_app
    maker = app.extensions["cnht_db"].sessionmaker
    backend = app.extensions["cnht_search"]
    with app.app_context(), maker() as s:
        taxes = []
        for i in range(FIRMS):
            taxes.append(services.upsert(s, EnterpriseIn().load(_record(i))).enterprise.tax_code)
        s.commit()
    plan = plan_query("cơ khí", backend.vocabulary())
    assert backend.search(plan, Filters(), 1, 10).total == FIRMS

    done = threading.Event()
    totals: list[int] = []
    failures: list[str] = []
    saved: list[tuple[int, str, bool]] = []  # firm, mark, saved while a rebuild was running

    def search() -> None:
        while not done.is_set():
            try:
                totals.append(backend.search(plan, Filters(), 1, 10).total)
            except Exception as exc:
                failures.append(repr(exc))

    def edit() -> None:
        n = 0
        with app.app_context():
            while not done.is_set():
                n += 1
                i = n % FIRMS
                mark = f"Dauvet{n}x"
                with writing(), maker() as s:  # as a POST request does: the write lock from the start
                    services.upsert(s, EnterpriseIn().load(_record(i, mark)))
                    s.commit()
                    during = rebuilding(s)
                saved.append((i, mark, during))
                time.sleep(0.02)

    workers = [threading.Thread(target=search), threading.Thread(target=edit)]
    for w in workers:
        w.start()
    try:
        time.sleep(0.3)
        with app.app_context():
            assert reindex(app) == FIRMS
        time.sleep(0.3)  # and a few saves after the swap
    finally:
        done.set()
        for w in workers:
            w.join(timeout=60)

    assert not failures, failures[:3]
    assert totals and min(totals) == FIRMS  # no search saw a half-built or missing index
    if not backend.reindex_keeps_writes:
        assert any(during for _i, _m, during in saved), "no save was made while the rebuild ran"
    # the last save of each firm is what the database holds: each is found by its mark
    last = {i: mark for i, mark, _d in saved}
    missing = []
    for i, mark in last.items():
        hits = backend.search(plan_query(mark, backend.vocabulary()), Filters(), 1, 5).hits
        if [h.tax_code for h in hits] != [taxes[i]]:
            missing.append((i, mark, [h.tax_code for h in hits]))
    assert not missing, missing
