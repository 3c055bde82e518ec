"""Bilingual (Vietnamese first, English) messages, and the user's language.

The UI goes through Flask-Babel catalogues (Vietnamese msgids, English translations). Validation,
import and API errors are ``Msg`` objects that keep both languages apart until they are shown: a
page renders the user's language (``localize``), the JSON error body and the spreadsheet report
carry both. Nothing ever splits a joined string to get a language back.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from marshmallow import fields

LANGS = ("vi", "en")


class Msg(str):
    """A message in Vietnamese and English.

    A ``str`` subclass so that marshmallow, ``flatten_messages`` and JSON treat it as any error
    string (its plain value, "vi / en", is what API clients and reports have always received);
    renderers read ``vi`` and ``en`` instead.
    """

    vi: str
    en: str

    def __new__(cls, vi: str, en: str, **kw: Any) -> Msg:
        if kw:  # Msg("Phải ≥ {n}", "Must be ≥ {n}", n=3)
            vi, en = vi.format(**kw), en.format(**kw)
        obj = super().__new__(cls, f"{vi} / {en}")
        obj.vi, obj.en = vi, en
        return obj

    def __reduce__(self):  # pickling and copying keep both halves
        return (Msg, (self.vi, self.en))

    def format(self, *args: Any, **kw: Any) -> Msg:  # type: ignore[override]
        if not args and not kw:  # leave {placeholders} for a later formatter (marshmallow's {choices}…)
            return self
        return Msg(self.vi.format(*args, **kw), self.en.format(*args, **kw))

    def prefixed(self, prefix: str) -> Msg:
        return Msg(f"{prefix}{self.vi}", f"{prefix}{self.en}")

    def in_lang(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi

    def as_dict(self) -> dict[str, str]:
        return {"vi": self.vi, "en": self.en}


def current_lang() -> str:
    """The language of the current request ('vi' outside a request)."""
    return getattr(g, "lang", "vi") if has_request_context() else "vi"


def localize(message: Any, lang: str | None = None) -> str:
    """A message in one language: a ``Msg`` picks its half; anything else is shown as it is."""
    if message is None:
        return ""
    if isinstance(message, Msg):
        return message.in_lang(lang or current_lang())
    return str(message)


def localized(row: Any, name: str, lang: str | None = None) -> str:
    """``row[name_vi]`` or ``row[name_en]`` (taxonomy rows, assessment criteria) in the user's language;
    Vietnamese when the English is missing."""
    lang = lang or current_lang()
    get = row.get if isinstance(row, dict) else lambda k, d=None: getattr(row, k, d)
    vi = get(f"{name}_vi") if get(f"{name}_vi") is not None else get(name)
    return (get(f"{name}_en") or vi or "") if lang == "en" else (vi or "")


class UserError(Exception):
    """An error whose message is meant for the user (bad input, a refused action)."""

    def __init__(self, msg: Msg):
        super().__init__(str(msg))
        self.msg = msg


def flatten_messages(messages: Any, *, keyed: bool = True) -> list[str]:
    """marshmallow's nested error messages as a flat list ('[2] [valid_until] …' when ``keyed``).
    ``Msg`` items stay ``Msg`` (with the key prefixed to both languages)."""
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, list):
        return [m for x in messages for m in flatten_messages(x, keyed=keyed)]
    if isinstance(messages, dict):
        out: list[str] = []
        for k, v in messages.items():
            for m in flatten_messages(v, keyed=keyed):
                if keyed:
                    m = m.prefixed(f"[{k}] ") if isinstance(m, Msg) else f"[{k}] {m}"
                out.append(m)
        return out
    return [str(messages)]


def install_marshmallow_messages() -> None:
    """marshmallow's built-in messages, in Vietnamese and English (called once at import)."""
    messages = {
        fields.Field: {
            "required": Msg("Bắt buộc phải có", "This field is required"),
            "null": Msg("Không được để trống", "Must not be empty"),
            "validator_failed": Msg("Giá trị không hợp lệ", "Invalid value"),
        },
        fields.String: {"invalid": Msg("Cần một chuỗi ký tự", "Not a valid string")},
        fields.Integer: {"invalid": Msg("Cần một số nguyên", "Not a valid integer")},
        fields.Float: {"invalid": Msg("Cần một số", "Not a valid number")},
        fields.Boolean: {"invalid": Msg("Cần đúng/sai", "Not a valid boolean")},
        fields.Date: {"invalid": Msg("Ngày không hợp lệ (YYYY-MM-DD)", "Not a valid date (YYYY-MM-DD)")},
        fields.Email: {"invalid": Msg("Địa chỉ email không hợp lệ", "Not a valid email address")},
        fields.List: {"invalid": Msg("Cần một danh sách", "Not a valid list")},
        fields.Nested: {"type": Msg("Dữ liệu không đúng kiểu", "Invalid input type")},
    }
    for cls, msgs in messages.items():
        cls.default_error_messages = {**cls.default_error_messages, **msgs}
