"""SME self-service, uploads, inquiries and the SME inbox, shortlists, staff verification and the
capability assessment with its confirmation letter and public verification page."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from cnht.assessment.models import Assessment
from cnht.assessment.services import framework
from cnht.enterprises import services
from cnht.enterprises.audit import AuditLog
from cnht.enterprises.models import Enterprise
from cnht.enterprises.rules import make_tax_code
from cnht.enterprises.schemas import EnterpriseIn
from cnht.identity import department_from_env
from cnht.mail import OutboxMessage
from cnht.portal.models import Inquiry, Shortlist
from tests.client import login, post_form
from tests.factories import enterprise_record, make_user

OWN = "0100112437"
OTHER = "0313845728"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _setup(session):
    own = services.upsert(session, EnterpriseIn().load(enterprise_record(tax_code=OWN))).enterprise
    other = services.upsert(
        session,
        EnterpriseIn().load(
            enterprise_record(
                tax_code=OTHER,
                name="Công ty Cổ phần Điện tử Sao Việt",
                sectors=["Điện tử"],
                province="TP Hồ Chí Minh",
                products=["Bo mạch PCBA"],
            )
        ),
    ).enterprise
    session.commit()
    make_user(session, "sme", tax_code=OWN)
    return own, other


def test_sme_edits_own_products_and_search_finds_the_change(client, session):
    own, _ = _setup(session)
    login(client, "sme@example.vn")
    page = client.get(f"/enterprises/{OWN}/edit").get_data(as_text=True)
    assert "Khuôn ép nhựa" in page and "Mức đầy đủ của hồ sơ" in page
    r = post_form(
        client,
        f"/enterprises/{OWN}/edit/products",
        {
            "products-key": [str(own.products[0].id), "new-0"],
            "products-name": ["Khuôn ép nhựa", "Trục inox gia công CNC"],
            "products-description": ["", "dung sai ±0,01 mm"],
        },
        page=f"/enterprises/{OWN}/edit",
    )
    assert r.status_code == 302
    session.expire_all()
    ent = services.get_by_tax_code(session, OWN)
    assert [p.name for p in ent.products] == ["Khuôn ép nhựa", "Trục inox gia công CNC"]
    assert ent.products[1].description == "dung sai ±0,01 mm"
    assert ent.verification_status == "self_declared"
    hits = client.get("/api/v1/search?q=truc inox").get_json()["items"]
    assert hits and hits[0]["ref"] == OWN
    trail = session.scalars(
        select(AuditLog).where(AuditLog.entity_id == ent.id, AuditLog.field == "products")
    ).all()
    assert trail and trail[-1].actor.startswith("user:")
    hist = client.get(f"/enterprises/{OWN}/history").get_data(as_text=True)
    assert "Trục inox gia công CNC" in hist


def test_invalid_section_input_is_refused_and_nothing_changes(client, session):
    _setup(session)
    login(client, "sme@example.vn")
    r = post_form(
        client,
        f"/enterprises/{OWN}/edit/general",
        {"employees": "nhiều lắm", "email": "x@"},
        page=f"/enterprises/{OWN}/edit",
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "không phải là số nguyên" in html and "email không hợp lệ" in html.lower()
    session.expire_all()
    assert services.get_by_tax_code(session, OWN).employees == 80
    r = post_form(
        client,
        f"/enterprises/{OWN}/edit/certifications",
        {
            "certifications-key": "new-0",
            "certifications-standard": "ISO 9001",
            "certifications-valid_until": "2027-02-31",
        },
        page=f"/enterprises/{OWN}/edit",
    )
    assert r.status_code == 400


def test_sme_cannot_edit_another_enterprise(client, session):
    _setup(session)
    login(client, "sme@example.vn")
    assert client.get(f"/enterprises/{OTHER}/edit").status_code == 403
    r = post_form(
        client,
        f"/enterprises/{OTHER}/edit/products",
        {"products-key": "new-0", "products-name": "Hàng giả"},
        page="/account",
    )
    assert r.status_code == 403
    session.expire_all()
    assert [p.name for p in services.get_by_tax_code(session, OTHER).products] == ["Bo mạch PCBA"]


def test_uploads_are_checked_for_type_and_size(client, session, monkeypatch):
    monkeypatch.setitem(client.application.config, "MAX_ATTACHMENT_BYTES", 4096)
    _setup(session)
    login(client, "sme@example.vn")
    edit = f"/enterprises/{OWN}/edit"
    r = post_form(
        client,
        f"/enterprises/{OWN}/attachments",
        {"kind": "photo", "file": (io.BytesIO(PNG), "xuong.png")},
        page=edit,
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    r = post_form(
        client,
        f"/enterprises/{OWN}/attachments",
        {"kind": "photo", "file": (io.BytesIO(b"<script>alert(1)</script>"), "anh.png")},
        page=edit,
        content_type="multipart/form-data",
    )
    assert r.status_code == 400  # the name says PNG, the bytes do not
    for body, status in ((b"RIFF\x24\x00\x00\x00WAVEfmt ", 400), (b"RIFF\x24\x00\x00\x00WEBPVP8 ", 302)):
        r = post_form(  # any RIFF file (a WAV here) is not WebP
            client,
            f"/enterprises/{OWN}/attachments",
            {"kind": "photo", "file": (io.BytesIO(body), "anh.webp")},
            page=edit,
            content_type="multipart/form-data",
        )
        assert r.status_code == status
    r = post_form(
        client,
        f"/enterprises/{OWN}/attachments",
        {"kind": "document", "file": (io.BytesIO(b"MZ\x90\x00"), "setup.exe")},
        page=edit,
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    big = b"%PDF-1.4\n" + b"0" * 4096
    r = post_form(
        client,
        f"/enterprises/{OWN}/attachments",
        {"kind": "certificate", "file": (io.BytesIO(big), "iso.pdf")},
        page=edit,
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    session.expire_all()
    atts = services.get_by_tax_code(session, OWN).attachments
    assert [a.filename for a in atts] == ["xuong.png", "anh.webp"]
    got = client.get(f"/attachments/{atts[0].public_id}")
    assert got.data == PNG and got.mimetype == "image/png"
    got.close()


def test_buyer_shortlists_and_sends_an_inquiry_the_sme_sees_it(client, app, session):
    _setup(session)
    make_user(session, "buyer", organisation="Canon Việt Nam")
    login(client, "buyer@example.vn")
    post_form(client, "/shortlists/add", {"enterprise": OWN}, page=f"/enterprises/{OWN}")
    assert "Công ty TNHH Cơ khí Chính xác Hòa Bình" in client.get("/shortlists").get_data(as_text=True)
    assert session.scalars(select(Shortlist)).one().items[0].enterprise.tax_code == OWN
    r = post_form(
        client,
        f"/enterprises/{OWN}/inquiry",
        {"subject": "Báo giá khuôn", "message": "Cần 2 bộ khuôn 4 cavity"},
        page=f"/enterprises/{OWN}/inquiry",
    )
    assert r.status_code == 302
    assert (
        session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "inquiry")).to_email
        == "sme@example.vn"
    )
    sme = app.test_client()
    sme.environ_base["REMOTE_ADDR"] = "10.250.0.1"
    login(sme, "sme@example.vn")
    assert ">1<" in sme.get("/").get_data(as_text=True).replace(" ", "")  # unread badge
    inbox = sme.get("/inbox").get_data(as_text=True)
    assert "Báo giá khuôn" in inbox and "Canon Việt Nam" in inbox
    assert session.scalars(select(Inquiry)).one().read_at is not None
    assert sme.get("/shortlists").status_code == 403


def test_profile_fields_with_script_are_escaped(client, session):
    _setup(session)
    login(client, "sme@example.vn")
    post_form(
        client,
        f"/enterprises/{OWN}/edit/general",
        {"description": "<script>alert('x')</script> Khuôn mẫu"},
        page=f"/enterprises/{OWN}/edit",
    )
    html = client.get(f"/enterprises/{OWN}").get_data(as_text=True)
    assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html


def _scores(fw, value="3"):
    data = {}
    for c in fw["criteria"]:
        data[f"score_{c['code']}"] = value
        data[f"evidence_{c['code']}"] = f"Hồ sơ {c['code']} đã kiểm tra"
    return data


def test_staff_assessment_grades_issues_letter_and_badge(client, session, monkeypatch):
    # the portal is Bắc Ninh's; the firm is in Hà Nội: the letter is the Department's, not the firm's province's
    dept, problem = department_from_env(
        {
            "CNHT_DEPARTMENT_PROVINCE": "Bac Ninh",
            "CNHT_DEPARTMENT_SIGNER_TITLE": "KT. GIÁM ĐỐC; PHÓ GIÁM ĐỐC",
            "CNHT_DEPARTMENT_SIGNER_NAME": "Trần Văn Ký",
            "CNHT_LETTER_RECIPIENTS": "Phòng Quản lý công nghiệp; Lưu: VT, QLCN",
        }
    )
    assert problem is None
    monkeypatch.setitem(client.application.config, "DEPARTMENT", dept)
    _setup(session)
    make_user(session, "staff", full_name="Lê Văn Cán Bộ")
    login(client, "staff@example.vn")
    fw = framework()
    assert len(fw["criteria"]) == 11
    data = _scores(fw)
    data["score_finance"], data["evidence_finance"] = "2", "BCTC 2025"
    data["score_digital"] = "1"
    r = post_form(
        client,
        f"/enterprises/{OWN}/assess",
        {**data, "letter_no": "123/XN-SCT"},
        page=f"/enterprises/{OWN}/assess",
    )
    assert r.status_code == 302
    a = session.scalars(select(Assessment)).one()
    assert (a.total, a.grade) == (30, "B")  # one criterion scored 1 keeps it out of A
    assert (a.valid_until - a.assessed_on).days in range(729, 733)
    session.expire_all()
    assert services.get_by_tax_code(session, OWN).verification_status == "staff_assessed"
    letter = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "GIẤY XÁC NHẬN" in letter and "123/XN-SCT" in letter and "<svg" in letter
    head = letter[letter.index('class="letter-head"') : letter.index("</table>")]
    assert "UBND TỈNH BẮC NINH" in head and "Bắc Ninh, ngày" in head and "Hà Nội" not in head
    assert "KT. GIÁM ĐỐC" in letter and "PHÓ GIÁM ĐỐC" in letter and "Trần Văn Ký" in letter
    assert "Nơi nhận:" in letter and "Phòng Quản lý công nghiệp;" in letter and "Lưu: VT, QLCN." in letter
    assert 'data-testid="issuer-missing"' not in letter
    english = client.get(r.headers["Location"] + "?en=1").get_data(as_text=True)
    assert "Bac Ninh Department of Industry and Trade" in english and "Recipients:" in english
    assert "Nơi nhận" not in english
    verify_path = re.search(r"http://127\.0\.0\.1:8000(/verify/[\w-]+)", letter).group(1)
    anon = client.application.test_client()
    page = anon.get(verify_path).get_data(as_text=True)
    assert "HỢP LỆ" in page and "Hòa Bình" in page and "Sở Công Thương Bắc Ninh" in page
    profile = anon.get(f"/enterprises/{OWN}").get_data(as_text=True)
    assert "Hạng B" in profile and "Đã đánh giá năng lực" in profile
    # withdrawn: the public check says so, the badge goes
    post_form(client, f"/assessments/{a.id}/revoke", {}, page=f"/enterprises/{OWN}")
    assert "đã bị thu hồi" in anon.get(verify_path).get_data(as_text=True)
    profile = anon.get(f"/enterprises/{OWN}").get_data(as_text=True)
    assert "Hạng B" not in profile and "Đã kiểm tra hồ sơ" in profile


def test_assessment_needs_every_score_and_evidence(client, session):
    _setup(session)
    make_user(session, "staff")
    login(client, "staff@example.vn")
    data = _scores(framework())
    del data["score_ehs"]
    data["evidence_cost"] = ""
    r = post_form(client, f"/enterprises/{OWN}/assess", data, page=f"/enterprises/{OWN}/assess")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "chọn điểm 1, 2 hoặc 3" in html and "cần ghi bằng chứng" in html
    assert session.scalar(select(Assessment)) is None


def test_sme_and_buyer_cannot_assess_or_verify(client, session):
    _setup(session)
    login(client, "sme@example.vn")
    assert client.get(f"/enterprises/{OWN}/assess").status_code == 403
    r = post_form(client, f"/enterprises/{OWN}/verification", {"level": "documents_checked"}, page="/account")
    assert r.status_code == 403
    session.expire_all()
    assert (
        session.scalar(select(Enterprise.verification_status).where(Enterprise.tax_code == OWN))
        == "unverified"
    )


def test_verification_filter_in_search(client, session):
    own, _ = _setup(session)
    make_user(session, "staff")
    login(client, "staff@example.vn")
    post_form(
        client, f"/enterprises/{OWN}/verification", {"level": "documents_checked"}, page=f"/enterprises/{OWN}"
    )
    body = client.get("/api/v1/search?q=&verified=true").get_json()
    assert [i["ref"] for i in body["items"]] == [OWN]
    # Only the values the OpenAPI enum lists are accepted; a near miss is a clear 422, not a silent filter.
    refused = client.get("/api/v1/search?q=&verified=True")
    assert refused.status_code == 422
    assert "true" in refused.get_data(as_text=True)
    assert client.get("/api/v1/search?q=&province=1").status_code == 422
    assert client.get("/api/v1/search?q=&province=01").status_code == 200


def test_staff_bulk_verification_and_home_lists_verified_and_requests(client, session):
    own, other = _setup(session)
    buyer = make_user(session, "buyer")
    from cnht.matching.models import SourcingRequirement

    session.add(
        SourcingRequirement(
            owner_id=buyer.id, title="Cần 10.000 bánh răng côn", status="open", visibility="public"
        )
    )
    session.add(SourcingRequirement(owner_id=buyer.id, title="Nội bộ", status="open", visibility="staff"))
    session.commit()
    make_user(session, "staff")
    login(client, "staff@example.vn")
    dash = client.get("/staff/").get_data(as_text=True)
    assert f'value="{own.id}"' in dash and f'value="{other.id}"' in dash
    r = post_form(
        client,
        "/staff/verification/bulk",
        {"ids": [str(own.id), str(other.id)], "level": "documents_checked"},
        page="/staff/",
    )
    assert r.status_code == 302
    session.expire_all()
    assert {e.verification_status for e in session.scalars(select(Enterprise))} == {"documents_checked"}
    home = client.application.test_client().get("/").get_data(as_text=True)
    assert "Nhà cung ứng mới được xác minh" in home and own.name in home
    assert "Cần 10.000 bánh răng côn" in home and "Nội bộ" not in home


def test_search_sorting_by_name_and_verified(client, session):
    names = ["Công ty TNHH Cơ khí Zeta", "Công ty TNHH Cơ khí Ánh Dương", "Công ty TNHH Cơ khí Minh"]
    codes = ["0100112437", "0313845728", "0106718351"]
    for tc, name in zip(codes, names, strict=True):
        services.upsert(session, EnterpriseIn().load(enterprise_record(tax_code=tc, name=name)))
    session.commit()
    ent = services.get_by_tax_code(session, "0106718351")
    ent.verification_status = "staff_assessed"
    session.commit()
    by_name = client.get("/api/v1/search?q=khuon ep nhua&sort=name").get_json()["items"]
    assert [i["name"] for i in by_name] == sorted(names, key=lambda n: n.replace("Á", "A"))
    verified = client.get("/api/v1/search?q=co khi&sort=verified").get_json()["items"]
    assert verified[0]["ref"] == "0106718351"
    assert client.get("/api/v1/search?q=x&sort=random").status_code == 422
    html = client.get("/search?q=khuon&sort=name").get_data(as_text=True)
    assert html.index("Ánh Dương") < html.index("Zeta")


def test_statistics_and_sector_pages_count_what_the_database_holds(client, session):
    _setup(session)
    html = client.get("/statistics").get_data(as_text=True)
    # two enterprises: one mechanical (Hà Nội), one electronics (TP Hồ Chí Minh)
    assert 'aria-label="Cơ khí: 1"' in html and 'aria-label="Điện tử: 1"' in html
    assert 'aria-label="Hà Nội: 1"' in html and 'aria-label="ISO 9001: 2"' in html
    sector = client.get("/sectors/mechanical").get_data(as_text=True)
    assert 'aria-label="Hà Nội: 1"' in sector and "Hồ Chí Minh: 1" not in sector
    assert client.get("/sectors/unknown").status_code == 404


def test_long_vietnamese_queries_keep_the_head_noun(client, session):
    """'gioăng cao su chịu dầu': no profile has every word; the search keeps what the thing is (the head
    noun comes first in Vietnamese) instead of a rarer trailing word."""
    gasket = services.upsert(
        session,
        EnterpriseIn().load(
            enterprise_record(
                tax_code="0100112437",
                name="Công ty TNHH Cao su Kỹ thuật Bình An",
                products=["Gioăng cao su", "Phớt chặn"],
                processes=["Lưu hóa cao su"],
                description="Sản xuất gioăng, phớt cao su kỹ thuật.",
            )
        ),
    ).enterprise
    services.upsert(
        session,
        EnterpriseIn().load(
            enterprise_record(
                tax_code="0313845728",
                name="Công ty TNHH Thiết bị Điện Hưng Thịnh",
                sectors=["Điện tử"],
                products=["Máy biến áp dầu", "Tủ điện"],
                processes=[],
                description="Biến áp ngâm dầu, tủ điện hạ thế.",
            )
        ),
    )
    session.commit()
    for q in ("gioăng cao su chịu dầu", "gioang cao su chiu dau"):
        items = client.get("/api/v1/search", query_string={"q": q}).get_json()["items"]
        assert [i["ref"] for i in items][:1] == [gasket.tax_code], (q, [i["name"] for i in items])


def test_verification_queue_pages_filters_and_bulk_verifies_the_chosen(client, session):
    # 55 profiles awaiting, 5 of them in Đà Nẵng: the dashboard shows 20 and links to the queue
    codes = [c for c in (make_tax_code(f"0109{n:05d}") for n in range(200)) if c][:55]
    for n, code in enumerate(codes):
        province = "Đà Nẵng" if n < 5 else "Hà Nội"
        rec = enterprise_record(tax_code=code, name=f"Công ty TNHH Cơ khí Số {n}", province=province)
        services.upsert(session, EnterpriseIn().load(rec))
    session.commit()
    make_user(session, "staff")
    login(client, "staff@example.vn")
    total = session.scalar(
        select(func.count())
        .select_from(Enterprise)
        .where(Enterprise.verification_status.in_(("unverified", "self_declared")))
    )
    assert total == 55
    dash = client.get("/staff/").get_data(as_text=True)
    assert 'data-testid="queue-link"' in dash
    page1 = client.get("/staff/verification").get_data(as_text=True)
    assert (
        'data-testid="queue-total">(55)' in page1
        and page1.count('name="ids"') == 50
        and "Trang 1 / 2" in page1
    )
    page2 = client.get("/staff/verification?page=2").get_data(as_text=True)
    assert page2.count('name="ids"') == 5
    danang = client.get("/staff/verification?province=48").get_data(as_text=True)
    assert 'data-testid="queue-total">(5)' in danang
    ids = re.findall(r'name="ids" value="(\d+)"', danang)
    r = post_form(
        client,
        "/staff/verification/bulk",
        {"ids": ids, "level": "documents_checked", "next": "/staff/verification?province=48"},
        page="/staff/verification?province=48",
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/staff/verification?province=48")
    assert 'data-testid="queue-total">(0)' in client.get("/staff/verification?province=48").get_data(
        as_text=True
    )
    assert 'data-testid="queue-total">(50)' in client.get("/staff/verification").get_data(as_text=True)


def test_every_completeness_hint_links_to_a_field_of_the_editor(client, session):
    from cnht.enterprises.completeness import CHECKS

    services.upsert(
        session,
        EnterpriseIn().load(
            {"tax_code": OWN, "name": "Công ty TNHH Mới Lập", "province": "Hà Nội", "sectors": ["Cơ khí"]}
        ),
    )
    session.commit()
    make_user(session, "sme", tax_code=OWN)
    login(client, "sme@example.vn")
    page = client.get(f"/enterprises/{OWN}/edit").get_data(as_text=True)
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    assert {field for *_rest, field in CHECKS} <= ids  # each hint's target is on the page
    links = re.findall(r'<a href="#([^"]+)" data-testid="hint">', page)
    assert len(links) == 5 and set(links) <= ids  # the first five hints, each a link to its field


def test_ownership_is_chosen_from_a_list(client, session):
    own, _ = _setup(session)
    login(client, "sme@example.vn")
    page = client.get(f"/enterprises/{OWN}/edit").get_data(as_text=True)
    select = re.search(r'<select id="f-ownership" name="ownership"[^>]*>(.*?)</select>', page, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"( selected)?>', select)
    assert [v for v, _s in options] == ["", "private", "state", "fdi", "joint_venture"]
    assert [v for v, sel in options if sel] == ["private"]  # the stored one ("Tư nhân" in the record)
    r = post_form(
        client, f"/enterprises/{OWN}/edit/general", {"ownership": "fdi"}, page=f"/enterprises/{OWN}/edit"
    )
    assert r.status_code == 302
    session.expire_all()
    assert services.get_by_tax_code(session, OWN).ownership == "fdi"
