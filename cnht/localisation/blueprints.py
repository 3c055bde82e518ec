"""Registers the localisation-survey pages on the app (``FEATURES`` in ``create_app``)."""

from __future__ import annotations

from flask import Flask

from cnht.api import api
from cnht.localisation import api as localisation_api
from cnht.localisation import views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    api.register_blueprint(localisation_api.blp)
