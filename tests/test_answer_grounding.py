"""The grounding check flags sentences the passages do not back, and leaves paraphrases of a passage alone."""

from __future__ import annotations

from answer_fakes import KIGYOJIN, KeywordRetriever, scripted

from app.answer import AnswerPipeline
from app.answer.grounding import support, unsupported_sentences
from app.config import Settings

PASSAGE = KIGYOJIN.text


def test_paraphrase_is_supported_and_invention_is_not() -> None:
    assert support("地域活性化起業人は三大都市圏の企業の社員を自治体が受け入れる制度です", PASSAGE) > 0.8
    got = unsupported_sentences(
        "地域活性化起業人は、企業の社員を自治体が受け入れる制度です[1]。\n"
        "1. 機会視野：他社や組織との機会を活用し、新しい経験を学ぶ能力を評価します。\n以下の通りです。",
        [PASSAGE])
    assert got == ["機会視野：他社や組織との機会を活用し、新しい経験を学ぶ能力を評価します。"]


def test_pipeline_flags_an_answer_with_an_unsupported_sentence(tmp_path) -> None:
    cfg = Settings(home=tmp_path, llm_backend="fake")
    grounded = AnswerPipeline(cfg, scripted("地域活性化起業人は企業の社員を自治体が受け入れる制度です[1]。"),
                              KeywordRetriever()).ask("地域活性化起業人とは？")
    assert "unsupported_sentences" not in grounded.flags
    invented = AnswerPipeline(
        cfg, scripted("地域活性化起業人は企業の社員を受け入れる制度です[1]。報酬は月額九十万円で必ず三年間雇用されます。"),
        KeywordRetriever()).ask("地域活性化起業人とは？")
    assert "unsupported_sentences" in invented.flags and invented.citations
