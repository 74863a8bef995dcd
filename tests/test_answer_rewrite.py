"""Follow-up rewriting units: key terms, output cleaning, usability check, deterministic fallback."""

from __future__ import annotations

from answer_fakes import scripted

from app.answer.rewrite import (
    REWRITE_MAX_TOKENS,
    carry_subject,
    clean_output,
    fallback_rewrite,
    is_dependent,
    is_usable,
    key_terms,
    name_in_full,
    rewrite_question,
)

HISTORY = [("地域活性化起業人とはどんな制度ですか？", "企業の社員を受け入れる制度です[1]。")]


def test_key_terms_finds_content_words() -> None:
    assert key_terms("地域活性化起業人とはどんな制度ですか？")[0] == "地域活性化起業人"
    assert "制度" in key_terms("地域活性化起業人とはどんな制度ですか？")


def test_fallback_prefixes_previous_terms() -> None:
    out = fallback_rewrite("それの予算は？", HISTORY)
    assert out.startswith("地域活性化起業人") and out.endswith("それの予算は？")
    assert fallback_rewrite("予算は？", []) == "予算は？"
    assert fallback_rewrite("市民税の納付方法を教えてください", HISTORY) == "市民税の納付方法を教えてください"


def test_clean_output_takes_first_line_and_strips_labels() -> None:
    assert clean_output("書き換えた質問：「地域活性化起業人の予算は？」\n説明…") == "地域活性化起業人の予算は？"
    assert clean_output("\n\n") == ""


def test_usability() -> None:
    assert is_usable("地域活性化起業人の予算は？", "それの予算は？", HISTORY)
    assert not is_usable("", "それの予算は？", HISTORY)
    assert not is_usable("...!!!", "それの予算は？", HISTORY)
    assert not is_usable("予算について説明します。" * 30, "それの予算は？", HISTORY)  # an essay, not a question
    assert not is_usable("天気はどうですか？", "それの予算は？", HISTORY)  # unrelated to the conversation
    assert not is_usable("その予算は？", "それの予算は？", HISTORY)  # still points back: not standalone
    assert is_usable("市民税の納付方法は？", "市民税の納付方法は？", HISTORY)  # a new, independent question


def test_dependent_questions() -> None:
    assert is_dependent("それの予算は？") and is_dependent("予算は？") and is_dependent("What about its budget?")
    assert not is_dependent("都道府県は市町村のDX人材確保をどう支援しますか？")


def test_rewrite_uses_limited_tokens_and_only_last_turns() -> None:
    llm = scripted("", rewrite="地域活性化起業人の予算は？")
    history = [("古い質問ダミー話題", "古い回答")] + HISTORY
    r = rewrite_question(llm, "それの予算は？", history, max_turns=1)
    assert r.question == "地域活性化起業人の予算は？" and r.used_llm and r.flags == []
    assert llm.call_kwargs[0].get("max_tokens") == REWRITE_MAX_TOKENS
    assert "古い質問" not in llm.calls[0][1].content and "[1]" not in llm.calls[0][1].content


def test_no_history_no_call() -> None:
    llm = scripted("", rewrite="x")
    r = rewrite_question(llm, "予算は？", None, max_turns=4)
    assert r.question == "予算は？" and not r.used_llm and llm.calls == []


def test_standalone_followup_needs_no_call() -> None:
    llm = scripted("", rewrite="x")
    q = "その他の支援制度で外部人材の確保に使えるものは？"
    r = rewrite_question(llm, q, HISTORY, max_turns=4)
    assert r.question == q and not r.used_llm and llm.calls == []


SUPPORT = [("地域活性化起業人を受け入れると国からどんな財政支援がありますか？", "…[1]。")]


def test_a_follow_up_naming_a_sub_type_swaps_it_into_the_previous_question_without_a_model() -> None:
    llm = scripted("", rewrite="地域活性化起業人を受け入れると国からどんな財政支援がありますか？")  # a bad rewrite
    r = rewrite_question(llm, "副業型の場合は？", SUPPORT, max_turns=4)
    assert r.question == "地域活性化起業人の副業型の場合、受け入れると国からどんな財政支援がありますか？"
    assert not r.used_llm and llm.calls == []
    swapped = carry_subject("企業派遣型は？", [("地域活性化起業人の副業型の上限はいくらですか？", "")])
    assert swapped == "地域活性化起業人の企業派遣型の場合、上限はいくらですか？"  # the sibling 副業型 is dropped


def test_a_follow_up_naming_an_attribute_asks_it_of_the_previous_subject() -> None:
    assert carry_subject("期間は？", [("地域活性化起業人の副業型の上限はいくらですか？", "")]) == "地域活性化起業人の副業型の期間は？"
    assert carry_subject("それの予算は？", SUPPORT) is None  # points back: the model resolves it, checked
    assert carry_subject("副業型の場合は？", []) is None


def test_a_rewrite_that_repeats_the_previous_question_or_drops_the_follow_ups_words_is_refused() -> None:
    assert not is_usable(SUPPORT[0][0], "その副業型の場合は？", SUPPORT)
    assert not is_usable("地域活性化起業人の財政支援は？", "その副業型の場合は？", SUPPORT)
    assert is_usable("地域活性化起業人の副業型の財政支援は？", "その副業型の場合は？", SUPPORT)


def test_the_bare_guidebook_is_named_in_full_for_retrieval() -> None:
    assert name_in_full("ガイドブックの発行日は？") == "外部デジタル人材の確保ガイドブックの発行日は？"
    full = "外部デジタル人材の確保ガイドブックの目次は？"
    assert name_in_full(full) == full  # already in full: unchanged
    assert name_in_full("確保のガイドブックは？") == "確保のガイドブックは？"
