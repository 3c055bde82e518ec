"""REST API shell: flask-smorest with generated OpenAPI at /api/openapi.json and docs at /api/docs.
Features register their API blueprints on ``api``; every error has one JSON body
(``cnht.web.errors``)."""

from __future__ import annotations

import json
from typing import NoReturn

import flask
import flask_smorest
import swagger_ui_bundle
from flask import Blueprint, Flask, send_from_directory
from flask_smorest import Api as _Api
from flask_smorest import abort as _abort
from marshmallow import Schema, fields
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException, InternalServerError

from cnht.web.errors import render_error


class ErrorBody(Schema):
    status = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"example": "unprocessable_entity"})
    message = fields.String(required=True, metadata={"description": "Vietnamese"})
    message_en = fields.String(required=True, metadata={"description": "English"})
    details = fields.Dict(metadata={"description": "field errors, by location then field"})


class ErrorEnvelope(Schema):
    """Every error the API answers: ``{"error": {status, code, message, message_en, details}}``."""

    error = fields.Nested(ErrorBody, required=True)


class Api(_Api):
    # the documented error body is the one the API really sends (cnht.web.errors.error_body)
    ERROR_SCHEMA = ErrorEnvelope

    def handle_http_exception(self, error: HTTPException):
        # flask-smorest registers this for every HTTP error, pages included: one renderer for both
        return render_error(error)


class _Parser(FlaskParser):
    def _raw_load_json(self, req: flask.Request):
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except ValueError as exc:
            # valid JSON Python will not read (an integer of more than 4,300 digits): a bad body, a 400
            raise json.JSONDecodeError(str(exc), str(exc), 0) from None  # an empty doc reads as "no body"


class ApiBlueprint(flask_smorest.Blueprint):
    """The blueprint every feature's API is built on: its request bodies read by ``_Parser``."""

    ARGUMENTS_PARSER = _Parser()


api = Api()


def init_api(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "CNHT Portal API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", "/api/docs-static/")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "API của Cổng thông tin công nghiệp hỗ trợ / Supporting-industry portal API. "
                'Lỗi trả về dạng {"error": {status, code, message, message_en, details}}.'
            },
            # reads are public; writes take a bearer token, or a signed-in browser with X-CSRFToken
            "security": [{}, {"bearerAuth": []}, {"cookieAuth": []}],
        },
    )
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "API token from /account (90 days)"}
    )
    api.spec.components.security_scheme(
        "cookieAuth",
        {
            "type": "apiKey",
            "in": "cookie",
            "name": "session",
            "description": "a signed-in browser; writes also need the X-CSRFToken header",
        },
    )
    # what any operation may answer besides its own responses
    for status, text in (
        (401, "Cần đăng nhập / Authentication required"),
        (429, "Quá nhiều yêu cầu; xem Retry-After / Too many requests; see Retry-After"),
    ):
        api.spec.components.response(
            str(status), {"description": text, "content": {"application/json": {"schema": "ErrorEnvelope"}}}
        )

    # Swagger UI assets come from the swagger-ui-bundle package: the docs work offline.
    assets = Blueprint("api_docs_static", __name__)

    @assets.route("/api/docs-static/<path:filename>")
    def swagger_asset(filename: str):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)

    app.register_blueprint(assets)

    @app.errorhandler(InternalServerError)
    def _internal_error(error: InternalServerError):
        # Flask has already logged the original exception; answer in the agreed format.
        return api.handle_http_exception(error)


def deny(status: int, msg) -> NoReturn:
    """Abort with a bilingual message; typed NoReturn so callers' None checks narrow."""
    _abort(status, message_obj=msg)
    raise AssertionError  # pragma: no cover — abort raises
