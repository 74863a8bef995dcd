"""A small model's loops are removed from answers and drafts; distinct sentences stay."""

from __future__ import annotations

from answer_fakes import KeywordRetriever, scripted

from app.answer import AnswerPipeline
from app.answer.repeats import drop_repeats
from app.config import Settings

LOOP = ("この体制では、利益相反の防止に関する条項を定めます。また、守秘義務を契約で定めます。\n\n"
        "この体制では、利益相反の防止に関する条項を定めます。また、守秘義務を契約で定めます。\n\n"
        "この体制では、利益相反の防止に関する条")


def test_repeated_paragraph_and_cut_off_copy_are_dropped() -> None:
    assert drop_repeats(LOOP) == "この体制では、利益相反の防止に関する条項を定めます。また、守秘義務を契約で定めます。"


def test_distinct_sentences_and_short_items_stay() -> None:
    text = "手順は四段階です[1]。\n- 募集\n- 面接\n- 募集\n最後に受け入れます[2]。"
    assert drop_repeats(text) == "手順は四段階です[1]。\n- 募集\n- 面接\n最後に受け入れます[2]。"
    assert drop_repeats("制度です。制度の対象は三大都市圏の企業の社員です。") == "制度です。制度の対象は三大都市圏の企業の社員です。"


def test_pipeline_answer_has_the_loop_removed(tmp_path) -> None:
    loop = "地域活性化起業人は企業の社員を受け入れる制度です[1]。" * 3
    answer = AnswerPipeline(Settings(home=tmp_path, llm_backend="fake"), scripted(loop),
                            KeywordRetriever()).ask("地域活性化起業人とは？")
    assert answer.answer == "地域活性化起業人は企業の社員を受け入れる制度です[1]。"


def test_a_numbered_item_repeated_under_a_new_number_is_dropped() -> None:
    text = "1. 説明の力を確認します。\n2. 流暢さを確認します。\n3. 説明の力を確認します。\n4. 経験を確認します。"
    assert drop_repeats(text) == "1. 説明の力を確認します。\n2. 流暢さを確認します。\n4. 経験を確認します。"
