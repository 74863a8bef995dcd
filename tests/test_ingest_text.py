"""Normalisation and Japanese chunking: sentence integrity, overlap in whole sentences, deterministic ids."""

from __future__ import annotations

import re

import pytest

from ingest.chunking import chunk_id, make_chunks, pack_sentences, split_sentences
from ingest.loaders import Block
from ingest.normalise import normalise_text
from ingest.quality import mojibake_reason

SENTENCES = [f"これは{i}番目の文で、外部デジタル人材の確保について{'詳しく' * (i % 4)}説明します。" for i in range(40)]
TEXT = "".join(SENTENCES[:10]) + "\n\n" + "".join(SENTENCES[10:25]) + "\n" + "".join(SENTENCES[25:])


def test_normalise_maps_kangxi_radicals_and_drops_private_use_and_controls() -> None:
    raw = "令和５年３\u2f49 31 \u2f47時点\u2f8f\ue000\u0007\u200bＡＢＣ\r\n次の行"
    out = normalise_text(raw)
    assert "月" in out and "日" in out and "行" in out
    assert not re.search(r"[\u2f00-\u2fdf\ue000-\uf8ff\u0007\u200b]", out)
    assert "ABC" in out and "5" in out and "\n次の行" in out


def test_letter_spaced_japanese_is_closed_up_but_mixed_spacing_kept() -> None:
    assert normalise_text("こ の 他 、令和 4 年 DXShip ひろしま") == "この他、令和 4 年 DXShip ひろしま"


def test_split_sentences_on_japanese_and_ascii_terminators_but_not_urls() -> None:
    lines = split_sentences("一文目です。二文目！三文目？\n- 項目\n- URL https://a.jp/x?y=1 を参照。Done! OK")
    flat = [s for line in lines for s in line]
    assert flat[:3] == ["一文目です。", "二文目！", "三文目？"]
    assert "- 項目" in flat
    assert any("https://a.jp/x?y=1" in s for s in flat)
    assert "Done!" in flat


@pytest.mark.parametrize("size,overlap", [(120, 0), (200, 60), (400, 80)])
def test_chunks_keep_sentences_whole_and_respect_size(size: int, overlap: int) -> None:
    chunks = pack_sentences(TEXT, size, overlap)
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk) <= size
        for part in re.split(r"(?<=。)", chunk.replace("\n", "")):
            if part:
                assert part in SENTENCES, f"cut sentence: {part!r}"
    # every sentence appears somewhere, in order
    joined = "".join(chunks).replace("\n", "")
    pos = -1
    for s in SENTENCES:
        nxt = joined.find(s, pos + 1)
        assert nxt > pos
        pos = nxt


def test_overlap_repeats_whole_trailing_sentences() -> None:
    chunks = pack_sentences(TEXT, 200, 70)
    repeated = 0
    for prev, nxt in zip(chunks, chunks[1:], strict=False):
        prev_s = re.findall(r"[^。]+。", prev.replace("\n", ""))
        first = re.findall(r"[^。]+。", nxt.replace("\n", ""))[0]
        if first in prev_s:
            repeated += 1
            assert prev.replace("\n", "").endswith(first) or first in prev_s[-3:]
            assert len(first) <= 70
    assert repeated >= len(chunks) // 2


def test_no_overlap_when_zero() -> None:
    chunks = pack_sentences(TEXT, 200, 0)
    assert len("".join(chunks).replace("\n", "")) == len(TEXT.replace("\n", "").replace(" ", ""))


def test_overlong_sentence_is_cut_only_when_needed() -> None:
    long = "あ" * 150 + "、" + "い" * 150 + "。"
    chunks = pack_sentences("短い文です。" + long + "最後の文です。", 200, 0)
    assert chunks[0].startswith("短い文です。")
    assert all(len(c) <= 200 for c in chunks)
    assert any(c.endswith("あ、") for c in chunks)  # cut after the comma, not mid-word
    assert any(c.startswith("い") for c in chunks)
    assert chunks[-1].endswith("最後の文です。")


def test_make_chunks_keeps_page_heading_and_deterministic_ids() -> None:
    blocks = [Block("一ページ目の文です。", page=1), Block("二ページ目の文です。", page=2, heading_path=("第1章", "概要"))]
    kwargs = dict(size=200, overlap=20, source="a.pdf", title="T", kind="document", doc_hash="ab" * 32,
                  path_key="cd" * 4, extra={"doc_id": "a"})
    first = make_chunks(blocks, **kwargs)
    again = make_chunks(blocks, **kwargs)
    assert [c.page for c in first] == [1, 2]  # never crosses a page
    assert first[1].heading_path == ["第1章", "概要"]
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again] == [chunk_id("ab" * 32, "cd" * 4, i) for i in (0, 1)]
    assert first[0].content_hash != first[1].content_hash
    assert first[0].extra == {"doc_id": "a"}


def test_mojibake_detection() -> None:
    assert mojibake_reason("/g123/g45/g67 " * 30) is not None
    assert mojibake_reason("uni30A2uni30A4uni30A6 " * 30) is not None
    assert mojibake_reason("\ufffd\ufffd□□" * 40) is not None
    assert mojibake_reason("外部デジタル人材の確保について説明します。" * 10) is None
    assert mojibake_reason("This is an ordinary English paragraph about hiring. " * 5) is None
