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


STEPS = "確保の手順は、業務課題の特定、人材要件の定義、人材の選定、人材の受け入れの四段階です"


def test_ask_json_shape(use_pipeline) -> None:
    use_pipeline(scripted(f"{STEPS}[1]。架空の制度も使えます[8]。"))
    result = runner.invoke(make_app(), ["ask", "確保の手順は？", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["answer", "abstained", "evidence", "citations", "flags", "timings"]
    assert data["abstained"] is False
    assert list(data["citations"][0]) == ["n", "title", "kind", "source", "page", "heading", "text"]
    assert data["citations"][0]["n"] == 1
    assert "[8]" not in data["answer"] and "synthesis_sentence_removed" in data["flags"]
    assert {"retrieve_s", "evidence_s", "total_s"} <= set(data["timings"])
    assert data["timings"]["evidence_s"] <= data["timings"]["total_s"]


def test_ask_json_evidence_spans_index_into_the_cited_passage(use_pipeline) -> None:
    use_pipeline(scripted(f"{STEPS}[1]。"))
    data = json.loads(runner.invoke(make_app(), ["ask", "確保の手順は？", "--json"]).stdout)
    assert data["evidence"], data
    cited = {c["n"]: c for c in data["citations"]}
    for e in data["evidence"]:
        assert list(e) == ["n", "text", "source", "page", "heading", "span"]
        start, end = e["span"]
        passage = cited[e["n"]]["text"]
        assert 0 <= start < end <= len(passage)
        assert passage[start:end].strip() == e["text"] and e["source"] == cited[e["n"]]["source"]
    assert "人材要件の定義" in data["evidence"][0]["text"]


def test_ask_json_abstains(use_pipeline) -> None:
    use_pipeline(scripted("x"))
    data = json.loads(runner.invoke(make_app(), ["ask", "市民税の納付方法", "--json"]).stdout)
    assert data["abstained"] is True and data["citations"] == []


def test_ask_plain_prints_evidence_then_the_synthesis_then_sources(use_pipeline) -> None:
    use_pipeline(scripted("四段階で進めます[1]。"))
    result = runner.invoke(make_app(), ["ask", "確保の手順は？"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    evidence, summary, sources = out.index("資料の該当箇所"), out.index("まとめ"), out.index("出典")
    assert evidence < out.index(f"[1] {STEPS}。") < summary < out.index("四段階で進めます[1]。") < sources
    assert "外部デジタル人材の確保の手順（要約（ガイドブック概要））" in out[evidence:summary]  # title（種別）


def test_ask_plain_prints_the_checked_text_when_the_check_changed_it(use_pipeline) -> None:
    use_pipeline(scripted(f"{STEPS}[1]。架空の制度も使えます[8]。"))
    out = runner.invoke(make_app(), ["ask", "確保の手順は？"]).stdout
    streamed_end = out.index("架空の制度も使えます[8]。")
    checked = out.index("確認したまとめ", streamed_end)
    assert "[8]" not in out[checked:out.index("出典")]
    assert "検証メモ: " in out and "synthesis_sentence_removed" not in out  # Japanese only


def test_ask_plain_abstention_has_no_evidence_block(use_pipeline) -> None:
    use_pipeline(scripted("x"))
    out = runner.invoke(make_app(), ["ask", "市民税の納付方法"]).stdout
    assert "資料の該当箇所" not in out and "まとめ" not in out and out.strip()


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


def test_where_drops_a_heading_that_only_repeats_the_title() -> None:
    from app.schemas import Citation

    cite = Citation(n=1, title="地域活性化起業人（企業派遣型・副業型）", kind="support-scheme", source="s.md",
                    heading="地域活性化起業人(企業派遣型・副業型) > 使うときの注意", text="x")
    assert ask_cmd._where(cite) == "使うときの注意"
    assert ask_cmd._where(cite.model_copy(update={"heading": "地域活性化起業人（企業派遣型・副業型）"})) == ""
    assert ask_cmd._where(cite.model_copy(update={"page": 12})) == "p.12"
    assert ask_cmd._where(cite.model_copy(update={"heading": "別の章 > 節"})) == "別の章 > 節"
