"""The portal with its search cluster down: it starts, says so on /healthz, answers search with a clear
503, keeps every change it could not index in the database, and catches up when an index answers again.

The outage is real — the cluster client against a port nothing listens on — and the index that comes
back is a real one: the live cluster when CNHT_ES_URL is set (make test-search), else the embedded index."""

from __future__ import annotations

import os
import socket
import uuid

import pytest

from cnht import create_app, migrate
from cnht.enterprises import services
from cnht.enterprises.schemas import EnterpriseIn
from cnht.reference.services import load_reference
from cnht.search.models import SearchBacklog
from tests.factories import enterprise_record
from vnsearch.backends.base import Filters
from vnsearch.backends.embedded import EmbeddedBackend
from vnsearch.query import plan_query


def _dead_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def outage_app(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'o.sqlite3'}",
            "SECRET_KEY": "t",
            "TESTING": True,
            "SEARCH_BACKEND": "opensearch",
            "ES_URL": _dead_url(),
        }
    )
    db = app.extensions["cnht_db"]
    migrate.upgrade(db.engine)
    with db.sessionmaker() as s:
        load_reference(s)
        s.commit()
    yield app
    db.engine.dispose()


def _recovered_backend(tmp_path):
    url = os.environ.get("CNHT_ES_URL")
    if not url:
        return EmbeddedBackend(tmp_path / "back.sqlite3"), None
    from vnsearch.backends.elasticsearch import OpenSearchBackend

    b = OpenSearchBackend(url, alias=f"cnht-outage-{uuid.uuid4().hex[:8]}")
    return b, lambda: [b.es.indices.delete(index=i) for i in b.es.indices.get_alias(name=b.alias)]


def test_an_outage_loses_no_change_and_the_index_catches_up(outage_app, tmp_path):
    app = outage_app
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 200  # the site serves profiles and forms without its search
    body = health.get_json()
    assert body["status"] == "degraded" and body["search"]["status"] == "down"

    with app.app_context(), app.extensions["cnht_db"].sessionmaker() as s:
        ent = services.upsert(
            s, EnterpriseIn().load(enterprise_record(name="Công ty TNHH Khuôn mẫu Hòa Bình"))
        ).enterprise
        s.commit()  # the database takes it; the index cannot
        ent_id = ent.id
        assert [r.enterprise_id for r in s.query(SearchBacklog)] == [ent_id]
    assert client.get("/healthz").get_json()["search"]["backlog"] == 1

    r = client.get("/search?q=khuon")
    assert r.status_code == 503 and "Tìm kiếm tạm thời gián đoạn" in r.get_data(as_text=True)
    r = client.get("/api/v1/search?q=khuon")
    assert r.status_code == 503 and r.headers["Retry-After"] == "60"
    assert r.get_json()["error"]["code"] == "service_unavailable"
    assert client.get(f"/enterprises/{ent.tax_code}").status_code == 200  # the profile is served

    backend, cleanup = _recovered_backend(tmp_path)
    app.extensions["cnht_search"] = backend  # the cluster is back
    try:
        body = client.get("/healthz").get_json()
        assert body["search"]["caught_up"] == 1 and body["search"]["backlog"] == 0 and body["status"] == "ok"
        hits = backend.search(plan_query("khuôn mẫu", backend.vocabulary()), Filters(), 1, 10).hits
        assert [h.id for h in hits] == [ent_id]
        assert client.get("/search?q=khuon").status_code == 200
    finally:
        if cleanup:
            cleanup()
        backend.close()
