"""Optional cross-encoder reranking (off by default: no Japanese cross-encoder ships on PyPI).

``settings.rerank_model`` names a sentence-transformers ``CrossEncoder`` (a local folder, or a name already in
the local cache). Anything with ``predict(list[tuple[str, str]]) -> scores`` plugs in, so tests use a tiny fake.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Protocol

from app.config import Settings

RERANK_DEPTH = 20
"""Fused candidates the cross-encoder re-scores: each pair is a full transformer pass on a 2-core CPU."""


class Reranker(Protocol):
    def predict(self, pairs: list[tuple[str, str]]) -> list[float]: ...


class RerankerError(RuntimeError):
    """The configured reranker cannot be loaded; the message names DXHIRE_RERANK_MODEL."""


@cache
def _load(name: str) -> Reranker:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import CrossEncoder

        return CrossEncoder(name, device="cpu", local_files_only=True)
    except Exception as exc:  # any load failure means "not available offline"
        first = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise RerankerError(
            f"リランカーを読み込めません / cannot load the reranker DXHIRE_RERANK_MODEL={name!r} offline "
            f"(a CrossEncoder folder path is needed; unset it to turn reranking off): {first}"
        ) from None


def load_reranker(settings: Settings) -> Reranker | None:
    return _load(settings.rerank_model) if settings.rerank_model else None


def rerank_scores(reranker: Reranker, query: str, texts: list[str]) -> list[float]:
    if not texts:
        return []
    raw = reranker.predict([(query, t) for t in texts])
    return [float(s) for s in raw]
