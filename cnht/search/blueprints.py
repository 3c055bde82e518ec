"""Registers the search feature's page and API blueprints on the app (``FEATURES`` in ``create_app``)."""

from __future__ import annotations

from flask import Flask

from cnht.api import api
from cnht.search import api as search_api
from cnht.search import backend, views


def init_app(app: Flask) -> None:
    backend.init_app(app)
    app.register_blueprint(views.bp)
    api.register_blueprint(search_api.blp)
