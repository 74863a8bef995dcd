"""Model slots: only model calls wait in line, and each waiting user knows their place (「順番待ち: 2人目」).

Why in the core and not in the web framework's queue: a queue in front of a whole request (Gradio's
`concurrency_limit`) makes retrieval, evidence and abstention — which need no model — wait behind other users'
generation too. Here the chat model itself is wrapped (`LimitedChatModel`), so every caller that shares one model
object (answers, follow-up rewriting, each drafting slot) shares one limit, and nothing else queues.

The limit follows the backend (app/models/registry.py `model_slots`): one slot for the in-process engine, which
decodes one request at a time; `DXHIRE_LLM_CONCURRENCY` for an endpoint that batches many.

Two ways to use it:
* call the wrapped model as usual: the call blocks until a slot is free (drafting, evals, the CLI);
* or take a `Turn` first (`model_turn(llm)`) and poll it, so a streaming surface can show the place in line while
  it waits, then call `turn.model` (the unwrapped model: the slot is already held) — see `AnswerPipeline.stream`.
Slots are granted strictly first come, first served; a turn given up before its slot (a closed browser tab) leaves
the line at once.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import BaseModel, ConfigDict

from app.config import Settings

POLL_S = 0.5
"""How often a waiting turn re-reports its place: fast enough to feel live, cheap for hundreds of waiters."""


class QueueStatus(BaseModel):
    """A waiting user's place in line for a model slot: an event of the answer stream."""

    model_config = ConfigDict(frozen=True)

    position: int
    """1 = next to get a slot."""
    slots: int
    active: int

    @property
    def ja(self) -> str:
        return f"順番待ち: {self.position}人目（回答を生成できるのは同時に{self.slots}件までです）"


class ModelLimiter:
    """At most `slots` turns hold a slot at once; the others wait in arrival order."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("slots must be >= 1")
        self.slots = slots
        self._cond = threading.Condition()
        self._line: deque[Turn] = deque()
        self._active = 0
        self.granted_total = 0
        self.max_waiting = 0

    def join(self) -> Turn:
        """Enter the line; the slot may be granted at once."""
        turn = Turn(self)
        with self._cond:
            self._line.append(turn)
            self.max_waiting = max(self.max_waiting, len(self._line) - max(self.slots - self._active, 0))
            self._grant()
        return turn

    def _grant(self) -> None:  # under the lock
        while self._line and self._active < self.slots:
            turn = self._line.popleft()
            turn._granted = True
            self._active += 1
            self.granted_total += 1
        self._cond.notify_all()

    def _position(self, turn: Turn) -> int:
        with self._cond:
            if turn._granted:
                return 0
            try:
                return self._line.index(turn) + 1
            except ValueError:
                return 0

    def _wait(self, turn: Turn, timeout: float | None) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: turn._granted or turn._done, timeout) and turn._granted

    def _leave(self, turn: Turn) -> None:
        with self._cond:
            if turn._done:
                return
            turn._done = True
            if turn._granted:
                self._active -= 1
            else:
                with contextlib.suppress(ValueError):  # already granted meanwhile
                    self._line.remove(turn)
            self._grant()

    def status(self) -> dict[str, int]:
        """Slots, calls running now, calls waiting (for logs, the settings view and the load bench)."""
        with self._cond:
            return {"slots": self.slots, "active": self._active, "waiting": len(self._line)}


class Turn:
    """One model call's place in line. Use as a context manager so the slot is always given back."""

    def __init__(self, limiter: ModelLimiter, model: BaseChatModel | None = None) -> None:
        self.limiter = limiter
        self.model = model
        self._granted = False
        self._done = False

    @property
    def position(self) -> int:
        """0 once the slot is held, else the place in line (1 = next)."""
        return self.limiter._position(self)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the slot is held (True) or `timeout` seconds pass (False)."""
        return self.limiter._wait(self, timeout)

    def updates(self, poll_s: float = POLL_S) -> Iterator[QueueStatus]:
        """Yield a QueueStatus whenever the place in line changes (and at least once while waiting); returns once
        the slot is held. Nothing is yielded when a slot is free at once."""
        last = None
        while not self.wait(0 if last is None else poll_s):
            position = self.position
            if position == 0:
                break
            if position != last:
                status = self.limiter.status()
                yield QueueStatus(position=position, slots=status["slots"], active=status["active"])
                last = position

    def release(self) -> None:
        self.limiter._leave(self)

    def __enter__(self) -> Turn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class _FreeTurn(Turn):
    """The turn of an unlimited model: the slot is held from the start and there is nothing to give back."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model
        self._granted = True
        self._done = False

    @property
    def position(self) -> int:
        return 0

    def wait(self, timeout: float | None = None) -> bool:
        return True

    def release(self) -> None:
        pass


class LimitedChatModel(BaseChatModel):
    """A chat model whose calls each hold one slot of `limiter` for their whole duration (streaming included)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: BaseChatModel
    limiter: Any

    @property
    def _llm_type(self) -> str:
        return f"dxhire-limited-{getattr(self.inner, '_llm_type', 'model')}"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"inner": getattr(self.inner, "_identifying_params", {}), "slots": self.limiter.slots}

    @property
    def accepts_grammar(self) -> bool:
        """Whether a llama.cpp GBNF `grammar` kwarg reaches the model (the draft slots send one through here)."""
        return bool(getattr(self.inner, "accepts_grammar", False))

    def turn(self) -> Turn:
        turn = self.limiter.join()
        turn.model = self.inner
        return turn

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        with self.turn() as turn:
            turn.wait()
            message = self.inner.invoke(messages, stop=stop, **kwargs)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        with self.turn() as turn:
            turn.wait()
            for chunk in self.inner.stream(messages, stop=stop, **kwargs):
                piece = ChatGenerationChunk(message=chunk if isinstance(chunk, AIMessageChunk)
                                            else AIMessageChunk(content=str(chunk.content)))
                if run_manager and isinstance(piece.message.content, str) and piece.message.content:
                    run_manager.on_llm_new_token(piece.message.content, chunk=piece)
                yield piece


def model_turn(llm: BaseChatModel) -> Turn:
    """A turn for one model call: a real place in line when `llm` is limited, else a turn that holds at once.
    Call `turn.model` inside it (never `llm` itself, which would queue a second time)."""
    if isinstance(llm, LimitedChatModel):
        return llm.turn()
    return _FreeTurn(llm)


def limited(llm: BaseChatModel, settings: Settings, slots: int | None = None) -> LimitedChatModel:
    """`llm` behind a limiter with the backend's number of slots (registry.model_slots) unless `slots` is given.
    Already limited models are returned as they are (one line per model, never two)."""
    if isinstance(llm, LimitedChatModel):
        return llm
    from app.models.registry import model_slots

    return LimitedChatModel(inner=llm, limiter=ModelLimiter(slots or model_slots(settings)))
