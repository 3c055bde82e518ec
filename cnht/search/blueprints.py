"""Registers the search feature's page and API blueprints on the app (``FEATURES`` in ``create_app``)."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import ServiceUnavailable

from cnht.api import api
from cnht.i18n import Msg
from cnht.search import api as search_api
from cnht.search import backend, views
from cnht.web.errors import render_error

UNAVAILABLE = Msg(
    "Tìm kiếm tạm thời gián đoạn, vui lòng thử lại sau ít phút",
    "Search is temporarily unavailable, please retry in a few minutes",
)


def init_app(app: Flask) -> None:
    backend.init_app(app)
    app.register_blueprint(views.bp)
    api.register_blueprint(search_api.blp)
    # a cluster that is down answers with these: the page says search is unavailable (503), not 500
    for exc in backend.unavailable_errors():
        app.register_error_handler(exc, _unavailable)


def _unavailable(_exc):
    err = ServiceUnavailable()
    err.data = {"message_obj": UNAVAILABLE, "headers": {"Retry-After": "60"}}
    return render_error(err)
