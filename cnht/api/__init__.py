"""REST API: flask-smorest with generated OpenAPI at /api/openapi.json and docs at /api/docs.

Every API error has one JSON body::

    {"error": {"status": 422, "code": "unprocessable_entity", "message": "<vi>", "message_en": "<en>",
               "details": {"query": {"province": ["…"]}}}}
"""

from __future__ import annotations

import swagger_ui_bundle
from flask import Blueprint, Flask, request, send_from_directory
from flask_smorest import Api as _Api
from werkzeug.exceptions import HTTPException, InternalServerError

from cnht.i18n import Msg

MESSAGES = {
    400: Msg("Yêu cầu không hợp lệ", "Bad request"),
    401: Msg("Cần đăng nhập", "Authentication required"),
    403: Msg("Không có quyền thực hiện", "Forbidden"),
    404: Msg("Không tìm thấy", "Not found"),
    405: Msg("Phương thức không được hỗ trợ", "Method not allowed"),
    409: Msg("Xung đột dữ liệu", "Conflict"),
    413: Msg("Dữ liệu gửi lên quá lớn", "Payload too large"),
    415: Msg("Định dạng dữ liệu không được hỗ trợ", "Unsupported media type"),
    422: Msg("Dữ liệu không hợp lệ", "Invalid data"),
    429: Msg("Quá nhiều yêu cầu, vui lòng thử lại sau", "Too many requests, please retry later"),
    500: Msg("Lỗi hệ thống, vui lòng thử lại sau", "Internal server error, please retry later"),
}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_body(status: int, message: Msg | None = None, details=None) -> dict:
    msg = message or MESSAGES.get(status) or Msg("Lỗi", "Error")
    code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
            422: "unprocessable_entity", 429: "too_many_requests"}.get(status, "internal_error")
    body = {"status": status, "code": code, "message": msg.vi, "message_en": msg.en}
    if details:
        body["details"] = details
    return {"error": body}


class Api(_Api):
    def handle_http_exception(self, error: HTTPException):
        if not is_api_request():
            from cnht.web import render_error_page

            return render_error_page(error)
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        details = data.get("messages")
        message = data.get("message_obj")
        headers = dict(data.get("headers") or {})
        if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        return error_body(status, message, details), status, headers


api = Api()


def init_api(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "CNHT Portal API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", "/api/docs-static/")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "API của Cổng thông tin công nghiệp hỗ trợ / Supporting-industry portal API. "
                                "Lỗi trả về dạng {\"error\": {status, code, message, message_en, details}}."},
    })
    api.init_app(app)

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

    from cnht.enterprises.api import blp as enterprises_blp
    from cnht.search_api import blp as search_blp

    api.register_blueprint(enterprises_blp)
    api.register_blueprint(search_blp)
    from cnht.matching.api import blp as matching_blp

    api.register_blueprint(matching_blp)
