"""The same behaviour from every backend: the embedded one always, Elasticsearch when CNHT_ES_URL
points at a live engine (none runs on the development machines)."""

import os
import uuid

import pytest

from cnht.enterprises import services
from cnht.enterprises.schemas import EnterpriseIn
from cnht.search.indexing import docs_for
from tests.factories import FIRMS, enterprise_record
from vnsearch.backends.base import Filters
from vnsearch.backends.embedded import EmbeddedBackend
from vnsearch.query import plan_query

# CNHT_ES_URL: a live engine; CNHT_SEARCH_BACKEND says which (elasticsearch or opensearch). `make
# test-search` starts a three-node OpenSearch cluster from Maven Central jars and sets both.
ENGINE = os.environ.get("CNHT_SEARCH_BACKEND", "elasticsearch")
ENGINE = ENGINE if ENGINE in ("elasticsearch", "opensearch") else "elasticsearch"
BACKENDS = [
    "embedded",
    pytest.param(
        ENGINE,
        marks=pytest.mark.skipif(
            not os.environ.get("CNHT_ES_URL"), reason="CNHT_ES_URL not set: no search cluster running"
        ),
    ),
]


@pytest.fixture(params=BACKENDS)
def backend(request, session, tmp_path):
    schema = EnterpriseIn()
    ids = [services.upsert(session, schema.load(enterprise_record(**f))).enterprise for f in FIRMS]
    session.commit()
    docs, _ = docs_for(session, [e.id for e in ids])
    if request.param == "embedded":
        b = EmbeddedBackend(tmp_path / "contract.sqlite3")
    else:
        from vnsearch.backends.elasticsearch import ElasticsearchBackend, OpenSearchBackend

        cls = OpenSearchBackend if request.param == "opensearch" else ElasticsearchBackend
        b = cls(os.environ["CNHT_ES_URL"], alias=f"cnht-test-{uuid.uuid4().hex[:8]}")
    b.reindex(docs)
    yield b
    if request.param != "embedded":
        for index in b.es.indices.get_alias(name=b.alias):
            b.es.indices.delete(index=index)
    b.close()


def _names(backend, q, **filters):
    result = backend.search(plan_query(q, backend.vocabulary()), Filters(**filters), 1, 20)
    return [h.name for h in result.hits]


def test_accented_and_unaccented_twins(backend):
    assert _names(backend, "khuon ep nhua")[:3] == _names(backend, "khuôn ép nhựa")[:3]
    assert _names(backend, "khuôn ép nhựa")[0] == "Công ty TNHH Khuôn mẫu Hòa Bình"


def test_marks_decide(backend):
    assert _names(backend, "giày")[0] == "Công ty TNHH Đế giày Tân Phú"
    assert _names(backend, "giấy")[0] == "Công ty Cổ phần Giấy Bao bì Sông Lam"


def test_english_and_telex(backend):
    assert _names(backend, "wire harness")[0] == "Công ty CP Điện tử Sao Việt"
    assert _names(backend, "khuoon eps nhuwaj")[0] == "Công ty TNHH Khuôn mẫu Hòa Bình"


def test_filters_and_facets(backend):
    result = backend.search(plan_query("nhua", backend.vocabulary()), Filters(province="79"), 1, 20)
    assert [h.name for h in result.hits] == ["Công ty Cổ phần Nhựa Kỹ thuật Phương Nam"]
    assert result.total == 1 and dict(result.facets["province"]) == {"79": 1}


def test_browse_counts_everything(backend):
    result = backend.search(plan_query("", backend.vocabulary()), Filters(), 1, 50)
    assert result.total == len(FIRMS) == backend.count()


def test_delete(backend):
    first = backend.search(plan_query("giấy", backend.vocabulary()), Filters(), 1, 5).hits[0]
    backend.delete([first.id])
    assert "Công ty Cổ phần Giấy Bao bì Sông Lam" not in _names(backend, "giấy")


def test_suggest(backend):
    assert "Khuôn ép nhựa" in [s.text for s in backend.suggest("khuon ep nh")]
