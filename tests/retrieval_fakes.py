"""Small deterministic stand-ins for retrieval tests: an embedding model and index builders."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from app.config import Settings
from app.retrieval.tokenize import bigram_tokens
from app.schemas import Chunk
from app.store import GenerationWriter
from ingest.manifest import index_config

DIM = 64


class BigramHashEmbeddings(Embeddings):
    """Hashed character-bigram vectors: texts sharing words get similar vectors (fast, no model)."""

    def _vec(self, text: str) -> list[float]:
        v = np.zeros(DIM, dtype=np.float32)
        for tok in bigram_tokens(text) or ["<empty>"]:
            v[int(hashlib.md5(tok.encode()).hexdigest(), 16) % DIM] += 1.0
        return (v / (np.linalg.norm(v) + 1e-12)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.last_query = text
        return self._vec(text)


def make_chunk(cid: str, text: str, kind: str = "document", **extra) -> Chunk:
    return Chunk(chunk_id=cid, text=text, source=f"{cid}.md", title=f"title {cid}", kind=kind, doc_hash="d" * 64,
                 content_hash=hashlib.sha256(text.encode()).hexdigest(), extra=extra)


def publish(settings: Settings, chunks: list[Chunk], embeddings: Embeddings | None = None) -> str:
    """One generation written the way ingest writes it (`GenerationWriter`): collection, BM25, manifest, CURRENT."""
    emb = embeddings or BigramHashEmbeddings()
    with GenerationWriter(settings) as writer:
        writer.add(chunks, emb.embed_documents([c.text for c in chunks]) if chunks else [])
        writer.publish(index_config(settings))
    return writer.generation


def bm25_dir(settings: Settings) -> Path:
    return settings.index_dir
