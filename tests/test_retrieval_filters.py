"""Metadata filters: kind(s), step in every stored shape, population range — on both dense and BM25 lists."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from retrieval_fakes import BigramHashEmbeddings, make_chunk, publish

from app.retrieval.filters import RetrievalFilters, chunk_steps
from app.retrieval.hybrid import HybridRetriever

CASES = [
    make_chunk("big", "人口の多い市で外部デジタル人材を副業で採用した事例。", kind="case", population=460000,
               step="2,3", step_2=True, step_3=True),
    make_chunk("small", "人口の少ない町で外部デジタル人材を採用した事例。", kind="case", population=9000, step=3),
    make_chunk("scheme", "外部デジタル人材の採用に使える支援制度の概要。", kind="support-scheme", step="1"),
    make_chunk("plain", "外部デジタル人材の採用について一般的な資料。"),
]


def test_steps_in_every_stored_shape() -> None:
    assert chunk_steps(CASES[0]) == {2, 3}
    assert chunk_steps(CASES[1]) == {3}
    assert chunk_steps(make_chunk("l", "x", step="[1, 4]")) == {1, 4}
    assert chunk_steps(CASES[3]) == set()


def test_matches() -> None:
    assert RetrievalFilters(kinds=["case"]).matches(CASES[0])
    assert not RetrievalFilters(kinds=["case"]).matches(CASES[2])
    assert RetrievalFilters(step=3).matches(CASES[1]) and not RetrievalFilters(step=1).matches(CASES[1])
    assert RetrievalFilters(population_min=10000).matches(CASES[0])
    assert not RetrievalFilters(population_min=10000).matches(CASES[1])
    assert not RetrievalFilters(population_max=10**7).matches(CASES[2])  # no population: excluded
    assert RetrievalFilters().matches(CASES[3])
    with pytest.raises(ValidationError):
        RetrievalFilters(population_min=10, population_max=5)
    with pytest.raises(ValidationError):
        RetrievalFilters(step=5)


@pytest.fixture
def retriever(settings) -> HybridRetriever:
    publish(settings, CASES)
    return HybridRetriever(settings=settings, embeddings=BigramHashEmbeddings())


def _ids(hits) -> set[str]:
    return {h.chunk.chunk_id for h in hits}


def test_filters_apply_to_search(retriever: HybridRetriever) -> None:
    q = "外部デジタル人材の採用"
    assert _ids(retriever.search(q, k=10)) == {"big", "small", "scheme", "plain"}
    for method in ("hybrid", "dense", "bm25"):
        assert _ids(retriever.search(q, k=10, filters=RetrievalFilters(kinds=["case"]), method=method)) == {
            "big", "small"}
        assert _ids(retriever.search(q, k=10, filters=RetrievalFilters(step=3), method=method)) == {"big", "small"}
        assert _ids(retriever.search(q, k=10, filters=RetrievalFilters(step=2), method=method)) == {"big"}
        assert _ids(retriever.search(q, k=10, filters=RetrievalFilters(step=1), method=method)) == {"scheme"}
        assert _ids(retriever.search(q, k=10, filters=RetrievalFilters(population_max=50000), method=method)) == {
            "small"}
        assert _ids(retriever.search(q, k=10, filters=RetrievalFilters(kinds=["policy"]), method=method)) == set()
