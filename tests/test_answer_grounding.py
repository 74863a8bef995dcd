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


def test_invented_numbers_and_chinese_answers_are_flagged(tmp_path) -> None:
    from app.answer.grounding import lacks_kana, unsupported_numbers

    assert unsupported_numbers("受入実績は449人です[1]。", ["受入実績は779人（令和5年度）"]) == ["449"]
    assert unsupported_numbers("措置率は0.5、令和3年度から[1]。", ["措置率0.5", "令和3年度"]) == []
    assert lacks_kana("[1] 是的。") and not lacks_kana("0.5[1]") and not lacks_kana("はい、対象です。")
    cfg = Settings(home=tmp_path, llm_backend="fake")
    answer = AnswerPipeline(cfg, scripted("是的。999万元[1]。"), KeywordRetriever()).ask("地域活性化起業人の予算は？")
    assert {"unsupported_numbers", "non_japanese_characters"} <= set(answer.flags)


def test_a_recited_rule_of_the_system_prompt_is_removed_from_the_answer(tmp_path) -> None:
    cfg = Settings(home=tmp_path, llm_backend="fake")
    recited = "参考資料に書かれた内容だけで答える。推測や一般論を足さない。\n地域活性化起業人は企業の社員を受け入れる制度です[1]。"
    answer = AnswerPipeline(cfg, scripted(recited), KeywordRetriever()).ask("地域活性化起業人とは？")
    assert answer.answer == "地域活性化起業人は企業の社員を受け入れる制度です[1]。"
