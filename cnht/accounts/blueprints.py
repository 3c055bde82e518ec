"""Registers the accounts feature's page blueprints on the app (``FEATURES`` in ``create_app``)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from cnht.accounts import views

    app.register_blueprint(views.bp)
