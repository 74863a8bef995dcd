"""`dxhire` command line: a thin layer over the core.

Each verb group lives in its own module with a ``register(app)`` function, so the CLI stays a list of
entry points and no command holds logic the Gradio app would need too.
"""

from __future__ import annotations

import importlib

import typer

from app.config import disable_telemetry

COMMAND_MODULES = ["ingest_cmd", "ask_cmd", "draft_cmd", "eval_cmd", "bench_cmd", "serve_cmd", "feedback_cmd",
                   "find_cmd", "case_cmd"]

app = typer.Typer(
    name="dxhire",
    help="外部デジタル人材の確保を支援するアシスタント / assistant for securing external digital talent",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"app.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"app.cli.{name}":
                continue  # verb group not built yet
            raise
        module.register(app)


def main() -> None:
    disable_telemetry()
    _register_all()
    app()
