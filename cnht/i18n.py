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
