"""Lean context: blocks trimmed at sentence ends, total budget respected, duplicates dropped."""

from __future__ import annotations

from answer_fakes import make_chunk

from app.answer.context import build_blocks, trim_at_sentence
from app.schemas import Hit

SENT = "外部人材の受け入れには庁内の合意形成が欠かせません。"  # 26 chars


def test_trim_prefers_sentence_end() -> None:
    text = SENT * 20
    out = trim_at_sentence(text, 100)
    assert len(out) <= 100 and out.endswith("。") and len(out) == 26 * 3


def test_trim_hard_cut_when_no_sentence_end() -> None:
    out = trim_at_sentence("あ" * 500, 100)
    assert len(out) == 100 and out.endswith("…")


def test_short_text_unchanged() -> None:
    assert trim_at_sentence(SENT, 100) == SENT


def test_total_budget_and_first_block_always_kept() -> None:
    hits = [Hit(chunk=make_chunk(f"d{i}", f"t{i}", "case", f"{i}番目。" + SENT * 20), rank=i + 1) for i in range(6)]
    blocks = build_blocks(hits, block_chars=350, total_chars=800)
    assert sum(len(b.text) for b in blocks) <= 800
    assert [b.n for b in blocks] == list(range(1, len(blocks) + 1))
    assert 2 <= len(blocks) < 6
    tiny = build_blocks(hits, block_chars=350, total_chars=100)
    assert len(tiny) == 1


def test_duplicate_passages_dropped() -> None:
    a = make_chunk("a", "A", "case", SENT)
    b = make_chunk("b", "B", "case", SENT)
    assert len(build_blocks([Hit(chunk=a, rank=1), Hit(chunk=b, rank=2)], 350, 1500)) == 1
