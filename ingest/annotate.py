"""Mark the sentences of each chunk that are not evidence (see `app.schemas.SpanKind`), once, at ingest.

Detectors are plain functions `(text, doc_kind) -> [(start, end)]` registered per span kind; the result is stored in
`Chunk.extra["spans"]` so the store, retrieval, answers and drafts all read the same marks (`Chunk.spans`,
`Chunk.text_without`). Marking instead of deleting keeps the passage intact for the sources panel.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from app.checks.instructions import instruction_spans
from app.checks.provenance import meta_spans
from app.schemas import SPANS_KEY, Chunk, SpanKind

Detector = Callable[[str, str], list[tuple[int, int]]]
"""(chunk text, document kind) -> character ranges [start, end) to mark."""

DETECTORS: dict[SpanKind, list[Detector]] = {"meta": [], "instruction": []}
DETECTORS["meta"].append(meta_spans)
DETECTORS["instruction"].append(instruction_spans)


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


def marked_sentences(chunks: list[Chunk], kind: SpanKind) -> list[str]:
    """The distinct marked sentences of `kind` over a document's chunks (overlapping chunks repeat sentences)."""
    seen: dict[str, None] = {}
    for chunk in chunks:
        for span in chunk.spans:
            if span.kind == kind:
                seen.setdefault(" ".join(chunk.text[span.start : span.end].split()), None)
    return list(seen)


def instruction_warning(name: str, chunks: list[Chunk]) -> str | None:
    """The per-file warning of `dxhire ingest` when a document orders an assistant (Japanese first, English after)."""
    found = marked_sentences(chunks, "instruction")
    if not found:
        return None
    example = found[0] if len(found[0]) <= 40 else found[0][:39] + "…"
    return (
        f"{name}: AIへの指示のような文が{len(found)}件あります（例:「{example}」）。"
        f"回答・起案のモデルには渡さず、根拠として示すときは注意書きを付けます / "
        f"{len(found)} instruction-like sentence(s) aimed at an assistant: kept as data, never sent to a model"
    )
