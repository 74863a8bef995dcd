"""The answer pipeline: question → (rewrite) → retrieve → abstain | answer from context → verify citations.

Plain composition of small steps rather than one opaque LCEL chain, because each step records its own timing and
flags and the stream must interleave model tokens with a final, verified `Answer`. The model is any LangChain chat
model (embedded GGUF, an OpenAI-compatible endpoint, or a fake in tests); the retriever is anything with
``search(query, k=..., filters=...) -> list[Hit]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from time import perf_counter
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from app.answer.abstain import (
    LLM_ABSTAINED_FLAG,
    NO_HITS_FLAG,
    abstain_reason,
    abstention_text,
    corpus_topics,
    model_declined,
)
from app.answer.citations import FOREIGN_SCRIPT_FLAG, NONE_FLAG, verify_citations
from app.answer.context import ContextBlock, build_blocks, render_context
from app.answer.grounding import (
    UNSUPPORTED_FLAG,
    UNSUPPORTED_NUMBERS_FLAG,
    lacks_kana,
    unsupported_numbers,
    unsupported_sentences,
)
from app.answer.llm_call import stream_text
from app.answer.memory import ConversationMemory
from app.answer.question import has_japanese, prepare_question, wants_english
from app.answer.repeats import drop_echoes, drop_repeats
from app.answer.rewrite import rewrite_question
from app.config import Settings
from app.models.limiter import QueueStatus, model_turn
from app.prompts import load_prompt
from app.schemas import Answer, Hit


class Retriever(Protocol):
    def search(self, query: str, k: int | None = None, filters: Any = None) -> list[Hit]: ...


def _round(seconds: float) -> float:
    return round(seconds, 3)


class AnswerPipeline:
    """Grounded, cited Japanese answers. `stream()` is the primitive; `ask()` drains it."""

    def __init__(self, settings: Settings, llm: BaseChatModel, retriever: Retriever) -> None:
        self.settings = settings
        self.llm = llm
        self.retriever = retriever

    # --- the prompt -----------------------------------------------------------------------------------
    def build_messages(self, question: str, blocks: list[ContextBlock], english: bool = False) -> list[BaseMessage]:
        """System prompt first (fixed text: cacheable), then the delimited data and the question."""
        user = load_prompt("answer_user").render(
            context=render_context(blocks),
            question=question,
            language="英語（English）" if english else "日本語",
        )
        return [SystemMessage(content=load_prompt("answer_system").render()), HumanMessage(content=user)]

    def threshold_for(self, question: str) -> float:
        """Questions without any Japanese score lower against a Japanese corpus: they have their own threshold."""
        return self.settings.abstain_threshold if has_japanese(question) else self.settings.abstain_threshold_en

    def topics(self) -> list[str]:
        """What the material covers, for the abstention message: from the current manifest, else corpus/."""
        from app.store import StoreError, current_manifest

        try:
            manifest = current_manifest(self.settings)
        except StoreError:
            manifest = None
        return corpus_topics(manifest, self.settings.corpus_dir)

    # --- the steps ------------------------------------------------------------------------------------
    def stream(
        self, question: str, history: list[tuple[str, str]] | None = None, filters: Any = None,
        queue_events: bool = False,
    ) -> Iterator[str | QueueStatus | Answer]:
        """Yield answer text pieces as the model writes them, then the final `Answer` (verified citations).

        With `queue_events=True`, a `QueueStatus` (place in line for a model slot, `.ja` 「順番待ち: 2人目…」) is
        yielded whenever it changes while this answer waits for the model; retrieval and abstention never wait.

        The streamed pieces are the model's raw text; the final Answer's text has invalid markers removed and
        citations renumbered, so a UI should replace the streamed text with `Answer.answer` at the end.
        Raises `QuestionError` for an empty question and `LLMError` when the model cannot be called.
        """
        start = perf_counter()
        q, flags = prepare_question(question, self.settings.max_question_chars)
        timings: dict[str, float] = {}

        rewritten = rewrite_question(self.llm, q, history, self.settings.memory_turns)
        flags += rewritten.flags
        timings["rewrite_s"] = _round(perf_counter() - start)

        t = perf_counter()
        hits = self.retriever.search(rewritten.question, k=self.settings.top_k, filters=filters)
        timings["retrieve_s"] = _round(perf_counter() - t)

        reason = abstain_reason(hits, self.threshold_for(rewritten.question))
        if reason is not None:
            text = abstention_text(self.topics(), no_hits=reason == NO_HITS_FLAG)
            yield text
            timings["total_s"] = _round(perf_counter() - start)
            yield Answer(
                answer=text, abstained=True, flags=[*flags, reason], timings=timings, hits=hits,
                standalone_question=rewritten.question,
            )
            return

        blocks = build_blocks(hits, self.settings.context_block_chars, self.settings.context_total_chars)
        english = wants_english(q)
        messages = self.build_messages(rewritten.question, blocks, english=english)
        pieces: list[str] = []
        with model_turn(self.llm) as turn:  # only the generation waits for a model slot
            t = perf_counter()
            if queue_events:
                yield from turn.updates()
            else:
                turn.wait()
            timings["queue_s"] = _round(perf_counter() - t)
            t = perf_counter()
            for piece in stream_text(turn.model, messages, max_tokens=self.settings.llm_max_tokens):
                if not pieces:
                    timings["first_token_s"] = _round(perf_counter() - t)
                pieces.append(piece)
                yield piece
            timings["generate_s"] = _round(perf_counter() - t)

        raw = "".join(pieces)
        verified = verify_citations(drop_repeats(drop_echoes(raw, [str(messages[0].content)])), blocks)
        abstained = False
        citations = verified.citations
        flags += verified.flags
        if not raw.strip():
            flags.append("empty_answer")
        elif not citations and model_declined(raw):
            abstained = True
            flags = [f for f in flags if f != NONE_FLAG] + [LLM_ABSTAINED_FLAG]
        elif not english:  # Japanese answers are checked against the passages the model was given
            passages = [b.text for b in blocks]
            if unsupported_sentences(verified.text, passages):
                flags.append(UNSUPPORTED_FLAG)
            if unsupported_numbers(verified.text, passages):
                flags.append(UNSUPPORTED_NUMBERS_FLAG)
            if lacks_kana(verified.text) and FOREIGN_SCRIPT_FLAG not in flags:
                flags.append(FOREIGN_SCRIPT_FLAG)
        timings["total_s"] = _round(perf_counter() - start)
        yield Answer(
            answer=verified.text, abstained=abstained, citations=citations, flags=flags, timings=timings,
            hits=hits, standalone_question=rewritten.question,
        )

    def ask(self, question: str, history: list[tuple[str, str]] | None = None, filters: Any = None) -> Answer:
        final: Answer | None = None
        for item in self.stream(question, history, filters=filters):
            if isinstance(item, Answer):
                final = item
        assert final is not None  # stream() always ends with an Answer
        return final

    def stream_session(
        self, memory: ConversationMemory, session_id: str, question: str, filters: Any = None,
        queue_events: bool = False,
    ) -> Iterator[str | QueueStatus | Answer]:
        """`stream()` with the session's last turns as history; the finished turn is remembered."""
        for item in self.stream(question, memory.history(session_id), filters=filters, queue_events=queue_events):
            if isinstance(item, Answer):
                memory.add(session_id, item.standalone_question or question, item.answer)
            yield item


def build_answer_pipeline(
    settings: Settings, llm: BaseChatModel | None = None, retriever: Retriever | None = None
) -> AnswerPipeline:
    """The pipeline with the configured model and retriever unless given (tests and evals pass fakes)."""
    if llm is None:
        from app.models.llm import get_chat_model

        llm = get_chat_model(settings)
    if retriever is None:
        from app.retrieval.hybrid import build_retriever

        retriever = build_retriever(settings)
    return AnswerPipeline(settings, llm, retriever)
