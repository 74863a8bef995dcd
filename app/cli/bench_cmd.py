"""`dxhire bench …`: benchmarks that print numbers (retrieval quality/latency, answer latency, ingest throughput)."""

from __future__ import annotations

import importlib

import typer

BENCH_MODULES = ["bench_retrieval", "bench_answer", "bench_ingest", "bench_load"]


def register(app: typer.Typer) -> None:
    bench_app = typer.Typer(help="ベンチマーク / benchmarks that print numbers", no_args_is_help=True)
    for name in BENCH_MODULES:
        try:
            module = importlib.import_module(f"app.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"app.cli.{name}":
                continue
            raise
        module.register(bench_app)
    app.add_typer(bench_app, name="bench")
