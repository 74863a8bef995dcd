"""Mark the sentences of each chunk that are not evidence (see `app.schemas.SpanKind`), once, at ingest.

Detectors are plain functions `(text, doc_kind) -> [(start, end)]` registered per span kind; the result is stored in
`Chunk.extra["spans"]` so the store, retrieval, answers and drafts all read the same marks (`Chunk.spans`,
`Chunk.text_without`). Marking instead of deleting keeps the passage intact for the sources panel.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from app.schemas import SPANS_KEY, Chunk, SpanKind

Detector = Callable[[str, str], list[tuple[int, int]]]
"""(chunk text, document kind) -> character ranges [start, end) to mark."""

DETECTORS: dict[SpanKind, list[Detector]] = {"meta": [], "instruction": []}


def find_spans(text: str, doc_kind: str) -> list[tuple[int, int, SpanKind]]:
    found: list[tuple[int, int, SpanKind]] = []
    for kind, detectors in DETECTORS.items():
        for detect in detectors:
            found.extend((start, end, kind) for start, end in detect(text, doc_kind) if end > start)
    return sorted(set(found))


def annotate(chunks: list[Chunk]) -> list[Chunk]:
    """The chunks with their marked spans recorded (unchanged chunks when nothing is marked)."""
    out = []
    for chunk in chunks:
        spans = find_spans(chunk.text, chunk.kind)
        if spans:
            chunk = chunk.model_copy(update={"extra": {**chunk.extra, SPANS_KEY: json.dumps(spans)}})
        out.append(chunk)
    return out
