"""Word (.docx) uploads: headings become the heading path, tables are kept as rows, a broken or legacy file is refused
with a Japanese reason, and a .docx goes through the whole upload path into the index."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from test_ingest_pipeline import CountingEmbeddings

import ingest.pipeline as pipeline
from app.config import Settings
from ingest.detect import detect_format
from ingest.errors import IngestRejected
from ingest.loaders import load_document
from ingest.uploads import ingest_uploads


def _docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading("DX推進アドバイザー設置要綱", 0)
    doc.add_heading("業務内容", 1)
    doc.add_paragraph("DX推進計画の策定について、町長に助言します。")
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "報酬", "日額25,000円"
    doc.add_heading("任期", 2)
    doc.add_paragraph("委嘱の日から令和9年3月31日まで。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_headings_paragraphs_and_tables_in_order() -> None:
    data = _docx()
    assert detect_format(Path("要綱.docx"), data) == "docx"
    doc = load_document(Path("要綱.docx"), data, "docx")
    assert doc.title == "DX推進アドバイザー設置要綱"
    assert [(b.text, b.heading_path) for b in doc.blocks] == [
        ("DX推進計画の策定について、町長に助言します。", ("業務内容",)),
        ("報酬 | 日額25,000円", ("業務内容",)),
        ("委嘱の日から令和9年3月31日まで。", ("業務内容", "任期")),
    ]


def test_a_zip_that_is_not_word_and_a_legacy_file_are_refused_in_japanese() -> None:
    with pytest.raises(IngestRejected, match="Word文書（.docx）として読めません"):
        load_document(Path("x.docx"), b"PK\x03\x04not really a zip", "docx")
    with pytest.raises(IngestRejected, match="古い形式"):
        detect_format(Path("old.docx"), b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(IngestRejected, match="対応していない形式"):
        detect_format(Path("book.xlsx"), b"PK\x03\x04")


def test_a_docx_upload_is_indexed(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "get_embeddings", lambda s: CountingEmbeddings())
    src = tmp_path / "設置要綱.docx"
    src.write_bytes(_docx())
    broken = tmp_path / "壊れた.docx"
    broken.write_bytes(b"PK\x03\x04broken")
    report = ingest_uploads(settings, [src, broken],
                            lambda paths, progress=None: pipeline.ingest_paths(settings, paths, progress=progress))
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["設置要綱.docx"].status == "ingested" and by_name["設置要綱.docx"].chunks >= 1
    assert by_name["壊れた.docx"].status == "rejected" and "読めません" in (by_name["壊れた.docx"].error or "")
    assert sorted(p.name for p in (settings.home / "uploads").iterdir() if p.is_file()) == ["設置要綱.docx"]
