"""Matching: hard constraints, each scoring criterion, explanations, the API and its permissions,
opportunities in the reverse direction, connections and the success report."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cnht.enterprises import services
from cnht.enterprises.models import Enterprise
from cnht.enterprises.schemas import EnterpriseIn
from cnht.mail import OutboxMessage
from cnht.matching.engine import DEFAULT_WEIGHTS, Facts, RequirementSpec, Scorer, phrase_forms
from cnht.matching.models import Connection, SourcingRequirement
from tests.client import csrf_from, fresh_client, login, post_form
from tests.factories import enterprise_record, make_user

# Tax codes with valid check digits.
MOULD_HN = "0100112437"
MOULD_BN = "0106718351"
CNC_HCM = "0313845728"
SOLES_DN = "0101243150"
MOULD_HN_NOCERT = "0100233488"


def _add(session, **kw):
    return services.upsert(session, EnterpriseIn().load(enterprise_record(**kw))).enterprise


@pytest.fixture
def suppliers(session):
    ents = {
        MOULD_HN: _add(
            session,
            tax_code=MOULD_HN,
            name="Công ty TNHH Khuôn mẫu Hòa Bình",
            province="Hà Nội",
            products=["Khuôn ép nhựa", "Đồ gá"],
            processes=["Phay CNC", "Xử lý nhiệt"],
            certifications=["ISO 9001:2015 | QMS-1 | QUACERT | 2030-01-01"],
            employees=120,
        ),
        MOULD_BN: _add(
            session,
            tax_code=MOULD_BN,
            name="Công ty Cổ phần Khuôn nhựa Kinh Bắc",
            province="Bắc Ninh",
            products=["Khuôn ép nhựa"],
            processes=["Cắt dây EDM"],
            certifications=["ISO 9001:2015 | QMS-2 | BV | 2020-01-01"],
            employees=60,
        ),  # expired
        CNC_HCM: _add(
            session,
            tax_code=CNC_HCM,
            name="Công ty TNHH Gia công Sài Gòn",
            province="TP Hồ Chí Minh",
            products=["Chi tiết gia công CNC"],
            processes=["Tiện CNC", "Phay CNC"],
            certifications=["ISO 9001:2015", "IATF 16949:2016"],
            employees=300,
        ),
        SOLES_DN: _add(
            session,
            tax_code=SOLES_DN,
            name="Công ty TNHH Đế giày Đồng Nai",
            province="Đồng Nai",
            sectors=["Da giày"],
            products=["Đế giày EVA"],
            processes=["Ép phun EVA"],
            certifications=[],
            employees=800,
        ),
        MOULD_HN_NOCERT: _add(
            session,
            tax_code=MOULD_HN_NOCERT,
            name="Xưởng Khuôn mẫu Đông Anh",
            province="Hà Nội",
            products=["Khuôn ép nhựa"],
            processes=[],
            certifications=[],
            employees=None,
        ),
    }
    session.commit()
    return ents


def _match(client, body, **q):
    r = client.post("/api/v1/match", json=body, query_string=q)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def test_hard_constraints_are_never_broken(client, suppliers):
    items = _match(
        client,
        {
            "title": "Khuôn ép nhựa",
            "certifications_required": ["iso9001"],
            "provinces_required": ["Hà Nội", "Bắc Ninh"],
            "min_employees": 50,
        },
    )
    refs = [i["ref"] for i in items]
    # Bắc Ninh's certificate expired, Đông Anh has none and no head-count, HCM is outside the provinces
    assert refs == [MOULD_HN]
    hard = [e for e in items[0]["explanation"] if e.get("hard")]
    assert {e["criterion"] for e in hard} == {"provinces_required", "min_employees", "certification_required"}
    assert all(e["met"] for e in hard)


def test_former_province_names_and_sector_labels_are_accepted(client, suppliers):
    items = _match(
        client, {"title": "khuon ep nhua", "provinces_required": ["Bắc Giang"], "sector": "co khi"}
    )
    assert [i["ref"] for i in items] == [MOULD_BN]  # Bắc Giang is now part of Bắc Ninh


def test_english_requirement_ranks_the_mould_makers_first(client, suppliers):
    items = _match(
        client,
        {
            "title": "Plastic injection moulds for printer housings",
            "processes": ["CNC milling"],
            "provinces_preferred": ["Hà Nội"],
        },
    )
    refs = [i["ref"] for i in items]
    assert refs[0] == MOULD_HN and set(refs[:3]) >= {MOULD_HN, MOULD_BN}
    assert SOLES_DN not in refs[:3]
    ex = {e["criterion"]: e for e in items[0]["explanation"]}
    assert ex["category"]["met"] and "Khuôn ép nhựa" in ex["category"]["evidence"]
    assert ex["processes"]["evidence"] == ["CNC milling → Phay CNC"]  # found through the thesaurus
    assert ex["proximity"]["value"] == 1.0
    total = sum(e["contribution"] for e in items[0]["explanation"] if not e.get("hard"))
    assert total == pytest.approx(items[0]["score"], abs=0.002)


def test_validation_errors_are_bilingual(client, suppliers):
    r = client.post(
        "/api/v1/match",
        json={
            "title": "x",
            "provinces_required": ["Atlantis"],
            "sector": "nông nghiệp",
            "min_employees": "nhiều",
        },
    )
    assert r.status_code == 422
    body = r.get_json()["error"]
    details = body["details"]["json"]
    assert (
        "Atlantis" in details["provinces_required"][0]
        and "Unknown province" in details["provinces_required"][0]
    )
    assert "Unknown sector" in details["sector"][0]
    assert "min_employees" in details and "title" in details


# ---- criteria, one at a time ---------------------------------------------------------------------


def _facts(**kw) -> Facts:
    base = dict(
        id=1,
        tax_code="0100112437",
        name="X",
        province_code="01",
        employees=100,
        revenue=50.0,
        size_class="small",
        verification="unverified",
        updated_at=dt.datetime.now(dt.UTC),
        description="",
    )
    base.update(kw)
    return Facts(**base)


def _crit(spec, facts, text=0.0):
    score, crit, _ = Scorer(spec).score(facts, text)
    return score, {c.key: c for c in crit}


def test_category_exact_above_related_above_none():
    spec = RequirementSpec(title="x", category="mech.precision_moulds")
    exact = _crit(spec, _facts(products=[("Khuôn dập", "mech.precision_moulds")]))[1]["category"].value
    related = _crit(spec, _facts(products=[("Bu lông", "mech.standard_parts")]))[1]["category"].value
    other = _crit(spec, _facts(products=[("Đế giày", "lf.soles_laces_toecaps")]))[1]["category"].value
    assert exact == 1.0 > related > other == 0.0


def test_process_coverage_counts_synonyms_and_is_a_share():
    spec = RequirementSpec(title="x", processes=["heat treatment", "mạ kẽm nhúng nóng", "anodising"])
    c = _crit(spec, _facts(processes=["Nhiệt luyện", "Galvanizing"]))[1]["processes"]
    assert c.value == pytest.approx(2 / 3) and not c.met
    assert "heat treatment → Nhiệt luyện" in c.evidence


def test_phrase_forms_fold_and_expand():
    forms = phrase_forms("Phay CNC")
    assert ("phay", "cnc") in forms and ("cnc", "milling") in forms


def test_preferred_certificates_skip_expired_ones():
    spec = RequirementSpec(title="x", certifications_preferred=["ISO 9001", "ISO 14001"])
    c = _crit(
        spec,
        _facts(
            certs={"ISO 9001": ("ISO 9001:2015", None), "ISO 14001": ("ISO 14001:2015", dt.date(2001, 1, 1))}
        ),
    )[1]["certs_preferred"]
    assert c.value == 0.5 and c.evidence == ["ISO 9001:2015"]


def test_capacity_fit_against_quantity():
    spec = RequirementSpec(title="x", quantity=2_000_000)
    assert _crit(spec, _facts(size_class="large"))[1]["capacity"].value == 1.0
    assert _crit(spec, _facts(size_class="medium"))[1]["capacity"].value == 0.5
    assert _crit(spec, _facts(size_class="micro"))[1]["capacity"].value == 0.0
    assert "capacity" not in _crit(RequirementSpec(title="x"), _facts())[1]  # not asked, not scored


def test_proximity_same_province_above_region_above_elsewhere():
    spec = RequirementSpec(title="x", provinces_preferred=["24"])  # Bắc Ninh
    same = _crit(spec, _facts(province_code="24"))[1]["proximity"].value
    region = _crit(spec, _facts(province_code="01"))[1]["proximity"].value  # Hà Nội, Red River Delta
    far = _crit(spec, _facts(province_code="79"))[1]["proximity"].value
    assert same == 1.0 > region > far == 0.0


def test_verified_and_fresh_profiles_score_higher():
    spec = RequirementSpec(title="x")
    now = dt.datetime.now(dt.UTC)
    assessed = _crit(spec, _facts(verification="staff_assessed"))[0]
    plain = _crit(spec, _facts(verification="unverified"))[0]
    stale = _crit(spec, _facts(updated_at=now - dt.timedelta(days=3 * 366)))[1]["freshness"]
    fresh = _crit(spec, _facts(updated_at=now))[1]["freshness"]
    assert assessed > plain and fresh.value == 1.0 and stale.value == 0.0


def test_weights_are_configurable():
    spec = RequirementSpec(title="x", provinces_preferred=["24"])
    f = _facts(province_code="24", verification="unverified")
    default = Scorer(spec).score(f, 0.0)[0]
    heavy = Scorer(spec, {"proximity": 10.0}).score(f, 0.0)[0]
    assert heavy > default
    assert set(DEFAULT_WEIGHTS) == {
        "text",
        "category",
        "processes",
        "materials",
        "certs_preferred",
        "capacity",
        "verified",
        "proximity",
        "freshness",
    }


# ---- saved requirements, permissions, opportunities, connections --------------------------------


def _api_login(client, session, role, email=None, **kw):
    make_user(session, role, email, **kw)
    login(client, email or f"{role}@example.vn")
    token = client.get("/account").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    return {"X-CSRFToken": token}


def test_requirement_crud_owner_and_staff_only(client, app, session, suppliers):
    h = _api_login(client, session, "buyer")
    r = client.post(
        "/api/v1/requirements",
        json={
            "title": "Khuôn ép nhựa vỏ máy in",
            "quantity": "1.200",
            "certifications_required": ["ISO 9001"],
        },
        headers=h,
    )
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    assert (
        req["quantity"] == 1200 and req["status"] == "open" and req["certifications_required"] == ["ISO 9001"]
    )
    matches = client.get(f"/api/v1/requirements/{req['id']}/matches").get_json()["items"]
    assert matches and all(m["ref"] in (MOULD_HN, CNC_HCM) for m in matches)
    # without the CSRF header a cookie-authenticated write is refused
    assert client.patch(f"/api/v1/requirements/{req['id']}", json={"title": "Khác"}).status_code == 400
    assert (
        client.patch(
            f"/api/v1/requirements/{req['id']}", json={"title": "Khuôn ép nhựa, 2 cavity"}, headers=h
        ).get_json()["title"]
        == "Khuôn ép nhựa, 2 cavity"
    )
    # a title that is only control characters and spaces is blank: refused, the title kept (was a 500)
    r = client.patch(f"/api/v1/requirements/{req['id']}", json={"title": "\u0088\u008b "}, headers=h)
    assert r.status_code == 422 and "title" in r.get_json()["error"]["details"]["json"]
    assert client.get(f"/api/v1/requirements/{req['id']}").get_json()["title"] == "Khuôn ép nhựa, 2 cavity"
    # another buyer can read the public requirement but not change it or see its matches
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.200.0.1"
    h2 = _api_login(other, session, "buyer", "other@example.vn")
    assert other.get(f"/api/v1/requirements/{req['id']}").status_code == 200
    assert (
        other.patch(f"/api/v1/requirements/{req['id']}", json={"title": "Hack"}, headers=h2).status_code
        == 403
    )
    assert other.get(f"/api/v1/requirements/{req['id']}/matches").status_code == 403
    # an SME cannot post requirements; anonymous users must sign in
    sme = app.test_client()
    sme.environ_base["REMOTE_ADDR"] = "10.200.0.2"
    h3 = _api_login(sme, session, "sme")
    assert sme.post("/api/v1/requirements", json={"title": "abc"}, headers=h3).status_code == 403
    assert app.test_client().post("/api/v1/requirements", json={"title": "abc"}).status_code in (400, 401)
    assert client.post(f"/api/v1/requirements/{req['id']}/close", headers=h).get_json()["status"] == "closed"


def test_bearer_token_writes_without_csrf(client, session, suppliers):
    from cnht.accounts.auth import issue_api_token

    user = make_user(session, "buyer")
    token = issue_api_token(user)
    session.commit()
    r = client.post(
        "/api/v1/requirements", json={"title": "Đế giày EVA"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 201


def test_staff_only_requirement_is_hidden_from_the_public(client, session, suppliers):
    buyer = make_user(session, "buyer")
    req = SourcingRequirement(owner_id=buyer.id, title="Bí mật", visibility="staff", status="open")
    session.add(req)
    session.commit()
    assert client.get(f"/api/v1/requirements/{req.id}").status_code == 404
    assert all(r["id"] != req.id for r in client.get("/api/v1/requirements").get_json())


def test_opportunities_for_an_sme_and_interest(client, app, session, suppliers):
    buyer = make_user(session, "buyer", organisation="Canon Việt Nam")
    fits = SourcingRequirement(
        owner_id=buyer.id,
        title="Khuôn ép nhựa cho vỏ máy in",
        status="open",
        visibility="public",
        processes=["phay CNC"],
        certifications_required=["ISO 9001"],
    )
    needs_iatf = SourcingRequirement(
        owner_id=buyer.id,
        title="Khuôn ép nhựa ô tô",
        status="open",
        visibility="public",
        certifications_required=["IATF 16949"],
    )
    shoes = SourcingRequirement(owner_id=buyer.id, title="Đế giày EVA", status="open", visibility="public")
    session.add_all([fits, needs_iatf, shoes])
    session.commit()
    sme = make_user(session, "sme", tax_code=MOULD_HN)
    login(client, sme.email)
    token = client.get("/account").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    opps = client.get(f"/api/v1/enterprises/{MOULD_HN}/opportunities").get_json()
    ids = [o["requirement"]["id"] for o in opps]
    assert ids[0] == fits.id and needs_iatf.id not in ids
    assert client.get(f"/api/v1/enterprises/{CNC_HCM}/opportunities").status_code == 403
    r = client.post(
        f"/api/v1/requirements/{fits.id}/connections",
        json={"enterprise": MOULD_HN, "stage": "interested"},
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 201 and r.get_json()["initiated_by"] == "sme"
    # an SME cannot mark a contract signed, nor act for another firm
    assert (
        client.post(
            f"/api/v1/requirements/{fits.id}/connections",
            json={"enterprise": MOULD_HN, "stage": "contract_signed"},
            headers={"X-CSRFToken": token},
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/requirements/{fits.id}/connections",
            json={"enterprise": CNC_HCM, "stage": "interested"},
            headers={"X-CSRFToken": token},
        ).status_code
        == 403
    )
    page = client.get("/opportunities").get_data(as_text=True)
    assert "Khuôn ép nhựa cho vỏ máy in" in page and "Khuôn ép nhựa ô tô" not in page


def test_buyer_invites_staff_brokers_and_contracts_are_counted(client, app, session, suppliers):
    buyer = make_user(session, "buyer", organisation="Canon Việt Nam")
    req = SourcingRequirement(
        owner_id=buyer.id,
        title="Khuôn ép nhựa",
        status="open",
        visibility="public",
        buyer_name="Canon Việt Nam",
    )
    session.add(req)
    session.commit()
    login(client, buyer.email)
    page = client.get(f"/requirements/{req.id}").get_data(as_text=True)
    assert "Công ty TNHH Khuôn mẫu Hòa Bình" in page and "Vì sao phù hợp" in page
    # each match says in one line what weighs most, the criteria table opens on demand
    summary = page.split('<details class="explain"><summary>')[1].split("</summary>")[0]
    assert "✔" in summary and "Khuôn ép nhựa" in summary, summary
    r = post_form(
        client,
        f"/requirements/{req.id}/connect",
        {"enterprise": MOULD_HN, "stage": "invited"},
        page=f"/requirements/{req.id}",
    )
    assert r.status_code == 302
    mail = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "connection"))
    assert mail is not None and "Canon" in mail.body
    post_form(
        client,
        f"/requirements/{req.id}/connect",
        {"enterprise": MOULD_HN, "stage": "contract_signed", "contract_value_mvnd": "1.250,5"},
        page=f"/requirements/{req.id}",
    )
    conn = session.scalar(select(Connection))
    session.refresh(conn)
    assert conn.stage == "contract_signed" and [h["stage"] for h in conn.history] == [
        "invited",
        "contract_signed",
    ]
    # the buyer's word alone is not a programme figure: the supplier confirms first
    assert client.get("/api/v1/connections/report?by=province").get_json()["items"] == []
    make_user(session, "sme", "sme-hn@example.vn", tax_code=MOULD_HN)
    supplier = fresh_client(app)
    login(supplier, "sme-hn@example.vn")
    r = post_form(
        supplier,
        f"/requirements/{req.id}/connect",
        {"stage": "contract_signed"},
        page=f"/requirements/{req.id}",
    )
    assert r.status_code == 302
    # one firm's contract is counted but its value is not published; staff see it
    report = client.get("/api/v1/connections/report?by=province").get_json()["items"]
    assert report == [{"key": "01", "connections": 1, "contract_value_mvnd": None, "withheld": True}]
    make_user(session, "staff", "staff-report@example.vn")
    staff = fresh_client(app)
    login(staff, "staff-report@example.vn")
    report = staff.get("/api/v1/connections/report?by=province").get_json()["items"]
    assert report == [
        {"key": "01", "connections": 1, "contract_value_mvnd": pytest.approx(1250.5), "withheld": False}
    ]
    by_sector = client.get("/api/v1/connections/report?by=sector").get_json()["items"]
    assert by_sector[0]["key"] == "mechanical"


def test_a_buyer_cannot_record_a_contract_with_a_firm_never_contacted(client, session, suppliers):
    buyer = make_user(session, "buyer")
    req = SourcingRequirement(owner_id=buyer.id, title="Khuôn ép nhựa", status="open", visibility="public")
    session.add(req)
    session.commit()
    login(client, buyer.email)
    r = post_form(
        client,
        f"/requirements/{req.id}/connect",
        {"enterprise": CNC_HCM, "stage": "contract_signed", "contract_value_mvnd": "5000000000"},
        page=f"/requirements/{req.id}",
    )
    assert r.status_code == 403
    assert session.scalars(select(Connection)).first() is None


def test_posting_a_requirement_through_the_form(client, session, suppliers):
    make_user(session, "buyer")
    login(client, "buyer@example.vn")
    r = post_form(
        client,
        "/requirements/new",
        {
            "title": "Khuôn ép nhựa",
            "processes": "phay CNC; xử lý nhiệt",
            "provinces_preferred": "01",
            "quantity": "5.000",
            "visibility": "public",
        },
        page="/requirements/new",
    )
    assert r.status_code == 302
    req = session.scalars(select(SourcingRequirement)).one()
    assert (
        req.processes == ["phay CNC", "xử lý nhiệt"]
        and req.quantity == 5000
        and req.provinces_preferred == ["01"]
    )
    r = post_form(
        client, "/requirements/new", {"title": "", "min_employees": "abc"}, page="/requirements/new"
    )
    assert r.status_code == 400 and "không phải là số nguyên" in r.get_data(as_text=True)
    assert session.query(SourcingRequirement).count() == 1


def test_enterprises_named_in_matches_exist(session, suppliers):
    assert session.scalar(select(Enterprise).where(Enterprise.tax_code == MOULD_HN)).name.startswith(
        "Công ty"
    )


@pytest.mark.parametrize(
    "title, core",
    [
        ("Cần tìm nhà cung cấp khuôn ép nhựa cho vỏ máy in", "khuôn ép nhựa"),
        ("can tim nha cung cap gia cong cnc", "gia cong cnc"),
        ("Looking for die casting supplier", "die casting"),
        ("Sourcing: plastic injection mould", "plastic injection mould"),
        ("Đặt hàng thêu vi tính theo bản vẽ", "thêu vi tính"),
        ("Khuôn dập liên hoàn", "khuôn dập liên hoàn"),
    ],
)
def test_core_phrase_drops_request_boilerplate_and_application(title, core):
    from cnht.matching.engine import core_phrase

    assert core_phrase(title) == core


@pytest.mark.parametrize(
    "text, code",
    [
        ("Cần nút áo cho áo khoác", "tex.garment_accessories"),  # not fasteners ('nut')
        ("Phôi rèn nóng", "mech.cast_forged_machined"),  # rèn = forging
        ("Ren trang trí", "tex.garment_accessories"),  # ren = lace
        ("Plastic injection moulds", "mech.precision_moulds"),  # English plural
        ("Khuôn ép nhựa", "mech.precision_moulds"),
    ],
)
def test_classifier_prefers_specific_evidence(text, code):
    from cnht.enterprises.classify import classify_product

    assert classify_product(text) == code


def test_matching_relevance_on_a_generated_set(tmp_path):
    """The evaluation of bench/matching.py at a smaller size: targets as thresholds."""
    from bench.matching import build_corpus, build_requirements, evaluate, make_app

    records, firms = build_corpus(800)
    reqs = build_requirements(firms, 100)
    app = make_app(tmp_path / "inst", records)
    try:
        with app.app_context():
            result = evaluate(app, reqs, firms)
    finally:
        app.extensions["cnht_db"].engine.dispose()
    assert result["engine"]["violation_rate"] == 0.0
    assert result["engine"]["ndcg@10"] >= 0.85
    assert result["engine"]["ndcg@10"] >= result["baseline"]["ndcg@10"] + 0.10


def test_backend_candidates_agree_with_search_ranking(app, client, suppliers):
    """The light candidate call used by matching ranks like the search itself."""
    from cnht.search.backend import get_backend
    from vnsearch.backends.base import Filters
    from vnsearch.query import plan_query

    with app.test_request_context():
        backend = get_backend()
        for q in ("khuôn ép nhựa", "injection mould", "gia cong cnc"):
            plan = plan_query(q, backend.vocabulary())
            cands = backend.candidates(plan, Filters(), limit=3)
            hits = backend.search(plan, Filters(), per_page=3).hits
            assert [i for i, _s in cands] == [h.id for h in hits][: len(cands)] and cands


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Nhà máy cần đặt 5.000 bộ khuôn ép nhựa cho vỏ máy in", {MOULD_HN, MOULD_BN, MOULD_HN_NOCERT}),
        ("Supplier needed for CNC machined parts for motorbikes", {CNC_HCM}),
        ("Chúng tôi cần nhà cung cấp đế giày EVA chống trơn", {SOLES_DN}),
        ("RFQ: injection moulds, 2 cavities", {MOULD_HN, MOULD_BN, MOULD_HN_NOCERT}),
        ("tim don vi gia cong cnc", {CNC_HCM}),
    ],
)
def test_requests_written_the_way_buyers_write_them(client, suppliers, title, expected):
    items = _match(client, {"title": title})
    assert items and items[0]["ref"] in expected, [(i["name"], i["score"]) for i in items[:3]]


@pytest.mark.parametrize(
    "title, core",
    [
        ("Nhà máy cần đặt 50.000 bộ gioăng cao su chịu dầu", "gioăng cao su chịu dầu"),
        ("Chúng tôi cần nhà cung cấp bo mạch điều khiển cho máy lọc nước", "bo mạch điều khiển"),
        ("Supplier needed for wire harness for e-bikes", "wire harness"),
        ("We want to buy woven labels and hang tags for garments", "woven labels and hang tags"),
        ("tim nguon hang vai det kim cotton", "vai det kim cotton"),
    ],
)
def test_core_phrase_on_independent_phrasings(title, core):
    from cnht.matching.engine import core_phrase

    assert core_phrase(title) == core


@pytest.mark.parametrize(
    ("written", "value", "unit", "per"),
    [
        ("20.000 kg/đợt", 20000, "kg", "order"),
        ("10.000 bộ/tháng", 10000, "set", "month"),
        ("5k pcs/month", 5000, "pcs", "month"),
        (1500, 1500, None, None),
    ],
)
def test_match_takes_the_quantity_as_buyers_write_it(client, suppliers, written, value, unit, per):
    r = client.post("/api/v1/match", json={"title": "Khuôn ép nhựa", "quantity": written})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (
        body["quantity"]["value"] == value
        and body["quantity"]["unit"] == unit
        and body["quantity"]["per"] == per
    )
    assert body["items"]


@pytest.mark.parametrize("bad", ["rất nhiều", True, 1.5, -3, "x" * 100])
def test_an_unreadable_quantity_is_a_clear_error(client, suppliers, bad):
    r = client.post("/api/v1/match", json={"title": "Khuôn ép nhựa", "quantity": bad})
    assert r.status_code == 422
    assert "quantity" in str(r.get_json()["error"]["details"])


def test_a_saved_requirement_keeps_the_number_unit_and_frequency(client, session, suppliers):
    h = _api_login(client, session, "buyer")
    r = client.post(
        "/api/v1/requirements",
        json={"title": "Gioăng cao su chịu dầu", "quantity": "10.000 bộ/tháng"},
        headers=h,
    )
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    assert (req["quantity"], req["quantity_unit"], req["frequency"]) == (10000, "bộ", "mỗi tháng")
    # a unit the buyer gives itself is kept
    r = client.post(
        "/api/v1/requirements",
        json={"title": "Gioăng cao su", "quantity": "2.000/tháng", "quantity_unit": "chiếc"},
        headers=h,
    )
    assert (r.get_json()["quantity"], r.get_json()["quantity_unit"]) == (2000, "chiếc")


def test_a_number_where_the_api_takes_text_is_refused(client, suppliers):
    r = client.post("/api/v1/match", json={"title": "Khuôn ép nhựa", "description": 0})
    assert r.status_code == 422 and "description" in str(r.get_json()["error"]["details"])


def test_the_openapi_document_lists_the_accepted_reference_values(client):
    doc = client.get("/api/openapi.json").get_json()
    params = {p["name"]: p for p in doc["paths"]["/api/v1/search"]["get"]["parameters"]}
    provinces = params["province"]["schema"]["enum"]
    assert {"01", "Hà Nội", "Ha Noi", "Bình Dương"} <= set(provinces)  # a former province is accepted
    assert "mechanical" in params["sector"]["schema"]["enum"]
    assert "fdi" in params["ownership"]["schema"]["enum"]
    # a blank item in a province list is dropped, and the document says it may be sent
    match = doc["components"]["schemas"]["MatchIn"]["properties"]["provinces_required"]
    assert "" in match["anyOf"][0]["items"]["anyOf"][0]["enum"]
    r = client.post("/api/v1/match", json={"title": "Khuôn ép nhựa", "provinces_required": ["", "Hà Nội"]})
    assert r.status_code == 200


def test_connecting_an_unknown_firm_is_404_and_the_requirement_stays(client, session, suppliers):
    h = _api_login(client, session, "buyer")
    req = client.post("/api/v1/requirements", json={"title": "Khuôn ép nhựa"}, headers=h).get_json()
    r = client.post(
        f"/api/v1/requirements/{req['id']}/connections",
        json={"enterprise": "0109999999", "stage": "shortlisted"},
        headers=h,
    )
    assert r.status_code == 404 and r.get_json()["error"]["message_en"] == "Enterprise not found"
    assert client.get(f"/api/v1/requirements/{req['id']}").status_code == 200
    bad = client.post(
        f"/api/v1/requirements/{req['id']}/connections",
        json={"enterprise": "", "stage": "shortlisted"},
        headers=h,
    )
    assert bad.status_code == 422  # not a firm's ref at all


def test_a_buyer_without_an_organisation_is_not_shown_by_name(client, session):
    from cnht.matching.models import SourcingRequirement
    from cnht.matching.services import create_requirement

    buyer = make_user(session, "buyer", "tanaka@example.vn", full_name="Tanaka Ken")
    req = create_requirement(session, {"title": "Cần 10.000 bánh răng côn", "visibility": "public"}, buyer)
    session.commit()
    assert session.get(SourcingRequirement, req.id).buyer_name is None
    for page in ("/", "/requirements", f"/requirements/{req.id}"):
        html = client.get(page).get_data(as_text=True)
        assert "bánh răng côn" in html and "Tanaka Ken" not in html, page


def test_a_buyer_may_post_as_an_anonymous_fdi_firm(client, app, session, suppliers):
    make_user(session, "buyer", organisation="Canon Việt Nam")
    login(client, "buyer@example.vn")
    r = post_form(
        client,
        "/requirements/new",
        {"title": "Khuôn ép nhựa vỏ máy in", "visibility": "public", "buyer_shown": "fdi"},
        page="/requirements/new",
    )
    assert r.status_code == 302
    req = session.scalars(select(SourcingRequirement)).one()
    assert req.buyer_name == "Canon Việt Nam" and req.buyer_shown == "fdi"
    # the owner sees the organisation; the public, the home page and other buyers do not
    assert client.get(f"/api/v1/requirements/{req.id}").get_json()["buyer_name"] == "Canon Việt Nam"
    public = fresh_client(app)
    for page in ("/", "/requirements", f"/requirements/{req.id}"):
        text = public.get(page).get_data(as_text=True)
        assert "Canon" not in text and "Doanh nghiệp FDI (ẩn danh)" in text, page
    assert "FDI firm (anonymous)" in public.get(f"/requirements/{req.id}?lang=en").get_data(as_text=True)
    shown = public.get(f"/api/v1/requirements/{req.id}").get_json()
    assert "Canon" not in str(shown) and shown["buyer_shown"] == "fdi"
    # a supplier the buyer invites to quote learns who is asking
    make_user(session, "sme", "sme-hn@example.vn", tax_code=MOULD_HN)
    supplier = fresh_client(app)
    login(supplier, "sme-hn@example.vn")
    assert "Canon" not in supplier.get(f"/requirements/{req.id}").get_data(as_text=True)
    post_form(
        client,
        f"/requirements/{req.id}/connect",
        {"enterprise": MOULD_HN, "stage": "invited"},
        page=f"/requirements/{req.id}",
    )
    assert "Canon Việt Nam" in supplier.get(f"/requirements/{req.id}").get_data(as_text=True)
    r = client.post(
        "/api/v1/requirements",
        json={"title": "Khuôn dập", "buyer_shown": "someone"},
        headers={"X-CSRFToken": csrf_from(client, "/account")},
    )
    assert r.status_code == 422
