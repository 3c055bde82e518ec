"""Registers the front page and the staff dashboard (``FEATURES`` in ``create_app``)."""

from __future__ import annotations

from flask import Flask

from cnht.home import views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(views.staff_bp, url_prefix="/staff")
