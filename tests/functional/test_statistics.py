"""The statistics page: headline figures by sector, province and year, filters, founding decades as
ranges, and each chart's table as CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
from sqlalchemy import select

from cnht.enterprises import services
from cnht.enterprises.models import Enterprise
from cnht.enterprises.schemas import EnterpriseIn
from cnht.matching.models import Connection, SourcingRequirement
from tests.client import fresh_client, login
from tests.factories import enterprise_record, make_user

FIRMS = [
    ("0100112437", "Cơ khí", "Hà Nội", 1995),
    ("0106718351", "Cơ khí", "Bắc Ninh", 2008),
    ("0313845728", "Điện tử", "TP Hồ Chí Minh", 2019),
]


def _firms(session):
    for tax, sector, province, year in FIRMS:
        services.upsert(
            session,
            EnterpriseIn().load(
                enterprise_record(
                    tax_code=tax,
                    name=f"Công ty {tax}",
                    sectors=[sector],
                    province=province,
                    founded_year=year,
                )
            ),
        )
    session.commit()


def _contract(session, tax: str, value: float):
    buyer = make_user(session, "buyer", f"b{tax}@example.vn", organisation="Canon Việt Nam")
    ent = session.scalars(select(Enterprise).where(Enterprise.tax_code == tax)).one()
    req = SourcingRequirement(owner_id=buyer.id, title="Khuôn ép nhựa", status="open", visibility="public")
    session.add(req)
    session.flush()
    session.add(
        Connection(
            requirement_id=req.id,
            enterprise_id=ent.id,
            stage="contract_signed",
            initiated_by="buyer",
            contract_value_mvnd=value,
            contract_signed_on=dt.date(2026, 3, 1),
            contract_confirmed_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
            history=[{"stage": "contract_signed"}],
        )
    )
    session.commit()


def test_headline_figures_filters_and_decade_ranges(client, app, session):
    app.config["STATS_CACHE_SECONDS"] = 0
    _firms(session)
    _contract(session, "0100112437", 1200.0)
    html = client.get("/statistics").get_data(as_text=True)
    assert "<dt>Doanh nghiệp</dt><dd>3</dd>" in html
    assert "<dt>Hợp đồng đã ký (đã xác nhận)</dt><dd>1" in html
    # one firm's contract: counted, its value not published to the public
    assert "giá trị không công bố" in html and "1.200" not in html
    assert 'aria-label="1990–1999: 1"' in html and 'aria-label="2000–2009: 1"' in html
    make_user(session, "staff", "staff@example.vn")
    staff = fresh_client(app)
    login(staff, "staff@example.vn")
    assert "1.200 triệu đồng" in staff.get("/statistics").get_data(as_text=True)
    # a sector: its firms only, and the sector chart (one bar) is left out
    mech = client.get("/statistics?sector=mechanical").get_data(as_text=True)
    assert "<dt>Doanh nghiệp</dt><dd>2</dd>" in mech and 'data-chart="sector"' not in mech
    assert 'aria-label="Bắc Ninh: 1"' in mech and "Hồ Chí Minh: 1" not in mech
    # a year: that year's contracts; an unknown filter value is ignored, not an error
    assert "<dt>Hợp đồng đã ký (đã xác nhận)</dt><dd>0" in client.get("/statistics?year=2025").get_data(
        as_text=True
    )
    r = client.get("/statistics?sector=nothing&province=99&year=abcd")
    assert r.status_code == 200 and "<dt>Doanh nghiệp</dt><dd>3</dd>" in r.get_data(as_text=True)


def test_each_chart_table_downloads_as_csv_and_xlsx(client, app, session):
    app.config["STATS_CACHE_SECONDS"] = 0
    _firms(session)
    html = client.get("/statistics?sector=mechanical").get_data(as_text=True)
    assert "/statistics/province.xlsx?sector=mechanical" in html
    r = client.get("/statistics/province.csv?sector=mechanical")
    assert r.status_code == 200 and r.headers["Content-Disposition"].endswith("thong-ke-province.csv")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Nhóm", "Số doanh nghiệp"]  # a CSV is for machines: the header, then the data
    assert sorted(rows[1:]) == [["Bắc Ninh", "1"], ["Hà Nội", "1"]]
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/statistics/province.xlsx?sector=mechanical").data))
    assert wb.active["A1"].value.startswith("Doanh nghiệp theo tỉnh/thành phố — Cơ khí (")  # what and when
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/statistics/founded.xlsx").data))
    values = [[c.value for c in row] for row in wb.active.iter_rows(min_row=3)]
    assert values == [["1990–1999", 1], ["2000–2009", 1], ["2010–2019", 1]]
    assert client.get("/statistics/nothing.csv").status_code == 404
    assert client.get("/statistics/growth.csv").status_code == 200
