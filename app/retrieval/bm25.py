"""Persistent BM25 over Japanese tokens (bm25s does the scoring; nothing here re-implements BM25).

Layout of an index folder (``index/<generation>/bm25/``)::

    meta.json        format version, fields and their weights, bm25 parameters, chunk count
    ids.json         chunk ids in index order (row i of every field index is ids[i])
    chunks.jsonl     the chunks themselves, so retrieval can filter and build hits without a Chroma round trip
    tokens.json.gz   {sha256(indexed text): {field: [tokens]}}: the token cache the next generation reuses
    <field>/         one bm25s index per field ("word" = Sudachi morphemes, "bigram" = character bigrams)

A query's score is the weighted sum of the per-field BM25 scores. Incremental rebuilds: tokenising is the slow
part (bm25s indexing of 10k chunks takes about a second), so ``build_bm25_index`` reuses the tokens of every
chunk whose indexed text it finds in ``previous_dir``'s cache and tokenises only new text. The indexed text is
title + heading path + body (app/retrieval/text.py), so an article number or section name in a heading matches.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from pathlib import Path

import numpy as np

from app.retrieval.text import index_text
from app.retrieval.tokenize import TOKENIZERS
from app.schemas import Chunk

FORMAT_VERSION = 1
DEFAULT_FIELDS: dict[str, float] = {"word": 1.0, "bigram": 0.5}
"""Field weights; chosen on ../shared/benchmarks (see evals/bench/retrieval.py and the README)."""
BM25_PARAMS = {"k1": 1.2, "b": 0.75, "method": "lucene"}
MAX_QUERY_CHARS = 2000
"""Longer queries are cut: BM25 cost grows with query length and a 10,000-character "question" is a paste."""

_CACHE_FILE = "tokens.json.gz"

logging.getLogger("bm25s").setLevel(logging.WARNING)


class BM25Error(RuntimeError):
    """The BM25 folder is missing or unreadable; rebuild the index with `dxhire ingest`."""


def _load_token_cache(folder: Path | None) -> dict[str, dict[str, list[str]]]:
    if folder is None:
        return {}
    path = Path(folder) / _CACHE_FILE
    if not path.is_file():
        return {}
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}  # a broken cache only costs time: tokenise again


def tokenize_fields(text: str, fields: list[str]) -> dict[str, list[str]]:
    return {f: TOKENIZERS[f](text) for f in fields}


def build_bm25_index(
    chunks: list[Chunk],
    out_dir: Path,
    previous_dir: Path | None = None,
    fields: dict[str, float] | None = None,
) -> None:
    """Index `chunks` into `out_dir` (created or overwritten), reusing cached tokens from `previous_dir`."""
    import bm25s

    weights = dict(fields or DEFAULT_FIELDS)
    names = list(weights)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = _load_token_cache(previous_dir)
    if not cache and previous_dir != out_dir:
        cache = _load_token_cache(out_dir)
    new_cache: dict[str, dict[str, list[str]]] = {}
    per_field: dict[str, list[list[str]]] = {f: [] for f in names}
    reused = 0
    for chunk in chunks:
        text = index_text(chunk)
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        cached = new_cache.get(key) or cache.get(key)
        if cached is not None and all(f in cached for f in names):
            reused += 1
        else:
            cached = tokenize_fields(text, names)
        new_cache[key] = {f: cached[f] for f in names}
        for f in names:
            per_field[f].append(cached[f])

    if chunks:
        for f in names:
            retriever = bm25s.BM25(k1=BM25_PARAMS["k1"], b=BM25_PARAMS["b"], method=BM25_PARAMS["method"])
            retriever.index(per_field[f], show_progress=False)
            retriever.save(str(out_dir / f), show_progress=False)
    (out_dir / "ids.json").write_text(json.dumps([c.chunk_id for c in chunks]), encoding="utf-8")
    with open(out_dir / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for c in chunks:
            fh.write(c.model_dump_json() + "\n")
    with gzip.open(out_dir / _CACHE_FILE, "wt", encoding="utf-8") as fh:
        json.dump(new_cache, fh, ensure_ascii=False)
    meta = {"format": FORMAT_VERSION, "fields": weights, "params": BM25_PARAMS, "count": len(chunks),
            "reused_tokens": reused}
    (out_dir / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")


class BM25Index:
    """A loaded BM25 folder. `search` is read-only and thread-safe (numpy on immutable arrays)."""

    def __init__(self, ids: list[str], retrievers: dict, weights: dict[str, float], folder: Path | None = None):
        self.ids = ids
        self._retrievers = retrievers
        self.weights = weights
        self.folder = folder
        self._chunks: dict[str, Chunk] | None = None

    @classmethod
    def load(cls, dir: Path) -> BM25Index:  # noqa: A002 - the contract's parameter name
        import bm25s

        folder = Path(dir)
        meta_path = folder / "meta.json"
        if not meta_path.is_file():
            raise BM25Error(f"BM25索引がありません / no BM25 index at {folder}: run `dxhire ingest`")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
            weights = {str(k): float(v) for k, v in meta.get("fields", DEFAULT_FIELDS).items()}
            retrievers = {}
            if ids:
                for f in weights:
                    retrievers[f] = bm25s.BM25.load(str(folder / f), load_vocab=True, show_progress=False)
        except (OSError, ValueError, KeyError) as exc:
            raise BM25Error(f"BM25索引を読めません / cannot read the BM25 index at {folder}: {exc}") from exc
        return cls(ids, retrievers, weights, folder)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query: str, weights: dict[str, float] | None = None) -> np.ndarray:
        """Weighted sum of the field scores for every chunk (index order)."""
        total = np.zeros(len(self.ids), dtype=np.float32)
        if not self.ids or not query.strip():
            return total
        query = query[:MAX_QUERY_CHARS]
        for f, w in (weights or self.weights).items():
            retriever = self._retrievers.get(f)
            if retriever is None or w == 0:
                continue
            token_ids = retriever.get_tokens_ids(TOKENIZERS[f](query))
            if token_ids:
                total += w * retriever.get_scores_from_ids(token_ids)
        return total

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top `k` (chunk_id, score), best first; chunks sharing no token with the query are left out."""
        if k <= 0:
            return []
        scores = self.scores(query)
        positive = np.flatnonzero(scores > 0)
        if positive.size == 0:
            return []
        top = positive[np.argpartition(-scores[positive], k - 1)[:k]] if positive.size > k else positive
        top = top[np.lexsort((top, -scores[top]))]  # score desc, then index order: deterministic ties
        return [(self.ids[i], float(scores[i])) for i in top]

    def chunks(self) -> dict[str, Chunk]:
        """chunk_id -> Chunk from chunks.jsonl (loaded once)."""
        if self._chunks is None:
            found: dict[str, Chunk] = {}
            path = (self.folder / "chunks.jsonl") if self.folder else None
            if path is not None and path.is_file():
                with open(path, encoding="utf-8") as fh:
                    for line in fh:
                        if line.strip():
                            c = Chunk.model_validate_json(line)
                            found[c.chunk_id] = c
            self._chunks = found
        return self._chunks
