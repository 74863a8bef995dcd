"""Smoke test with the real embedded model: one short question, few tokens (slow: loads a 1.1 GB GGUF)."""

from __future__ import annotations

import re

import pytest
from answer_fakes import KeywordRetriever

from app.answer import AnswerPipeline
from app.schemas import Answer


@pytest.mark.slow
def test_embedded_model_answers_in_japanese_from_context(settings) -> None:
    llm_mod = pytest.importorskip("app.models.llm")
    s = settings.model_copy(update={"llm_backend": "embedded", "llm_max_tokens": 48, "abstain_threshold": 0.8})
    llm = llm_mod.get_chat_model(s)
    pipeline = AnswerPipeline(s, llm, KeywordRetriever())
    items = list(pipeline.stream("地域活性化起業人とはどんな制度ですか？"))
    answer = items[-1]
    assert isinstance(answer, Answer) and not answer.abstained
    assert len(items) > 2  # streamed in several pieces before the Answer
    assert re.search(r"[ぁ-んァ-ヴ一-龥]", answer.answer)
    assert answer.timings["first_token_s"] > 0
    known = {"invalid_citation_removed", "no_citations", "llm_not_in_material"}
    assert set(answer.flags) <= known
    assert all(c.chunk_id for c in answer.citations)
