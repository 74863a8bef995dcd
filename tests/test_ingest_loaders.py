"""Loaders on real government PDFs (../shared/fixtures, see SOURCES.md there) and on bad input.

Fixture PDFs: 財務省 / 中小企業庁 publications, 政府標準利用規約 (第2.0版), reused with attribution."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest
from conftest import FIXTURE_PDFS

from ingest.chunking import make_chunks
from ingest.detect import detect_format
from ingest.errors import IngestRejected
from ingest.loaders import load_document, load_html, load_markdown, load_pdf
from ingest.normalise import normalise_text

GOV = FIXTURE_PDFS / "gov"
needs_fixtures = pytest.mark.skipif(not GOV.is_dir(), reason="shared fixtures not available")


def _load(path: Path):
    data = path.read_bytes()
    return load_document(path, data, detect_format(path, data))


def _chunks(doc, size: int = 400):
    return make_chunks(doc.blocks, size=size, overlap=80, source="x", title=doc.title, kind="document",
                       doc_hash="0" * 64, path_key="k", extra={})


@needs_fixtures
def test_owner_password_pdf_opens_and_pages_match_pypdf() -> None:
    path = GOV / "20210830_2.pdf"
    assert pypdf.PdfReader(path).is_encrypted
    doc = _load(path)
    assert doc.pages == 4 and not doc.image_only_pages
    phrase = "取引モニタリングの共同システムの実用化"
    # which page holds the phrase, according to pypdf directly (line breaks removed)
    reader = pypdf.PdfReader(path)
    reader.decrypt("")
    expected = [n for n, p in enumerate(reader.pages, 1) if phrase in re.sub(r"\s", "", p.extract_text())]
    assert expected
    found = sorted({c.page for c in _chunks(doc) if phrase in c.text.replace(" ", "")})
    assert found == expected


@needs_fixtures
def test_kangxi_lookalikes_become_ordinary_kanji() -> None:
    doc = _load(GOV / "qa_futankeigen.pdf")
    assert doc.pages == 15
    text = doc.text
    assert not re.search(r"[\u2f00-\u2fdf]", text)
    assert "3月31日時点" in text.replace(" ", "")
    assert "行" in text
    for chunk in _chunks(doc):
        assert 1 <= chunk.page <= 15


@needs_fixtures
def test_image_only_pages_are_reported_by_number_not_indexed() -> None:
    path = GOV / "r3fy-FC-all.pdf"
    reader = pypdf.PdfReader(path)
    no_text = [n for n, p in enumerate(reader.pages, 1) if not (p.extract_text() or "").strip()]
    assert no_text  # the fixture really has pages without a text layer
    doc = _load(path)
    assert doc.image_only_pages == no_text == [1, 2, 3, 4, 5]
    assert any("OCRが必要です" in w and "1, 2, 3, 4, 5" in w for w in doc.warnings)
    assert {c.page for c in _chunks(doc)}.isdisjoint(no_text)
    assert all(c.text.strip() for c in _chunks(doc))


def _pdf_bytes(text_pages: int = 1, user_password: str | None = None) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(text_pages):
        writer.add_blank_page(200, 200)
    if user_password:
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_user_password_pdf_is_rejected_with_file_name(tmp_path: Path) -> None:
    path = tmp_path / "secret.pdf"
    path.write_bytes(_pdf_bytes(user_password="hunter2"))
    with pytest.raises(IngestRejected, match=r"secret\.pdf: パスワード"):
        load_pdf(path, path.read_bytes())


def test_blank_pdf_is_rejected_not_indexed(tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    path.write_bytes(_pdf_bytes(2))
    with pytest.raises(IngestRejected, match="blank.pdf: 文字情報"):
        load_pdf(path, path.read_bytes())


@pytest.mark.parametrize(
    "name,data,match",
    [
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200, "virus.pdf: 対応していない形式"),
        ("fake.pdf", b"just text pretending", "fake.pdf: PDFではありません"),
        ("corrupt.pdf", b"%PDF-1.7\n\x00\x01garbage" * 10, "corrupt.pdf: PDFが壊れて"),
        ("photo.md", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "photo.md: 対応していない形式"),
        ("data.xlsx", b"PK\x03\x04" + b"\x00" * 50, "data.xlsx: 対応していない形式"),
        ("notes.csv", b"a,b\n1,2\n", "notes.csv: 対応していない形式"),
    ],
)
def test_bad_files_are_rejected_by_content(tmp_path: Path, name: str, data: bytes, match: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestRejected, match=match):
        _load(path)


def test_markdown_front_matter_and_heading_path(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text("---\ntitle: 題名\nkind: case\n---\n# 見出し1\n本文一。\n## 小見出し\n本文二。\n```\n# not a heading\n```\n",
                    encoding="utf-8")
    doc = load_markdown(path, path.read_bytes())
    assert doc.title == "題名" and doc.front_matter["kind"] == "case"
    assert [b.heading_path for b in doc.blocks] == [("見出し1",), ("見出し1", "小見出し")]
    assert "# not a heading" in doc.blocks[1].text


def test_html_headings_become_heading_path(tmp_path: Path) -> None:
    html = ("<html><head><title>ページ</title><script>var x='無視';</script></head><body>"
            "<h1>総論</h1><p>最初の段落です。</p><h2>各論</h2><ul><li><p>項目の文です。</p></li></ul>"
            "<h3>細目</h3><p>細かい<b>強調</b>の文です。</p><h2>別の節</h2><p>最後です。</p></body></html>")
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    doc = load_html(path, path.read_bytes())
    assert doc.title == "ページ"
    got = [(b.heading_path, b.text.replace("\n", "")) for b in doc.blocks]
    assert got == [
        (("総論",), "最初の段落です。"),
        (("総論", "各論"), "項目の文です。"),
        (("総論", "各論", "細目"), "細かい強調の文です。"),
        (("総論", "別の節"), "最後です。"),
    ]
    assert "無視" not in doc.text


def test_plain_text_in_shift_jis(tmp_path: Path) -> None:
    path = tmp_path / "memo.txt"
    path.write_bytes("募集要項のメモ\n応募資格は次のとおりです。".encode("cp932"))
    doc = _load(path)
    assert doc.title == "募集要項のメモ" and "応募資格" in doc.text


def test_normalise_is_idempotent_on_loader_output(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("全角ＡＢＣ　と　\u2f49曜日", encoding="utf-8")
    doc = _load(path)
    assert normalise_text(doc.text) == doc.text == "全角ABC と月曜日"
