"""`dxhire bench load`: many chat sessions through the Gradio queue on 127.0.0.1, concurrency 1 vs N in one run."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.common import fail, load_settings, print_json


def bench_load(
    sessions: Annotated[int, typer.Option(min=1, max=500, help="同時セッション数 / concurrent chat sessions")] = 50,
    turns: Annotated[int, typer.Option(min=1, max=5, help="1セッションの質問数（2問目以降は続きの質問）")] = 2,
    concurrency: Annotated[list[int] | None, typer.Option(
        "--concurrency", help="DXHIRE_LLM_CONCURRENCY の値（繰り返し可、既定: 1 と設定値）")] = None,
    token_delay: Annotated[float, typer.Option(help="スタブLLMの1トークンあたりの秒数 / stub seconds per token")] = 0.02,
    real_llm: Annotated[bool, typer.Option("--real-llm", help="同梱モデルの llama.cpp サーバーを使う（遅い）")] = False,
    parallel: Annotated[int, typer.Option(min=1, max=16, help="--real-llm のスロット数 / llama.cpp slots")] = 4,
    json_out: Annotated[bool, typer.Option("--json", help="JSON を出力 / print JSON")] = False,
) -> None:
    """負荷試験（ループバックのみ）: p50/p95・エラー・混線を同時実行数ごとに表示 / loopback load test."""
    from evals.bench.load import HEADER, run_bench

    settings = load_settings()
    echo = (lambda _line: None) if json_out else typer.echo
    echo(HEADER)
    echo("|---|---|---|---|---|---|---|---|---|---|---|")
    try:
        result = run_bench(settings, sessions=sessions, turns=turns, concurrency=concurrency or None,
                           token_delay=token_delay, real_llm=real_llm, parallel=parallel, echo=echo)
    except Exception as exc:  # a server that did not start: one line
        fail(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    if json_out:
        print_json(result)


def register(bench_app: typer.Typer) -> None:
    bench_app.command("load")(bench_load)
