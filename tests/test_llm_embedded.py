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
