"""The embedded backend: Qwen2.5-Coder-1.5B-Instruct run in-process by xllamacpp (llama.cpp's own server engine).

The GGUF is assembled from PyPI parts and verified (app/models/gguf.py), loaded once per process; greedy decoding;
token streaming through the engine's callback (a worker thread feeds a queue). Messages are passed through unchanged
and `cache_prompt` is on, so a fixed system prompt is read once and reused from llama.cpp's prompt cache (prompt
reading is the slow part on a 2-core CPU: ~35 tokens/s).

The engine always opens an HTTP listener as well. In-process we never use it, so nobody else on the machine may
reach it: it listens on a Unix socket inside a private (0700) temporary folder, and requires a random API key that
never leaves this process (`_private_listener`). `python -m app.models.llm_server` is the opposite case: a real,
unauthenticated TCP endpoint that the operator opens on purpose.
"""

from __future__ import annotations

import atexit
import os
import queue
import secrets
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from app.config import Settings
from app.models.errors import LLMError

__all__ = ["EMBEDDED_MODEL_NAME", "EmbeddedChatModel", "build", "check", "embedded_model_path", "load_engine"]

EMBEDDED_MODEL_NAME = "qwen2.5-coder-1.5b-instruct"
_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool", "function": "function",
          "chat": "user", "developer": "system"}


# --- embedded (xllamacpp) ----------------------------------------------------------------------------------

def _engine_params(model_path: str, n_ctx: int, threads: int, host: str | None = None, port: int | None = None,
                   quiet: bool = False, api_key: str | None = None, parallel: int = 1):
    import xllamacpp

    p = xllamacpp.CommonParams()
    p.model.path = model_path
    p.n_ctx = n_ctx
    # In-process: one slot, so every request reuses the same KV cache and the fixed prompt prefix stays cached.
    # The standalone server (llm_server --parallel N) splits n_ctx between N slots decoding side by side.
    p.n_parallel = parallel
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
    if api_key is not None:
        p.api_keys = [api_key]
    return p


def load_engine(model_path: str, n_ctx: int, threads: int, host: str | None = None, port: int | None = None,
                quiet: bool = False, api_key: str | None = None, parallel: int = 1):
    """Start an xllamacpp Server. It also listens over HTTP on `host:port` (port 0 = any free port; a host ending in
    `.sock` = a Unix socket at that path), requiring `api_key` when one is given."""
    import xllamacpp

    try:
        return xllamacpp.Server(_engine_params(model_path, n_ctx, threads, host, port, quiet, api_key, parallel))
    except Exception as exc:  # the engine raises plain RuntimeErrors with llama.cpp's message
        raise LLMError(
            f"埋め込みLLMを読み込めません / cannot load the embedded model {model_path}: {exc} "
            f"(check DXHIRE_LLM_CTX={n_ctx}, free RAM ~2 GB, or use DXHIRE_LLM_BACKEND=openai)"
        ) from None


_ENGINES: dict[tuple[str, int, int], Any] = {}
_ENGINES_LOCK = threading.Lock()


def private_listener() -> tuple[str, str]:
    """(socket path, API key) for the engine's unavoidable HTTP listener when it runs in-process.

    A TCP port on 127.0.0.1 would be open to every user and process on the machine. A Unix socket in a fresh 0700
    folder is reachable by this user only, and the random key (held only in this process) refuses even them."""
    folder = Path(tempfile.mkdtemp(prefix="dxhire-llm-"))  # mkdtemp creates it 0700
    os.chmod(folder, 0o700)
    atexit.register(shutil.rmtree, folder, True)
    return str(folder / "engine.sock"), secrets.token_urlsafe(32)


def _cached_engine(model_path: str, n_ctx: int, threads: int):
    """One engine per process and configuration; the lock stops two first requests (UI threads) loading it twice."""
    key = (model_path, n_ctx, threads)
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            socket_path, api_key = private_listener()
            _ENGINES[key] = load_engine(model_path, n_ctx, threads, host=socket_path, port=0, quiet=True,
                                        api_key=api_key)
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
    accepts_grammar: bool = True
    """Requests may carry a llama.cpp GBNF `grammar` (the synthesis uses it to force cited sentences)."""

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
        if kwargs.get("grammar"):
            req["grammar"] = kwargs["grammar"]  # llama.cpp's GBNF: the output can only take this shape
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


# --- the adapter ------------------------------------------------------------------------------------------

def embedded_model_path(settings: Settings) -> Path:
    """The verified GGUF (assembled from the part packages on first use)."""
    from app.models.gguf import ensure_gguf

    return ensure_gguf(settings.models_dir)


def build(settings: Settings) -> BaseChatModel:
    path = embedded_model_path(settings)
    model = EmbeddedChatModel(model_path=str(path), n_ctx=settings.llm_ctx, n_threads=settings.llm_threads,
                              max_tokens=settings.llm_max_tokens)
    _ = model.engine  # load now (once per process) so the first question does not pay for it
    return model


def check(settings: Settings) -> str:
    path = embedded_model_path(settings)
    return f"embedded: {EMBEDDED_MODEL_NAME} ({path.name}, verified sha256) via xllamacpp"
