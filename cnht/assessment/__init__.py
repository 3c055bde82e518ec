"""Capability assessment (đánh giá, xác nhận năng lực) of suppliers by Department staff."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from cnht.assessment import views

    app.register_blueprint(views.bp)
