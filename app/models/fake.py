"""A deterministic chat model for tests and `--llm fake`: Japanese-safe streaming, one character per chunk.

LangChain's GenericFakeChatModel streams by splitting on spaces, which turns a Japanese answer into one chunk; ours
streams per character, records every prompt it received (`.calls`), and works with `.invoke`, `.stream`, `.batch`
and inside LCEL chains. Without scripted responses it answers extractively from the numbered context blocks it was
given (first sentence of each block plus its `[n]` marker), so CLI and eval runs with the fake produce meaningful,
citable output.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr

Responder = Callable[[list[BaseMessage]], str]

# `<資料 n>` / `[n] header` / body / `</資料 n>` (app/answer/context.py), or plain `[n] text` lines.
_TAGGED_BLOCK = re.compile(r"<資料 (\d+)>\n\[\d+\][^\n]*\n(.*?)\n</資料 \1>", re.S)
_PLAIN_BLOCK = re.compile(r"^\[(\d+)\]\s*(.+)$", re.M)
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
NO_CONTEXT_REPLY = "資料に該当する記載が見つかりませんでした。"


def extractive_answer(messages: Sequence[BaseMessage], max_blocks: int = 3) -> str:
    """Deterministic default: the first sentence of each numbered block with its marker, e.g. `…です[1]。`."""
    text = str(messages[-1].content) if messages else ""
    blocks = _TAGGED_BLOCK.findall(text) or _PLAIN_BLOCK.findall(text)
    out: list[str] = []
    for n, body in blocks[:max_blocks]:
        sentence = next((s.strip() for s in _SENTENCE.findall(body) if s.strip()), "")
        if not sentence:
            continue
        out.append(f"{sentence.rstrip('。！？!?')}[{n}]。")
    return "".join(out) or NO_CONTEXT_REPLY


class FakeChatModel(BaseChatModel):
    """`FakeChatModel(["答え1", "答え2"])` cycles through the list; `FakeChatModel(fn)` calls fn(messages);
    `FakeChatModel()` answers extractively from the numbered context."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    responses: list[str] | Callable[[list[BaseMessage]], str] | None = Field(default=None)
    chunk_size: int = 1
    delay: float = 0.0
    """Seconds slept before each streamed chunk: makes decode time measurable and lets tests cancel mid-stream."""
    _calls: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _call_kwargs: list[dict[str, Any]] = PrivateAttr(default_factory=list)
    _index: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(self, responses: list[str] | Responder | None = None, **kwargs: Any) -> None:
        super().__init__(responses=responses, **kwargs)

    @property
    def _llm_type(self) -> str:
        return "dxhire-fake"

    @property
    def calls(self) -> list[list[BaseMessage]]:
        """Every prompt received, in order (a list of messages per call)."""
        return self._calls

    @property
    def call_kwargs(self) -> list[dict[str, Any]]:
        """The keyword arguments of every call (e.g. ``max_tokens``), in order."""
        return self._call_kwargs

    @property
    def last_prompt(self) -> str:
        """The text of the last call's messages joined (handy in assertions)."""
        return "\n".join(str(m.content) for m in self._calls[-1]) if self._calls else ""

    def _reply(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> str:
        with self._lock:
            self._calls.append(list(messages))
            self._call_kwargs.append(dict(kwargs))
            if self.responses is None:
                return extractive_answer(messages)
            if callable(self.responses):
                return str(self.responses(list(messages)))
            if not self.responses:
                return ""
            reply = self.responses[self._index % len(self.responses)]
            self._index += 1
            return reply

    @staticmethod
    def _apply_stop(text: str, stop: list[str] | None) -> str:
        for s in stop or []:
            if s and s in text:
                text = text[: text.index(s)]
        return text

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = self._apply_stop(self._reply(messages, kwargs), stop)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        text = self._apply_stop(self._reply(messages, kwargs), stop)
        step = max(1, self.chunk_size)
        if not text:  # LangChain needs at least one chunk, even for an empty reply
            yield ChatGenerationChunk(message=AIMessageChunk(content=""))
        for i in range(0, len(text), step):
            if self.delay:
                time.sleep(self.delay)
            piece = text[i : i + step]
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk


# --- the backend adapter (app/models/registry.py) -------------------------------------------------------------

def build(settings: Any) -> BaseChatModel:
    return FakeChatModel()


def check(settings: Any) -> str:
    return "fake: deterministic test model"
