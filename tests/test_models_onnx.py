"""The int8 ONNX export of e5-small (slow: builds it once into the shared model cache, ~2 min): same vectors as the
sentence-transformers folder within cosine 0.99 on corpus text, e5 prompts applied, and no torch in a process that
only embeds with it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from app.config import PROJECT_ROOT, Settings


def _corpus_texts(n: int = 60) -> list[str]:
    texts: list[str] = []
    for path in sorted((PROJECT_ROOT / "corpus").glob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        texts += [body[i : i + 400] for i in range(0, len(body), 1200)]
    return texts[:n]


@pytest.mark.slow
def test_onnx_vectors_match_the_sentence_transformers_model(tmp_path) -> None:
    from app.models.embeddings import get_embeddings

    base = Settings(home=tmp_path / "home")
    onnx = get_embeddings(base.model_copy(update={"embed_backend": "onnx"}))
    st = get_embeddings(base)
    texts = _corpus_texts()
    a, b = np.asarray(onnx.embed_documents(texts)), np.asarray(st.embed_documents(texts))
    cos = (a * b).sum(axis=1)
    assert cos.min() >= 0.99, cos.min()
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-3)
    q = "地域活性化起業人の副業型の要件は？"
    assert float(np.dot(onnx.embed_query(q), st.embed_query(q))) >= 0.99
    assert float(np.dot(onnx.embed_query(q), onnx.embed_documents([q])[0])) < 0.999  # query: / passage: differ


@pytest.mark.slow
def test_onnx_backend_runs_without_torch(tmp_path) -> None:
    from app.models.embeddings import get_embeddings

    get_embeddings(Settings(home=tmp_path / "home", embed_backend="onnx"))  # built (or found) in the model cache
    code = ("import sys; from app.config import Settings; from app.models.embeddings import get_embeddings; "
            f"e = get_embeddings(Settings(home={str(tmp_path / 'h2')!r}, embed_backend='onnx')); "
            "v = e.embed_query('外部デジタル人材'); print(len(v), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.split()[-2:] == ["384", "False"]
