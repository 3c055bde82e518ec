"""Server-rendered forms validated with the features' marshmallow schemas."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields

from cnht.i18n import flatten_messages, localize


def form_errors(messages) -> dict[str, list[str]]:
    """marshmallow messages → {field: [text in the user's language]}."""
    if not isinstance(messages, dict):
        messages = {"_": messages}
    return {k: [localize(m) for m in flatten_messages(v, keyed=False)] for k, v in messages.items()}


def load_form(schema: Schema, formdata) -> tuple[dict | None, dict[str, list[str]]]:
    """Validate submitted form data; returns (data, {}) or (None, {field: [messages]})."""
    getlist = getattr(formdata, "getlist", None)
    raw = {}
    for k in formdata:
        if k == "csrf_token":
            continue
        # a multi-valued form field (checkboxes) loads as a list where the schema wants one
        many = getlist is not None and isinstance(schema.fields.get(k), fields.List)
        raw[k] = getlist(k) if many else formdata[k]
    schema.from_form = True  # type: ignore[attr-defined]  # list fields may be '; '-separated text here
    try:
        return schema.load(raw), {}
    except ValidationError as exc:
        return None, form_errors(exc.messages)
