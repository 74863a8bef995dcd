"""Calling the chat model: per-call token limits and one error type with a message naming the setting.

The backend adapters (app/models/embedded.py, openai_compat.py) already raise `LLMError` for what they detect; anything else that escapes a
model call (connection refused, HTTP 401, a model that crashes) is wrapped here so callers catch one type and
users see one line, never a stack trace.
"""

from __future__ import annotations

from collections.abc import Iterator

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from app.models.errors import LLMError

__all__ = ["LLMError", "invoke_text", "stream_text"]

_HINT = (
    "LLMを呼び出せません。DXHIRE_LLM_BACKEND / DXHIRE_LLM_BASE_URL / DXHIRE_LLM_MODEL / DXHIRE_LLM_API_KEY を"
    "確認してください / the LLM call failed: check DXHIRE_LLM_BACKEND, DXHIRE_LLM_BASE_URL, DXHIRE_LLM_MODEL, "
    "DXHIRE_LLM_API_KEY"
)


def _wrap(exc: Exception) -> LLMError:
    if isinstance(exc, LLMError):
        return exc
    detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return LLMError(f"{_HINT} ({type(exc).__name__}: {detail})")


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content or "")


def invoke_text(llm: BaseChatModel, messages: list[BaseMessage], max_tokens: int | None = None) -> str:
    kwargs = {"max_tokens": max_tokens} if max_tokens else {}
    try:
        return _text(llm.invoke(messages, **kwargs).content)
    except Exception as exc:
        raise _wrap(exc) from exc


def stream_text(
    llm: BaseChatModel, messages: list[BaseMessage], max_tokens: int | None = None, grammar: str | None = None
) -> Iterator[str]:
    """Text pieces as the model writes them. `grammar` (llama.cpp GBNF) is sent only to a model that declares
    `accepts_grammar`; other backends get the same prompt without it."""
    kwargs: dict[str, object] = {"max_tokens": max_tokens} if max_tokens else {}
    if grammar and getattr(llm, "accepts_grammar", False):
        kwargs["grammar"] = grammar
    try:
        for chunk in llm.stream(messages, **kwargs):
            piece = _text(chunk.content)
            if piece:
                yield piece
    except Exception as exc:
        raise _wrap(exc) from exc
