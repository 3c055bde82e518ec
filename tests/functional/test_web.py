import re

from cnht.enterprises import services
from cnht.enterprises.schemas import EnterpriseIn
from cnht.identity import department_from_env
from tests.factories import enterprise_record


def _add(session, **overrides):
    services.upsert(session, EnterpriseIn().load(enterprise_record(**overrides)))
    session.commit()


def test_home_shows_counts_by_sector_and_province(client, session):
    _add(session)
    _add(
        session,
        tax_code="0300588569",
        name="Công ty Dệt Phương Nam",
        sectors=["Dệt may"],
        province="Bình Dương",
    )
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'data-testid="total">2<', html)
    assert re.search(r"Cơ khí</a> <span class=\"count\">1</span>", html)
    assert re.search(r"Dệt may</a> <span class=\"count\">1</span>", html)
    assert re.search(r"Hồ Chí Minh</a> <span class=\"count\">1</span>", html)
    assert "Công ty Dệt Phương Nam" in html


def test_home_speaks_to_buyers_and_suppliers_in_the_departments_name(app, client, session, monkeypatch):
    monkeypatch.setitem(
        app.config,
        "DEPARTMENT",
        department_from_env(
            {"CNHT_DEPARTMENT_PROVINCE": "79", "CNHT_DEPARTMENT_ADDRESS": "163 Hai Bà Trưng, Quận 3"}
        )[0],
    )
    _add(session)
    ent = services.get_by_tax_code(session, "0100112437")
    ent.verification_status = "documents_checked"
    session.commit()
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'data-testid="department">[^<]*Sở Công Thương Hồ Chí Minh', html)
    assert 'href="/register?role=buyer" data-testid="cta-buyer"' in html
    assert 'href="/register?role=sme" data-testid="cta-sme"' in html
    assert re.search(r'data-testid="verified-count">1 nhà cung ứng', html)
    footer = html[html.index('data-testid="footer-department"') :]
    assert "Sở Công Thương Hồ Chí Minh" in footer and "163 Hai Bà Trưng" in footer
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Ho Chi Minh Department of Industry and Trade" in english and "Post a sourcing request" in english
    # the register page opens on the role the button named
    assert 'value="buyer" checked' in client.get("/register?role=buyer").get_data(as_text=True)


def test_list_filters_and_profile(client, session):
    _add(session)
    _add(
        session,
        tax_code="0300588569",
        name="Công ty Dệt Phương Nam",
        sectors=["Dệt may"],
        province="Bình Dương",
    )
    html = client.get("/enterprises?sector=textile").get_data(as_text=True)
    assert "Công ty Dệt Phương Nam" in html and "Hòa Bình" not in html
    profile = client.get("/enterprises/0100112437").get_data(as_text=True)
    for text in (
        "Công ty TNHH Cơ khí Chính xác Hòa Bình",
        "Khuôn ép nhựa",
        "Phay CNC",
        "ISO 9001:2015",
        "Lô 5, KCN Quang Minh",
        "+842438123456",
        "Nhỏ",
    ):
        assert text in profile


def test_profile_fields_are_escaped(client, session):
    _add(
        session,
        name='Công ty <script>alert("x")</script>',
        description="<img src=x onerror=alert(1)>\ndòng 2",
    )
    html = client.get("/enterprises/0100112437").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;<br>dòng 2" in html


def test_english_switch_is_remembered(client, session):
    resp = client.get("/?lang=en")
    assert "Supporting Industry Portal" in resp.get_data(as_text=True)
    assert "lang=en" in resp.headers["Set-Cookie"]
    assert "Enterprise directory" in client.get("/enterprises").get_data(as_text=True)
    assert "Danh bạ doanh nghiệp" in client.get("/enterprises?lang=vi").get_data(as_text=True)


def test_unknown_pages_are_html_404(client):
    resp = client.get("/enterprises/0000000000")
    assert resp.status_code == 404 and resp.content_type.startswith("text/html")
    assert "Không tìm thấy" in resp.get_data(as_text=True)


def test_security_headers(client):
    resp = client.get("/")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
