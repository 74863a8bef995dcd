"""`dxhire bench retrieval`: retrieval quality and latency of dense / BM25 / hybrid / rerank / naive LangChain."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, load_settings, print_json


def _parse_ks(text: str) -> list[int]:
    try:
        ks = sorted({int(p) for p in text.split(",") if p.strip()})
    except ValueError:
        fail(f"--k は 1,5,10 の形で指定してください / --k must look like 1,5,10 (got {text!r})", code=2)
    if not ks or ks[0] < 1:
        fail(f"--k は正の整数です / --k values must be positive (got {text!r})", code=2)
    return ks


def bench_retrieval(
    corpus: Annotated[Path | None, typer.Option(help="コーパス jsonl {id,title,text} / corpus file")] = None,
    queries: Annotated[Path | None, typer.Option(help="質問 jsonl {qid,query,relevant} / queries file")] = None,
    k: Annotated[str, typer.Option("--k", help="recall@k の k / cut-offs, e.g. 1,5,10")] = "1,5,10",
    limit: Annotated[int | None, typer.Option(min=1, help="固定シードで N 問を抽出 / sample N queries")] = None,
    synthetic_chunks: Annotated[
        int | None,
        typer.Option(min=1, help="遅延計測: コーパスの文から N チャンクを作り p50/p95 を測る / latency bench with N chunks"),
    ] = None,
    append_choices: Annotated[
        bool, typer.Option("--append-choices", help="選択肢を質問に付けて検索 / search question + its choices")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="JSON を出力 / print JSON")] = False,
) -> None:
    """一時ストアに索引を作り、各方式の recall@k・hit@k・MRR@10・nDCG@10・遅延を比較（関連文書のない質問は平均から除外し件数を表示）/ compare retrieval methods."""
    from evals.bench.retrieval import BenchDataError, format_table, run_benchmark, run_latency, to_json_payload

    if corpus is None or queries is None:
        fail("--corpus と --queries が必要です / --corpus and --queries are required", code=2)
    ks = _parse_ks(k)
    settings = load_settings()
    progress = None if json_out else (lambda m: typer.echo(m, err=True))
    try:
        if synthetic_chunks is not None:
            result = run_latency(corpus, queries, settings, n_chunks=synthetic_chunks, n_queries=limit or 200,
                                 progress=progress)
            if json_out:
                print_json(result)
            else:
                typer.echo(" ".join(f"{key}={value}" for key, value in result.items()))
            return
        report = run_benchmark(corpus, queries, settings, ks=ks, limit=limit, progress=progress,
                               append_choices=append_choices)
    except BenchDataError as exc:
        fail(str(exc), code=2)
    except Exception as exc:  # store/model errors name their setting; one line, no stack trace
        fail(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    if json_out:
        print_json(to_json_payload(report, ks))
    else:
        typer.echo(format_table(report, ks))


def register(bench_app: typer.Typer) -> None:
    bench_app.command("retrieval")(bench_retrieval)
