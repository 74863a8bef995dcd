"""What a generation's vectors and chunks depend on (`app.store.IndexConfig`), as ingest computes it.

The embed model and chunk settings are recorded in each manifest so a later ingest knows stored vectors/chunks are
stale and re-embeds everything instead of mixing incompatible vectors in one collection. The manifest itself is
`app.store.Manifest`, written by `app.store.GenerationWriter`."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from app.config import Settings
from app.retrieval.text import INDEX_TEXT_VERSION
from app.store import ChunkingConfig, EmbedConfig, IndexConfig, Manifest

CHUNKER_VERSION = 4
"""Bump when the chunks change (chunking.py, the corpus section filter in pipeline.py, the span detectors of
annotate.py): existing generations are then rebuilt automatically. 2: the corpus's 出典 / 次に参照するとよい文書
sections are left out. 3: instruction-like sentences are marked (`instruction` spans). 4: provenance and confidence
sentences are marked (`meta` spans, app.checks.provenance)."""


def dxhire_version() -> str:
    try:
        return version("dxhire")
    except PackageNotFoundError:
        return "unknown"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def index_config(settings: Settings) -> IndexConfig:
    """What the stored vectors and chunks depend on."""
    return IndexConfig(
        embed=EmbedConfig(backend=settings.embed_backend, model=settings.embed_model, text=INDEX_TEXT_VERSION),
        chunking=ChunkingConfig(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap,
                                chunker=CHUNKER_VERSION),
    )


def config_changed(settings: Settings, manifest: Manifest) -> bool:
    return manifest.config_differs(index_config(settings))
