"""`dxhire feedback export FILE`: turn the answers staff rated in the chat into eval cases (JSONL)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, load_settings, print_json


def register(app: typer.Typer) -> None:
    feedback_app = typer.Typer(help="チャットの評価 / feedback given in the chat", no_args_is_help=True)
    app.add_typer(feedback_app, name="feedback")

    @feedback_app.command("export")
    def export(
        file: Annotated[Path, typer.Argument(help="書き出し先のJSONL / output JSONL file")],
        as_json: Annotated[bool, typer.Option("--json", help="件数をJSONで表示 / print the count as JSON")] = False,
    ) -> None:
        """評価を評価ケース(JSONL)として書き出します / export feedback as eval cases (reference facts left empty)."""
        from app.feedback import FeedbackStore

        settings = load_settings()
        if not settings.feedback_db.exists():
            fail(f"フィードバックがまだありません（{settings.feedback_db}） / no feedback recorded yet")
        if file.parent and not file.parent.exists():
            fail(f"書き出し先のフォルダがありません: {file.parent} / folder does not exist")
        try:
            count = FeedbackStore(settings.feedback_db).export_eval_cases(file)
        except OSError as exc:
            fail(f"書き出せません: {file} / cannot write ({exc.strerror or exc})")
        if as_json:
            print_json({"path": str(file), "cases": count})
        else:
            typer.echo(f"{count}件を書き出しました / wrote {count} cases: {file}")
