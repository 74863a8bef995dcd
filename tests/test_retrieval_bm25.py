"""BM25 over Japanese tokens: the whitespace bug cannot come back; persistence and incremental rebuilds."""

from __future__ import annotations

import json
from pathlib import Path

from retrieval_fakes import make_chunk

from app.retrieval.bm25 import BM25Index, build_bm25_index
from app.retrieval.tokenize import bigram_tokens, word_tokens

PASSAGES = [
    make_chunk("a", "外部デジタル人材の確保には、募集要項の作成と報酬水準の検討が必要です。"),
    make_chunk("b", "面接では、応募者の経験を確かめる質問セットを事前に準備しておきます。"),
    make_chunk("c", "地域おこし協力隊は、都市地域から過疎地域へ住民票を移した人を対象とする制度です。"),
]


def test_japanese_query_without_spaces_scores_above_zero(tmp_path: Path) -> None:
    # The query shares only Japanese words with passage a (no spaces anywhere): whitespace BM25 would see one
    # token per text and score 0.
    build_bm25_index(PASSAGES, tmp_path / "bm25")
    hits = BM25Index.load(tmp_path / "bm25").search("募集要項を作成したい", k=3)
    assert hits and hits[0][0] == "a"
    assert hits[0][1] > 0
    from langchain_community.retrievers.bm25 import default_preprocessing_func

    assert len(default_preprocessing_func(PASSAGES[0].text)) == 1  # what whitespace BM25 would have seen


def test_tokenizers_split_japanese_and_drop_particles() -> None:
    words = word_tokens("外部デジタル人材の確保を読みました。")
    assert {"外部", "デジタル", "人材", "確保", "読む"} <= set(words)
    assert "の" not in words and "を" not in words and "。" not in words
    assert bigram_tokens("人材確保 DX") == ["人材", "材確", "確保", "dx"]
    assert bigram_tokens("第5条") == ["第5", "5条"]  # digits stay in the run: tells 第5条 from 第15条
    assert "第27条の38" in word_tokens("金融商品取引法第２７条の３８の規定")  # numbered reference kept whole
    assert bigram_tokens("ＧＰＴ") == ["gpt"]  # NFKC + lower-case


def test_persistence_across_restart(tmp_path: Path) -> None:
    build_bm25_index(PASSAGES, tmp_path / "bm25")
    first = BM25Index.load(tmp_path / "bm25")
    queries = ["面接の質問", "地域おこし協力隊の対象", "報酬"]
    before = [first.search(q, 3) for q in queries]
    del first
    again = BM25Index.load(tmp_path / "bm25")  # a new object, from disk only
    assert [again.search(q, 3) for q in queries] == before
    assert again.chunks()["b"].text == PASSAGES[1].text


def test_incremental_rebuild_reuses_cached_tokens(tmp_path: Path) -> None:
    build_bm25_index(PASSAGES, tmp_path / "g1")
    extra = make_chunk("d", "人事課と情報政策課が連携して人材要件を定義します。")
    build_bm25_index([*PASSAGES[:2], extra], tmp_path / "g2", previous_dir=tmp_path / "g1")
    meta = json.loads((tmp_path / "g2" / "meta.json").read_text(encoding="utf-8"))
    assert meta["reused_tokens"] == 2 and meta["count"] == 3
    index = BM25Index.load(tmp_path / "g2")
    assert index.search("人材要件の定義", 1)[0][0] == "d"
    assert all(cid != "c" for cid, _ in index.search("地域おこし協力隊", 3))  # removed chunk is gone


def test_bad_queries_do_not_crash(tmp_path: Path) -> None:
    build_bm25_index([*PASSAGES, make_chunk("e", "The API rate limit is 100 requests per minute.")], tmp_path / "b")
    index = BM25Index.load(tmp_path / "b")
    assert index.search("", 5) == []
    assert index.search("   \n\t", 5) == []
    assert index.search("？！＃＄％…", 5) == []
    assert index.search("API rate limit", 5)[0][0] == "e"
    long_hits = index.search("面接の質問" * 2000, 5)  # 10,000 characters
    assert long_hits and long_hits[0][0] == "b"
    assert index.search("募集", 0) == []


def test_empty_index(tmp_path: Path) -> None:
    build_bm25_index([], tmp_path / "empty")
    index = BM25Index.load(tmp_path / "empty")
    assert len(index) == 0
    assert index.search("人材", 5) == []
