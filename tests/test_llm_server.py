"""End to end through a real OpenAI-compatible HTTP server on 127.0.0.1 (llama.cpp's own server, started by
`python -m app.models.llm_server` with the packaged model), driven by get_chat_model(llm_backend="openai")."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from app.config import PROJECT_ROOT, Settings
from app.models.llm import EMBEDDED_MODEL_NAME, LLMError, check_llm, get_chat_model

JAPANESE = re.compile(r"[ぁ-んァ-ヴ一-龥]")


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory):
    env = {**os.environ, "DXHIRE_HOME": str(tmp_path_factory.mktemp("server-home")), "DXHIRE_LLM_CTX": "1024"}
    proc = subprocess.Popen([sys.executable, "-m", "app.models.llm_server", "--port", "0"], cwd=PROJECT_ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 240
        line = ""
        while time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
            if line.startswith("LISTENING "):
                break
        assert line.startswith("LISTENING "), f"server did not start (exit {proc.poll()})"
        yield line.split()[1]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_openai_backend_end_to_end_against_a_real_server(llm_server, tmp_path) -> None:
    settings = Settings(home=tmp_path / "home", llm_backend="openai", llm_base_url=llm_server,
                        llm_model=EMBEDDED_MODEL_NAME, llm_max_tokens=16, llm_timeout_s=300)
    assert EMBEDDED_MODEL_NAME in check_llm(settings)
    model = get_chat_model(settings)
    messages = [SystemMessage("日本語で簡潔に答えてください。"), HumanMessage("自治体とは何ですか。一文で。")]

    reply = model.invoke(messages)
    assert JAPANESE.search(reply.content), reply.content

    chunks = [c.content for c in model.stream(messages) if c.content]
    assert len(chunks) > 3  # real SSE streaming, token by token
    assert JAPANESE.search("".join(chunks))

    with pytest.raises(LLMError, match="DXHIRE_LLM_MODEL=not-served"):
        check_llm(settings.model_copy(update={"llm_model": "not-served"}))
