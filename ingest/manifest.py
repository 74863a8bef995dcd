"""manifest.json of a generation: which documents, pages and versions the index holds, and with which settings.

The embed model and chunk settings are recorded so a later ingest knows stored vectors/chunks are stale and
re-embeds everything instead of mixing incompatible vectors in one collection."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from app.config import Settings
from app.retrieval.text import INDEX_TEXT_VERSION

CHUNKER_VERSION = 3
"""Bump when the chunks change (chunking.py, the corpus section filter in pipeline.py, the span detectors of
annotate.py): existing generations are then rebuilt automatically. 2: the corpus's 出典 / 次に参照するとよい文書
sections are left out. 3: instruction-like sentences are marked (`instruction` spans)."""


def dxhire_version() -> str:
    try:
        return version("dxhire")
    except PackageNotFoundError:
        return "unknown"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def index_config(settings: Settings) -> dict[str, Any]:
    """What the stored vectors and chunks depend on."""
    return {
        "embed": {"backend": settings.embed_backend, "model": settings.embed_model, "text": INDEX_TEXT_VERSION},
        "chunking": {
            "chunk_size": settings.chunk_size, "chunk_overlap": settings.chunk_overlap, "chunker": CHUNKER_VERSION,
        },
    }


def config_changed(settings: Settings, manifest: dict[str, Any]) -> bool:
    current = index_config(settings)
    return any(manifest.get(key) != value for key, value in current.items())


def build_manifest(
    settings: Settings, generation: str, previous: str | None, documents: list[dict[str, Any]], bm25: bool
) -> dict[str, Any]:
    return {
        "generation": generation,
        "previous_generation": previous,
        "created_at": now_iso(),
        "dxhire_version": dxhire_version(),
        **index_config(settings),
        "bm25": bm25,
        "documents": sorted(documents, key=lambda d: d["path"]),
        "totals": {"documents": len(documents), "chunks": sum(d["chunks"] for d in documents)},
    }


def write_manifest(gen_dir: Path, manifest: dict[str, Any]) -> None:
    gen_dir.mkdir(parents=True, exist_ok=True)
    tmp = gen_dir / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, gen_dir / "manifest.json")
