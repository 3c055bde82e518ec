import pytest

from cnht import create_app
from cnht.enterprises import services
from cnht.enterprises.schemas import EnterpriseIn
from tests.factories import enterprise_record

SEED = [
    enterprise_record(),
    enterprise_record(
        tax_code="0300588569",
        name="Công ty Cổ phần Dệt may Phương Nam",
        province="Bình Dương",
        sectors=["Dệt may"],
        products=["Vải dệt kim"],
        employees=300,
        revenue_bn_vnd=500,
    ),
    enterprise_record(
        tax_code="0101248141",
        name="Công ty TNHH Điện tử Bắc Ninh",
        province="Bắc Ninh",
        sectors=["dien tu", "co khi"],
        products=["Bo mạch PCBA"],
    ),
    enterprise_record(
        tax_code="0101245486",
        name="Công ty TNHH Đế giày Tây Nam",
        province="TP Hồ Chí Minh",
        sectors=["Da giày"],
        products=["Đế giày EVA"],
        verification_status="staff_assessed",
    ),
]


@pytest.fixture
def seeded(session):
    schema = EnterpriseIn()
    for record in SEED:
        services.upsert(session, schema.load(record))
    session.commit()
    return session


def test_list_is_paginated_with_exact_total(client, seeded):
    body = client.get("/api/v1/enterprises?per_page=3").get_json()
    assert body["total"] == 4 and body["page"] == 1 and body["per_page"] == 3
    assert len(body["items"]) == 3
    page2 = client.get("/api/v1/enterprises?per_page=3&page=2").get_json()
    assert len(page2["items"]) == 1
    names = [i["name"] for i in body["items"] + page2["items"]]
    assert len(set(names)) == 4
    item = body["items"][0]
    assert set(item) == {
        "ref",
        "tax_code",
        "name",
        "name_en",
        "short_name",
        "province",
        "sectors",
        "size_class",
        "verification_status",
        "updated_at",
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("sector=textile", {"0300588569"}),
        ("sector=Dệt may", {"0300588569"}),
        ("sector=co khi", {"0100112437", "0101248141"}),
        ("province=79", {"0300588569", "0101245486"}),
        ("province=Ho Chi Minh", {"0300588569", "0101245486"}),
        ("province=Bình Dương", {"0300588569", "0101245486"}),  # a former province filters by its 2025 unit
        ("province=bac ninh&sector=electronics", {"0101248141"}),
        ("verification=staff_assessed", {"0101245486"}),
        ("size=large", {"0300588569"}),
    ],
)
def test_list_filters(client, seeded, query, expected):
    body = client.get(f"/api/v1/enterprises?{query}").get_json()
    assert {i["tax_code"] for i in body["items"]} == expected
    assert body["total"] == len(expected)


def test_soft_deleted_enterprises_are_not_listed(client, seeded):
    services.soft_delete(seeded, services.get_by_tax_code(seeded, "0300588569"))
    seeded.commit()
    assert client.get("/api/v1/enterprises").get_json()["total"] == 3
    assert client.get("/api/v1/enterprises/0300588569").status_code == 404


def test_detail_by_tax_code(client, seeded):
    body = client.get("/api/v1/enterprises/0101248141").get_json()
    assert body["name"] == "Công ty TNHH Điện tử Bắc Ninh"
    assert [s["code"] for s in body["sectors"]] == ["electronics", "mechanical"]
    assert body["province"] == {"code": "24", "name": "Bắc Ninh", "full_name": "Tỉnh Bắc Ninh"}
    assert body["products"][0]["category"] == "elec.ic_pcb"
    assert body["products"][0]["category_name"] == "Vi mạch / mạch in"  # research note stripped


@pytest.mark.parametrize(
    "url, status, code, field",
    [
        ("/api/v1/enterprises?province=Atlantis", 422, "unprocessable_entity", "province"),
        ("/api/v1/enterprises?sector=agriculture", 422, "unprocessable_entity", "sector"),
        ("/api/v1/enterprises?per_page=1000", 422, "unprocessable_entity", "per_page"),
        ("/api/v1/enterprises?page=0", 422, "unprocessable_entity", "page"),
        ("/api/v1/enterprises/0000000000", 404, "not_found", None),
        ("/api/v1/nothing-here", 404, "not_found", None),
    ],
)
def test_errors_have_one_json_shape(client, seeded, url, status, code, field):
    resp = client.get(url)
    assert resp.status_code == status
    assert resp.content_type == "application/json"
    err = resp.get_json()["error"]
    assert err["status"] == status and err["code"] == code
    assert err["message"] and err["message_en"] and err["message"] != err["message_en"]
    if field:
        assert field in err["details"]["query"]


def test_method_not_allowed_is_json(client):
    resp = client.post("/api/v1/enterprises/0100112437")
    assert resp.status_code == 405
    assert resp.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in resp.headers["Allow"]


def test_unhandled_errors_become_a_json_500(database_url, tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url, "SECRET_KEY": "x"})

    @app.route("/api/v1/boom")
    def boom():
        raise RuntimeError("boom")

    resp = app.test_client().get("/api/v1/boom")
    assert resp.status_code == 500
    err = resp.get_json()["error"]
    assert err["code"] == "internal_error" and "boom" not in resp.get_data(as_text=True)
    app.extensions["cnht_db"].engine.dispose()


def test_openapi_document_and_docs_page(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/enterprises" in spec["paths"] and "/api/v1/enterprises/{tax_code}" in spec["paths"]
    params = {p["name"] for p in spec["paths"]["/api/v1/enterprises"]["get"]["parameters"]}
    assert {"page", "per_page", "sector", "province"} <= params
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger-ui" in docs.data
    asset = client.get("/api/docs-static/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
    asset.close()
