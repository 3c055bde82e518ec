"""The search backend chosen by configuration (embedded index or Elasticsearch), kept in step with
the database by the index-sync listeners."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from vnsearch.backends.base import SearchBackend


def init_app(app: Flask) -> None:
    from cnht.search.indexing import install_sync  # indexing reads the enterprise models
    from cnht.search.synonyms import install_taxonomy_synonyms

    install_taxonomy_synonyms()
    if app.config["SEARCH_BACKEND"] == "elasticsearch":
        from vnsearch.backends.elasticsearch import ElasticsearchBackend  # the client loads only when used

        backend: SearchBackend = ElasticsearchBackend(app.config["ES_URL"], app.config["ES_INDEX"])
    else:
        from vnsearch.backends.embedded import EmbeddedBackend

        backend = EmbeddedBackend(Path(app.config["INSTANCE_PATH"]) / "search.sqlite3")
    app.extensions["cnht_search"] = backend
    install_sync(app.extensions["cnht_db"].sessionmaker, lambda: app.extensions["cnht_search"])


def get_backend() -> SearchBackend:
    return current_app.extensions["cnht_search"]
