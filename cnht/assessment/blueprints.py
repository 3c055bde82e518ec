"""Registers the assessment feature's page blueprints on the app (``FEATURES`` in ``create_app``)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from cnht.assessment import services, views
    from cnht.db import session

    app.register_blueprint(views.bp)

    @app.context_processor
    def _assessment_helpers():
        # pages of other features (the profile) show the current confirmation without importing us
        return {"current_assessment": lambda ent: services.current_assessment(session, ent.id)}
