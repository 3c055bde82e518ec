"""Supplier cards a buyer can compare: the facts on each search card, the side-by-side table, and one
request for quotation sent to every chosen supplier (each counted against the inquiry limit)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from cnht.enterprises import services
from cnht.enterprises.models import CapacityStatement, Certification
from cnht.enterprises.schemas import EnterpriseIn
from cnht.portal.models import Inquiry
from tests.client import login, post_form
from tests.factories import enterprise_record, make_user

A, B, C = "0100112437", "0313845728", "0300588569"


def _firms(session):
    a = services.upsert(session, EnterpriseIn().load(enterprise_record(tax_code=A, employees=85))).enterprise
    a.certifications[0].valid_until = date.today() + timedelta(days=400)
    a.certifications.append(
        Certification(
            standard="IATF 16949", standard_key="IATF 16949", valid_until=date.today() - timedelta(days=3)
        )
    )
    a.capacities.append(
        CapacityStatement(product="Khuôn ép nhựa", quantity=50000, unit="chiếc", period="month")
    )
    services.upsert(
        session,
        EnterpriseIn().load(
            enterprise_record(
                tax_code=B,
                name="Công ty TNHH Khuôn mẫu Sao Mai",
                name_en="Sao Mai Mould Co., Ltd",
                employees=240,
            )
        ),
    )
    services.upsert(
        session, EnterpriseIn().load(enterprise_record(tax_code=C, name="Công ty TNHH Nhựa An Phát"))
    )
    session.commit()
    for u in ("sme-a@example.vn", "sme-b@example.vn"):
        make_user(session, "sme", u, tax_code=A if u.startswith("sme-a") else B)


def test_search_cards_show_size_valid_certificates_and_capacity(client, session):
    _firms(session)
    html = client.get("/search?q=khuon+ep+nhua").get_data(as_text=True)
    card = html[html.index(f'data-ref="{A}"') :]
    card = card[: card.index("</article>")]
    assert "Nhỏ · 85 lao động" in card  # size class from head-count and revenue, and the head-count
    assert "ISO 9001:2015" in card and "IATF 16949" not in card  # the expired one is not a selling point
    assert "50.000 chiếc/tháng" in card
    assert f'name="ref" value="{A}"' in card and 'form="compare-form"' in card
    english = client.get("/search?q=khuon+ep+nhua&lang=en").get_data(as_text=True)
    card_en = english[english.index(f'data-ref="{B}"') :]
    assert card_en.index("Sao Mai Mould Co., Ltd") < card_en.index(
        "Công ty TNHH Khuôn mẫu Sao Mai"
    )  # English name first
    card_en = english[english.index(f'data-ref="{A}"') :]
    assert "50,000 pcs/month" in card_en and "85 employees" in card_en


def test_compare_side_by_side_and_one_request_for_quotation_to_all(client, session):
    _firms(session)
    assert client.get(f"/compare?ref={A}").status_code == 302  # one firm is not a comparison
    page = client.get(f"/compare?ref={A}&ref={B}&ref=0000000000").get_data(as_text=True)
    table = page[page.index('data-testid="compare-table"') :]
    assert "Công ty TNHH Cơ khí Chính xác Hòa Bình" in table and "Sao Mai" in table
    assert "IATF 16949" not in table and "240" in table
    assert "Đăng nhập để gửi yêu cầu báo giá" in page

    make_user(session, "buyer", "buyer@example.vn", organisation="Canon Việt Nam")
    login(client, "buyer@example.vn")
    r = post_form(
        client,
        "/compare/inquiry",
        {
            "ref": [A, B],
            "subject": "Báo giá khuôn",
            "message": "Xin báo giá 3 bộ khuôn ép nhựa, giao tháng 3",
        },
        page=f"/compare?ref={A}&ref={B}",
    )
    assert r.status_code == 302
    sent = session.scalars(select(Inquiry).order_by(Inquiry.id)).all()
    assert [i.enterprise.tax_code for i in sent] == [A, B] and all(i.subject == "Báo giá khuôn" for i in sent)
    bad = post_form(
        client,
        "/compare/inquiry",
        {"ref": [A, B], "subject": "", "message": "x"},
        page=f"/compare?ref={A}&ref={B}",
    )
    assert bad.status_code == 400 and len(session.scalars(select(Inquiry)).all()) == 2


def test_a_request_for_quotation_counts_each_firm_against_the_inquiry_limit(
    client, session, app, monkeypatch
):
    monkeypatch.setitem(app.config, "RATE_LIMIT_INQUIRY", "3 per hour")
    _firms(session)
    make_user(session, "buyer", "buyer@example.vn")
    login(client, "buyer@example.vn")
    data = {"ref": [A, B], "subject": "Báo giá khuôn", "message": "Xin báo giá 3 bộ khuôn ép nhựa"}
    page = f"/compare?ref={A}&ref={B}"
    assert post_form(client, "/compare/inquiry", data, page=page).status_code == 302  # 2 of 3
    assert post_form(client, "/compare/inquiry", data, page=page).status_code == 429  # 2 more would be 4
