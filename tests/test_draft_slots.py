"""Bounded slots: generation stops once the slot's sentences are complete, a question slot keeps its question, and
the user's words altered by the model are put back before the checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.messages import HumanMessage
from langchain_core.outputs import ChatGenerationChunk

from app.drafting.profile import MunicipalityProfile
from app.drafting.slots import SLOTS, complete, fill_slot, generate, restore_terms, tidy
from app.models.fake import FakeChatModel

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
    raw = generate(llm, [HumanMessage("背景を2文で")], SLOTS["background"])
    assert tidy(raw, SLOTS["background"]) == RAMBLE[: RAMBLE.index("見直します。") + len("見直します。")]
    assert llm.taken == len(raw) < len(RAMBLE) // 5  # the other twenty sentences were never generated


def test_generation_runs_on_while_a_sentence_is_repeated() -> None:
    """A repeated first sentence is dropped by tidy(), so it does not count towards the two."""
    first = "〇〇町では窓口の申請が紙で、転記に時間がかかっています。"
    reply = first * 2 + "外部の専門人材の力を借ります。" + "余分な文です。" * 5
    llm = CountingModel(lambda _m: reply, chunk_size=1)
    raw = generate(llm, [HumanMessage("背景")], SLOTS["background"])
    assert tidy(raw, SLOTS["background"]) == first + "外部の専門人材の力を借ります。"
    assert "余分" not in raw


def test_question_slot_keeps_the_question_after_a_lead_in() -> None:
    slot = SLOTS["question"]
    reply = "窓口の申請についてお聞きします。転記を減らすために、着任後まず何に取り組みますか？補足です。"
    assert tidy(reply, slot) == "転記を減らすために、着任後まず何に取り組みますか？"
    assert not complete(tidy("窓口の申請についてお聞きします。", slot), slot)
    llm = CountingModel(lambda _m: reply, chunk_size=1)
    assert "補足" not in generate(llm, [HumanMessage("質問")], slot)


def test_unfinished_text_is_not_complete() -> None:
    slot = SLOTS["background"]
    assert not complete(tidy("窓口の申請が紙です。外部の", slot), slot)
    assert complete(tidy("窓口の申請が紙です。外部の力を借ります。", slot), slot)


def test_only_profile_words_are_restored() -> None:
    text, restored = restore_terms("窗口の申請が紙です。民众の声を聞きます。", PROFILE)
    assert text == "窓口の申請が紙です。民众の声を聞きます。" and restored == [("窓口", "窗口")]
    assert restore_terms("窓口の申請が紙です。", PROFILE) == ("窓口の申請が紙です。", [])


def test_fill_slot_uses_the_restored_text_once() -> None:
    llm = FakeChatModel(lambda _m: "〇〇町では窗口の申請が紙で、転記に時間がかかっています。申請をデータで受け付ける仕組みを整えます。")
    result = fill_slot(SLOTS["background"], PROFILE, llm, "定型文", name="〇〇町", issues="窓口の申請が紙", staff="要確認")
    assert result.from_model and "窗" not in result.text and result.restored == [("窓口", "窗口")]
    assert len(llm.calls) == 1
