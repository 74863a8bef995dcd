"""Model slots: at most N model calls at once, first come first served, a place in line for waiting users, and
nothing but the model call waits (retrieval and abstention run while every slot is taken)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from answer_fakes import KeywordRetriever, scripted
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from app.answer.pipeline import AnswerPipeline
from app.models.fake import FakeChatModel
from app.models.limiter import LimitedChatModel, ModelLimiter, QueueStatus, limited, model_turn
from app.schemas import Answer, EvidenceReady
from app.services import Services


class _Gauge(BaseChatModel):
    """A model whose calls take `hold_s` and record how many run at the same time (FakeChatModel serialises its
    responder under a lock, so it cannot show overlap)."""

    hold_s: float = 0.05
    now: int = 0
    peak: int = 0
    lock: Any = Field(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "gauge"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.hold_s)
        with self.lock:
            self.now -= 1
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="回答です[1]。"))])


def test_at_most_n_calls_run_at_once_in_arrival_order() -> None:
    limiter = ModelLimiter(2)
    first = limiter.join()
    second = limiter.join()
    waiting = [limiter.join() for _ in range(4)]
    assert first.position == second.position == 0
    assert [t.position for t in waiting] == [1, 2, 3, 4]
    assert limiter.status() == {"slots": 2, "active": 2, "waiting": 4}
    first.release()
    assert [t.position for t in waiting] == [0, 1, 2, 3]  # the longest waiting got the slot
    waiting[2].release()  # gave up while waiting (closed tab): leaves the line at once
    assert [t.position for t in waiting if t is not waiting[2]] == [0, 1, 2]
    for t in (second, *waiting):
        t.release()
    assert limiter.status() == {"slots": 2, "active": 0, "waiting": 0}


def test_updates_report_the_place_in_line_until_the_slot_is_held() -> None:
    limiter = ModelLimiter(1)
    holder, ahead = limiter.join(), limiter.join()
    mine = limiter.join()
    seen: list[int] = []

    def advance() -> None:
        time.sleep(0.15)
        holder.release()
        time.sleep(0.15)
        ahead.wait()
        ahead.release()

    threading.Thread(target=advance).start()
    for status in mine.updates(poll_s=0.02):
        assert isinstance(status, QueueStatus) and status.slots == 1
        seen.append(status.position)
    assert seen == [2, 1] and mine.position == 0
    assert QueueStatus(position=2, slots=1, active=1).ja.startswith("順番待ち: 2人目")
    mine.release()


def test_a_free_slot_yields_no_queue_event() -> None:
    with model_turn(limited(FakeChatModel(["a"]), None, slots=1)) as turn:  # type: ignore[arg-type]
        assert list(turn.updates()) == [] and turn.position == 0


def test_limited_model_caps_concurrent_calls_for_invoke_and_stream() -> None:
    gauge = _Gauge()
    model = LimitedChatModel(inner=gauge, limiter=ModelLimiter(2))
    results: list[str] = []

    def call(i: int) -> None:
        if i % 2:
            results.append(model.invoke("質問").content)
        else:
            results.append("".join(str(c.content) for c in model.stream("質問")))

    threads = [threading.Thread(target=call, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gauge.peak == 2 and results == ["回答です[1]。"] * 8
    assert model.limiter.status()["active"] == 0 and model.limiter.granted_total == 8


def test_limited_is_idempotent_and_follows_the_backend(settings) -> None:
    s = settings.model_copy(update={"llm_backend": "openai", "llm_concurrency": 3})
    model = limited(FakeChatModel(), s)
    assert model.limiter.slots == 3 and limited(model, s) is model
    assert limited(FakeChatModel(), s.model_copy(update={"llm_backend": "embedded"})).limiter.slots == 1


def _pipeline(settings, answer: str = "地域活性化起業人は企業の社員を受け入れる制度です[1]。"):
    llm = limited(scripted(answer), settings, slots=1)
    return AnswerPipeline(settings, llm, KeywordRetriever()), llm


def test_a_waiting_answer_reports_its_place_before_any_text(settings) -> None:
    pipeline, llm = _pipeline(settings)
    holder = llm.turn()  # another user's generation holds the only slot
    threading.Timer(0.3, holder.release).start()
    items = list(pipeline.stream("地域活性化起業人とは？", queue_events=True))
    statuses = [i for i in items if isinstance(i, QueueStatus)]
    assert statuses and statuses[0].position == 1
    first_text = next(n for n, i in enumerate(items) if isinstance(i, str))
    assert isinstance(items[0], EvidenceReady) and items[0].evidence  # the evidence does not wait for the slot
    assert all(isinstance(i, QueueStatus) for i in items[1:first_text])
    final = items[-1]
    assert isinstance(final, Answer) and not final.abstained and final.timings["queue_s"] >= 0.2
    assert "queue_s" in final.timings and final.timings["first_token_s"] < 0.2  # waiting is not time-to-token


def test_without_queue_events_the_stream_shape_is_unchanged(settings) -> None:
    pipeline, llm = _pipeline(settings)
    holder = llm.turn()
    threading.Timer(0.2, holder.release).start()
    items = list(pipeline.stream("地域活性化起業人とは？"))
    assert isinstance(items[0], EvidenceReady) and isinstance(items[-1], Answer)
    assert all(isinstance(i, str) for i in items[1:-1])


def test_retrieval_and_abstention_never_wait_for_the_model(settings) -> None:
    llm = limited(scripted("使われない[1]。"), settings, slots=1)
    retriever = KeywordRetriever(matched_dense=0.95)
    pipeline = AnswerPipeline(settings.model_copy(update={"abstain_threshold": 0.9}), llm, retriever)
    with llm.turn():  # every slot is taken for the whole test
        t0 = time.perf_counter()
        answer = pipeline.ask("今日の天気は？")  # no keyword: dense 0.5 < threshold -> abstains
        assert answer.abstained and time.perf_counter() - t0 < 1.0
        assert len(retriever.queries) == 1
        assert llm.inner.calls == []


def test_services_share_one_limit_between_answers_and_drafts(settings) -> None:
    pytest.importorskip("app.drafting.service")
    from draft_fakes import BigramRetriever

    from app.config import PROJECT_ROOT
    from app.drafting.profile import load_profile

    s = settings.model_copy(update={"llm_backend": "embedded"})  # one slot, without loading anything
    services = Services(s, llm=FakeChatModel(), retriever=BigramRetriever())
    assert services.llm.limiter.slots == 1 and services.answers.llm is services.llm
    profile = load_profile(PROJECT_ROOT / "app" / "examples" / "town-10k.yaml")
    done = threading.Event()

    def run_draft() -> None:
        services.draft("posting", profile)
        done.set()

    holder = services.llm.turn()
    worker = threading.Thread(target=run_draft)
    worker.start()
    assert not done.wait(0.5)  # the draft's model slot waits behind the answer holding the slot
    assert services.llm.limiter.status()["waiting"] == 1
    holder.release()
    worker.join(timeout=30)
    assert done.is_set() and services.llm.inner.calls


def test_the_chat_tab_shows_the_place_in_line_then_the_answer(settings) -> None:
    from app.ui.tabs.chat import make_chat_handler

    services = Services(settings.model_copy(update={"llm_backend": "embedded"}),  # one slot, nothing loaded
                        llm=scripted("地域活性化起業人は企業の社員を受け入れる制度です[1]。"), retriever=KeywordRetriever())
    holder = services.llm.turn()
    threading.Timer(0.8, holder.release).start()
    shown = [out[0][-1]["content"] for out in make_chat_handler(services)("地域活性化起業人とは？", [])
             if isinstance(out[0], list) and out[0]]
    waiting = [text for text in shown if "順番待ち" in text]
    assert waiting and "順番待ち: 1人目" in waiting[0]
    assert "三大都市圏" in waiting[0]  # the evidence needs no model slot: it is on screen while the answer waits
    assert shown.index(waiting[-1]) < len(shown) - 1 and "順番待ち" not in shown[-1]
    assert "地域活性化起業人" in shown[-1]
