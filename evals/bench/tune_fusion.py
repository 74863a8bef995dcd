"""Offline tuning of the fusion knobs (list weights, candidate depth, rrf_k) on a benchmark pair.

Dense and BM25 rankings are computed once per query (embeddings cached like evals/bench/retrieval.py); every
variant is then fused from them, so a grid costs seconds rather than a benchmark run each. Usage:
``python -m evals.bench.tune_fusion CORPUS QUERIES [LIMIT]`` (DXHIRE_* settings as for `dxhire bench`).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from app.config import Settings
from app.retrieval.hybrid import build_retriever, rrf_fuse
from app.retrieval.text import index_text
from evals.bench.retrieval import (
    cached_embeddings,
    chunk_docs,
    dedupe_docs,
    index_chunks,
    load_corpus,
    load_queries,
    sample_queries,
    score_ranking,
    temp_settings,
)

CHOICES = False

GRID = [(dw, bw, n, rk) for dw in (1.0,) for bw in (0.5, 0.75, 1.0, 1.5, 2.0) for n in (10, 30, 60) for rk in (10, 60)]


def main(argv: list[str]) -> None:
    corpus, queries_path = Path(argv[0]), Path(argv[1])
    global CHOICES
    CHOICES = "--append-choices" in argv
    argv = [a for a in argv if a != "--append-choices"]
    limit = int(argv[2]) if len(argv) > 2 else None
    settings = Settings()
    docs = load_corpus(corpus)
    queries = sample_queries(load_queries(queries_path), limit)
    emb = cached_embeddings(settings, lambda m: print(m, file=sys.stderr))
    with temp_settings(settings) as tmp:
        chunks = chunk_docs(docs, tmp)
        doc_of = {c.chunk_id: c.extra["doc_id"] for c in chunks}
        index_chunks(tmp, chunks, emb.embed_documents([index_text(c) for c in chunks]))
        retriever = build_retriever(tmp.model_copy(update={"candidate_k": 100}), embeddings=emb)
        runs = [([h.chunk.chunk_id for h in retriever.search(q.text(CHOICES), k=100, method="dense")],
                 [h.chunk.chunk_id for h in retriever.search(q.text(CHOICES), k=100, method="bm25")]) for q in queries]
    for dw, bw, n, rk in GRID:
        per = []
        for q, (dense, bm25) in zip(queries, runs, strict=True):
            fused = rrf_fuse({"dense": dense[:n], "bm25": bm25[:n]}, rk, {"dense": dw, "bm25": bw})
            per.append(score_ranking(dedupe_docs([doc_of[c] for c, _ in fused]), q.relevant, (1, 5, 10)))
        means = {m: round(statistics.fmean(p[m] for p in per), 3) for m in ("recall@1", "recall@5", "recall@10",
                                                                            "mrr@10")}
        print(f"dense_w={dw} bm25_w={bw} candidate_k={n} rrf_k={rk} {means}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
