"""Translation catalogue maintenance (Flask-Babel; Vietnamese msgids, English translations).

    .venv/bin/python scripts/i18n.py check     # every UI string has an English translation
    .venv/bin/python scripts/i18n.py compile   # .po → .mo (also done by `make install` and by the wheel build)
    .venv/bin/python scripts/i18n.py update    # add new msgids from the sources to the .po (empty msgstr)

The compiled .mo is a build product: not committed, never compared byte for byte (its header
carries the Babel version).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cnht"
PO = PACKAGE / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None}


def extracted() -> dict[str, list[tuple[str, int]]]:
    """msgid → [(file, line)] for every _() / gettext() in the package's code and templates."""
    out: dict[str, list[tuple[str, int]]] = {}
    methods = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    for filename, lineno, message, _comments, _ctx in extract_from_dir(PACKAGE, methods, keywords=KEYWORDS):
        if isinstance(message, tuple):
            message = message[0]
        out.setdefault(message, []).append((f"cnht/{filename}", lineno))
    return out


def load() -> Catalog:
    with PO.open("rb") as fh:
        return read_po(fh, locale="en")


def compile_mo() -> bytes:
    buf = io.BytesIO()
    write_mo(buf, load())
    return buf.getvalue()


def untranslated() -> list[str]:
    cat = load()
    return [m for m in extracted() if m not in cat or not cat[m].string]


def main(cmd: str) -> int:
    if cmd == "compile":
        MO.write_bytes(compile_mo())
        return 0
    if cmd == "update":
        cat = load()
        for msgid, locs in extracted().items():
            if msgid not in cat:
                cat.add(msgid, "", locations=locs)
        with PO.open("wb") as fh:
            write_po(fh, cat, width=120, sort_output=True, omit_header=False)
        return 0
    if cmd == "check":
        missing = untranslated()
        for m in missing:
            print("untranslated:", m)
        return 1 if missing else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
