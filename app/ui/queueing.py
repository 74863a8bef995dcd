"""How every UI and API event is queued: one function per kind of event, so the serving side changes only this module.

The model's own limit is not here: it lives in the core (app/models/limiter.py), around the chat model, with the
backend's number of slots (one for the embedded engine, `DXHIRE_LLM_CONCURRENCY` for an endpoint). So Gradio's limits
below are deliberately wide — they only bound how many requests run their Python side at once — and a user waiting
for a model slot still gets retrieval, evidence and abstention at once, and sees 「順番待ち: n人目」 (the chat handler
renders the pipeline's `QueueStatus` events). Drafts share the same model slots. An ingest has its own slot (the
pipeline also holds a cross-process file lock); everything else runs beside them under the default limit.
"""

from __future__ import annotations

from typing import Any

from app.config import Settings
from app.models.registry import model_slots

ANSWER_CONCURRENCY = "answer"
DRAFT_CONCURRENCY = "draft"
INGEST_CONCURRENCY = "ingest"
ANSWERS_AT_ONCE = 64
"""Questions whose non-model steps run at once. Each one waiting for a model slot holds a worker thread, so this plus
the drafts stays below `launch_options()['max_threads']`; users beyond it wait in Gradio's own queue."""
DRAFTS_AT_ONCE = 8


def _slots(settings: Settings | None) -> int:
    return model_slots(settings) if settings is not None else 1


def answer_event(settings: Settings | None = None) -> dict[str, Any]:
    """Keyword arguments for an event that answers a question (chat, `/ask`): many at once; their model calls share
    the core's slots."""
    return {"concurrency_limit": max(ANSWERS_AT_ONCE, 4 * _slots(settings)), "concurrency_id": ANSWER_CONCURRENCY}


def draft_event(settings: Settings | None = None) -> dict[str, Any]:
    """Keyword arguments for an event that drafts a document (起案, 案件, `/draft`). Each draft is a chain of model
    slots (minutes on the CPU model) that waits in the same line as the answers; several drafts may run their
    retrieval and rule-written sections at once."""
    return {"concurrency_limit": max(DRAFTS_AT_ONCE, _slots(settings)), "concurrency_id": DRAFT_CONCURRENCY}


def ingest_event(settings: Settings | None = None) -> dict[str, Any]:
    """Keyword arguments for an event that ingests uploaded files (資料, `/ingest`): one at a time."""
    return {"concurrency_limit": 1, "concurrency_id": INGEST_CONCURRENCY}


def queue_options(settings: Settings | None = None) -> dict[str, Any]:
    """Arguments of `demo.queue(...)`: the limit of every event not listed above."""
    return {"default_concurrency_limit": 4}


def launch_options(settings: Settings | None = None) -> dict[str, Any]:
    """Arguments of `demo.launch(...)` about concurrency: enough worker threads for every answer and draft that may
    wait for a model slot at once, plus headroom for page loads."""
    threads = answer_event(settings)["concurrency_limit"] + draft_event(settings)["concurrency_limit"] + 16
    return {"max_threads": threads}
