"""`dxhire bench ingest PATH...`: prints ingest throughput (pages/s, chunks/s, seconds, peak RSS)."""

from __future__ import annotations

from pathlib import Path

import typer

from app.cli.common import fail, load_settings, print_json


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("ingest")
    def bench_ingest(
        paths: list[Path] = typer.Argument(..., help="files or folders, e.g. ../shared/fixtures/pdfs/cio-jp/"),  # noqa: B008
        as_json: bool = typer.Option(False, "--json", help="print the numbers as JSON"),
    ) -> None:
        """取り込み速度を測ります（一時的な索引に取り込み） / measure ingest throughput into a temporary index."""
        from evals.bench.ingest import run_ingest_bench

        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            fail(f"見つかりません / not found: {', '.join(missing)}")
        result = run_ingest_bench(paths, load_settings())
        if as_json:
            print_json(result)
            return
        e = result["extract_only"]
        typer.echo(
            f"ingest: {result['files']} files, {result['pages']} pages, {result['chunks']} chunks in "
            f"{result['seconds']} s -> {result['pages_per_s']} pages/s, {result['chunks_per_s']} chunks/s "
            f"(embed {result['embed']}, chunk_size {result['chunk_size']})\n"
            f"load+chunk only: {e['pages']} pages in {e['seconds']} s -> {e['pages_per_s']} pages/s\n"
            f"unchanged re-run: {result['unchanged_rerun_seconds']} s ({result['unchanged_rerun_ingested']} re-ingested)\n"
            f"peak RSS: {result['peak_rss_mb']} MB"
        )
