"""Smoke test of the real embedded model (slow: loads the 1.1 GB GGUF; generates ~20 tokens)."""

from __future__ import annotations

import re

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from app.config import Settings
from app.models.llm import EmbeddedChatModel, get_chat_model

JAPANESE = re.compile(r"[ぁ-んァ-ヴ一-龥]")
MESSAGES = [SystemMessage("あなたは自治体職員を支援するアシスタントです。日本語で簡潔に答えてください。"),
            HumanMessage("外部デジタル人材とは何ですか。一文で答えてください。")]


@pytest.mark.slow
def test_embedded_model_invokes_and_streams_japanese(tmp_path) -> None:
    settings = Settings(home=tmp_path / "home", llm_backend="embedded", llm_max_tokens=20, llm_ctx=1024)
    model = get_chat_model(settings)
    assert isinstance(model, EmbeddedChatModel)
    assert get_chat_model(settings).engine is model.engine  # loaded once per process

    reply = model.invoke(MESSAGES)
    assert JAPANESE.search(reply.content), reply.content
    assert 0 < reply.usage_metadata["output_tokens"] <= 20
    assert reply.response_metadata["timings"]["predicted_n"] > 0

    chunks = list(model.stream(MESSAGES, max_tokens=8))
    assert sum(1 for c in chunks if c.content) > 3  # token by token, not one block
    assert JAPANESE.search("".join(c.content for c in chunks))
    usage = next(c.usage_metadata for c in chunks if c.usage_metadata)
    assert 0 < usage["output_tokens"] <= 8

    # A consumer that stops early ends generation; the engine stays usable.
    stream = model.stream(MESSAGES)
    next(c for c in stream if c.content)
    stream.close()
    short = model.invoke(MESSAGES, stop=["。"], max_tokens=8)
    assert "。" not in short.content


def _tcp_listeners_of(pid: int) -> list[str]:
    """Local addresses of this process's listening TCP sockets (from /proc: no extra tool needed)."""
    import os

    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            for line in fh.readlines()[1:]:
                cols = line.split()
                if cols[3] == "0A" and cols[9] in inodes:  # 0A = LISTEN
                    found.append(cols[1])
    return found


@pytest.mark.slow
def test_in_process_engine_opens_no_tcp_port_and_its_socket_needs_the_key(tmp_path) -> None:
    import os
    import stat
    from pathlib import Path

    import httpx

    before = set(_tcp_listeners_of(os.getpid()))  # other tests' servers in this process are not ours to judge
    # a context size no other test uses: this engine is loaded here, not reused from the engine cache
    settings = Settings(home=tmp_path / "home", llm_backend="embedded", llm_max_tokens=16, llm_ctx=896)
    model = get_chat_model(settings)
    address = model.engine.listening_address
    assert address.startswith("unix://") and address.endswith(".sock")
    assert set(_tcp_listeners_of(os.getpid())) <= before, "the in-process engine must not listen on TCP"
    sock = address[len("unix://"):]
    assert stat.S_IMODE(Path(sock).parent.stat().st_mode) == 0o700
    transport = httpx.HTTPTransport(uds=sock)
    with httpx.Client(transport=transport, base_url="http://engine") as client:
        assert client.get("/v1/models").status_code == 401  # even this user cannot use it without the key
    assert JAPANESE.search(model.invoke(MESSAGES).content)  # the in-process path itself is unaffected
