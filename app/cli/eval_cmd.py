"""`dxhire eval`: run eval sets (or a reviewer's JSONL file), write report.json/.md/.html, compare with a baseline.

Exit codes: 0 done, 1 cannot run (bad file, no index, model will not load), 3 `--check` gate failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, load_settings, print_json
from app.models.registry import LLMChoice


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def eval_command(
    set_name: Annotated[str | None, typer.Option("--set", help="Eval set name (file stem in evals/sets/); default all")]
    = None,
    file: Annotated[list[Path] | None, typer.Option("--file", help="Items file (.jsonl or .yaml); repeatable")] = None,
    llm: Annotated[LLMChoice | None, typer.Option(
        "--llm", help="embedded | endpoint (= openai) | fake (default: DXHIRE_LLM_BACKEND)", case_sensitive=False)] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N items")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {summary, items} as JSON")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Report folder (default: <home>/evals/last)")] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Previous report.json to compare with")] = None,
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="Retrieval metrics only (no LLM)")] = False,
    no_embed_matcher: Annotated[bool, typer.Option("--no-embed-matcher", help="Substring/bigram matchers only")]
    = False,
    check: Annotated[str | None, typer.Option("--check", help="Gate profile in evals/thresholds.yaml (ci|full)")]
    = None,
    rescore: Annotated[Path | None, typer.Option(
        "--rescore", help="Re-score the answers of a report.json with today's matchers (no model call)")] = None,
) -> None:
    """評価セットを実行してレポートを書く / run eval sets and write report.json, report.md, report.html."""
    from evals.gate import check as gate_check
    from evals.gate import load_thresholds
    from evals.progress import stderr_progress
    from evals.report import compare, format_comparison, load_report, write_reports
    from evals.runner import EvalSetupError, run_eval
    from evals.schema import load_items, set_names, set_paths

    settings = load_settings()
    if rescore is not None:
        _rescore(rescore, out or settings.home / "evals" / "rescored", as_json, not no_embed_matcher, settings)
        return
    paths = list(file or [])
    if set_name is not None:
        found = set_paths(set_name)
        if not found:
            fail(f"評価セットがありません / unknown set: {set_name} (available: {', '.join(set_names())})")
        paths += found
    if not paths:
        paths = set_paths()
    items, errors = load_items(paths)
    for err in errors:
        typer.echo(f"スキップ / skipped: {err}", err=True)
    if not items:
        fail("評価項目がありません / no valid eval items")
    old = None
    if baseline is not None:
        try:
            old = load_report(baseline)
        except ValueError as exc:
            fail(str(exc))
    out_dir = out or settings.home / "evals" / "last"

    def save_partial(partial: dict) -> None:
        write_reports(partial, out_dir)

    try:
        chosen = llm.value if llm is not None else {"openai": "endpoint"}.get(settings.llm_backend, settings.llm_backend)
        report = run_eval(items, settings, llm=chosen, limit=limit, retrieval_only=retrieval_only,
                          embed_matcher=not no_embed_matcher, load_errors=errors,
                          progress=stderr_progress(), on_item=save_partial)
    except EvalSetupError as exc:
        fail(str(exc))
    except Exception as exc:  # LLMError, StoreError …: their messages name the setting to fix
        fail(_one_line(exc))
    if old is not None:
        report["comparison"] = compare(old, report).model_dump()
    written = write_reports(report, out_dir)
    failures: list[str] = []
    if check is not None:
        limits = load_thresholds().get(check)
        if limits is None:
            fail(f"閾値プロファイルがありません / no threshold profile: {check}")
        failures = gate_check(report["summary"], limits)
    if as_json:
        print_json({"summary": report["summary"], "items": report["items"]})
    else:
        typer.echo("\n".join(f"{k}: {v}" for k, v in report["summary"].items()))
        if old is not None:
            from evals.report import Comparison

            typer.echo(format_comparison(Comparison(**report["comparison"])))
        typer.echo(f"レポート / report: {written['md']} ({written['json'].name}, {written['html'].name})")
    if failures:
        typer.echo("閾値未達 / gate failed: " + "; ".join(failures), err=True)
        raise typer.Exit(3)


def _rescore(path: Path, out_dir: Path, as_json: bool, embed_matcher: bool, settings) -> None:  # noqa: ANN001
    """`--rescore`: the saved answers scored again, written beside nothing of the original (a new folder)."""
    from evals.matchers import embed_fn_from_settings
    from evals.report import Comparison, format_comparison, load_report, write_reports
    from evals.rescore import rescore_report

    try:
        old = load_report(path)
    except ValueError as exc:
        fail(str(exc))
    if out_dir.resolve() == path.resolve().parent:
        fail(f"--out は元のレポートと別のフォルダにしてください / --out must differ from the report's folder: {out_dir}")
    try:
        embed = embed_fn_from_settings(settings) if embed_matcher else None
    except Exception as exc:  # the e5 model will not load: score without it, say so
        typer.echo(f"埋め込みなしで再採点します / scoring without the e5 matcher: {_one_line(exc)}", err=True)
        embed = None
    report = rescore_report(old, embed=embed, corpus_dir=settings.corpus_dir, source=str(path))
    written = write_reports(report, out_dir)
    if as_json:
        print_json({"summary": report["summary"], "items": report["items"],
                    "previous_summary": report["rescore"]["previous_summary"]})
        return
    before = report["rescore"]["previous_summary"]
    typer.echo("\n".join(f"{k}: {v}" + (f" (was {before[k]})" if k in before and before[k] != v else "")
                         for k, v in report["summary"].items()))
    typer.echo(format_comparison(Comparison(**report["comparison"])))
    typer.echo(f"レポート / report: {written['md']} ({written['json'].name}, {written['html'].name})")


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
