"""Bounded slots: generation stops once the slot's sentences are complete, a question slot keeps its question, and
the user's words altered by the model are put back before the checks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.outputs import ChatGenerationChunk

from app.drafting.profile import MunicipalityProfile
from app.drafting.slots import SLOTS, complete, fill_slot, generate, restore_terms, slot_problems, tidy
from app.models.fake import FakeChatModel

TWO = replace(SLOTS["background"], sentences=2, max_chars=200)
"""A two-sentence slot (the early stop counts sentences)."""
PROFILE = MunicipalityProfile(name="〇〇町（架空）", issues=["窓口の申請が紙で転記に時間がかかる"],
                              role_sought="DX推進アドバイザー")
RAMBLE = ("〇〇町では窓口の申請が紙で、転記に時間がかかっています。外部の専門人材の力を借りて見直します。"
          + "さらに、住民の利便性を高めるための取組を進めます。" * 20)


class CountingModel(FakeChatModel):
    """The fake chat model, streaming one character per chunk and counting the chunks a consumer took."""

    taken: int = 0

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for chunk in super()._stream(*args, **kwargs):
            self.taken += 1
            yield chunk


def test_generation_stops_after_the_slots_sentences() -> None:
    llm = CountingModel(lambda _m: RAMBLE, chunk_size=1)
    raw = generate(llm, [HumanMessage("背景を2文で")], TWO)
    assert tidy(raw, TWO) == RAMBLE[: RAMBLE.index("見直します。") + len("見直します。")]
    assert llm.taken == len(raw) < len(RAMBLE) // 5  # the other twenty sentences were never generated


def test_generation_runs_on_while_a_sentence_is_repeated() -> None:
    """A repeated first sentence is dropped by tidy(), so it does not count towards the two."""
    first = "〇〇町では窓口の申請が紙で、転記に時間がかかっています。"
    reply = first * 2 + "外部の専門人材の力を借ります。" + "余分な文です。" * 5
    llm = CountingModel(lambda _m: reply, chunk_size=1)
    raw = generate(llm, [HumanMessage("背景")], TWO)
    assert tidy(raw, TWO) == first + "外部の専門人材の力を借ります。"
    assert "余分" not in raw


def test_question_slot_keeps_the_question_after_a_lead_in() -> None:
    slot = SLOTS["question"]
    reply = "窓口の申請についてお聞きします。転記を減らすために、着任後まず何に取り組みますか？補足です。"
    assert tidy(reply, slot) == "転記を減らすために、着任後まず何に取り組みますか？"
    assert not complete(tidy("窓口の申請についてお聞きします。", slot), slot)
    llm = CountingModel(lambda _m: reply, chunk_size=1)
    assert "補足" not in generate(llm, [HumanMessage("質問")], slot)


def test_unfinished_text_is_not_complete() -> None:
    slot = TWO
    assert not complete(tidy("窓口の申請が紙です。外部の", slot), slot)
    assert complete(tidy("窓口の申請が紙です。外部の力を借ります。", slot), slot)


def test_only_profile_words_are_restored() -> None:
    text, restored = restore_terms("窗口の申請が紙です。民众の声を聞きます。", PROFILE)
    assert text == "窓口の申請が紙です。民众の声を聞きます。" and restored == [("窓口", "窗口")]
    assert restore_terms("窓口の申請が紙です。", PROFILE) == ("窓口の申請が紙です。", [])


def test_fill_slot_uses_the_restored_text_once() -> None:
    llm = FakeChatModel(lambda _m: "窗口の申請を紙から切り替える進め方を職員だけでは決められないため、外部の知見を借ります。")
    result = fill_slot(SLOTS["background"], PROFILE, llm, "定型文", name="〇〇町", fields="窓口、申請", staff="要確認")
    assert result.from_model and "窗" not in result.text and result.restored == [("窓口", "窗口")]
    assert len(llm.calls) == 1


def test_headings_echoed_input_and_a_cut_off_sentence_are_dropped() -> None:
    """What the embedded model wrote for 〇〇町: the prompt's structure echoed as headings and labels, then a
    sentence cut off at max_tokens. Only complete sentences survive, without their labels."""
    raw = ("〇〇町が外部デジタル人材を募集する背景\n\n業務課題: 窓口の申請手続がほぼ紙で、転記と確認に時間がかかっている\n\n"
           "【外部の専門人材の力を借りる理由】\n\n1. **デジタル化の推進**: 今後は、多くの業務がデジタル化される可能性があります。"
           "しかし、現在の体制では、情報システムの更新や標準化への")
    assert tidy(raw, TWO) == "今後は、多くの業務がデジタル化される可能性があります。"


def test_a_polite_last_line_without_its_period_is_kept() -> None:
    slot = SLOTS["background"]
    assert tidy("職員だけでは窓口の申請の見直し方が分からないため、外部の知見を借ります", slot).endswith("ます。")
    assert tidy("職員だけでは窓口の申請の見直し方が", slot) == ""


def test_a_phrase_slot_keeps_the_first_line_without_the_sentence_around_it() -> None:
    slot = SLOTS["mission"]
    assert tidy("**ミッション**: 「窓口の申請のデータ化と転記の削減」を担っていただきます。\n補足", slot) == \
        "窓口の申請のデータ化と転記の削減"
    llm = CountingModel(lambda _m: "窓口の申請のデータ化\n" + "余分な行\n" * 20, chunk_size=1)
    assert tidy(generate(llm, [HumanMessage("仕事")], slot), slot) == "窓口の申請のデータ化" and llm.taken < 20


TOWN = MunicipalityProfile(name="〇〇町（架空）", issues=["窓口の申請手続がほぼ紙で、転記に時間がかかっている"],
                           role_sought="DX推進アドバイザー", current_dx_staff="総務課の情報担当1名")


@pytest.mark.parametrize(("slot", "text", "problem"), [
    ("background", "〇〇町はDX推進アドバイザーとして、以下のミッションを担当します。", "points at"),  # seen on the embedded model
    ("background", "〇〇町はDX推進アドバイザーとして、住民の利便性を高める役割を担います。", "no term"),  # no word of the issues
    ("background", "窓口の申請手続を見直す人がいないため、外部の人材を迎える。", "not in the polite"),
    ("background", "介護保険の窓口の申請を見直す知識が足りないため、外部から人を迎えます。", "copies the example"),
    ("mission", "観光や人口のデータが部署ごとに散らばり、事業の見直しに活用できていない", "no term"),
    ("mission", "窓口の申請手続がほぼ紙で、転記に時間がかかっている", "not a noun phrase"),  # the problem restated
    ("mission", "窓口の申請手続を電子化します。", "a sentence"),
])
def test_slot_checks_reject_what_was_seen(slot: str, text: str, problem: str) -> None:
    problems = slot_problems(text, SLOTS[slot], TOWN)
    assert any(p.startswith(problem) for p in problems), problems


@pytest.mark.parametrize(("slot", "text"), [
    ("background", "総務課の情報担当1名だけでは申請手続の見直し方が分からないため、外部の知見を借ります。"),
    ("mission", "窓口の申請手続の電子化と転記作業の削減"),
])
def test_good_slot_text_passes(slot: str, text: str) -> None:
    assert slot_problems(text, SLOTS[slot], TOWN) == []


class GrammarModel(FakeChatModel):
    """A fake that, like the embedded model, takes a llama.cpp grammar."""

    accepts_grammar: bool = True


def test_the_slot_grammar_reaches_a_model_that_takes_one_through_the_limiter(settings) -> None:  # noqa: ANN001
    from app.models.limiter import limited

    inner = GrammarModel(lambda _m: "窓口の申請手続の電子化と転記作業の削減")
    result = fill_slot(SLOTS["mission"], TOWN, limited(inner, settings), "定型", name="〇〇町",
                       role="DX推進アドバイザー", issues="窓口の申請手続がほぼ紙")
    assert result.from_model
    assert inner.call_kwargs[0]["grammar"] == SLOTS["mission"].grammar
    assert "root ::=" in SLOTS["question"].grammar
    plain = FakeChatModel(lambda _m: "窓口の申請手続の電子化と転記作業の削減")
    fill_slot(SLOTS["mission"], TOWN, plain, "定型", name="〇〇町", role="DX推進アドバイザー", issues="窓口")
    assert "grammar" not in plain.call_kwargs[0]  # an endpoint model gets the same prompt without it


@pytest.mark.parametrize(("slot", "text", "problem"), [
    # seen on the embedded model under the first grammar: the issues copied, then a doubled 外部から
    ("background", "窓口の申請手続がほぼ紙で、転記に時間がかかっているため、外部から専門の知識を持つ人を外部から迎えます。",
     "restates the issue"),
    ("mission", "DX推進アドバイザーの募集で，業務課題は“窓口の申請手続", "stray punctuation"),
    ("mission", "業務課題の窓口の申請手続の電子化", "echoes the prompt"),
])
def test_slot_checks_reject_copies_and_junk(slot: str, text: str, problem: str) -> None:
    problems = slot_problems(text, SLOTS[slot], TOWN)
    assert any(p.startswith(problem) for p in problems), problems


def test_grammars_are_one_line_of_the_slots_shape() -> None:
    assert SLOTS["question"].grammar.rstrip().endswith('"？"')
    assert SLOTS["background"].grammar.rstrip().endswith('"。"')
    mission = SLOTS["mission"].grammar
    assert "、" in mission and "{6,32}" in mission and '"。"' not in mission


@pytest.mark.parametrize("text", [
    "この自治体の業務課題は、窓口の申請手続がほぼ紙で、転記と確認に時間がかかっているです、どのように着手していきますか？",
])
def test_question_echoing_the_prompt_in_broken_grammar_is_rejected(text: str) -> None:
    """Seen on the embedded model (town-10k): the prompt's words, then 「かかっているです」."""
    problems = slot_problems(text, SLOTS["question"], TOWN)
    assert any(p.startswith("echoes the prompt") for p in problems)
    assert any(p.startswith("broken grammar") for p in problems)


def test_a_fact_of_the_example_is_not_taken_for_this_town() -> None:
    """Seen on the embedded model (city-50k): 兼務 came from the prompt's example; this profile never says it."""
    city = MunicipalityProfile(name="◎◎市", issues=["観光の情報発信が部署ごとにばらばら"], current_dx_staff="情報政策課 4名")
    text = "情報発信の担当職員が他の業務と兼務し、見直しに手が回らないため、専門の知識を持つ人を外部から迎えます。"
    assert any(p.startswith("copies the example") for p in slot_problems(text, SLOTS["background"], city))
    assert not any(p.startswith("copies the example") for p in slot_problems(text, SLOTS["background"], TOWN.model_copy(
        update={"current_dx_staff": "総務課の情報担当1名（兼務）", "issues": ["観光の情報発信が部署ごとにばらばら"]})))


def test_a_phrase_cut_after_an_ascii_comma_is_rejected() -> None:
    """Seen on the embedded model (city-400k): 「…優先順位付けを改善し, 子育て関連の申請」."""
    city = MunicipalityProfile(name="△△市", issues=["部局ごとの取組の優先順位が付けられていない", "子育て関連の申請のオンライン化が進まない"])
    problems = slot_problems("DX推進計画の部局ごとの優先順位付けを改善し, 子育て関連の申請", SLOTS["mission"], city)
    assert any(p.startswith("stray punctuation") for p in problems)
    assert "," in SLOTS["mission"].grammar


@pytest.mark.parametrize(("slot", "text", "problem"), [
    # both seen on the embedded model (city-400k) after the last prompt change
    ("mission", "DX推進計画の部局ごとの優先順位付けと基幹業務システムの標準化・", "cut off"),
    ("question", "はい、私はCIO補佐官として窓口の申請の見直しについて考えていますが、手順をお聞きいただけますか？",
     "answers as the candidate"),
])
def test_cut_phrases_and_candidate_voice_are_rejected(slot: str, text: str, problem: str) -> None:
    assert any(p.startswith(problem) for p in slot_problems(text, SLOTS[slot], TOWN))
