"""Small helpers for server-rendered forms validated with marshmallow."""

from __future__ import annotations

from marshmallow import Schema, ValidationError

from cnht.i18n import flatten_messages
from cnht.web import current_lang


def pick_lang(message: str) -> str:
    """'Vietnamese / English' → the half in the user's language."""
    if " / " not in message:
        return message
    vi, en = message.split(" / ", 1)
    return en if current_lang() == "en" else vi


def load_form(schema: Schema, formdata) -> tuple[dict | None, dict[str, list[str]]]:
    """Validate submitted form data; returns (data, {}) or (None, {field: [messages]})."""
    raw = {k: v for k, v in formdata.items() if k != "csrf_token"}
    try:
        return schema.load(raw), {}
    except ValidationError as exc:
        return None, {k: [pick_lang(m) for m in flatten_messages(v, keyed=False)] for k, v in exc.messages.items()}
