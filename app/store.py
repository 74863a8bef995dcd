"""Where the index lives: Chroma (local folder or `chroma run` server) plus per-generation files on disk.

Atomicity comes from *generations*. Each ingest writes a complete new generation — a fresh Chroma collection
``<prefix>_<gen>`` (unchanged chunks are copied with their stored embeddings, so nothing is re-embedded),
plus ``index/<gen>/manifest.json`` and ``index/<gen>/bm25/`` — and only then flips ``index/CURRENT`` with an
atomic ``os.replace``. A crash or a failed ingest leaves CURRENT pointing at the previous generation, which
keeps serving; readers always open whatever CURRENT names. The same scheme works unchanged against a
Chroma server, where a folder copy would be impossible.

Chunk metadata is stored flat (Chroma accepts only scalars): ``heading_path`` is joined with
``HEADING_SEP`` and front-matter extras are prefixed ``x_``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from app.config import Settings, disable_telemetry
from app.schemas import Chunk

HEADING_SEP = " > "
EXTRA_PREFIX = "x_"


class StoreError(RuntimeError):
    """The index cannot be opened (server down, folder unreadable …); the message names the setting."""


# --- chunk <-> Chroma record --------------------------------------------------------------------------


def chunk_to_metadata(chunk: Chunk) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "source": chunk.source,
        "title": chunk.title,
        "kind": chunk.kind,
        "page": chunk.page if chunk.page is not None else -1,
        "heading_path": HEADING_SEP.join(chunk.heading_path),
        "doc_hash": chunk.doc_hash,
        "content_hash": chunk.content_hash,
    }
    for key, value in chunk.extra.items():
        meta[EXTRA_PREFIX + key] = value
    return meta


def chunk_from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    page = meta.get("page", -1)
    heading = meta.get("heading_path") or ""
    return Chunk(
        chunk_id=chunk_id,
        text=text,
        source=str(meta.get("source", "")),
        title=str(meta.get("title", "")),
        kind=str(meta.get("kind", "document")),
        page=None if page is None or int(page) < 0 else int(page),
        heading_path=heading.split(HEADING_SEP) if heading else [],
        doc_hash=str(meta.get("doc_hash", "")),
        content_hash=str(meta.get("content_hash", "")),
        extra={k[len(EXTRA_PREFIX) :]: v for k, v in meta.items() if k.startswith(EXTRA_PREFIX)},
    )


# --- Chroma client ------------------------------------------------------------------------------------


@cache
def _client(chroma_url: str | None, chroma_dir: str):
    disable_telemetry()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        parsed = urlparse(chroma_url)
        if not parsed.hostname:
            raise StoreError(f"DXHIRE_CHROMA_URL is not a URL: {chroma_url!r}")
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:
            raise StoreError(f"Chromaサーバーに接続できません (DXHIRE_CHROMA_URL={chroma_url}): {exc}") from exc
        return client
    Path(chroma_dir).mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=chroma_dir, settings=chroma_settings)


def chroma_client(settings: Settings):
    """One client per process and location (Chroma itself refuses two clients on one folder with other settings)."""
    return _client(settings.chroma_url, str(settings.chroma_dir))


def collection_name(settings: Settings, generation: str) -> str:
    return f"{settings.collection_prefix}_{generation}"


def get_collection(settings: Settings, generation: str, create: bool = False):
    """The Chroma collection of one generation. dxhire always passes its own embeddings, never Chroma's
    default embedding function (which would try to download a model)."""
    client = chroma_client(settings)
    name = collection_name(settings, generation)
    if create:
        return client.get_or_create_collection(name=name, metadata={"hnsw:space": "cosine"}, embedding_function=None)
    return client.get_collection(name=name, embedding_function=None)


# --- generations --------------------------------------------------------------------------------------


def current_pointer(settings: Settings) -> Path:
    return settings.index_dir / "CURRENT"


def current_generation(settings: Settings) -> str | None:
    pointer = current_pointer(settings)
    if not pointer.is_file():
        return None
    value = pointer.read_text(encoding="utf-8").strip()
    return value or None


def generation_dir(settings: Settings, generation: str) -> Path:
    return settings.index_dir / generation


def publish_generation(settings: Settings, generation: str) -> None:
    """Make `generation` the one readers open. The write-then-rename is atomic on POSIX filesystems."""
    pointer = current_pointer(settings)
    pointer.parent.mkdir(parents=True, exist_ok=True)
    tmp = pointer.with_suffix(".tmp")
    tmp.write_text(generation, encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, pointer)


@dataclass(frozen=True)
class IndexSnapshot:
    """A read-only view of one committed generation: what retrieval and `index status` read."""

    generation: str
    collection: Any
    bm25_dir: Path
    manifest: dict[str, Any]


def open_index(settings: Settings) -> IndexSnapshot | None:
    """The generation CURRENT names, or None when nothing has been ingested yet."""
    generation = current_generation(settings)
    if generation is None:
        return None
    gdir = generation_dir(settings, generation)
    manifest_path = gdir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    try:
        collection = get_collection(settings, generation)
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"索引 {generation} を開けません: {exc}") from exc
    return IndexSnapshot(generation=generation, collection=collection, bm25_dir=gdir / "bm25", manifest=manifest)
