"""Registers the assessment feature's page blueprints on the app (``FEATURES`` in ``create_app``)."""

from __future__ import annotations

from flask import Flask, g

from cnht.assessment import services, views
from cnht.db import session
from cnht.enterprises.models import Enterprise


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)

    @app.context_processor
    def _assessment_helpers():
        # pages of other features (the profile, supplier cards) show the current confirmation without
        # importing us
        return {"current_assessment": _current}


def _current(ent: Enterprise):
    """The firm's current assessment, read for every firm the request has loaded at once: a page of
    twenty supplier cards is one query, not twenty."""
    known = g.setdefault("current_assessments", {})
    if ent.id not in known:
        ids = {ent.id} | {
            o.id
            for o in list(session.identity_map.values())
            if isinstance(o, Enterprise) and o.id not in known
        }
        found = services.current_assessments(session, sorted(ids))
        known.update({i: found.get(i) for i in ids})
    return known[ent.id]
