"""Buyer tools: shortlists of suppliers and inquiries to a supplier (the SME's inbox)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from cnht.portal import views

    app.register_blueprint(views.bp)
