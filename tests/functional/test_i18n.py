"""Every user-facing string in the templates and views goes through gettext and has an English
translation, and the catalogue compiles to what the app loads."""

from __future__ import annotations

import importlib.util
import io
import re
from pathlib import Path

from babel.messages.mofile import read_mo

ROOT = Path(__file__).resolve().parents[2]  # the checkout


def _tool():
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "scripts" / "i18n.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_msgid_has_an_english_translation():
    tool = _tool()
    assert len(tool.extracted()) > 300  # the extractor really reads the package's code and templates
    assert tool.untranslated() == []


def test_catalogue_compiles_to_the_same_messages():
    # compared by content, never byte for byte: the .mo header carries the Babel version
    tool = _tool()
    compiled = read_mo(io.BytesIO(tool.compile_mo()))
    source = tool.load()
    assert {m.id: m.string for m in compiled if m.id} == {m.id: m.string for m in source if m.id and m.string}


def test_no_hard_coded_language_pairs_left_in_templates():
    pair = re.compile(r"(?<![\w.])t\(\s*[\"'][^\"']*[\"']\s*,\s*[\"']")
    templates = list((ROOT / "cnht").rglob("templates/**/*.html"))
    assert len(templates) > 30
    offenders = [str(p.relative_to(ROOT)) for p in templates if pair.search(p.read_text())]
    assert offenders == []


def test_pages_render_in_english(client):
    html = client.get("/statistics?lang=en").get_data(as_text=True)
    assert "Supporting-industry statistics" in html and "Thống kê doanh nghiệp" not in html
    html = client.get("/login").get_data(as_text=True)  # the cookie keeps English
    assert "Forgot your password?" in html
    html = client.get("/login?lang=vi").get_data(as_text=True)
    assert "Quên mật khẩu?" in html


def test_a_first_visit_follows_the_browsers_language(client):
    app = client.application

    def login_page(**headers):
        c = app.test_client()
        r = c.get("/login", headers=headers)
        return r, r.get_data(as_text=True)

    r, html = login_page(**{"Accept-Language": "en-US,en;q=0.9"})
    assert "Forgot your password?" in html and "Accept-Language" in r.headers["Vary"]
    assert (
        "Forgot your password?" in login_page(**{"Accept-Language": "ja-JP,ja;q=0.9"})[1]
    )  # neither: English
    assert "Quên mật khẩu?" in login_page(**{"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.8"})[1]
    assert "Quên mật khẩu?" in login_page()[1]  # no header: Vietnamese
    c = app.test_client()
    c.get("/login?lang=vi", headers={"Accept-Language": "en"})  # an explicit choice is remembered
    assert "Quên mật khẩu?" in c.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
