"""Registers the assessment feature's page blueprints on the app (``FEATURES`` in ``create_app``)."""

from __future__ import annotations

from flask import Flask

from cnht.assessment import services, views
from cnht.db import session


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)

    @app.context_processor
    def _assessment_helpers():
        # pages of other features (the profile) show the current confirmation without importing us
        return {"current_assessment": lambda ent: services.current_assessment(session, ent.id)}
