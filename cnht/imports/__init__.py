"""Imports: enterprise lists from spreadsheets (CLI and web, with a background job), duplicate
detection for rows without a tax code and the staff review queue. Reading and writing the files
is the ``ingest`` library's work."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from cnht.imports import views

    app.register_blueprint(views.bp, url_prefix="/staff")
