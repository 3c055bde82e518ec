"""The search backend chosen by configuration (embedded index or Elasticsearch), kept in step with
the database by the index-sync listeners."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from cnht.search.indexing import install_sync
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
    install_sync(app.extensions["cnht_db"].sessionmaker, lambda: app.extensions["cnht_search"])


def get_backend() -> SearchBackend:
    return current_app.extensions["cnht_search"]
