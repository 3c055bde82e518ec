"""Search behaviour through the portal's own path: enterprises written with the services, the index
kept in step by the session hooks, queries through ``run_search`` and the HTTP API."""

import unicodedata

import pytest

from cnht.enterprises import services
from cnht.enterprises.schemas import EnterpriseIn
from cnht.search.services import SearchRequest, reindex, run_search
from tests.factories import FIRMS, enterprise_record
from vnsearch.backends.base import Filters


# Tax codes: python-stdnum's list of real, valid codes.
@pytest.fixture
def corpus(session):
    schema = EnterpriseIn()
    for firm in FIRMS:
        record = enterprise_record(**firm)
        record.pop("processes", None) if "processes" not in firm else None
        services.upsert(session, schema.load(record))
    session.commit()
    return session


def names(q="", **filters):
    result = run_search(SearchRequest(q=q, filters=Filters(**filters), per_page=20))
    return [h.name for h in result.hits]


def top(q, n=1, **filters):
    return names(q, **filters)[:n]


@pytest.fixture
def ctx(app, corpus):
    with app.test_request_context():
        yield


def test_unaccented_twin_finds_the_same_top_results(ctx):
    assert top("khuon ep nhua", 3) == top("khuôn ép nhựa", 3)
    assert top("khuôn ép nhựa") == ["Công ty TNHH Khuôn mẫu Hòa Bình"]


def test_diacritics_decide_between_words_that_fold_alike(ctx):
    assert top("giày") == ["Công ty TNHH Đế giày Tân Phú"]
    assert top("giấy") == ["Công ty Cổ phần Giấy Bao bì Sông Lam"]
    assert top("đúc") == ["Công ty TNHH Đúc Gang Thái Nguyên"]


def test_unicode_forms_and_tone_placement_do_not_matter(ctx):
    nfd = unicodedata.normalize("NFD", "thủy lực")
    assert names(nfd) == names("thủy lực") == names("thuỷ lực") == names("thuy luc")
    assert names("thủy lực")[0] == "Công ty TNHH Thủy lực Minh Long"


def test_english_trade_terms_reach_vietnamese_profiles(ctx):
    assert top("plastic injection mould") == ["Công ty TNHH Khuôn mẫu Hòa Bình"]
    assert top("wire harness") == ["Công ty CP Điện tử Sao Việt"]
    assert top("EVA outsole") == ["Công ty TNHH Đế giày Tân Phú"]
    assert top("iron casting") == ["Công ty TNHH Đúc Gang Thái Nguyên"]


def test_telex_leftovers_and_typos(ctx):
    result = run_search(SearchRequest(q="khuoon eps nhuwaj"))
    assert result.hits[0].name == "Công ty TNHH Khuôn mẫu Hòa Bình"
    assert result.did_you_mean == "khuôn ép nhựa"


def test_half_typed_words(ctx):
    assert top("khuon ep nh") == ["Công ty TNHH Khuôn mẫu Hòa Bình"]
    assert top("de gia") == ["Công ty TNHH Đế giày Tân Phú"]


def test_name_match_ranks_first(ctx):
    assert top("Sao Việt") == ["Công ty CP Điện tử Sao Việt"]
    assert top("nhua ky thuat phuong nam") == ["Công ty Cổ phần Nhựa Kỹ thuật Phương Nam"]


def test_words_that_match_nothing_give_no_results(ctx):
    result = run_search(SearchRequest(q="zzzqqq"))
    assert result.total == 0 and result.hits == []


@pytest.mark.parametrize(
    "filters, expected",
    [
        (dict(province="79"), {"Công ty Cổ phần Nhựa Kỹ thuật Phương Nam", "Công ty TNHH Đế giày Tân Phú"}),
        (dict(sector="leather_footwear"), {"Công ty TNHH Đế giày Tân Phú"}),
        (
            dict(certification="ISO 9001"),
            {
                "Công ty TNHH Khuôn mẫu Hòa Bình",
                "Công ty Cổ phần Nhựa Kỹ thuật Phương Nam",
                "Công ty TNHH Đúc Gang Thái Nguyên",
                "Công ty CP Điện tử Sao Việt",
            },
        ),
        (
            dict(verified=True),
            {
                "Công ty TNHH Khuôn mẫu Hòa Bình",
                "Công ty TNHH Đế giày Tân Phú",
                "Công ty CP Điện tử Sao Việt",
            },
        ),
    ],
)
def test_empty_query_with_filters_browses(ctx, filters, expected):
    assert set(names(**filters)) == expected


def test_filters_never_change_the_order_of_the_remaining_hits(ctx):
    everything = names("nhựa")
    for filters in (dict(province="79"), dict(certification="ISO 9001"), dict(sector="mechanical")):
        subset = names("nhựa", **filters)
        assert subset == [n for n in everything if n in subset]
        assert subset


def test_total_and_facets_are_exact(ctx):
    result = run_search(SearchRequest(q="nhua"))
    assert result.total == len(result.hits) == 2
    assert dict(result.facets["province"]) == {"01": 1, "79": 1}
    assert dict(result.facets["certification"]) == {"ISO 9001": 2}
    assert dict(result.facets["verified"]) == {"true": 1, "false": 1}
    everything = run_search(SearchRequest(q=""))
    assert everything.total == len(FIRMS)
    assert sum(n for _, n in everything.facets["sector"]) == len(FIRMS)


def test_pagination_is_stable(ctx):
    full = names("")
    pages = []
    for page in (1, 2, 3):
        pages += [h.name for h in run_search(SearchRequest(q="", page=page, per_page=3)).hits]
    assert pages == full and len(set(pages)) == len(FIRMS)


def test_a_tax_code_goes_straight_to_the_enterprise(ctx):
    result = run_search(SearchRequest(q="0101 248 141"))
    assert [h.name for h in result.hits] == ["Công ty TNHH Đế giày Tân Phú"]


def test_highlights_are_in_accented_text_for_an_unaccented_query(ctx):
    hit = run_search(SearchRequest(q="khuon ep nhua")).hits[0]
    assert "<mark>Khuôn ép nhựa</mark>" in hit.highlights["products"]


def test_index_follows_commits_not_rollbacks(app, session, ctx):
    schema = EnterpriseIn()
    services.upsert(
        session,
        schema.load(
            enterprise_record(
                tax_code="0300588569-001", name="Chi nhánh Phương Nam Bến Cát", products=["Mạ kẽm nhúng nóng"]
            )
        ),
    )
    session.flush()
    session.rollback()
    assert names("mạ kẽm") == []
    services.upsert(
        session,
        schema.load(
            enterprise_record(
                tax_code="0300588569-001", name="Chi nhánh Phương Nam Bến Cát", products=["Mạ kẽm nhúng nóng"]
            )
        ),
    )
    session.commit()
    assert names("mạ kẽm") == ["Chi nhánh Phương Nam Bến Cát"]
    # an edit of a child row only (the product) is seen too
    ent = services.get_by_tax_code(session, "0300588569-001")
    ent.products[0].name = "Sơn tĩnh điện"
    session.commit()
    assert names("mạ kẽm") == [] and names("sơn tĩnh điện") == ["Chi nhánh Phương Nam Bến Cát"]
    services.soft_delete(session, ent)
    session.commit()
    assert "Chi nhánh Phương Nam Bến Cát" not in names("sơn tĩnh điện")
    assert "Chi nhánh Phương Nam Bến Cát" not in names("phuong nam ben cat")


def test_reindex_rebuilds_the_same_results(app, ctx):
    before = {q: names(q) for q in ("nhựa", "giày", "iso 9001", "")}
    app.extensions["cnht_search"].clear()
    assert names("nhựa") == []
    assert reindex(app) == len(FIRMS)
    assert {q: names(q) for q in before} == before


def test_suggest_completes_the_last_word(app, ctx):
    backend = app.extensions["cnht_search"]
    texts = [s.text for s in backend.suggest("khuon ep nh")]
    assert texts[0] == "Khuôn ép nhựa"
    kinds = {s.kind for s in backend.suggest("de giay")}
    assert "product" in kinds
    assert [s.text for s in backend.suggest("sao vi")] == ["Công ty CP Điện tử Sao Việt"]


def test_search_api(client, corpus):
    body = client.get("/api/v1/search?q=khuon ep nhua&province=Ha Noi").get_json()
    assert body["total"] == 1
    item = body["items"][0]
    assert set(item) >= {"tax_code", "name", "name_en", "province", "sectors", "score", "highlights"}
    assert item["province"] == {"code": "01", "name": "Hà Nội"}
    assert set(body["facets"]) == {"sector", "province", "certification", "ownership", "size", "verified"}
    assert body["did_you_mean"] is None
    legacy = client.get("/api/v1/search?q=nhựa&province=Bình Dương").get_json()  # a former province: TP HCM
    assert [i["name"] for i in legacy["items"]] == ["Công ty Cổ phần Nhựa Kỹ thuật Phương Nam"]
    by_label = client.get("/api/v1/search?sector=Da giày").get_json()
    assert by_label["total"] == 1
    cert = client.get("/api/v1/search?certification=iso 9001:2015").get_json()
    assert cert["total"] == 4
    bad = client.get("/api/v1/search?q=x&province=Atlantis")
    assert bad.status_code == 422 and "province" in bad.get_json()["error"]["details"]["query"]
    sugg = client.get("/api/v1/suggest?q=khuon e").get_json()
    assert sugg["items"][0]["text"] == "Khuôn ép nhựa"


def test_search_page_renders_highlights_escaped(client, session):
    services.upsert(
        session,
        EnterpriseIn().load(
            enterprise_record(name="Công ty <script>alert(1)</script> Khuôn", products=["Khuôn <b>ép</b>"])
        ),
    )
    session.commit()
    html = client.get("/search?q=khuon").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>Khuôn</mark>" in html


def test_reindex_reads_the_same_documents_as_the_orm_path(session):
    from cnht import demo
    from cnht.search.indexing import docs_for, iter_all_docs

    demo.load(session, count=40, seed=4)
    session.commit()
    fast = {d.id: d.to_dict() for d in iter_all_docs(session)}
    docs, _ = docs_for(session, list(fast))
    assert fast == {d.id: d.to_dict() for d in docs}
    assert len(fast) == 40
