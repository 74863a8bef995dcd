"""How every UI and API event is queued: one function per kind of event, so the serving side changes only this module.

Today the embedded model has 2 cores and is not re-entrant, so every event that calls the model shares one slot
(`LLM_CONCURRENCY`, limit 1); an ingest has its own slot (the pipeline also holds a file lock); everything else
(listing documents, loading an example, saving an edit) runs beside them under the default limit.
"""

from __future__ import annotations

from typing import Any

LLM_CONCURRENCY = "llm"  # one model call at a time: the embedded model has 2 cores and is not re-entrant
INGEST_CONCURRENCY = "ingest"


def answer_event() -> dict[str, Any]:
    """Keyword arguments for an event that answers a question (chat, `/ask`)."""
    return {"concurrency_limit": 1, "concurrency_id": LLM_CONCURRENCY}


def draft_event() -> dict[str, Any]:
    """Keyword arguments for an event that drafts a document (起案, 案件, `/draft`)."""
    return {"concurrency_limit": 1, "concurrency_id": LLM_CONCURRENCY}


def ingest_event() -> dict[str, Any]:
    """Keyword arguments for an event that ingests uploaded files (資料, `/ingest`)."""
    return {"concurrency_limit": 1, "concurrency_id": INGEST_CONCURRENCY}


def queue_options() -> dict[str, Any]:
    """Arguments of `demo.queue(...)`: the limit of every event not listed above."""
    return {"default_concurrency_limit": 2}
