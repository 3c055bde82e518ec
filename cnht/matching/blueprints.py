"""Registers the matching feature's page and API blueprints on the app (``FEATURES`` in ``create_app``)."""

from __future__ import annotations

from flask import Flask

from cnht.api import api
from cnht.matching import api as matching_api
from cnht.matching import views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    api.register_blueprint(matching_api.blp)
