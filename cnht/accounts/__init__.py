"""Accounts: users and roles, sign-in, password reset, API tokens, claims of an enterprise profile."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from cnht.accounts import views

    app.register_blueprint(views.bp)
