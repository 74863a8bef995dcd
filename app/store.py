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

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
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


# --- writing generations (used by ingest/pipeline.py under its lock) ------------------------------------

WRITE_BATCH = 500
"""Records per Chroma add/get call: below every server's max batch size, small enough for steady progress."""


def new_generation_name() -> str:
    """Sortable and unique: ``g20261129T033000123456``. Valid as part of a Chroma collection name."""
    from datetime import UTC, datetime

    return "g" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")


def list_generations(settings: Settings) -> list[str]:
    """Every generation with a collection or a folder (published or half-built), oldest first."""
    prefix = settings.collection_prefix + "_"
    names = {c.name if hasattr(c, "name") else str(c) for c in chroma_client(settings).list_collections()}
    found = {n[len(prefix) :] for n in names if n.startswith(prefix)}
    if settings.index_dir.is_dir():
        found |= {p.name for p in settings.index_dir.iterdir() if p.is_dir() and p.name.startswith("g")}
    return sorted(found)


def delete_generation(settings: Settings, generation: str) -> None:
    """Drop a generation's collection and folder; never the one CURRENT names."""
    if generation == current_generation(settings):
        raise StoreError(f"refusing to delete the serving generation {generation}")
    with contextlib.suppress(Exception):  # already gone (or never created) is fine
        chroma_client(settings).delete_collection(collection_name(settings, generation))
    shutil.rmtree(generation_dir(settings, generation), ignore_errors=True)


def add_records(
    collection: Any,
    ids: list[str],
    embeddings: Any,
    documents: list[str],
    metadatas: list[dict[str, Any]],
) -> None:
    for i in range(0, len(ids), WRITE_BATCH):
        j = i + WRITE_BATCH
        collection.add(ids=ids[i:j], embeddings=embeddings[i:j], documents=documents[i:j], metadatas=metadatas[i:j])


def add_chunks(collection: Any, chunks: list[Chunk], embeddings: list[list[float]]) -> None:
    add_records(
        collection, [c.chunk_id for c in chunks], embeddings, [c.text for c in chunks],
        [chunk_to_metadata(c) for c in chunks],
    )


def iter_records(collection: Any, ids: list[str]) -> Iterator[tuple[list[str], Any, list[str], list[dict[str, Any]]]]:
    """(ids, embeddings, documents, metadatas) in batches, in the order of `ids`: what a copy needs."""
    for i in range(0, len(ids), WRITE_BATCH):
        want = ids[i : i + WRITE_BATCH]
        got = collection.get(ids=want, include=["embeddings", "documents", "metadatas"])
        order = {cid: n for n, cid in enumerate(got["ids"])}
        if len(order) != len(want):
            missing = [cid for cid in want if cid not in order]
            raise StoreError(f"索引のチャンクが見つかりません / chunks missing from the index: {missing[:3]}")
        idx = [order[cid] for cid in want]
        yield (
            want,
            [got["embeddings"][k] for k in idx],
            [got["documents"][k] for k in idx],
            [got["metadatas"][k] for k in idx],
        )
