"""Statistics: counts by sector, province, size, certification, founding decade and growth."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from cnht.stats import views

    app.register_blueprint(views.bp)
