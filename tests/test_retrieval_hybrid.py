"""HybridRetriever: per-stage scores, generation following, reranker plug, LangChain interface, bad queries."""

from __future__ import annotations

import pytest
from retrieval_fakes import BigramHashEmbeddings, make_chunk, publish

from app.retrieval.hybrid import DENSE_QUERY_CHARS, HybridRetriever, build_retriever
from app.store import current_generation

CHUNKS = [
    make_chunk("posting", "募集要項には業務内容、報酬、勤務形態、応募資格を記載します。", kind="practice"),
    make_chunk("interview", "面接では応募者の実績と自治体業務への理解を質問で確かめます。", kind="practice"),
    make_chunk("scheme", "地域活性化起業人は企業の社員を自治体に派遣する制度で、特別交付税措置があります。",
               kind="support-scheme"),
    make_chunk("english", "The CIO adviser reviews the IT procurement plan every quarter."),
]


@pytest.fixture
def retriever(settings) -> HybridRetriever:
    publish(settings, CHUNKS)
    return build_retriever(settings, embeddings=BigramHashEmbeddings())


def test_hits_carry_chunk_and_every_stage_score(retriever: HybridRetriever) -> None:
    hits = retriever.search("募集要項の報酬", k=3)
    assert hits[0].chunk.chunk_id == "posting"
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    top = hits[0]
    assert set(top.scores) == {"dense", "bm25", "fused"}
    assert top.scores["bm25"] > 0 and 0 < top.scores["dense"] <= 1.0001
    assert top.chunk.kind == "practice" and top.chunk.source == "posting.md"
    assert all("dense" in h.scores for h in hits)  # filled in even for BM25-only candidates
    fused = [h.scores["fused"] for h in hits]
    assert fused == sorted(fused, reverse=True)


def test_follows_current_generation(settings, retriever: HybridRetriever) -> None:
    assert retriever.search("特別交付税", k=1)[0].chunk.chunk_id == "scheme"
    first = current_generation(settings)
    publish(settings, [make_chunk("new", "新しい世代にだけある文書：特別交付税の算定方法。")])
    assert current_generation(settings) != first
    hits = retriever.search("特別交付税", k=3)
    assert [h.chunk.chunk_id for h in hits] == ["new"]


def test_empty_and_missing_index(settings) -> None:
    r = HybridRetriever(settings=settings, embeddings=BigramHashEmbeddings())
    assert r.search("募集要項", k=5) == []  # nothing ingested yet
    publish(settings, [])
    assert r.search("募集要項", k=5) == []  # an empty generation


def test_bad_queries(retriever: HybridRetriever) -> None:
    emb = retriever.embeddings
    assert retriever.search("", k=5) == []
    assert retriever.search("  \u3000\n", k=5) == []
    long_hits = retriever.search("面接で実績を質問する。" * 910, k=3)  # > 10,000 characters
    assert long_hits and long_hits[0].chunk.chunk_id == "interview"
    assert len(emb.last_query) == DENSE_QUERY_CHARS  # the dense query was cut to the e5 window
    assert retriever.search("IT procurement plan", k=1)[0].chunk.chunk_id == "english"
    symbols = retriever.search("？？？！！＃＃", k=2)
    assert len(symbols) <= 2  # dense still answers something; no crash
    with pytest.raises(ValueError, match="unknown retrieval method"):
        retriever.search("募集", method="magic")


class ReverseReranker:
    """Scores passages by length, so the reranked order is known in advance."""

    def __init__(self) -> None:
        self.pairs: list[tuple[str, str]] = []

    def predict(self, pairs):
        self.pairs.extend(pairs)
        return [float(len(text)) for _q, text in pairs]


def test_reranker_plug(settings) -> None:
    publish(settings, CHUNKS)
    rr = ReverseReranker()
    r = HybridRetriever(settings=settings, embeddings=BigramHashEmbeddings(), reranker=rr)
    hits = r.search("自治体の業務", k=4)
    assert rr.pairs and rr.pairs[0][0] == "自治体の業務"
    assert all("rerank" in h.scores for h in hits)
    assert [h.scores["rerank"] for h in hits] == sorted((h.scores["rerank"] for h in hits), reverse=True)


def test_langchain_invoke_returns_documents(retriever: HybridRetriever) -> None:
    docs = retriever.invoke("面接の質問")
    assert docs and docs[0].metadata["chunk_id"] == "interview"
    assert docs[0].metadata["score_bm25"] > 0 and "score_fused" in docs[0].metadata
