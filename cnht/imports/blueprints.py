"""Registers the imports feature's page blueprints on the app (``FEATURES`` in ``create_app``)."""

from __future__ import annotations

from flask import Flask

from cnht.imports import views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp, url_prefix="/staff")
