"""The chat-model factory: `get_chat_model(settings) -> BaseChatModel` for llm_backend embedded | openai | fake.

* embedded: Qwen2.5-Coder-1.5B-Instruct (GGUF assembled from PyPI parts, app/models/gguf.py) run in-process by
  xllamacpp, llama.cpp's own server engine. Loaded once per process; greedy decoding; token streaming through the
  engine's callback (a worker thread feeds a queue). Messages are passed through unchanged and `cache_prompt` is on,
  so a fixed system prompt is read once and reused from llama.cpp's prompt cache (prompt reading is the slow part on
  a 2-core CPU: ~35 tokens/s).
* openai: any OpenAI-compatible endpoint through langchain-openai. Its errors are translated into one-line
  `LLMError`s naming the setting to fix (connection refused, 401, 404 model not found, timeout).
* fake: app/models/fake.py, deterministic and Japanese-safe for tests and `--llm fake`.

`check_llm(settings)` probes the configured backend cheaply (no generation) for CLIs and the UI's status line.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from app.config import Settings
from app.models.errors import LLMError, ModelFileError

__all__ = ["LLMError", "ModelFileError", "EmbeddedChatModel", "get_chat_model", "check_llm", "load_engine"]

EMBEDDED_MODEL_NAME = "qwen2.5-coder-1.5b-instruct"
_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool", "function": "function",
          "chat": "user", "developer": "system"}


# --- embedded (xllamacpp) ----------------------------------------------------------------------------------

def _engine_params(model_path: str, n_ctx: int, threads: int, host: str | None = None, port: int | None = None,
                   quiet: bool = False):
    import xllamacpp

    p = xllamacpp.CommonParams()
    p.model.path = model_path
    p.n_ctx = n_ctx
    p.n_parallel = 1  # one slot: every request reuses the same KV cache, so the fixed prompt prefix stays cached
    p.cache_prompt = True
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = threads
    p.warmup = False  # the first request pages the weights in anyway; keeps start-up short
    p.sampling.temp = 0.0
    p.model_alias = {EMBEDDED_MODEL_NAME}
    if quiet:
        p.verbosity = 0  # in-process use: llama.cpp's per-request log lines would drown the CLI's output
    if host is not None:
        p.hostnames = [host]
    if port is not None:
        p.port = port
    return p


def load_engine(model_path: str, n_ctx: int, threads: int, host: str | None = None, port: int | None = None,
                quiet: bool = False):
    """Start an xllamacpp Server (it also listens on `host:port` over HTTP; port 0 = any free port)."""
    import xllamacpp

    try:
        return xllamacpp.Server(_engine_params(model_path, n_ctx, threads, host, port, quiet))
    except Exception as exc:  # the engine raises plain RuntimeErrors with llama.cpp's message
        raise LLMError(
            f"埋め込みLLMを読み込めません / cannot load the embedded model {model_path}: {exc} "
            f"(check DXHIRE_LLM_CTX={n_ctx}, free RAM ~2 GB, or use DXHIRE_LLM_BACKEND=openai)"
        ) from None


_ENGINES: dict[tuple[str, int, int], Any] = {}
_ENGINES_LOCK = threading.Lock()


def _cached_engine(model_path: str, n_ctx: int, threads: int):
    """One engine per process and configuration; the lock stops two first requests (UI threads) loading it twice."""
    key = (model_path, n_ctx, threads)
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            # xllamacpp always listens over HTTP too; loopback and a free port keep that private and collision-free.
            _ENGINES[key] = load_engine(model_path, n_ctx, threads, host="127.0.0.1", port=0, quiet=True)
        return _ENGINES[key]


def _to_openai_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    out = []
    for m in messages:
        role = _ROLES.get(m.type, "user")
        content = m.content if isinstance(m.content, str) else "".join(
            part if isinstance(part, str) else str(part.get("text", "")) for part in m.content
        )
        out.append({"role": role, "content": content})
    return out


def _engine_error(payload: Any, n_ctx: int) -> LLMError:
    err = payload.get("error") if isinstance(payload, dict) else payload
    message = err.get("message", str(err)) if isinstance(err, dict) else str(err)
    hint = "DXHIRE_LLM_CTX を増やすか資料を短く / raise DXHIRE_LLM_CTX or shorten the context" if (
        "context" in message.lower()) else "DXHIRE_LLM_BACKEND / DXHIRE_LLM_MAX_TOKENS を確認 / check the LLM settings"
    return LLMError(f"埋め込みLLMのエラー / embedded model error: {message[:200]} (n_ctx={n_ctx}; {hint})")


class EmbeddedChatModel(BaseChatModel):
    """A LangChain chat model over an in-process llama.cpp server (xllamacpp). Greedy, streaming, stop sequences."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    n_ctx: int = 4096
    n_threads: int = 2
    max_tokens: int = 400
    temperature: float = 0.0
    repeat_penalty: float = 1.1
    """llama.cpp's penalty on recently generated tokens: greedy decoding of a 1.5B model otherwise tends to repeat
    a sentence until max_tokens (seen in drafts); 1.1 is llama.cpp's usual mild setting."""
    stop: list[str] | None = None

    @property
    def _llm_type(self) -> str:
        return "dxhire-embedded-xllamacpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": EMBEDDED_MODEL_NAME, "n_ctx": self.n_ctx, "max_tokens": self.max_tokens}

    @property
    def engine(self):
        return _cached_engine(self.model_path, self.n_ctx, self.n_threads)

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any) -> dict:
        req: dict[str, Any] = {
            "messages": _to_openai_messages(messages),
            "max_tokens": int(kwargs.get("max_tokens") or self.max_tokens),
            "temperature": float(kwargs.get("temperature", self.temperature)),
            "repeat_penalty": self.repeat_penalty,
            "cache_prompt": True,
            "stream": stream,
        }
        stops = [*(self.stop or []), *(stop or [])]
        if stops:
            req["stop"] = stops
        return req

    @staticmethod
    def _usage(timings: dict | None, usage: dict | None) -> UsageMetadata | None:
        if usage:
            i, o = int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
        elif timings:
            i = int(timings.get("prompt_n", 0)) + int(timings.get("cache_n", 0))
            o = int(timings.get("predicted_n", 0))
        else:
            return None
        return UsageMetadata(input_tokens=i, output_tokens=o, total_tokens=i + o)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        try:
            result = self.engine.handle_chat_completions(self._request(messages, stop, False, **kwargs))
        except LLMError:
            raise
        except Exception as exc:
            raise _engine_error(str(exc), self.n_ctx) from None
        if not isinstance(result, dict) or "error" in result or not result.get("choices"):
            raise _engine_error(result, self.n_ctx)
        choice = result["choices"][0]
        text = (choice.get("message") or {}).get("content") or ""
        meta = {"finish_reason": choice.get("finish_reason"), "timings": result.get("timings", {}),
                "model_name": EMBEDDED_MODEL_NAME}
        message = AIMessage(content=text, response_metadata=meta,
                            usage_metadata=self._usage(result.get("timings"), result.get("usage")))
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        engine = self.engine
        request = self._request(messages, stop, True, **kwargs)
        items: queue.Queue = queue.Queue()
        cancelled = threading.Event()
        done = object()

        def on_chunk(chunk: Any) -> bool:
            items.put(chunk)
            return cancelled.is_set()  # returning True tells llama.cpp to stop generating

        def work() -> None:
            try:
                result = engine.handle_chat_completions(request, on_chunk)
                if isinstance(result, dict) and "error" in result:
                    items.put(_engine_error(result, self.n_ctx))
            except Exception as exc:  # surfaced in the consumer thread
                items.put(_engine_error(str(exc), self.n_ctx))
            finally:
                items.put(done)

        worker = threading.Thread(target=work, name="dxhire-llm-stream", daemon=True)
        worker.start()
        try:
            while (item := items.get()) is not done:
                if isinstance(item, LLMError):
                    raise item
                if not isinstance(item, dict):
                    continue
                if "error" in item:
                    raise _engine_error(item, self.n_ctx)
                choices = item.get("choices") or [{}]
                delta = (choices[0].get("delta") or {}).get("content") or ""
                finish = choices[0].get("finish_reason")
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk
                if finish or item.get("timings"):
                    meta = {"finish_reason": finish, "timings": item.get("timings", {}),
                            "model_name": EMBEDDED_MODEL_NAME}
                    yield ChatGenerationChunk(message=AIMessageChunk(
                        content="", response_metadata=meta,
                        usage_metadata=self._usage(item.get("timings"), item.get("usage")),
                    ))
        finally:
            cancelled.set()  # a consumer that stops early ends generation at the next token
            worker.join(timeout=60)


# --- OpenAI-compatible endpoint ----------------------------------------------------------------------------

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
    """ChatOpenAI whose errors become one-line LLMErrors naming the setting (no stack trace for users).
    Built lazily: importing langchain-openai costs start-up time the embedded and fake backends need not pay."""
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


def _openai_model(settings: Settings) -> BaseChatModel:
    _require_endpoint(settings)
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    return _guarded_chat_openai()(
        base_url=settings.llm_base_url, model=settings.llm_model, api_key=key, timeout=settings.llm_timeout_s,
        max_retries=1, streaming=True, temperature=0, max_tokens=settings.llm_max_tokens, stream_usage=True,
    )


# --- factory ------------------------------------------------------------------------------------------------

def embedded_model_path(settings: Settings) -> Path:
    """The verified GGUF (assembled from the part packages on first use)."""
    from app.models.gguf import ensure_gguf

    return ensure_gguf(settings.models_dir)


def get_chat_model(settings: Settings) -> BaseChatModel:
    """The configured chat model. Raises LLMError (message names the setting) when it cannot be built."""
    backend = settings.llm_backend
    if backend == "fake":
        from app.models.fake import FakeChatModel

        return FakeChatModel()
    if backend == "openai":
        return _openai_model(settings)
    if backend == "embedded":
        path = embedded_model_path(settings)
        model = EmbeddedChatModel(model_path=str(path), n_ctx=settings.llm_ctx, n_threads=settings.llm_threads,
                                  max_tokens=settings.llm_max_tokens)
        _ = model.engine  # load now (once per process) so the first question does not pay for it
        return model
    raise LLMError(f"DXHIRE_LLM_BACKEND={backend!r} は未対応です / unsupported (embedded | openai | fake)")


def check_llm(settings: Settings) -> str:
    """Cheap readiness probe without generating: returns a one-line status or raises LLMError naming the setting."""
    backend = settings.llm_backend
    if backend == "fake":
        return "fake: deterministic test model"
    if backend == "embedded":
        path = embedded_model_path(settings)
        return f"embedded: {EMBEDDED_MODEL_NAME} ({path.name}, verified sha256) via xllamacpp"
    if backend != "openai":
        raise LLMError(f"DXHIRE_LLM_BACKEND={backend!r} は未対応です / unsupported (embedded | openai | fake)")
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
