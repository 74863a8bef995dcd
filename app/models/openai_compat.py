"""The openai backend: any OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server, Azure OpenAI) through
langchain-openai.

Its errors are translated into one-line `LLMError`s naming the setting to fix (connection refused, 401, 404 model
not found, timeout), and `check` probes `/models` without generating. langchain-openai is imported lazily: the
embedded and fake backends need not pay its start-up time.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from app.config import Settings
from app.models.errors import LLMError

__all__ = ["build", "check", "translate_openai_error"]


def translate_openai_error(exc: BaseException, base_url: str | None, model: str | None,
                           timeout_s: float | None = None) -> LLMError:
    """One line naming the setting to fix, for the errors users actually hit."""
    import httpx
    import openai

    where = f"DXHIRE_LLM_BASE_URL={base_url}"
    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return LLMError(f"LLMエンドポイントが時間内に応答しません / endpoint timed out after {timeout_s}s ({where}; "
                        f"raise DXHIRE_LLM_TIMEOUT_S or check the server)")
    if isinstance(exc, openai.APIConnectionError | httpx.ConnectError | httpx.TransportError | ConnectionError):
        return LLMError(f"LLMエンドポイントに接続できません / cannot connect to the LLM endpoint ({where}): "
                        f"connection refused or host unreachable")
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return LLMError(f"LLMエンドポイントの認証に失敗しました / endpoint rejected the API key "
                        f"({getattr(exc, 'status_code', '401')}): check DXHIRE_LLM_API_KEY ({where})")
    if isinstance(exc, openai.NotFoundError):
        return LLMError(f"モデルまたはURLが見つかりません / 404 not found: check DXHIRE_LLM_MODEL={model} and "
                        f"{where} (usually ends with /v1)")
    if isinstance(exc, openai.APIStatusError):
        detail = str(getattr(exc, "message", exc)).splitlines()[0][:160]
        return LLMError(f"LLMエンドポイントのエラー / endpoint error {exc.status_code}: {detail} ({where}, "
                        f"DXHIRE_LLM_MODEL={model})")
    return LLMError(f"LLMエンドポイントの呼び出しに失敗しました / endpoint call failed: {type(exc).__name__}: "
                    f"{str(exc).splitlines()[0][:160] if str(exc) else ''} ({where})")


@cache
def _guarded_chat_openai() -> type[BaseChatModel]:
    """ChatOpenAI whose errors become one-line LLMErrors naming the setting (no stack trace for users)."""
    from langchain_openai import ChatOpenAI

    class GuardedChatOpenAI(ChatOpenAI):
        def _wrap(self, exc: BaseException) -> LLMError:
            return translate_openai_error(exc, self.openai_api_base, self.model_name, self.request_timeout)

        def _generate(self, *args: Any, **kwargs: Any) -> ChatResult:
            try:
                return super()._generate(*args, **kwargs)
            except Exception as exc:
                raise self._wrap(exc) from None

        def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
            try:
                yield from super()._stream(*args, **kwargs)
            except Exception as exc:
                raise self._wrap(exc) from None

        async def _agenerate(self, *args: Any, **kwargs: Any) -> ChatResult:
            try:
                return await super()._agenerate(*args, **kwargs)
            except Exception as exc:
                raise self._wrap(exc) from None

        async def _astream(self, *args: Any, **kwargs: Any):
            try:
                async for chunk in super()._astream(*args, **kwargs):
                    yield chunk
            except Exception as exc:
                raise self._wrap(exc) from None

    return GuardedChatOpenAI


def _require_endpoint(settings: Settings) -> None:
    missing = [name for name, value in (("DXHIRE_LLM_BASE_URL", settings.llm_base_url),
                                        ("DXHIRE_LLM_MODEL", settings.llm_model)) if not value]
    if missing:
        raise LLMError(f"LLMエンドポイントの設定が不足しています / llm_backend=openai needs {' and '.join(missing)} "
                       f"(e.g. DXHIRE_LLM_BASE_URL=http://127.0.0.1:8080/v1)")


def build(settings: Settings) -> BaseChatModel:
    _require_endpoint(settings)
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    return _guarded_chat_openai()(
        base_url=settings.llm_base_url, model=settings.llm_model, api_key=key, timeout=settings.llm_timeout_s,
        max_retries=1, streaming=True, temperature=0, max_tokens=settings.llm_max_tokens, stream_usage=True,
    )


def check(settings: Settings) -> str:
    """Probe `/models` (no generation): the URL answers, the key is accepted, the model is served."""
    _require_endpoint(settings)
    import httpx

    base = str(settings.llm_base_url).rstrip("/")
    headers = {"Authorization": f"Bearer {settings.llm_api_key.get_secret_value()}"} if settings.llm_api_key else {}
    try:
        response = httpx.get(f"{base}/models", headers=headers, timeout=min(settings.llm_timeout_s, 10.0))
    except Exception as exc:
        raise translate_openai_error(exc, settings.llm_base_url, settings.llm_model, settings.llm_timeout_s) from None
    if response.status_code in (401, 403):
        raise LLMError(f"LLMエンドポイントの認証に失敗しました / endpoint rejected the API key ({response.status_code}):"
                       f" check DXHIRE_LLM_API_KEY (DXHIRE_LLM_BASE_URL={settings.llm_base_url})")
    if response.status_code == 404:
        raise LLMError(f"URLが見つかりません / 404 at {base}/models: check DXHIRE_LLM_BASE_URL "
                       f"(usually ends with /v1)")
    if response.status_code >= 400:
        raise LLMError(f"LLMエンドポイントのエラー / endpoint returned {response.status_code} for /models "
                       f"(DXHIRE_LLM_BASE_URL={settings.llm_base_url})")
    try:
        ids = [str(m.get("id")) for m in response.json().get("data", [])]
    except ValueError:
        ids = []
    if ids and settings.llm_model not in ids:
        raise LLMError(f"モデルが見つかりません / model not found: DXHIRE_LLM_MODEL={settings.llm_model} is not served "
                       f"by {base} (available: {', '.join(ids[:5])})")
    return f"openai: {settings.llm_model} at {base}"
