"""The answer pipeline: question → (rewrite) → retrieve → abstain | evidence → synthesis → check.

Evidence first: the sentences of the retrieved passages that answer the question are selected without a model
(app/answer/evidence.py) and streamed at once as an `EvidenceReady` event, verbatim with their sources. Only then does
the model write a 1–3 sentence synthesis from those sentences alone (a short prompt: that is where the time to first
token goes), and each of its sentences is checked against the evidence it cites (app/answer/synthesis.py).
Plain composition of small steps rather than one opaque LCEL chain, because each step records its own timing and
flags. The model is any LangChain chat model (embedded GGUF, an OpenAI-compatible endpoint, or a fake in tests); the
retriever is anything with ``search(query, k=..., filters=...) -> list[Hit]``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from time import perf_counter
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel

from app.answer import synthesis
from app.answer.abstain import (
    LLM_ABSTAINED_FLAG,
    NO_HITS_FLAG,
    abstain_reason,
    abstention_text,
    corpus_topics,
)
from app.answer.evidence import select_evidence
from app.answer.llm_call import stream_text
from app.answer.memory import ConversationMemory
from app.answer.question import has_japanese, prepare_question, wants_english
from app.answer.rewrite import name_in_full, rewrite_question
from app.config import Settings
from app.flags import FlagCode
from app.models.limiter import QueueStatus, model_turn
from app.schemas import Answer, EvidenceReady, Hit

log = logging.getLogger(__name__)
TOKENS_PER_SENTENCE = 70
"""Token cap per synthesis sentence (a long Japanese sentence with markers is ~50 tokens): a runaway stops early."""

StreamItem = str | QueueStatus | EvidenceReady | Answer


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
    ) -> Iterator[StreamItem]:
        """Yield `EvidenceReady` (the verbatim excerpts, before any model work), the synthesis pieces as the model
        writes them, then the final `Answer` (checked synthesis, evidence, citations).

        With `queue_events=True`, a `QueueStatus` (place in line for a model slot, `.ja` 「順番待ち: 2人目…」) is
        yielded whenever it changes while this answer waits for the model; retrieval and abstention never wait.

        The streamed pieces are the model's raw text; the final Answer's text keeps only the sentences that passed
        the check, so a UI should replace the streamed text with `Answer.answer` at the end.
        Raises `QuestionError` for an empty question and `LLMError` when the model cannot be called.
        """
        start = perf_counter()
        q, flags = prepare_question(question, self.settings.max_question_chars)
        timings: dict[str, float] = {}

        rewritten = rewrite_question(self.llm, q, history, self.settings.memory_turns)
        flags += rewritten.flags
        timings["rewrite_s"] = _round(perf_counter() - start)

        t = perf_counter()
        query = name_in_full(rewritten.question)
        hits = self.retriever.search(query, k=self.settings.top_k, filters=filters)
        timings["retrieve_s"] = _round(perf_counter() - t)

        reason = abstain_reason(hits, self.threshold_for(query))
        selection = None
        if reason is None:
            t = perf_counter()
            selection = select_evidence(
                rewritten.question, hits, max_items=self.settings.evidence_items, max_chars=self.settings.evidence_chars
            )
            timings["select_s"] = _round(perf_counter() - t)
            if not selection.evidence:  # every passage was provenance notes or instructions: nothing to show
                reason = NO_HITS_FLAG
        if reason is not None or selection is None:
            text = abstention_text(self.topics(), no_hits=reason == NO_HITS_FLAG)
            yield text
            timings["total_s"] = _round(perf_counter() - start)
            yield Answer(
                answer=text, abstained=True, flags=[*flags, reason], timings=timings, hits=hits,
                standalone_question=rewritten.question,
            )
            return
        timings["evidence_s"] = _round(perf_counter() - start)
        if selection.weak:
            flags.append(FlagCode.WEAK_EVIDENCE)
        yield EvidenceReady(evidence=selection.evidence, citations=selection.citations, elapsed_s=timings["evidence_s"])

        english = wants_english(q)
        read = synthesis.for_model(selection.evidence, self.settings.synthesis_evidence_chars)
        messages = synthesis.build_messages(rewritten.question, read, english=english)
        raw = yield from self._synthesise(messages, timings, queue_events, english)
        checked = synthesis.check(raw, selection.evidence, rewritten.question, english=english, weak=selection.weak)
        for sentence, why in checked.removed:
            log.info("synthesis sentence removed (%s): %s", why, sentence)
        flags += checked.flags
        if any(why == "foreign_characters" for _, why in checked.removed):
            flags.append(FlagCode.NON_JAPANESE_CHARACTERS)
        if not raw.strip():
            flags.append(FlagCode.EMPTY_ANSWER)
        abstained = selection.weak and bool(synthesis.NOT_STATED.search(checked.text))
        if abstained:  # the material barely touches the question and the model says it is not there
            flags.append(LLM_ABSTAINED_FLAG)
        timings["total_s"] = _round(perf_counter() - start)
        yield Answer(
            answer=checked.text, abstained=abstained, evidence=selection.evidence, citations=selection.citations,
            flags=[str(f) for f in dict.fromkeys(flags)], timings=timings, hits=hits,
            standalone_question=rewritten.question,
        )

    def _synthesise(
        self, messages: list, timings: dict[str, float], queue_events: bool, english: bool
    ) -> Iterator[str | QueueStatus]:
        """Stream the model's synthesis (only this waits for a model slot); stop after the configured number of
        sentences. Returns the raw text."""
        pieces: list[str] = []
        limit = self.settings.synthesis_sentences
        max_tokens = min(self.settings.llm_max_tokens, TOKENS_PER_SENTENCE * limit)
        with model_turn(self.llm) as turn:
            t = perf_counter()
            if queue_events:
                yield from turn.updates()
            else:
                turn.wait()
            timings["queue_s"] = _round(perf_counter() - t)
            t = perf_counter()
            grammar = None if english else synthesis.GRAMMAR
            stream = stream_text(turn.model, messages, max_tokens=max_tokens, grammar=grammar)
            try:
                for piece in stream:
                    if not pieces:
                        timings["first_token_s"] = _round(perf_counter() - t)
                    pieces.append(piece)
                    yield piece
                    if synthesis.complete_sentences("".join(pieces)) >= limit:
                        break  # enough: every further token costs the user ~0.1 s
            finally:
                stream.close()
            timings["generate_s"] = _round(perf_counter() - t)
        return "".join(pieces)

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
    ) -> Iterator[StreamItem]:
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
