"""What the search understood, shown and returned, and undone on request."""

from __future__ import annotations

import pytest

from cnht.enterprises import services
from cnht.enterprises.schemas import EnterpriseIn
from tests.factories import enterprise_record

HN = "0100112437"
HCM = "0313845728"


@pytest.fixture
def firms(session):
    for tax_code, name, province in (
        (HN, "Công ty TNHH Khuôn mẫu Hòa Bình", "Hà Nội"),
        (HCM, "Công ty TNHH Khuôn mẫu Sài Gòn", "TP Hồ Chí Minh"),
    ):
        services.upsert(
            session,
            EnterpriseIn().load(
                enterprise_record(tax_code=tax_code, name=name, province=province, products=["Khuôn ép nhựa"])
            ),
        )
    session.commit()


def test_a_place_in_the_query_puts_its_firms_first_and_is_reported(client, firms):
    body = client.get("/api/v1/search", query_string={"q": "cần tìm khuôn ép nhựa ở tp hcm"}).get_json()
    assert [i["ref"] for i in body["items"]] == [HCM, HN]  # the other province still follows
    u = body["understood"]
    assert u["places"] == [{"text": "tp hcm", "name": "Hồ Chí Minh", "provinces": ["79"]}]
    assert u["ignored"] == ["cần tìm", "ở"] and u["query"].strip() == "khuôn ép nhựa"


def test_literal_searches_the_words_as_typed(client, firms):
    body = client.get(
        "/api/v1/search", query_string={"q": "khuôn ép nhựa tp hcm", "literal": "true"}
    ).get_json()
    assert body["understood"] is None
    # 'tp hcm' is now two more words to match, found in no product: the two firms rank by their products
    assert {i["ref"] for i in body["items"]} == {HN, HCM}


def test_a_plain_query_has_nothing_to_report(client, firms):
    assert client.get("/api/v1/search", query_string={"q": "khuôn ép nhựa"}).get_json()["understood"] is None


def test_the_page_shows_what_was_understood_with_an_undo_link(client, firms):
    html = client.get("/search", query_string={"q": "cần tìm khuôn ép nhựa ở Hà Nội"}).get_data(as_text=True)
    assert 'data-testid="understood"' in html and "Hà Nội" in html and "cần tìm" in html
    assert "literal=1" in html  # search exactly as typed
    assert "province=01" in html  # or keep only that province
    html = client.get(
        "/search", query_string={"q": "cần tìm khuôn ép nhựa ở Hà Nội", "literal": "1"}
    ).get_data(as_text=True)
    assert 'data-testid="understood"' not in html
