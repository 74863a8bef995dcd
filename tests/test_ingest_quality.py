"""Text quality judged per page by what language looks like: garbage pages refused, good pages of the same PDF kept."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pypdf
import pytest
from conftest import FIXTURE_PDFS, SHARED
from pypdf.generic import DictionaryObject, NameObject, StreamObject
from test_ingest_pipeline import CountingEmbeddings

import ingest.pipeline as pipeline
from app.store import open_index
from evals.bench import text_quality
from ingest.errors import IngestRejected
from ingest.loaders import load_pdf
from ingest.pipeline import ingest_paths
from ingest.quality import measure, mojibake_reason

ENGLISH = ("The municipality hires external digital talent for its information policy division. The officer "
           "defines the role, the required skills and the budget before the recruitment starts. ") * 4


def _pages_pdf(texts: list[str], base: bytes | None = None) -> bytes:
    """A PDF whose pages draw `texts` in Helvetica (what a broken font map extracts as), after the pages of `base`."""
    writer = pypdf.PdfWriter()
    if base:
        for page in pypdf.PdfReader(io.BytesIO(base)).pages:
            writer.add_page(page)
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    for text in texts:
        page = writer.add_blank_page(595, 842)
        words, lines, line = text.split(), [], ""
        for word in words:
            if len(line) + len(word) > 90:
                lines.append(line)
                line = ""
            line += word + " "
        lines.append(line)
        ops = ["BT", "/F1 10 Tf", "12 TL", "40 800 Td"]
        ops += [f"({ln.replace(chr(92), chr(92) * 2).replace('(', '[').replace(')', ']')}) Tj T*" for ln in lines]
        stream = StreamObject()
        stream.set_data("\n".join([*ops, "ET"]).encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


EDGJ0 = " ".join(["/edGj0"] * 400)


def test_the_edgj0_pdf_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.pdf", _pages_pdf([EDGJ0] * 3))
    with pytest.raises(IngestRejected, match=r"broken\.pdf: 文字化け.*3ページすべて"):
        load_pdf(path, path.read_bytes())


@pytest.mark.parametrize("seed", range(5))
def test_a_page_of_any_repeated_glyph_name_is_refused(seed: int) -> None:
    rng = random.Random(seed)
    name = "/" + "".join(rng.choice("abcdefghijkLMNOPQ0123456789") for _ in range(rng.randint(3, 7)))
    assert mojibake_reason(" ".join([name] * 300)) is not None
    assert measure(" ".join([name] * 300)).compression > 8


@pytest.mark.parametrize("text", [
    " ".join(f"/g{i % 37 + 3}" for i in range(400)),  # a glyph name per character
    "".join(f"(cid:{i * 7 % 900})" for i in range(300)),
    "qzvx plkr wbnm trsdf gjhk " * 30,  # random Latin
    "".join(chr(ord(c) + 3) for c in "外部デジタル人材の確保に当たっては、業務課題を特定してから人材要件を定義します。" * 6),
    "外部デジタル人材の確保に当たっては、業務課題を特定します。".encode("cp932").decode("latin-1") * 8,
    "外部デジタル人材の確保に当たっては、業務課題を特定します。".encode().decode("cp932", "replace") * 8,
])
def test_other_kinds_of_garbage_are_refused(text: str) -> None:
    assert mojibake_reason(text) is not None


@pytest.mark.parametrize("text", [
    ENGLISH,
    "外部デジタル人材の確保に当たっては、業務課題を特定してから人材要件を定義します。" * 3,
    "1.1 背景と目的 ........................................ 1\n1.2 範囲 ............................ 3\n" * 8,  # a contents page
    "参考: https://www.soumu.go.jp/main_content/000843318.pdf 閲覧日 2021年6月10日 IPv6 L2TPv3 ISO/IEC 27001 " * 3,
    "`guidebook-overview.md`: ガイドブックの概要（名称、別冊、62ページ、4ステップ、入手先）\n" * 3,
])
def test_real_text_is_accepted(text: str) -> None:
    assert mojibake_reason(text) is None


def test_a_mixed_pdf_indexes_only_its_good_pages(settings, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "get_embeddings", lambda s: CountingEmbeddings())
    path = _write(tmp_path, "mixed.pdf", _pages_pdf([ENGLISH, EDGJ0, ENGLISH.replace("budget", "salary"), EDGJ0]))
    doc = load_pdf(path, path.read_bytes())
    assert doc.garbage_pages == [2, 4] and {b.page for b in doc.blocks} == {1, 3}
    [warning] = [w for w in doc.warnings if "文字化け" in w]
    assert "mixed.pdf" in warning and "p.2, 4" in warning

    report = ingest_paths(settings, [path])
    [entry] = report.files
    assert entry.status == "ingested" and entry.garbage_pages == [2, 4] and entry.pages == 4
    chunks = open_index(settings).collection.get(include=["documents", "metadatas"])
    assert {m["page"] for m in chunks["metadatas"]} == {1, 3}
    assert not any("edGj" in t for t in chunks["documents"])


@pytest.mark.skipif(not FIXTURE_PDFS.is_dir(), reason="shared fixtures not available")
def test_a_real_japanese_pdf_with_a_broken_page_keeps_its_real_pages(tmp_path: Path) -> None:
    real = next(iter(sorted(FIXTURE_PDFS.rglob("*.pdf"))))
    n_real = len(pypdf.PdfReader(real).pages)
    path = _write(tmp_path, "mixed.pdf", _pages_pdf([EDGJ0], base=real.read_bytes()))
    doc = load_pdf(path, path.read_bytes())
    assert doc.garbage_pages == [n_real + 1]
    assert {b.page for b in doc.blocks} == set(range(1, n_real + 1)) - set(doc.image_only_pages)


@pytest.mark.skipif(not FIXTURE_PDFS.is_dir(), reason="shared fixtures not available")
def test_labelled_set_precision_and_recall_on_a_small_sample() -> None:
    """A small slice of `python -m evals.bench.text_quality` (the full run is documented in docs/RESULTS.md)."""
    samples = text_quality.labelled_set(SHARED, per_kind=6, limit_files=4, heldout=15)
    kinds = {s.label for s in samples}
    assert set(text_quality.GENERATORS) <= kinds and {"clean", "clean_heldout"} <= kinds
    result = text_quality.evaluate(samples)
    assert result["precision"] >= 0.95 and result["recall"] >= 0.95, result["false_positives"] + result["missed"]
