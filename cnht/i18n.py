"""Bilingual (Vietnamese first, English) messages for errors the user sees.

The portal UI gets full Flask-Babel catalogues; validation and API errors carry both languages
so that a spreadsheet report or a JSON client is understood by staff and by foreign buyers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Msg:
    vi: str
    en: str

    def format(self, **kw) -> Msg:
        if not kw:  # leave {placeholders} for a later formatter (marshmallow's {choices}…)
            return self
        return Msg(self.vi.format(**kw), self.en.format(**kw))

    def __str__(self) -> str:
        return f"{self.vi} / {self.en}"


def bi(vi: str, en: str, **kw) -> str:
    """One bilingual string, 'Vietnamese / English'."""
    return str(Msg(vi, en).format(**kw))


def flatten_messages(messages, *, keyed: bool = True) -> list[str]:
    """marshmallow's nested error messages as a flat list ('[2] [valid_until] …' when ``keyed``)."""
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, list):
        return [m for x in messages for m in flatten_messages(x, keyed=keyed)]
    if isinstance(messages, dict):
        return [f"[{k}] {m}" if keyed else m for k, v in messages.items() for m in flatten_messages(v, keyed=keyed)]
    return [str(messages)]


def install_marshmallow_messages() -> None:
    """marshmallow's built-in messages, in Vietnamese and English (called once at import)."""
    from marshmallow import fields

    messages = {
        fields.Field: {"required": bi("Bắt buộc phải có", "This field is required"),
                       "null": bi("Không được để trống", "Must not be empty"),
                       "validator_failed": bi("Giá trị không hợp lệ", "Invalid value")},
        fields.String: {"invalid": bi("Cần một chuỗi ký tự", "Not a valid string")},
        fields.Integer: {"invalid": bi("Cần một số nguyên", "Not a valid integer")},
        fields.Float: {"invalid": bi("Cần một số", "Not a valid number")},
        fields.Boolean: {"invalid": bi("Cần đúng/sai", "Not a valid boolean")},
        fields.Date: {"invalid": bi("Ngày không hợp lệ (YYYY-MM-DD)", "Not a valid date (YYYY-MM-DD)")},
        fields.Email: {"invalid": bi("Địa chỉ email không hợp lệ", "Not a valid email address")},
        fields.List: {"invalid": bi("Cần một danh sách", "Not a valid list")},
        fields.Nested: {"type": bi("Dữ liệu không đúng kiểu", "Invalid input type")},
    }
    for cls, msgs in messages.items():
        cls.default_error_messages = {**cls.default_error_messages, **msgs}
