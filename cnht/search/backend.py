"""The search backend chosen by configuration (embedded index or Elasticsearch), kept in step with
the database by the index-sync listeners."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from cnht.search.indexing import backlog_size, flush_backlog, install_sync
from cnht.search.synonyms import install_query_understanding, install_taxonomy_synonyms
from vnsearch.backends.base import SearchBackend
from vnsearch.backends.embedded import EmbeddedBackend


def init_app(app: Flask) -> None:
    install_taxonomy_synonyms()
    install_query_understanding()
    if app.config["SEARCH_BACKEND"] in ("elasticsearch", "opensearch"):
        from vnsearch.backends.elasticsearch import (  # noqa: PLC0415 - its client, only when used
            ElasticsearchBackend,
            OpenSearchBackend,
        )

        cls = OpenSearchBackend if app.config["SEARCH_BACKEND"] == "opensearch" else ElasticsearchBackend
        backend: SearchBackend = cls(app.config["ES_URL"], app.config["ES_INDEX"])
    else:
        backend = EmbeddedBackend(Path(app.config["INSTANCE_PATH"]) / "search.sqlite3")
    app.extensions["cnht_search"] = backend
    maker = app.extensions["cnht_db"].sessionmaker
    install_sync(maker, lambda: app.extensions["cnht_search"])
    app.extensions["cnht_search_backlog"] = _Backlog(maker, lambda: app.extensions["cnht_search"])


class _Backlog:
    """What /healthz (in the site shell) may do with the index backlog, without importing this feature."""

    def __init__(self, maker, backend_getter):
        self.maker, self.backend_getter = maker, backend_getter

    def flush(self) -> int:
        return flush_backlog(self.maker, self.backend_getter())

    def size(self) -> int:
        with self.maker() as s:
            return backlog_size(s)


def unavailable_errors() -> tuple[type[Exception], ...]:
    """The clients' errors for a cluster that cannot be reached (those installed)."""
    out: list[type[Exception]] = []
    try:
        import elastic_transport  # noqa: PLC0415 - optional client

        out += [elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout]
    except ImportError:
        pass
    try:
        import opensearchpy  # noqa: PLC0415 - optional client

        out += [opensearchpy.exceptions.ConnectionError, opensearchpy.exceptions.ConnectionTimeout]
    except ImportError:
        pass
    return tuple(out)


def get_backend() -> SearchBackend:
    return current_app.extensions["cnht_search"]
