"""The support measure backs paraphrases of a passage and not inventions; the pipeline removes what is not backed."""

from __future__ import annotations

from answer_fakes import KIGYOJIN, KeywordRetriever, scripted

from app.answer import AnswerPipeline
from app.answer.grounding import support, supports
from app.config import Settings

PASSAGE = KIGYOJIN.text


def test_paraphrase_is_supported_and_invention_is_not() -> None:
    assert support("地域活性化起業人は三大都市圏の企業の社員を自治体が受け入れる制度です", PASSAGE) > 0.8
    assert not supports("機会視野：他社や組織との機会を活用し、新しい経験を学ぶ能力を評価します。", PASSAGE)


def test_an_unsupported_sentence_is_removed_from_the_answer_not_only_flagged(tmp_path) -> None:
    cfg = Settings(home=tmp_path, llm_backend="fake")
    grounded = AnswerPipeline(cfg, scripted("地域活性化起業人は企業の社員を自治体が受け入れる制度です[1]。"),
                              KeywordRetriever()).ask("地域活性化起業人とは？")
    assert grounded.flags == [] and grounded.answer.endswith("制度です[1]。")
    invented = AnswerPipeline(
        cfg, scripted("地域活性化起業人は企業の社員を受け入れる制度です[1]。報酬は月額九十万円で必ず三年間雇用されます[1]。"),
        KeywordRetriever()).ask("地域活性化起業人とは？")
    assert "九十万円" not in invented.answer and "制度です[1]。" in invented.answer
    assert "synthesis_sentence_removed" in invented.flags and invented.citations


def test_invented_numbers_and_chinese_answers_are_not_shown(tmp_path) -> None:
    cfg = Settings(home=tmp_path, llm_backend="fake")
    answer = AnswerPipeline(cfg, scripted("是的。999万元[1]。"), KeywordRetriever()).ask("地域活性化起業人の予算は？")
    assert "999" not in answer.answer and "是的" not in answer.answer
    assert {"synthesis_withheld", "non_japanese_characters"} <= set(answer.flags)
    assert answer.evidence  # the reader still gets the material's own sentences


def test_a_recited_rule_of_the_system_prompt_is_removed_from_the_answer(tmp_path) -> None:
    cfg = Settings(home=tmp_path, llm_backend="fake")
    recited = "参考資料に書かれた内容だけで答える。推測や一般論を足さない。\n地域活性化起業人は企業の社員を受け入れる制度です[1]。"
    answer = AnswerPipeline(cfg, scripted(recited), KeywordRetriever()).ask("地域活性化起業人とは？")
    assert answer.answer == "地域活性化起業人は企業の社員を受け入れる制度です[1]。"
