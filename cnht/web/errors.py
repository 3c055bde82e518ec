"""One error renderer for the whole site: a JSON envelope under /api/, an HTML page elsewhere.

The API's error body::

    {"error": {"status": 422, "code": "unprocessable_entity", "message": "<vi>", "message_en": "<en>",
               "details": {"query": {"province": ["…"]}}}}
"""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.routing import IntegerConverter

from cnht.i18n import Msg, localize

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
    503: Msg(
        "Dịch vụ tạm thời gián đoạn, vui lòng thử lại sau ít phút",
        "Temporarily unavailable, please retry shortly",
    ),
}
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable_entity",
    429: "too_many_requests",
    503: "service_unavailable",
}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_body(status: int, message: Msg | None = None, details=None) -> dict:
    msg = message or MESSAGES.get(status) or Msg("Lỗi", "Error")
    body = {
        "status": status,
        "code": CODES.get(status, "internal_error"),
        "message": msg.vi,
        "message_en": msg.en,
    }
    if details:
        body["details"] = details
    return {"error": body}


def render_error(error: HTTPException):
    """The response for an HTTP error, in the form the client asked for."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    if is_api_request():
        headers = dict(data.get("headers") or {})
        if status == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        return error_body(status, data.get("message_obj"), data.get("messages")), status, headers
    msg = data.get("message_obj") or MESSAGES.get(status, Msg("Lỗi", "Error"))
    return render_template("errors/error.html", status=status, message=localize(msg)), status


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` in URLs stops at the database's 64-bit integers: a larger id is simply not found
    (404) instead of an overflow inside the database driver (500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def init_errors(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter

    @app.errorhandler(RecursionError)
    def _too_deep(_exc):  # JSON nested thousands deep: the parser gives up, the client gets a 400
        return render_error(BadRequest())
