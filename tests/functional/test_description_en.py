"""An English introduction for FDI buyers: imported from its own column, kept by a sheet without it,
edited by the SME, shown first in English, and searched (an English buyer's words find the firm)."""

from __future__ import annotations

import csv

from cnht.enterprises import services
from cnht.imports.importer import import_file
from tests.client import login, post_form
from tests.factories import make_user

TAX = "0100112437"
EN = "We machine titanium brackets for aerospace and medical customers."


def _csv(path, headers, *rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        w.writerows(rows)
    return path


def test_imported_kept_shown_first_in_english_and_searched(client, session, tmp_path):
    first = _csv(
        tmp_path / "with.csv",
        ["Mã số thuế", "Tên doanh nghiệp", "Tỉnh/thành phố", "Ngành", "Mô tả", "Mô tả (tiếng Anh)"],
        [TAX, "Công ty TNHH Cơ khí Minh Phát", "Hà Nội", "Cơ khí", "Gia công cơ khí chính xác", EN],
    )
    assert import_file(session, first).ok
    session.commit()
    partial = _csv(
        tmp_path / "without.csv",
        ["Mã số thuế", "Tên doanh nghiệp", "Tỉnh/thành phố", "Ngành", "Số lao động"],
        [TAX, "Công ty TNHH Cơ khí Minh Phát", "Hà Nội", "Cơ khí", "120"],
    )
    assert import_file(session, partial).ok
    session.commit()
    session.expire_all()
    ent = services.get_by_tax_code(session, TAX)
    assert ent.description_en == EN and ent.description == "Gia công cơ khí chính xác"

    hits = client.get("/api/v1/search?q=titanium brackets aerospace").get_json()["items"]
    assert [h["ref"] for h in hits] == [TAX]  # the words are nowhere but in the English introduction
    assert client.get(f"/api/v1/enterprises/{TAX}").get_json()["description_en"] == EN

    html = client.get(f"/enterprises/{TAX}?lang=en").get_data(as_text=True)
    assert html.index('data-testid="intro-en"') < html.index('data-testid="intro-vi"')
    html = client.get(f"/enterprises/{TAX}?lang=vi").get_data(as_text=True)
    assert html.index('data-testid="intro-vi"') < html.index('data-testid="intro-en"')


def test_the_sme_writes_it_in_the_editor(client, session, tmp_path):
    f = _csv(
        tmp_path / "one.csv",
        ["Mã số thuế", "Tên doanh nghiệp", "Tỉnh/thành phố", "Ngành"],
        [TAX, "Công ty TNHH Cơ khí Minh Phát", "Hà Nội", "Cơ khí"],
    )
    assert import_file(session, f).ok
    session.commit()
    make_user(session, "sme", tax_code=TAX)
    login(client, "sme@example.vn")
    page = f"/enterprises/{TAX}/edit"
    assert 'id="f-description_en"' in client.get(page).get_data(as_text=True)
    r = post_form(
        client, f"{page}/general", {"description_en": EN, "name_en": "Minh Phat Mechanical"}, page=page
    )
    assert r.status_code == 302
    session.expire_all()
    assert services.get_by_tax_code(session, TAX).description_en == EN
    hits = client.get("/api/v1/search?q=titanium brackets").get_json()["items"]
    assert [h["ref"] for h in hits] == [TAX]
