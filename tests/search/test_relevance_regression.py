"""Relevance regression on the generated corpus (bench/corpus.py): the search must stay above the
targets per query type and above the untuned baseline. The full table: `python -m bench.relevance`."""

import statistics
from collections import defaultdict

import pytest

from bench.corpus import generate, grades, queries
from bench.relevance import Baseline, ndcg
from cnht.search.services import plan_search
from cnht.search.synonyms import install_query_understanding, install_taxonomy_synonyms
from vnsearch.backends.base import Filters
from vnsearch.backends.embedded import EmbeddedBackend

TARGETS = {
    "accented": 0.95,
    "telex_typo": 0.85,
    "english": 0.85,
    "prefix": 0.85,
    "mixed": 0.90,
    "old_tone": 0.90,
    "synonym": 0.90,
    "filtered": 0.90,
    "sentence": 0.90,
    "abbrev": 0.90,
    "place": 0.80,
}


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    install_taxonomy_synonyms()
    install_query_understanding()
    firms = generate(1200, seed=3)
    backend = EmbeddedBackend(tmp_path_factory.mktemp("rel") / "search.sqlite3")
    backend.reindex([f.doc for f in firms])
    baseline = Baseline(firms)
    vocab = backend.vocabulary()
    out: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for q in queries(firms, seed=5):
        gains = grades(q, firms)
        if not any(g >= 3 for g in gains.values()):
            continue
        planned = plan_search(q.text, vocab)
        filters = Filters(province=q.filters.get("province"), certification=q.filters.get("certification"))
        result = backend.search(planned.plan, filters, 1, 10, prefs=planned.prefs)
        out[q.type]["ours"].append(ndcg([h.tax_code for h in result.hits], gains))
        out[q.type]["base"].append(ndcg(baseline.search(q), gains))
    backend.close()
    return {t: {k: statistics.fmean(v) for k, v in d.items()} for t, d in out.items()}


@pytest.mark.parametrize("qtype", sorted(TARGETS))
def test_ndcg_meets_the_target(scores, qtype):
    assert scores[qtype]["ours"] >= TARGETS[qtype], scores[qtype]


def test_unaccented_is_within_two_points_of_accented(scores):
    assert scores["unaccented"]["ours"] >= scores["accented"]["ours"] - 0.02


@pytest.mark.parametrize("qtype", ["unaccented", "telex_typo", "english", "mixed", "prefix", "sentence"])
def test_beats_the_untuned_baseline(scores, qtype):
    assert scores[qtype]["ours"] >= scores[qtype]["base"] + 0.03, scores[qtype]


@pytest.mark.parametrize("qtype", sorted(TARGETS))
def test_no_kind_below_the_untuned_baseline(scores, qtype):
    assert scores[qtype]["ours"] >= scores[qtype]["base"] - 0.01, scores[qtype]
