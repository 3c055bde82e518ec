"""The portal's search feature: the backend chosen by configuration, the index kept in step with
the database, and the search API and page. The engine itself is the ``vnsearch`` library."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from vnsearch.backends.base import SearchBackend


def init_app(app: Flask) -> None:
    # Imported here: these modules import the enterprise models and services, which must not
    # depend on this package being importable first.
    from cnht.api import api
    from cnht.search import api as search_api
    from cnht.search import views
    from cnht.search.indexing import install_sync
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
    app.register_blueprint(views.bp)
    api.register_blueprint(search_api.blp)


def get_backend() -> SearchBackend:
    return current_app.extensions["cnht_search"]
