"""Registers the events feature's page and API blueprints on the app (``FEATURES`` in ``create_app``)."""

from __future__ import annotations

from flask import Flask

from cnht.api import api
from cnht.events import api as events_api
from cnht.events import views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    api.register_blueprint(events_api.blp)
