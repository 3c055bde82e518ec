"""Localisation surveys end to end: a campaign, respondents answering by their private link (form and
JSON), validation flags, the three metrics, suppressed aggregates, the public report, leads that become
sourcing requirements, reminders and permissions."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from cnht.enterprises import services as ent_services
from cnht.enterprises.schemas import EnterpriseIn
from cnht.localisation.models import Campaign, Respondent, Target
from cnht.mail import OutboxMessage
from cnht.matching.models import SourcingRequirement
from tests.client import login, post_form
from tests.factories import enterprise_record, make_user
from tests.functional.test_events import tax


def _firms(session, n: int, sector: str = "Cơ khí", ownership: str = "FDI"):
    out = []
    for i in range(n):
        rec = enterprise_record(
            tax_code=tax(200 + i),
            name=f"Công ty lắp ráp {i}",
            sectors=[sector],
            ownership=ownership,
            email=f"f{i}@example.vn",
            revenue_bn_vnd=str(100 + i),
        )
        out.append(ent_services.upsert(session, EnterpriseIn().load(rec)).enterprise)
    supplier = ent_services.upsert(
        session,
        EnterpriseIn().load(
            enterprise_record(
                tax_code=tax(300),
                name="Công ty CP Bulông Việt",
                ownership="Tư nhân",
                products=["Bu lông ốc vít"],
            )
        ),
    ).enterprise
    session.commit()
    return out, supplier


def _answer(anon, token, *, steel=30, fasteners_tax=None, submit=True, extra=None):
    form = {
        "method": "lvc_indirect",
        "p0-name": "Máy bơm nước",
        "p0-hs_code": "841370",
        "p0-ex_works": "100",
        "p0-other_costs": "5",
        "p0-fob": "105",
        "p0-labour": "20",
        "p0-overhead": "18",
        "p0-profit": "12",
        "p0-i0-name": "Thép cuộn cán nóng",
        "p0-i0-value": str(steel),
        "p0-i0-origin": "imported",
        "p0-i0-hs6": "720839",
        "p0-i0-why_not_local": "quality",
        "p0-i1-name": "Chi tiết nhựa",
        "p0-i1-value": "10",
        "p0-i1-origin": "fdi_vn",
        "p0-i2-name": "Bu lông",
        "p0-i2-value": "8",
        "p0-i2-origin": "vn_owned",
        "p0-i2-declared": "1",
        "p0-i3-name": "Bao bì",
        "p0-i3-value": "2",
        "p0-i3-origin": "undetermined",
        "action": "submit" if submit else "draft",
    }
    if fasteners_tax:
        form["p0-i2-supplier_tax_code"] = fasteners_tax
        form["p0-i2-origin"] = "undetermined"  # the database decides: a private firm → Vietnamese-owned
    form.update(extra or {})
    return post_form(anon, f"/survey/{token}", form, page=f"/survey/{token}")


def test_campaign_to_published_report(client, app, session):
    firms, supplier = _firms(session, 4)
    make_user(session, "staff")
    login(client, "staff@example.vn")
    r = post_form(
        client,
        "/localisation/new",
        {"year": "2025", "name": "Điều tra nội địa hóa 2025", "sectors": "Cơ khí", "deadline": "2026-03-31"},
        page="/localisation",
    )
    assert r.status_code == 302
    c = session.scalars(select(Campaign)).one()
    detail = f"/localisation/{c.id}"
    post_form(
        client,
        f"{detail}/respondents",
        {"refs": "\n".join(f.tax_code for f in firms) + "\n0000000000"},
        page=detail,
    )
    post_form(client, f"{detail}/edit", {"status": "open"}, page=detail)
    session.expire_all()
    resp = session.scalars(select(Respondent).order_by(Respondent.id)).all()
    assert len(resp) == 4
    # reminders go to the firms that have not answered, with their private link
    post_form(client, f"{detail}/remind", {}, page=detail)
    mails = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "localisation_reminder")).all()
    assert len(mails) == 4 and f"/survey/{resp[0].token}" in mails[0].body
    anon = app.test_client()
    anon.environ_base["REMOTE_ADDR"] = "10.7.7.7"
    assert anon.get("/survey/not-a-token").status_code == 404
    # one draft first, then submissions; the worked example's numbers for the first firm
    assert _answer(anon, resp[0].token, submit=False).status_code == 302
    session.expire_all()
    assert session.get(Respondent, resp[0].id).status == "draft"
    page = anon.get(f"/survey/{resp[0].token}").get_data(as_text=True)
    assert "Thép cuộn cán nóng" in page and "60.0" in page  # the draft is kept, with its result so far
    for i, rr in enumerate(resp):
        assert (
            _answer(
                anon, rr.token, steel=30 + 10 * i, fasteners_tax=supplier.tax_code if i == 1 else None
            ).status_code
            == 302
        )
    session.expire_all()
    first = session.get(Respondent, resp[0].id)
    assert first.status == "submitted"
    result = anon.get(f"/survey/{first.token}/result").get_data(as_text=True)
    assert "không phải giấy chứng nhận xuất xứ" in result and "60.0" in result and "40.0" in result
    second = session.get(Respondent, resp[1].id)
    assert second.products[0].inputs[2].origin == "vn_owned"  # from the supplier's ownership in the database
    # staff validate three of four; the fourth stays out of the aggregates
    for rr in resp[:3]:
        post_form(
            client,
            f"{detail}/respondents/{rr.id}",
            {"decision": "accept"},
            page=f"{detail}/respondents/{rr.id}",
        )
    post_form(
        client,
        f"{detail}/respondents/{resp[3].id}",
        {"decision": "return", "note": "Thiếu FOB"},
        page=f"{detail}/respondents/{resp[3].id}",
    )
    session.expire_all()
    assert [session.get(Respondent, rr.id).status for rr in resp] == ["validated"] * 3 + ["returned"]
    report = client.get(f"{detail}/report?metric=lvc_indirect").get_data(as_text=True)
    assert "Thông tư 05/2018" in report
    # public: nothing before publishing; afterwards the totals, with the method named
    assert client.get("/api/v1/localisation/published").get_json() == []
    post_form(client, f"{detail}/edit", {"status": "published"}, page=detail)
    pub = anon.get("/api/v1/localisation/published?metric=lvc_indirect").get_json()
    (year,) = pub
    total = next(cell for cell in year["cells"] if cell["sector"] == "*" and cell["province"] == "*")
    # three firms: FOB 105 each, VNM 42, 52, 62 → (315 − 156) / 315 = 50.5 %
    assert total["status"] == "published" and total["rate"] == "50.5" and total["firms"] == 3
    assert "LVC" in year["method"]
    html = anon.get("/localisation/published").get_data(as_text=True)
    assert "50.5" in html and "Thông tư 05/2018" in html
    assert anon.get("/localisation").status_code in (302, 401)  # the statisticians' pages are not public
    wb = load_workbook(io.BytesIO(client.get(f"{detail}/export.xlsx").data))
    assert wb.sheetnames == ["procurement", "lvc_indirect", "lvc_direct"]
    # leads: the imported steel becomes a staff requirement in one click
    leads = client.get(f"{detail}/leads").get_data(as_text=True)
    assert "Thép cuộn cán nóng" in leads
    from cnht.localisation.services import leads as rank_leads

    with app.app_context():
        ranked = rank_leads(session, session.get(Campaign, c.id))
    top = ranked[0]
    assert top["name"] == "Thép cuộn cán nóng" and top["respondent_count"] == 3
    # three firms import it for 30 + 40 + 50 (million VND); the score is value × importers × suppliers
    assert top["score"] == 120.0 * 3 * max(1, len(top["suppliers"]) + top["certified_suppliers"])
    key = re.search(r'name="key" value="([^"]+)"', leads).group(1)
    assert post_form(client, f"{detail}/leads", {"key": key}, page=f"{detail}/leads").status_code == 302
    req = session.scalars(select(SourcingRequirement)).one()
    assert "Thép cuộn cán nóng" in req.title and req.visibility == "staff"
    ind = client.get("/localisation/indicators").get_data(as_text=True)
    assert "50.5" in ind and "Doanh nghiệp trong cơ sở dữ liệu" in ind


def test_flags_method_switch_and_json_api(client, app, session):
    firms, _ = _firms(session, 1)
    staff = make_user(session, "staff")
    with app.app_context():
        from cnht.localisation import services

        c = services.save_campaign(session, {"year": 2025, "name": "Thử", "status": "open"}, staff)
        (r,), _ = services.add_respondents(session, c, [firms[0].tax_code], staff)
        session.commit()
        token = r.token
    api = app.test_client()
    body = {
        "method": "lvc_direct",
        "products": [
            {
                "name": "Quạt điện",
                "fob": "100",
                "ex_works": "90",
                "other_costs": "25",
                "labour": "10",
                "inputs": [
                    {"name": "Mô tơ", "value": "40", "origin": "imported"},
                    {"name": "Vỏ", "value": "200", "origin": "vn_owned"},
                ],
            }
        ],
    }
    res = api.put(f"/api/v1/localisation/survey/{token}?submit=true", json=body)
    assert res.status_code == 200, res.get_json()
    out = res.get_json()
    codes = {f["code"] for f in out["flags"]}
    assert {"fob_mismatch", "inputs_exceed_ex_works", "outlier_range"} <= codes  # flagged, not refused
    # the housing has no origin declaration: it counts in VNM, (100 − 40 − 200) / 100 = −140 %
    assert out["status"] == "submitted" and out["rates"]["lvc_indirect"] == "-140.0"
    # a second answer with the other method in the same year is flagged and both values stay computable
    body["method"] = "lvc_indirect"
    with app.app_context():
        session.get(Respondent, r.id).status = "returned"
        session.commit()
    out2 = api.put(f"/api/v1/localisation/survey/{token}", json=body).get_json()
    assert "method_switched" in {f["code"] for f in out2["flags"]}
    assert (
        api.put(f"/api/v1/localisation/survey/{token}", json={"products": [{"name": "x"}]}).status_code == 422
    )
    assert api.get("/api/v1/localisation/survey/nope").status_code == 404
    assert api.get(f"/api/v1/localisation/campaigns/{c.id}/aggregate").status_code == 401


def test_targets_are_stored_as_written(client, session):
    make_user(session, "staff")
    login(client, "staff@example.vn")
    for form in (
        {
            "sector_code": "mechanical",
            "kind": "pp",
            "value": "10",
            "base_year": "2019",
            "target_year": "2025",
            "metric": "lvc_indirect",
            "source": "QĐ 2869/QĐ-UBND (05/07/2019)",
        },
        {
            "sector_code": "mechanical",
            "kind": "absolute",
            "value": "72",
            "target_year": "2025",
            "metric": "lvc_indirect",
            "source": "Kế hoạch CNHT TP.HCM 2016–2020",
        },
    ):
        assert post_form(client, "/localisation/targets", form, page="/localisation").status_code == 302
    from cnht.localisation.services import target_path

    pp, absolute = session.scalars(select(Target).order_by(Target.id)).all()
    assert target_path(absolute, []) == 72
    assert target_path(pp, []) is None  # no baseline measured or given: no invented level
    from decimal import Decimal

    assert target_path(pp, [(2019, Decimal("61.5"))]) == Decimal("71.5")
    assert "QĐ 2869" in client.get("/localisation").get_data(as_text=True)


def test_spreadsheet_round_trip_and_lead_to_an_event(client, app, session):
    firms, _ = _firms(session, 1)
    staff = make_user(session, "staff")
    with app.app_context():
        from cnht.events import services as events
        from cnht.localisation import services

        c = services.save_campaign(session, {"year": 2025, "name": "XLSX", "status": "open"}, staff)
        (r,), _ = services.add_respondents(session, c, [firms[0].tax_code], staff)
        from datetime import date

        ev = events.save_event(
            session,
            {
                "name": "Hội chợ",
                "organiser": "Sở",
                "starts_on": date(2027, 1, 1),
                "ends_on": date(2027, 1, 1),
                "status": "requests",
            },
            staff,
        )
        buyer = events.add_participant(session, ev, {"enterprise": firms[0].tax_code, "role": "buyer"}, staff)
        session.commit()
        token, buyer_id, event_id = r.token, buyer.id, ev.id
    anon = app.test_client()
    _answer(anon, token, submit=False)
    data = anon.get(f"/survey/{token}/template.xlsx").data
    # the downloaded file, sent back unchanged, gives the same return
    res = post_form(
        anon,
        f"/survey/{token}/upload",
        {"file": (io.BytesIO(data), "phieu.xlsx")},
        page=f"/survey/{token}",
        content_type="multipart/form-data",
    )
    assert res.status_code == 302
    session.expire_all()
    r = session.scalars(select(Respondent)).one()
    assert [i.name for i in r.products[0].inputs] == [
        "Thép cuộn cán nóng",
        "Chi tiết nhựa",
        "Bu lông",
        "Bao bì",
    ]
    assert r.products[0].vnm == 42 and r.products[0].inputs[2].declared
    bad = post_form(
        anon,
        f"/survey/{token}/upload",
        {"file": (io.BytesIO(b"not a workbook"), "x.xlsx")},
        page=f"/survey/{token}",
        content_type="multipart/form-data",
    )
    assert bad.status_code == 302
    # the imported steel goes to the event as a wanted part
    login(client, "staff@example.vn")
    _answer(anon, token)
    leads = f"/localisation/{r.campaign_id}/leads"
    key = re.search(r'name="key" value="([^"]+)"', client.get(leads).get_data(as_text=True)).group(1)
    assert post_form(client, leads, {"key": key, "buyer_id": str(buyer_id)}, page=leads).status_code == 302
    from cnht.events.models import WantedItem

    item = session.scalars(select(WantedItem)).one()
    assert (
        item.component == "Thép cuộn cán nóng"
        and item.event_id == event_id
        and item.specification == "HS 720839"
    )


def test_disclosure_parameters_come_from_configuration(app, session):
    from cnht.localisation.services import configured_rules

    with app.app_context():
        assert configured_rules().min_n == 3
        app.config["DISCLOSURE_MIN_CONTRIBUTORS"] = 5
        try:
            assert configured_rules().min_n == 5
        finally:
            app.config["DISCLOSURE_MIN_CONTRIBUTORS"] = 3
