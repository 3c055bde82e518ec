"""Registers the enterprises feature on the app (``FEATURES`` in ``create_app``): the audit-trail
listeners, the acting user of each request, the pages and the API."""

from __future__ import annotations

from flask import Flask

from cnht.accounts import auth
from cnht.api import api
from cnht.db import session
from cnht.enterprises import api as enterprises_api
from cnht.enterprises import audit, views


def init_app(app: Flask) -> None:
    audit.install()

    @app.before_request
    def _audit_actor():
        # every change made while handling this request is audited as this user's
        user = auth.user_or_none()
        audit.set_actor(session, f"user:{user.id}" if user else "anonymous", user.id if user else None)

    app.register_blueprint(views.bp)
    api.register_blueprint(enterprises_api.blp)
