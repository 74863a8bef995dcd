"""`dxhire ask` / `dxhire chat` with a fake pipeline: exact JSON shape, one-line errors, no stack traces."""

from __future__ import annotations

import json

import pytest
import typer
from answer_fakes import KeywordRetriever, scripted
from typer.testing import CliRunner

import app.answer.pipeline as pipeline_mod
from app.answer.pipeline import AnswerPipeline
from app.cli import ask_cmd
from app.models.fake import FakeChatModel

runner = CliRunner()


def make_app() -> typer.Typer:
    cli = typer.Typer()
    ask_cmd.register(cli)
    return cli


@pytest.fixture
def use_pipeline(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.setenv("DXHIRE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DXHIRE_ABSTAIN_THRESHOLD", "0.8")

    def install(llm):
        monkeypatch.setattr(pipeline_mod, "build_answer_pipeline",
                            lambda settings, llm_=None, retriever=None: AnswerPipeline(settings, llm, KeywordRetriever()))
    return install


def test_ask_json_shape(use_pipeline) -> None:
    use_pipeline(scripted("四段階です[1]。架空[8]。"))
    result = runner.invoke(make_app(), ["ask", "確保の手順は？", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["answer", "abstained", "citations", "flags", "timings"]
    assert data["abstained"] is False
    assert list(data["citations"][0]) == ["n", "title", "kind", "source", "page", "heading", "text"]
    assert data["citations"][0]["n"] == 1
    assert "invalid_citation_removed" in data["flags"]
    assert {"retrieve_s", "total_s"} <= set(data["timings"])


def test_ask_json_abstains(use_pipeline) -> None:
    use_pipeline(scripted("x"))
    data = json.loads(runner.invoke(make_app(), ["ask", "市民税の納付方法", "--json"]).stdout)
    assert data["abstained"] is True and data["citations"] == []


def test_ask_plain_prints_sources(use_pipeline) -> None:
    use_pipeline(scripted("四段階です[1]。"))
    result = runner.invoke(make_app(), ["ask", "確保の手順は？"])
    assert result.exit_code == 0 and "出典" in result.stdout and "[1]" in result.stdout


def test_empty_question_one_line_exit_2(use_pipeline) -> None:
    use_pipeline(scripted("x"))
    result = runner.invoke(make_app(), ["ask", "  "])
    assert result.exit_code == 2
    assert "質問が空です" in result.stderr and "Traceback" not in result.output + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_model_one_line_exit_1(use_pipeline) -> None:
    def boom(_m):
        raise ConnectionError("Connection refused")

    use_pipeline(FakeChatModel(boom))
    result = runner.invoke(make_app(), ["ask", "確保の手順は？", "--json"])
    assert result.exit_code == 1
    assert "DXHIRE_LLM_BASE_URL" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_chat_streams_and_remembers(use_pipeline) -> None:
    llm = FakeChatModel(
        lambda m: "地域活性化起業人の予算は？" if "書き換え" in m[0].content else "年度ごとです[1]。",
    )
    use_pipeline(llm)
    result = runner.invoke(make_app(), ["chat"], input="地域活性化起業人とは？\nそれの予算は？\n/exit\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("年度ごとです[1]。") == 2
    assert sum("書き換え" in c[0].content for c in llm.calls) == 1
