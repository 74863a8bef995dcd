"""`dxhire feedback export FILE`: the chat's ratings become eval cases; one-line errors otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.cli import COMMAND_MODULES, feedback_cmd
from app.config import Settings
from app.feedback import FeedbackStore
from app.schemas import Answer, Citation

runner = CliRunner()


def make_app() -> typer.Typer:
    cli = typer.Typer()
    cli.command()(lambda: None)  # a second command keeps typer from collapsing the group
    feedback_cmd.register(cli)
    return cli


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("DXHIRE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_registered_with_the_cli() -> None:
    assert "feedback_cmd" in COMMAND_MODULES


def test_export_writes_one_case_per_rating(home: Path, tmp_path: Path) -> None:
    store = FeedbackStore(Settings(home=home).feedback_db)
    cite = Citation(n=1, title="面接の進め方", kind="practice", source="corpus/practice-interview-selection.md",
                    heading="質問例", text="…")
    store.add("面接で何を聞く？", Answer(answer="業務課題を説明します[1]。", citations=[cite]), "helpful")
    store.add("給与は？", Answer(answer="資料にありません。", abstained=True), "incorrect", "実は記載がある")
    out = tmp_path / "cases.jsonl"
    result = runner.invoke(make_app(), ["feedback", "export", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cases"] == 2
    cases = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [c["question"] for c in cases] == ["面接で何を聞く？", "給与は？"]
    assert cases[0]["gold_sources"] == ["面接の進め方"] and cases[1]["feedback"]["comment"] == "実は記載がある"


def test_no_feedback_yet_is_one_clear_line(home: Path, tmp_path: Path) -> None:
    result = runner.invoke(make_app(), ["feedback", "export", str(tmp_path / "x.jsonl")])
    assert result.exit_code == 1
    assert "フィードバックがまだありません" in result.output and "Traceback" not in result.output


def test_missing_output_folder_is_one_clear_line(home: Path, tmp_path: Path) -> None:
    FeedbackStore(Settings(home=home).feedback_db)
    result = runner.invoke(make_app(), ["feedback", "export", str(tmp_path / "nope" / "x.jsonl")])
    assert result.exit_code == 1 and "フォルダがありません" in result.output
