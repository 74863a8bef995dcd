"""`dxhire bench answer`: answer latency with the configured (default: embedded) model."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.ask_cmd import LLMOption
from app.cli.common import fail, load_settings, print_json
from app.models.registry import resolve


def bench_answer(
    llm: LLMOption = None,
    limit: Annotated[int | None, typer.Option(help="最初の N 問だけ / only the first N questions")] = None,
    max_tokens: Annotated[int | None, typer.Option(help="生成トークン上限 / override DXHIRE_LLM_MAX_TOKENS")] = None,
    show_answers: Annotated[bool, typer.Option("--show-answers", help="回答も表示 / print the answers")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="JSON を出力 / print JSON")] = False,
    draft: Annotated[bool, typer.Option("--draft/--no-draft", help="最後に募集要項を1件起案してから最大RSSを測る")] = True,
) -> None:
    """10 問の固定質問で最初のトークンまでの時間・総時間・tokens/s、起案1件の後の最大RSSを測る / answer latency and
    footprint benchmark."""
    from evals.bench.answer import run_benchmark

    settings = load_settings()
    update: dict[str, object] = {}
    if llm is not None:
        update["llm_backend"] = resolve(llm.value).name
    if max_tokens is not None:
        update["llm_max_tokens"] = max_tokens
    if update:
        settings = settings.model_copy(update=update)
    try:
        result = run_benchmark(settings, limit=limit, echo=(lambda _l: None) if json_out else typer.echo,
                               show_answers=show_answers, draft=draft)
    except Exception as exc:  # LLMError / StoreError name the setting; one line, no stack trace
        fail(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    if json_out:
        print_json(result)


def register(bench_app: typer.Typer) -> None:
    bench_app.command("answer")(bench_answer)
