"""What a document is called in citations, the ingest report and /documents: never an absolute server path."""

from __future__ import annotations

from pathlib import Path

from test_ingest_pipeline import CountingEmbeddings

import ingest.pipeline as pipeline
from app.config import Settings
from app.retrieval.bm25 import BM25Index
from app.services import Services
from app.store import open_index
from ingest.pipeline import ingest_paths

BODY = "# 受け入れ\n着任初日には庁内ネットワークのアカウントを準備します。"


def _sources(settings: Settings) -> set[str]:
    return {c.source for c in BM25Index.load(open_index(settings).bm25_dir).chunks().values()}


def test_uploads_are_listed_by_their_original_name(settings: Settings, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "get_embeddings", lambda s: CountingEmbeddings())
    upload = settings.uploads_dir / "受け入れ手順.md"
    upload.parent.mkdir(parents=True)
    upload.write_text(BODY, encoding="utf-8")
    report = ingest_paths(settings, [upload])
    assert [f.path for f in report.files] == ["受け入れ手順.md"]
    assert _sources(settings) == {"受け入れ手順.md"}
    documents = Services(settings).documents()
    assert [d["path"] for d in documents] == ["受け入れ手順.md"]
    assert str(settings.home) not in repr(documents) and str(settings.home) not in report.model_dump_json()


def test_absolute_command_line_paths_are_shown_by_name(settings: Settings, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "get_embeddings", lambda s: CountingEmbeddings())
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.md").write_text(BODY, encoding="utf-8")
    single = tmp_path / "b.md"
    single.write_text(BODY.replace("初日", "前日"), encoding="utf-8")
    report = ingest_paths(settings, [folder, single])
    assert sorted(f.path for f in report.files) == ["b.md", "docs/sub/a.md"]
    assert str(tmp_path) not in report.model_dump_json() and _sources(settings) == {"b.md", "docs/sub/a.md"}


def test_relative_paths_stay_as_typed(settings: Settings, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "get_embeddings", lambda s: CountingEmbeddings())
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(BODY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = ingest_paths(settings, [Path("docs")])
    assert [f.path for f in report.files] == ["docs/a.md"]
