"""The Elasticsearch mapping, documents and queries, checked as data (no engine runs here)."""

import json

from vnsearch.backends.base import Filters
from vnsearch.backends.elasticsearch import build_query, bulk_actions, es_document, index_body, suggest_query
from vnsearch.documents import TEXT_FIELDS, SearchDoc
from vnsearch.query import Vocabulary, plan_query

VOCAB = Vocabulary(100, {"khuon": 10, "ep": 10, "nhua": 10, "duc": 5, "gang": 3}, {}, {"khuon_ep", "ep_nhua"})


def _doc():
    return SearchDoc(
        id=7,
        tax_code="0100112437",
        name="Công ty TNHH Khuôn mẫu Hòa Bình",
        name_en="Hoa Binh Mould",
        province_code="01",
        province_name="Hà Nội",
        sectors=["mechanical"],
        ownership="private",
        size_class="small",
        verification="staff_assessed",
        certifications=["ISO 9001"],
        texts={"name": "Công ty TNHH Khuôn mẫu Hòa Bình", "products": "Khuôn ép nhựa ; Cảm biến áp suất"},
        products=["Khuôn ép nhựa", "Cảm biến áp suất"],
        categories=[],
        description="Khuôn",
    )


def test_analyzers_fold_with_and_without_the_original():
    analysis = index_body()["settings"]["analysis"]
    assert analysis["analyzer"]["vi_fold"]["filter"] == ["lowercase", "asciifolding"]
    assert analysis["filter"]["fold_keep"] == {"type": "asciifolding", "preserve_original": True}
    assert "fold_keep" in analysis["analyzer"]["vi_suggest"]["filter"]
    assert analysis["filter"]["syll_bigram"]["type"] == "shingle"
    assert analysis["filter"]["syll_bigram"]["output_unigrams"] is False
    assert analysis["filter"]["edge_2_20"] == {"type": "edge_ngram", "min_gram": 2, "max_gram": 20}
    # shingles never sit on top of preserve_original (stacked tokens break them)
    assert "fold_keep" not in analysis["analyzer"]["vi_fold_shingle"]["filter"]


def test_mapping_has_exact_folded_and_shingle_subfields_for_every_text_field():
    props = index_body()["mappings"]["properties"]
    assert index_body()["mappings"]["dynamic"] == "strict"
    for f in TEXT_FIELDS:
        assert props[f]["analyzer"] == "vi_exact"
        assert props[f]["fields"]["fold"]["analyzer"] == "vi_fold"
        assert props[f]["fields"]["shingle"]["analyzer"] == "vi_fold_shingle"
    assert props["suggest"] == {
        "type": "text",
        "analyzer": "vi_suggest",
        "search_analyzer": "vi_suggest_search",
    }
    for keyword in ("tax_code", "province_code", "sectors", "certifications", "ownership", "size_class"):
        assert props[keyword]["type"] == "keyword"
    assert props["verified"]["type"] == "boolean"
    assert props["rescore"] == {"type": "object", "enabled": False}


def test_documents_match_the_strict_mapping():
    doc = es_document(_doc())
    props = index_body()["mappings"]["properties"]
    assert set(doc) <= set(props)
    assert doc["verified"] is True and doc["certifications"] == ["ISO 9001"]
    assert doc["rescore"]["folded"]["products"] == "khuon ep nhua | cam bien ap suat"
    assert "cam_bien_ap_suat" in doc["rescore"]["compounds"]
    assert "khuon_ep" in doc["vocab"] and "nhua" in doc["vocab"]
    json.dumps(doc)  # serialisable as sent


def test_bulk_actions_use_the_enterprise_id():
    (action,) = list(bulk_actions([_doc()], "idx"))
    assert action["_op_type"] == "index" and action["_index"] == "idx" and action["_id"] == "7"


def test_query_requires_every_group_and_boosts_exact_and_phrase():
    body = build_query(plan_query("khuôn ép nhựa ", VOCAB), Filters(province="01", certification="ISO 9001"))
    q = body["query"]["bool"]
    assert body["track_total_hits"] is True
    assert len(q["must"]) == len(plan_query("khuôn ép nhựa ", VOCAB).groups)
    assert {"term": {"province_code": "01"}} in q["filter"]
    assert {"term": {"certifications": "ISO 9001"}} in q["filter"]
    exact = q["should"][0]["multi_match"]
    assert exact["query"] == "khuôn ép nhựa" and exact["boost"] == 2 and "name^10" in exact["fields"]
    assert q["should"][2] == {"match_phrase": {"name.fold": {"query": "khuon ep nhua", "boost": 50}}}
    assert set(body["aggs"]) == {"sector", "province", "certification", "ownership", "size", "verified"}
    assert body["aggs"]["province"] == {"terms": {"field": "province_code", "size": 100}}


def test_query_for_repaired_words_and_prefixes():
    body = build_query(plan_query("khuoon eps nhu", VOCAB), Filters())
    text = json.dumps(body, ensure_ascii=False)
    assert '"query": "khuon"' in text and '"query": "ep"' in text
    assert '"type": "phrase_prefix"' in text and '"query": "nhu"' in text


def test_relaxed_query_accepts_any_group():
    body = build_query(plan_query("gang nhua duc khuon ", VOCAB), Filters(), relaxed=True)
    core = body["query"]["bool"]["must"][0]["bool"]
    assert len(core["should"]) == 4 and core["minimum_should_match"] == 1


def test_a_longer_query_needs_half_of_its_groups():
    plan = plan_query("gang nhua duc khuon ", VOCAB)
    core = build_query(plan, Filters())["query"]["bool"]["must"][0]["bool"]
    assert len(core["should"]) == len(plan.groups) and core["minimum_should_match"] == 2


def test_browse_sorts_by_prior_then_name():
    body = build_query(plan_query("", VOCAB), Filters(sector="textile"))
    assert body["query"] == {"bool": {"filter": [{"term": {"sectors": "textile"}}]}}
    assert body["sort"] == [{"sort_key": "asc"}]


def test_suggest_query_uses_the_edge_ngram_field():
    assert suggest_query("khuon ep", 5)["query"] == {
        "match": {"suggest": {"query": "khuon ep", "operator": "and"}}
    }
    # a last word shorter than the n-grams is left to the phrase check, with more candidates fetched
    q = suggest_query("khuon e", 5)
    assert q["query"] == {"match": {"suggest": {"query": "khuon", "operator": "and"}}} and q["size"] == 50


def test_sort_options_in_the_request_body():
    plan = plan_query("khuôn ép nhựa", VOCAB)
    assert build_query(plan, Filters())["sort"] == ["_score", {"sort_key": "asc"}]
    assert build_query(plan, Filters(), sort="name")["sort"] == [{"name_sort": "asc"}]
    assert build_query(plan, Filters(), sort="verified")["sort"] == [{"sort_key": "asc"}]
    assert index_body()["mappings"]["properties"]["name_sort"]["type"] == "keyword"
