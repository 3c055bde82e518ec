"""Enterprises: the supporting-industry firms, their capabilities and their audit trail."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from cnht.api import api
    from cnht.enterprises import api as enterprises_api
    from cnht.enterprises import views

    app.register_blueprint(views.bp)
    api.register_blueprint(enterprises_api.blp)
