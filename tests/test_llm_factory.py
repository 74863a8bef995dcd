"""get_chat_model / check_llm: each backend, and one-line errors naming the setting to fix (no stack traces)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.config import Settings
from app.models.fake import FakeChatModel
from app.models.llm import EmbeddedChatModel, LLMError, check_llm, get_chat_model


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Stub(BaseHTTPRequestHandler):
    """A misbehaving OpenAI-compatible endpoint: status and body chosen by the test."""

    status = 200
    models: list[str] = ["served-model"]

    def _send(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        if self.status != 200:
            self._send(self.status, {"error": {"message": "nope", "type": "error", "code": self.status}})
        else:
            self._send(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in self.models]})

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._send(self.status, {"error": {"message": "model 'x' not found", "type": "error", "code": self.status}})

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def stub():
    handler = type("Handler", (_Stub,), {"status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def _openai(settings: Settings, url: str | None, model: str | None = "served-model", **extra) -> Settings:
    return settings.model_copy(update={"llm_backend": "openai", "llm_base_url": url, "llm_model": model,
                                       "llm_timeout_s": 5.0, **extra})


def test_fake_backend(settings) -> None:
    assert isinstance(get_chat_model(settings.model_copy(update={"llm_backend": "fake"})), FakeChatModel)
    assert check_llm(settings.model_copy(update={"llm_backend": "fake"})).startswith("fake")


@pytest.mark.parametrize(("url", "model", "names"), [
    (None, None, ["DXHIRE_LLM_BASE_URL", "DXHIRE_LLM_MODEL"]),
    ("http://127.0.0.1:1/v1", None, ["DXHIRE_LLM_MODEL"]),
    (None, "m", ["DXHIRE_LLM_BASE_URL"]),
])
def test_missing_endpoint_settings_are_named(settings, url, model, names) -> None:
    with pytest.raises(LLMError) as err:
        get_chat_model(_openai(settings, url, model))
    assert all(n in str(err.value) for n in names)
    with pytest.raises(LLMError):
        check_llm(_openai(settings, url, model))


def test_openai_backend_is_configured_from_settings(settings) -> None:
    from langchain_openai import ChatOpenAI

    s = _openai(settings, "http://127.0.0.1:1/v1", "my-model", llm_max_tokens=77, llm_timeout_s=9.0)
    model = get_chat_model(s)
    assert isinstance(model, ChatOpenAI)
    assert (model.model_name, model.openai_api_base, model.max_tokens) == ("my-model", "http://127.0.0.1:1/v1", 77)
    assert model.request_timeout == 9.0 and model.max_retries == 1 and model.streaming
    assert model.openai_api_key.get_secret_value() == "not-needed"


@pytest.mark.allow_llm
def test_connection_refused_names_the_base_url(settings) -> None:
    s = _openai(settings, f"http://127.0.0.1:{_free_port()}/v1")
    model = get_chat_model(s)
    for call in (lambda: model.invoke("こんにちは"), lambda: list(model.stream("こんにちは")), lambda: check_llm(s)):
        with pytest.raises(LLMError, match="DXHIRE_LLM_BASE_URL") as err:
            call()
        assert "\n" not in str(err.value) and "接続できません" in str(err.value)


@pytest.mark.allow_llm
@pytest.mark.parametrize(("status", "setting"), [(401, "DXHIRE_LLM_API_KEY"), (404, "DXHIRE_LLM_MODEL")])
def test_http_errors_name_the_setting(settings, stub, status, setting) -> None:
    handler, url = stub
    handler.status = status
    model = get_chat_model(_openai(settings, url))
    with pytest.raises(LLMError, match=setting) as err:
        model.invoke("こんにちは")
    assert "\n" not in str(err.value)
    with pytest.raises(LLMError, match=setting if status == 401 else "DXHIRE_LLM_BASE_URL"):
        check_llm(_openai(settings, url))


@pytest.mark.allow_llm
def test_check_llm_reports_a_model_the_endpoint_does_not_serve(settings, stub) -> None:
    _handler, url = stub
    assert "served-model" in check_llm(_openai(settings, url))
    with pytest.raises(LLMError, match="DXHIRE_LLM_MODEL=other") as err:
        check_llm(_openai(settings, url, "other"))
    assert "served-model" in str(err.value)


def test_guard_blocks_real_calls_in_unmarked_tests(settings) -> None:
    model = EmbeddedChatModel(model_path="/nonexistent.gguf")
    with pytest.raises(pytest.fail.Exception, match="allow_llm"):
        model.invoke("こんにちは")
    chat = get_chat_model(_openai(settings, "http://127.0.0.1:1/v1"))
    with pytest.raises(pytest.fail.Exception, match="allow_llm"):
        chat.invoke("こんにちは")


def test_embedded_refuses_a_corrupt_model_file_with_a_clear_message(settings, tmp_path, monkeypatch) -> None:
    from app.models import gguf

    bad = settings.model_copy(update={"model_cache": tmp_path / "models", "llm_backend": "embedded"})
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / gguf.QWEN_CODER_1_5B.filename).write_bytes(b"GGUF-truncated")
    with pytest.raises(LLMError, match="delete it to rebuild"):
        get_chat_model(bad)
    with pytest.raises(LLMError, match="delete it to rebuild"):
        check_llm(bad)


def test_embedded_request_carries_greedy_settings_and_repeat_penalty() -> None:
    from langchain_core.messages import HumanMessage

    from app.models.llm import EmbeddedChatModel

    model = EmbeddedChatModel(model_path="unused.gguf", max_tokens=50)  # the engine loads lazily: not here
    req = model._request([HumanMessage("質問")], ["</s>"], True, max_tokens=20)
    assert req["max_tokens"] == 20 and req["temperature"] == 0.0 and req["stream"] is True
    assert req["repeat_penalty"] > 1.0 and req["stop"] == ["</s>"]
