"""Where the index lives: one typed `Manifest`, an `IndexStore` (Chroma folder or server, or memory for tests) and
one `GenerationWriter` that ingest, the retrieval benchmark and the tests all use.

Atomicity comes from *generations*. A writer builds a complete new generation — a fresh vector collection
``<prefix>_<gen>`` (unchanged chunks are copied with their stored embeddings, so nothing is re-embedded), plus
``index/<gen>/manifest.json`` and ``index/<gen>/bm25/`` — and only then flips ``index/CURRENT`` with an atomic
``os.replace``. A crash leaves CURRENT on the previous generation, which keeps serving; readers always open
whatever CURRENT names. The same scheme works unchanged against a Chroma server, where a folder copy would be
impossible.

A generation's folder is created (with a ``BUILDING`` marker) *before* its collection, so the next ingest can tell
what this DXHIRE_HOME half-built (`IndexStore.sweep`): a collection with our prefix but no folder here may belong to
another dxhire sharing the same Chroma server and is left alone.

Chunk metadata is stored flat (Chroma accepts only scalars): ``heading_path`` is joined with ``HEADING_SEP`` and
front-matter extras are prefixed ``x_``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.config import Settings, disable_telemetry
from app.schemas import Chunk

log = logging.getLogger(__name__)

HEADING_SEP = " > "
EXTRA_PREFIX = "x_"
MANIFEST_FILE = "manifest.json"
BUILDING_MARKER = "BUILDING"
WRITE_BATCH = 500
"""Records per add/get call: below every Chroma server's max batch size, small enough for steady progress."""


class StoreError(RuntimeError):
    """The index cannot be opened (server down, folder unreadable …); the message names the setting."""


# --- the manifest -------------------------------------------------------------------------------------------


class EmbedConfig(BaseModel):
    backend: str
    model: str
    text: int | None = Field(None, description="app.retrieval.text.INDEX_TEXT_VERSION: what was embedded.")


class ChunkingConfig(BaseModel):
    chunk_size: int
    chunk_overlap: int
    chunker: int | None = Field(None, description="ingest.manifest.CHUNKER_VERSION.")


class IndexConfig(BaseModel):
    """What stored vectors and chunks depend on: a generation made with another config is rebuilt by ingest."""

    embed: EmbedConfig
    chunking: ChunkingConfig


class DocumentEntry(BaseModel):
    """One document of a generation (unknown keys of older or newer versions are kept, not lost)."""

    model_config = ConfigDict(extra="allow")

    path: str = Field(description="What citations show (relative to the corpus, an upload's name …).")
    abs_path: str = Field(description="The file on the server: ingest's bookkeeping, never shown in the web app.")
    path_key: str
    title: str
    kind: str
    doc_id: str
    doc_hash: str
    pages: int | None = None
    chunks: int
    image_only_pages: list[int] = Field(default_factory=list)
    garbage_pages: list[int] = Field(default_factory=list)
    ingested_at: str = ""
    warnings: list[str] = Field(default_factory=list)

    def public(self) -> dict[str, Any]:
        """The entry as the web API lists it: without the server's file layout."""
        return self.model_dump(mode="json", exclude={"abs_path"})


class Totals(BaseModel):
    documents: int = 0
    chunks: int = 0


class Manifest(BaseModel):
    """manifest.json of a generation: which documents, pages and versions it holds, and with which settings."""

    model_config = ConfigDict(extra="allow")

    generation: str
    previous_generation: str | None = None
    created_at: str = ""
    dxhire_version: str = "unknown"
    embed: EmbedConfig | None = None
    chunking: ChunkingConfig | None = None
    bm25: bool = False
    documents: list[DocumentEntry] = Field(default_factory=list)
    totals: Totals = Field(default_factory=Totals)

    @property
    def config(self) -> IndexConfig | None:
        if self.embed is None or self.chunking is None:
            return None
        return IndexConfig(embed=self.embed, chunking=self.chunking)

    def config_differs(self, config: IndexConfig) -> bool:
        return self.config != config

    def titles(self) -> list[tuple[str, str]]:
        """(kind, title) of every document: what the abstention message lists as covered."""
        return [(d.kind, d.title) for d in self.documents]

    def doc_ids(self) -> set[str]:
        return {d.doc_id for d in self.documents if d.doc_id}

    @classmethod
    def read(cls, gen_dir: Path) -> Manifest | None:
        """The manifest in `gen_dir`, or None when there is none; a damaged one is a StoreError naming the file."""
        path = gen_dir / MANIFEST_FILE
        if not path.is_file():
            return None
        try:
            return cls.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValidationError, ValueError) as exc:
            raise StoreError(f"索引の manifest を読めません / cannot read {path}: {exc}") from exc

    def write(self, gen_dir: Path) -> None:
        gen_dir.mkdir(parents=True, exist_ok=True)
        tmp = gen_dir / (MANIFEST_FILE + ".tmp")
        tmp.write_text(self.model_dump_json(indent=2), encoding="utf-8")
        os.replace(tmp, gen_dir / MANIFEST_FILE)


# --- chunk <-> record ---------------------------------------------------------------------------------------


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


# --- the store ----------------------------------------------------------------------------------------------


class VectorCollection(Protocol):
    """The part of a chromadb Collection dxhire uses (the memory store implements the same)."""

    def add(self, ids: list[str], embeddings: Any, documents: list[str], metadatas: list[dict[str, Any]]) -> None: ...

    def get(self, ids: list[str] | None = None, include: list[str] | None = None, **kwargs: Any) -> dict[str, Any]: ...

    def query(self, query_embeddings: Any, n_results: int = 10, where: dict[str, Any] | None = None,
              include: list[str] | None = None, **kwargs: Any) -> dict[str, Any]: ...

    def count(self) -> int: ...


@dataclass(frozen=True)
class IndexSnapshot:
    """A read-only view of one committed generation: what retrieval and `index status` read."""

    generation: str
    collection: Any
    bm25_dir: Path
    manifest: Manifest


class IndexStore(Protocol):
    """Generations of one DXHIRE_HOME: vector collections (where they live differs) plus files on disk."""

    settings: Settings

    def describe(self) -> str: ...
    def collection(self, generation: str, create: bool = False) -> VectorCollection: ...
    def collection_generations(self) -> set[str]: ...
    def drop_collection(self, generation: str) -> None: ...
    def current(self) -> str | None: ...
    def generation_dir(self, generation: str) -> Path: ...
    def generations(self) -> list[str]: ...
    def open(self) -> IndexSnapshot | None: ...
    def publish(self, generation: str) -> None: ...
    def delete(self, generation: str) -> None: ...
    def sweep(self, keep: set[str | None]) -> list[str]: ...


class _GenerationFiles:
    """The on-disk half every store shares: the CURRENT pointer, generation folders, manifests, BM25 files."""

    settings: Settings

    # subclasses provide these three
    def collection(self, generation: str, create: bool = False) -> VectorCollection:
        raise NotImplementedError

    def collection_generations(self) -> set[str]:
        raise NotImplementedError

    def drop_collection(self, generation: str) -> None:
        raise NotImplementedError

    @property
    def pointer(self) -> Path:
        return self.settings.index_dir / "CURRENT"

    def current(self) -> str | None:
        if not self.pointer.is_file():
            return None
        return self.pointer.read_text(encoding="utf-8").strip() or None

    def generation_dir(self, generation: str) -> Path:
        return self.settings.index_dir / generation

    def local_generations(self) -> set[str]:
        index_dir = self.settings.index_dir
        if not index_dir.is_dir():
            return set()
        return {p.name for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("g")}

    def generations(self) -> list[str]:
        """Every generation with a collection or a folder (published or half-built), oldest first."""
        return sorted(self.collection_generations() | self.local_generations())

    def open(self) -> IndexSnapshot | None:
        """The generation CURRENT names, or None when nothing has been ingested yet."""
        generation = self.current()
        if generation is None:
            return None
        gdir = self.generation_dir(generation)
        manifest = Manifest.read(gdir) or Manifest(generation=generation)
        try:
            collection = self.collection(generation)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"索引 {generation} を開けません: {exc}") from exc
        return IndexSnapshot(generation=generation, collection=collection, bm25_dir=gdir / "bm25", manifest=manifest)

    def publish(self, generation: str) -> None:
        """Make `generation` the one readers open. The write-then-rename is atomic on POSIX filesystems."""
        self.pointer.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.pointer.with_suffix(".tmp")
        tmp.write_text(generation, encoding="utf-8")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer)

    def delete(self, generation: str) -> None:
        """Drop a generation's collection and folder; never the one CURRENT names."""
        if generation == self.current():
            raise StoreError(f"refusing to delete the serving generation {generation}")
        with contextlib.suppress(Exception):  # already gone (or never created) is fine
            self.drop_collection(generation)
        shutil.rmtree(self.generation_dir(generation), ignore_errors=True)

    def sweep(self, keep: set[str | None]) -> list[str]:
        """Delete this home's generations except `keep` (call under the ingest lock): half-built ones a killed
        ingest left, and old ones no reader needs. Returns what was deleted."""
        gone = sorted(g for g in self.local_generations() if g not in keep and g != self.current())
        for generation in gone:
            self.delete(generation)
        foreign = self.collection_generations() - self.local_generations() - set(keep)
        if foreign:
            log.info("collections without a generation folder here (another dxhire on the same server?): %s",
                     sorted(foreign)[:5])
        return gone


class ChromaStore(_GenerationFiles):
    """Vectors in Chroma: a local folder (`HOME/chroma`) or a `chroma run` server (DXHIRE_CHROMA_URL)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def client(self):
        return _chroma_client(self.settings.chroma_url, str(self.settings.chroma_dir))

    def describe(self) -> str:
        return self.settings.chroma_url or str(self.settings.chroma_dir)

    def _name(self, generation: str) -> str:
        return f"{self.settings.collection_prefix}_{generation}"

    def collection(self, generation: str, create: bool = False):
        """dxhire always passes its own embeddings, never Chroma's default embedding function (which would try
        to download a model)."""
        if create:
            return self.client.get_or_create_collection(
                name=self._name(generation), metadata={"hnsw:space": "cosine"}, embedding_function=None)
        return self.client.get_collection(name=self._name(generation), embedding_function=None)

    def collection_generations(self) -> set[str]:
        prefix = self.settings.collection_prefix + "_"
        names = {c.name if hasattr(c, "name") else str(c) for c in self.client.list_collections()}
        return {n[len(prefix) :] for n in names if n.startswith(prefix)}

    def drop_collection(self, generation: str) -> None:
        self.client.delete_collection(self._name(generation))


@cache
def _chroma_client(chroma_url: str | None, chroma_dir: str):
    """One client per process and location (Chroma refuses two clients on one folder with other settings)."""
    disable_telemetry()
    from urllib.parse import urlparse

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


class MemoryCollection:
    """A vector collection in process memory with Chroma's add/get/query/count (cosine distance), for tests."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._vectors: list[np.ndarray] = []
        self._documents: list[str] = []
        self._metadatas: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, ids: list[str], embeddings: Any, documents: list[str], metadatas: list[dict[str, Any]]) -> None:
        with self._lock:
            for cid, vec, doc, meta in zip(ids, embeddings, documents, metadatas, strict=True):
                if cid in self._row:
                    raise ValueError(f"duplicate id {cid}")  # Chroma refuses them too
                v = np.asarray(vec, dtype=np.float32)
                self._row[cid] = len(self._ids)
                self._ids.append(cid)
                self._vectors.append(v / (np.linalg.norm(v) or 1.0))
                self._documents.append(doc)
                self._metadatas.append(dict(meta))

    def count(self) -> int:
        return len(self._ids)

    def _records(self, rows: list[int], include: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"ids": [self._ids[r] for r in rows]}
        if "embeddings" in include:
            out["embeddings"] = [self._vectors[r].tolist() for r in rows]
        if "documents" in include:
            out["documents"] = [self._documents[r] for r in rows]
        if "metadatas" in include:
            out["metadatas"] = [dict(self._metadatas[r]) for r in rows]
        return out

    def get(self, ids: list[str] | None = None, include: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
        rows = list(range(len(self._ids))) if ids is None else [self._row[c] for c in ids if c in self._row]
        return self._records(rows, include or ["documents", "metadatas"])

    def query(self, query_embeddings: Any, n_results: int = 10, where: dict[str, Any] | None = None,
              include: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
        include = include or ["documents", "metadatas", "distances"]
        rows = [r for r in range(len(self._ids)) if where is None or _where_matches(where, self._metadatas[r])]
        result: dict[str, Any] = {key: [] for key in ["ids", *include]}
        matrix = np.stack([self._vectors[r] for r in rows]) if rows else np.zeros((0, 1), dtype=np.float32)
        for query in query_embeddings:
            q = np.asarray(query, dtype=np.float32)
            q = q / (np.linalg.norm(q) or 1.0)
            sims = matrix @ q if rows else np.zeros(0)
            order = np.argsort(-sims, kind="stable")[:n_results]
            picked = [rows[i] for i in order]
            got = self._records(picked, include)
            for key in ["ids", *[k for k in include if k != "distances"]]:
                result[key].append(got[key])
            if "distances" in include:
                result["distances"].append([float(1.0 - sims[i]) for i in order])
        return result


def _where_matches(where: dict[str, Any], meta: dict[str, Any]) -> bool:
    """Chroma's metadata filter: {key: value}, {key: {$eq|$ne|$in|$nin|$gt|$gte|$lt|$lte: v}}, $and / $or."""
    for key, cond in where.items():
        if key == "$and":
            if not all(_where_matches(c, meta) for c in cond):
                return False
        elif key == "$or":
            if not any(_where_matches(c, meta) for c in cond):
                return False
        elif not _cond_matches(cond, meta.get(key)):
            return False
    return True


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": lambda v, x: v == x, "$ne": lambda v, x: v != x, "$in": lambda v, x: v in x, "$nin": lambda v, x: v not in x,
    "$gt": lambda v, x: v is not None and v > x, "$gte": lambda v, x: v is not None and v >= x,
    "$lt": lambda v, x: v is not None and v < x, "$lte": lambda v, x: v is not None and v <= x,
}


def _cond_matches(cond: Any, value: Any) -> bool:
    if not isinstance(cond, dict):
        return value == cond
    try:
        return all(_OPS[op](value, arg) for op, arg in cond.items())
    except TypeError:  # comparing a str with a number: Chroma does not match those either
        return False


class MemoryStore(_GenerationFiles):
    """Vectors in process memory (DXHIRE_STORE=memory): for tests. Generation files still go under
    DXHIRE_HOME/index, so BM25, manifests and CURRENT behave exactly as with Chroma. Nothing survives the process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._collections: dict[str, MemoryCollection] = {}

    def describe(self) -> str:
        return "memory (tests only)"

    def collection(self, generation: str, create: bool = False) -> MemoryCollection:
        if generation not in self._collections:
            if not create:
                raise StoreError(f"索引 {generation} のコレクションがありません / no collection for {generation}")
            self._collections[generation] = MemoryCollection()
        return self._collections[generation]

    def collection_generations(self) -> set[str]:
        return set(self._collections)

    def drop_collection(self, generation: str) -> None:
        self._collections.pop(generation, None)


_MEMORY: dict[Path, MemoryStore] = {}
_MEMORY_LOCK = threading.Lock()


def _memory_store(settings: Settings) -> MemoryStore:
    """One memory store per DXHIRE_HOME in a process, so an ingest and a retriever in one test share it."""
    with _MEMORY_LOCK:
        store = _MEMORY.get(settings.home)
        if store is None:
            store = _MEMORY[settings.home] = MemoryStore(settings)
        store.settings = settings
        return store


STORES: dict[str, Callable[[Settings], IndexStore]] = {"chroma": ChromaStore, "memory": _memory_store}
"""DXHIRE_STORE name -> factory."""


def get_store(settings: Settings) -> IndexStore:
    return STORES[settings.store](settings)


# --- writing a generation -----------------------------------------------------------------------------------


def new_generation_name() -> str:
    """Sortable and unique: ``g20261129T033000123456``. Valid as part of a Chroma collection name."""
    return "g" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")


def add_records(
    collection: Any, ids: list[str], embeddings: Any, documents: list[str], metadatas: list[dict[str, Any]]
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


class GenerationWriter:
    """Builds one complete generation and publishes it atomically; one that is not published leaves nothing.

    Use as a context manager: an exception inside removes the half-built generation and re-raises; leaving the
    block without `publish()` (nothing changed) removes it too. The previous generation keeps serving throughout.
    """

    def __init__(self, settings: Settings, previous: IndexSnapshot | None = None, store: IndexStore | None = None):
        self.settings = settings
        self.store = store or get_store(settings)
        self.previous = previous
        self.generation = new_generation_name()
        self.chunks: list[Chunk] = []
        self.documents: list[DocumentEntry] = []
        self.manifest: Manifest | None = None
        self.dir = self.store.generation_dir(self.generation)
        self.dir.mkdir(parents=True, exist_ok=True)  # before the collection: marks it as ours (see `sweep`)
        (self.dir / BUILDING_MARKER).write_text(str(os.getpid()), encoding="utf-8")
        self.collection = self.store.collection(self.generation, create=True)

    def __enter__(self) -> GenerationWriter:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self.manifest is None:
            self.abort()

    def add(self, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        """New chunks with their freshly computed vectors."""
        if chunks:
            add_chunks(self.collection, chunks, vectors)
            self.chunks.extend(chunks)

    def copy(self, source: Any, ids: list[str]) -> list[Chunk]:
        """Chunks of an earlier generation, with their stored vectors (nothing is re-embedded)."""
        copied: list[Chunk] = []
        for batch_ids, vectors, texts, metas in iter_records(source, ids):
            add_records(self.collection, batch_ids, vectors, texts, metas)
            copied.extend(chunk_from_record(i, t, m) for i, t, m in zip(batch_ids, texts, metas, strict=True))
        self.chunks.extend(copied)
        return copied

    def add_document(self, entry: DocumentEntry) -> None:
        self.documents.append(entry)

    def _build_bm25(self) -> bool:
        try:
            from app.retrieval.bm25 import build_bm25_index
        except ModuleNotFoundError as exc:
            if exc.name != "app.retrieval.bm25":
                raise
            log.warning("app.retrieval.bm25 is not available; generation written without BM25 files")
            return False
        previous = self.previous.bm25_dir if self.previous else None
        build_bm25_index(self.chunks, self.dir / "bm25", previous_dir=previous if previous and previous.is_dir() else None)
        return True

    def publish(self, config: IndexConfig | None, dxhire_version: str = "unknown") -> Manifest:
        """BM25 files, the manifest, then the CURRENT flip: readers see the generation complete or not at all."""
        has_bm25 = self._build_bm25()
        documents = sorted(self.documents, key=lambda d: d.path)
        manifest = Manifest(
            generation=self.generation,
            previous_generation=self.previous.generation if self.previous else None,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            dxhire_version=dxhire_version,
            embed=config.embed if config else None,
            chunking=config.chunking if config else None,
            bm25=has_bm25,
            documents=documents,
            totals=Totals(documents=len(documents), chunks=len(self.chunks)),
        )
        manifest.write(self.dir)
        (self.dir / BUILDING_MARKER).unlink(missing_ok=True)
        self.store.publish(self.generation)
        self.manifest = manifest
        return manifest

    def abort(self) -> None:
        if self.store.current() != self.generation:
            self.store.delete(self.generation)


# --- the functions most callers use (thin wrappers over the configured store) -------------------------------


def open_index(settings: Settings) -> IndexSnapshot | None:
    """The generation CURRENT names, or None when nothing has been ingested yet."""
    return get_store(settings).open()


def current_generation(settings: Settings) -> str | None:
    return get_store(settings).current()


def current_manifest(settings: Settings) -> Manifest | None:
    """The serving generation's manifest without opening its collection (cheap: one small file)."""
    store = get_store(settings)
    generation = store.current()
    return Manifest.read(store.generation_dir(generation)) if generation else None


def generation_dir(settings: Settings, generation: str) -> Path:
    return get_store(settings).generation_dir(generation)


def list_generations(settings: Settings) -> list[str]:
    return get_store(settings).generations()


def get_collection(settings: Settings, generation: str, create: bool = False):
    return get_store(settings).collection(generation, create=create)


def publish_generation(settings: Settings, generation: str) -> None:
    get_store(settings).publish(generation)


def delete_generation(settings: Settings, generation: str) -> None:
    get_store(settings).delete(generation)


def chroma_client(settings: Settings):
    """The Chroma client of `settings` (the retrieval benchmark's naive LangChain baseline uses it directly)."""
    return _chroma_client(settings.chroma_url, str(settings.chroma_dir))
