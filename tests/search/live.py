"""Shared by the tests that run searches and saves through an event on the index (a rebuild, a node
lost): an app on a file database and the configured backend (the live cluster with make test-search),
firms to find, and the traffic — one searcher, one SME editor — with what it saw."""

from __future__ import annotations

import os
import threading
import time
import uuid

from cnht import create_app, migrate
from cnht.db import writing
from cnht.enterprises import services
from cnht.enterprises.rules import make_tax_code
from cnht.enterprises.schemas import EnterpriseIn
from cnht.reference.services import load_reference
from cnht.search.indexing import rebuilding
from tests.factories import enterprise_record
from vnsearch.backends.base import Filters
from vnsearch.query import plan_query

TAX_CODES = [t for n in range(310100000, 310103000) if (t := make_tax_code(str(n)))][:1000]
QUERY = "cơ khí"  # every firm made here holds it


def make_app(tmp_path):
    config = {
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
        "SECRET_KEY": "t",
        "TESTING": True,
    }
    if os.environ.get("CNHT_ES_URL"):
        config.update(
            SEARCH_BACKEND=os.environ.get("CNHT_SEARCH_BACKEND", "opensearch"),
            ES_URL=os.environ["CNHT_ES_URL"],
            ES_INDEX=f"cnht-live-{uuid.uuid4().hex[:8]}",
        )
    app = create_app(config)
    db = app.extensions["cnht_db"]
    migrate.upgrade(db.engine)
    with db.sessionmaker() as s:
        load_reference(s)
        s.commit()
    return app


def drop(app) -> None:
    backend = app.extensions["cnht_search"]
    if hasattr(backend, "es") and backend.es.indices.exists_alias(name=backend.alias):
        for index in backend.es.indices.get_alias(name=backend.alias):
            backend.es.indices.delete(index=index)
    backend.close()
    app.extensions["cnht_db"].engine.dispose()


def firm_record(i: int, mark: str = "") -> dict:
    products = ["Chi tiết cơ khí chính xác", "Khuôn dập"] + ([f"Chi tiết {mark}"] if mark else [])
    return enterprise_record(
        tax_code=TAX_CODES[i], name=f"Công ty TNHH Cơ khí Số {i}", name_en=None, email=None, products=products
    )


def seed(app, n: int) -> list[str]:
    with app.app_context(), app.extensions["cnht_db"].sessionmaker() as s:
        taxes = [
            services.upsert(s, EnterpriseIn().load(firm_record(i))).enterprise.tax_code for i in range(n)
        ]
        s.commit()
    return taxes


class Traffic:
    """A searcher and an SME editor running until ``stop``; every save is remembered to be checked."""

    def __init__(self, app, firms: int):
        self.app, self.firms = app, firms
        self.backend = app.extensions["cnht_search"]
        self.maker = app.extensions["cnht_db"].sessionmaker
        self.done = threading.Event()
        self.totals: list[int] = []
        self.failures: list[str] = []
        self.saved: list[tuple[int, str, bool]] = []  # firm, mark, saved while a rebuild was running
        self.threads = [threading.Thread(target=self._search), threading.Thread(target=self._edit)]

    def __enter__(self) -> Traffic:
        self.plan = plan_query(QUERY, self.backend.vocabulary())
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        for t in self.threads:
            t.join(timeout=120)

    def _search(self) -> None:
        while not self.done.is_set():
            try:
                self.totals.append(self.backend.search(self.plan, Filters(), 1, 10).total)
            except Exception as exc:
                self.failures.append(repr(exc))
            time.sleep(0.005)

    def _edit(self) -> None:
        n = 0
        with self.app.app_context():
            while not self.done.is_set():
                n += 1
                i, mark = n % self.firms, f"Dauvet{n}x"
                with writing(), self.maker() as s:  # as a POST request does: the write lock from the start
                    services.upsert(s, EnterpriseIn().load(firm_record(i, mark)))
                    s.commit()
                    during = rebuilding(s)
                self.saved.append((i, mark, during))
                time.sleep(0.02)

    def lost(self, taxes: list[str]) -> list[tuple[int, str, list[str]]]:
        """The firms whose last save is not what search finds by its mark."""
        last = {i: mark for i, mark, _d in self.saved}
        out = []
        for i, mark in last.items():
            hits = self.backend.search(plan_query(mark, self.backend.vocabulary()), Filters(), 1, 5).hits
            if [h.tax_code for h in hits] != [taxes[i]]:
                out.append((i, mark, [h.tax_code for h in hits]))
        return out
