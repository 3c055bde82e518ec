"""One node of the three-node cluster stops while people search and SMEs save, then comes back: no
search fails or misses a firm (the replicas answer), and every save is found once the cluster has
recovered (a write the cluster refused waited in the backlog; the next health check writes it).
Needs the test cluster of `make test-search` (scripts/search-cluster.sh), which stops and restarts a
node on request."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests

from cnht.search.indexing import backlog_size
from tests.search.live import Traffic, drop, make_app, seed

CONTROL = os.environ.get("CNHT_SEARCH_CONTROL")
pytestmark = pytest.mark.skipif(
    not CONTROL or int(os.environ.get("CNHT_SEARCH_NODES", "1")) < 3,
    reason="needs the three-node test cluster (make test-search)",
)
FIRMS = 300
NODE = 2  # the client talks to node 0


def _ask(what: str) -> None:
    path = Path(CONTROL) / f"{what}-{NODE}"
    path.touch()
    for _ in range(600):  # the cluster removes the file when it is done
        if not path.exists():
            return
        time.sleep(0.1)
    raise AssertionError(f"the cluster did not {what} node {NODE}")


def _health(**wait) -> dict:
    url = os.environ["CNHT_ES_URL"]
    return requests.get(f"{url}/_cluster/health", params={"timeout": "60s", **wait}, timeout=90).json()


@pytest.fixture
def live_app(tmp_path):
    app = make_app(tmp_path)
    yield app
    drop(app)
    _health(wait_for_status="green", wait_for_nodes="3")  # leave the cluster whole for the next test


def test_losing_a_node_fails_no_search_and_loses_no_save(live_app):
    app = live_app
    taxes = seed(app, FIRMS)
    assert not _health(wait_for_status="green")["timed_out"]  # each shard has its replica on another node
    with Traffic(app, FIRMS) as traffic:
        time.sleep(0.5)
        _ask("stop")
        time.sleep(3)  # searching and saving on two nodes
        assert _health()["number_of_nodes"] == 2
        _ask("start")
        assert not _health(wait_for_status="green", wait_for_nodes="3")["timed_out"]
        time.sleep(0.5)
    assert traffic.saved and not traffic.failures, traffic.failures[:3]
    assert traffic.totals and min(traffic.totals) == FIRMS
    client = app.test_client()
    body = client.get("/healthz").get_json()  # what the cluster refused meanwhile is written now
    with app.app_context(), app.extensions["cnht_db"].sessionmaker() as s:
        assert backlog_size(s) == 0, body
    assert not traffic.lost(taxes)
