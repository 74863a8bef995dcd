"""FakeChatModel: per-character (Japanese-safe) streaming, recorded prompts, LCEL use, extractive default."""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from app.models.fake import NO_CONTEXT_REPLY, FakeChatModel, extractive_answer


def test_streams_japanese_one_character_per_chunk() -> None:
    model = FakeChatModel(["地域活性化起業人は制度です。"])
    pieces = [chunk.content for chunk in model.stream("質問") if chunk.content]  # LangChain adds an empty last chunk
    assert pieces == list("地域活性化起業人は制度です。")


def test_records_calls_and_cycles_responses() -> None:
    model = FakeChatModel(["一", "二"])
    assert model.invoke([SystemMessage("sys"), HumanMessage("q1")]).content == "一"
    assert model.invoke("q2").content == "二"
    assert model.invoke("q3").content == "一"
    assert [m.content for m in model.calls[0]] == ["sys", "q1"]
    assert model.calls[1][-1].content == "q2" and len(model.calls) == 3


def test_callable_responder_sees_the_messages() -> None:
    model = FakeChatModel(lambda messages: f"受信{len(messages)}件")
    assert model.invoke([SystemMessage("s"), HumanMessage("h")]).content == "受信2件"


def test_works_in_an_lcel_chain_with_stop() -> None:
    prompt = ChatPromptTemplate.from_messages([("system", "日本語で"), ("human", "{q}")])
    chain = prompt | FakeChatModel(["答えです。END以降は不要"]) | StrOutputParser()
    assert chain.invoke({"q": "質問"}) == "答えです。END以降は不要"
    bound = prompt | FakeChatModel(["答えです。END以降は不要"]).bind(stop=["END"]) | StrOutputParser()
    assert "".join(bound.stream({"q": "質問"})) == "答えです。"


def test_default_answers_from_numbered_context_with_markers() -> None:
    context = (
        "参考資料:\n<資料 1>\n[1] 地域活性化起業人／制度\n企業の社員を受け入れる制度です。経費は措置対象です。\n</資料 1>\n"
        "<資料 2>\n[2] 広島県の事例／事例\n広島県はCIO補佐官を公募しました。\n</資料 2>\n質問: 制度は？"
    )
    model = FakeChatModel()
    answer = model.invoke([SystemMessage("sys"), HumanMessage(context)]).content
    assert answer == "企業の社員を受け入れる制度です[1]。広島県はCIO補佐官を公募しました[2]。"
    assert "".join(c.content for c in model.stream([HumanMessage(context)])) == answer


def test_default_handles_plain_numbered_lines_and_no_context() -> None:
    assert extractive_answer([HumanMessage("[3] 手順は四段階です。詳細は別紙。")]) == "手順は四段階です[3]。"
    assert FakeChatModel().invoke("こんにちは").content == NO_CONTEXT_REPLY


def test_batch_and_empty_response() -> None:
    assert [m.content for m in FakeChatModel(["a"]).batch(["x", "y"])] == ["a", "a"]
    assert "".join(c.content for c in FakeChatModel([""]).stream("x")) == ""
    assert FakeChatModel([""]).invoke("x").content == ""
