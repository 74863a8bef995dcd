"""The runner and `dxhire eval` with injected fakes: scoring, set errors, crashes, reports, baseline."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from typer.testing import CliRunner

from app.schemas import Answer, Chunk, Citation, Draft, DraftSection, Hit
from evals import runner as runner_mod
from evals.runner import Collaborators, IndexInfo, extractive_reply, run_eval
from evals.schema import EvalItem


def _chunk(doc_id: str, text: str) -> Chunk:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Chunk(chunk_id=f"{doc_id}-0", text=text, source=f"corpus/{doc_id}.md", title=doc_id, kind="support-scheme",
                 doc_hash=digest, content_hash=digest, extra={"doc_id": doc_id})


KIGYOJIN = _chunk("scheme-kigyojin", "地域活性化起業人の企業派遣型は、1人あたり年間560万円を上限に特別交付税で措置されます。")
FUKUYAMA = _chunk("case-fukuyama", "福山市の戦略推進マネージャーには395人が応募しました。")


class FakeRetriever:
    def search(self, query: str, k: int | None = None, filters: Any = None) -> list[Hit]:
        order = [KIGYOJIN, FUKUYAMA] if "起業人" in query or "予算" in query else [FUKUYAMA, KIGYOJIN]
        return [Hit(chunk=c, rank=n, scores={"dense": 0.9}) for n, c in enumerate(order, start=1)]


class FakePipeline:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list]] = []

    def ask(self, question: str, history=None) -> Answer:
        self.calls.append((question, list(history or [])))
        if "爆発" in question:
            raise RuntimeError("model crashed")
        if "市民税" in question:
            return Answer(answer="資料には市民税の納付方法は含まれていません。", abstained=True)
        cit = [Citation.from_hit(1, Hit(chunk=KIGYOJIN, rank=1)), Citation.from_hit(2, Hit(chunk=FUKUYAMA, rank=2))]
        return Answer(answer="企業派遣型の上限は年間¥5,600,000です[1]。福山市も同額です[2]。上限は650万円ではありません。",
                      citations=cit)


def fake_draft(kind, profile, *, settings, llm, retriever, interview_minutes=60, **_: Any) -> Draft:
    cit = Citation.from_hit(1, Hit(chunk=FUKUYAMA, rank=1))
    return Draft(kind=kind, sections=[
        DraftSection(title="報酬", body=f"{profile.pay or '要確認'}。福山市の戦略推進マネージャーには395人が応募しました[1]。",
                     citations=[cit]),
        DraftSection(title="業務内容", body="DXの推進。"),
    ], warnings=["数値「395人」の出典を確認"])


def collaborators(pipeline: FakePipeline | None = None) -> Collaborators:
    return Collaborators(retriever=FakeRetriever(), pipeline=pipeline or FakePipeline(), draft=fake_draft,
                         index=IndexInfo(doc_ids={"scheme-kigyojin", "case-fukuyama"},
                                         chunk_ids={"scheme-kigyojin-0", "case-fukuyama-0"}))


ITEMS = [
    EvalItem(id="qa1", question="地域活性化起業人の上限は？", reference_facts=["560万円", "副業型"],
             must_not=["上限は650万円"], gold_sources=["scheme-kigyojin"]),
    EvalItem(id="mt1", turns=["地域活性化起業人とは？"], question="それの予算は？", reference_facts=["560万円"],
             gold_sources=["scheme-kigyojin"]),
    EvalItem(id="ab1", kind="abstain", question="市民税の納付方法は？"),
    EvalItem(id="set1", question="起業人", reference_facts=["x"], gold_sources=["no-such-doc"]),
    EvalItem(id="err1", question="爆発する質問"),
    EvalItem(id="po1", kind="posting", profile={"issues": ["窓口"], "pay": "日額25,000円"},
             required_sections=["報酬", "問い合わせ先"], reference_facts=["日額25,000円"],
             gold_sources=["case-fukuyama"]),
]


def test_run_eval_scores_every_kind(settings) -> None:
    pipe = FakePipeline()
    report = run_eval(ITEMS, settings, collaborators=collaborators(pipe))
    by_id = {i["id"]: i for i in report["items"]}
    qa = by_id["qa1"]
    assert qa["fact_coverage"] == 0.5 and qa["must_not_violations"] == 0  # negated 650万円 is not asserted
    assert [c["valid"] for c in qa["citations"]] == [True, False]
    assert qa["hit_at_k"] is True and qa["reciprocal_rank"] == 1.0 and not qa["passed"]
    assert ("地域活性化起業人とは？", []) in pipe.calls  # the earlier turn ran first ...
    follow_up = next(h for q, h in pipe.calls if q == "それの予算は？")
    assert follow_up and follow_up[0][0] == "地域活性化起業人とは？"  # ... and fed the follow-up's history
    assert by_id["ab1"]["abstention_correct"] is True and by_id["ab1"]["passed"]
    assert by_id["set1"]["status"] == "set_error" and "no-such-doc" in by_id["set1"]["errors"][0]
    assert by_id["err1"]["status"] == "error" and "model crashed" in by_id["err1"]["errors"][0]
    po = by_id["po1"]
    assert po["section_coverage"] == 0.5 and po["missing_sections"] == ["問い合わせ先"]
    assert po["fact_coverage"] == 1.0 and po["warnings"] and po["latency_s"] is not None
    s = report["summary"]
    assert s["items"] == 6 and s["set_errors"] == 1 and s["errors"] == 1
    assert set(["fact_coverage", "must_not_violations", "invalid_citations", "abstention_accuracy", "hit@5", "mrr",
                "section_coverage", "p50_s"]) <= set(s)


def test_partial_reports_after_every_item(settings) -> None:
    seen: list[int] = []
    run_eval(ITEMS[:3], settings, collaborators=collaborators(), on_item=lambda r: seen.append(len(r["items"])))
    assert seen == [1, 2, 3]


def test_retrieval_only_runs_no_model(settings) -> None:
    pipe = FakePipeline()
    report = run_eval(ITEMS, settings, retrieval_only=True, collaborators=collaborators(pipe), limit=3)
    assert pipe.calls == [] and report["summary"]["items"] == 3
    assert report["summary"]["hit@5"] == 1.0 and all(i["answer"] == "" for i in report["items"])


def test_extractive_fake_copies_context_with_markers() -> None:
    prompt = ("参考資料:\n<資料 1>\n[1] 起業人／支援制度の要約\n起業人は制度です。上限は560万円です。三つ目。\n</資料 1>\n"
              "<資料 2>\n[2] 福山市／事例\n福山市は公募しました。\n</資料 2>\n質問: ?")
    reply = extractive_reply([HumanMessage(content=prompt)])
    assert reply == "起業人は制度です[1]。上限は560万円です[1]。福山市は公募しました[2]。"
    assert extractive_reply([HumanMessage(content="続きの質問: それは？")]) == ""


@pytest.fixture
def cli(monkeypatch, settings, tmp_path):
    from app.cli import _register_all, app

    monkeypatch.setenv("DXHIRE_HOME", str(settings.home))
    monkeypatch.setattr(runner_mod, "build_collaborators", lambda *a, **k: collaborators())
    _register_all()
    return app


def _write_jsonl(path: Path, rows: list[dict], extra: str = "") -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n" + extra, encoding="utf-8")
    return path


def test_cli_json_reports_and_baseline(cli, tmp_path: Path) -> None:
    items = _write_jsonl(tmp_path / "hidden.jsonl", [
        {"id": "h1", "question": "地域活性化起業人の上限は？", "reference_facts": ["560万円"], "must_not": [], "kind": "qa",
         "gold_sources": ["scheme-kigyojin"], "extra": 1},
        {"id": "h2", "question": "市民税の納付方法は？", "reference_facts": [], "must_not": [], "kind": "abstain"},
    ], extra='{"id": "bad", "question": \n')
    out = tmp_path / "run1"
    res = CliRunner().invoke(cli, ["eval", "--file", str(items), "--json", "--out", str(out), "--llm", "fake"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert set(payload) == {"summary", "items"} and payload["summary"]["items"] == 2
    assert f"{items}:3" in res.stderr
    assert (out / "report.json").is_file() and (out / "report.md").is_file() and (out / "report.html").is_file()
    again = CliRunner().invoke(cli, ["eval", "--file", str(items), "--out", str(tmp_path / "run2"),
                                     "--baseline", str(out / "report.json")])
    assert again.exit_code == 0 and "improvements" in again.stdout and "regressions" in again.stdout


def test_cli_bad_inputs_are_one_line_errors(cli, tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["eval", "--set", "no-such-set"])
    assert res.exit_code == 1 and "unknown set" in res.stderr and "Traceback" not in res.output
    bad_base = tmp_path / "b.json"
    bad_base.write_text("{", encoding="utf-8")
    items = _write_jsonl(tmp_path / "i.jsonl", [{"id": "a", "question": "q"}])
    res = CliRunner().invoke(cli, ["eval", "--file", str(items), "--baseline", str(bad_base)])
    assert res.exit_code == 1 and "baseline" in res.stderr
    empty = _write_jsonl(tmp_path / "e.jsonl", [{"id": "a"}])
    res = CliRunner().invoke(cli, ["eval", "--file", str(empty)])
    assert res.exit_code == 1 and "no valid eval items" in res.stderr


def test_cli_check_gate_fails_with_exit_3(cli, tmp_path: Path) -> None:
    items = _write_jsonl(tmp_path / "i.jsonl", [{"id": "a", "question": "市民税の納付方法は？", "kind": "qa",
                                                  "reference_facts": ["存在しない事実"]}])
    res = CliRunner().invoke(cli, ["eval", "--file", str(items), "--check", "ci", "--out", str(tmp_path / "o")])
    assert res.exit_code == 3 and "gate failed" in res.stderr


def test_judge_scores_only_when_configured(settings) -> None:
    from evals.judge import judge_enabled, parse_scores

    assert not judge_enabled(settings)
    assert parse_scores('採点: {"faithfulness": 1.4, "relevance": 0.5} です') == {"faithfulness": 1.0, "relevance": 0.5}
    with pytest.raises(ValueError):
        parse_scores("わかりません")

    class Judge:
        def invoke(self, prompt: str):
            assert "企業派遣型" in prompt and "質問:" in prompt
            return type("R", (), {"content": '{"faithfulness": 0.8, "relevance": 0.9}'})()

    collab = collaborators()
    collab.judge = Judge()
    report = run_eval(ITEMS[:1], settings, collaborators=collab)
    assert report["items"][0]["judge"] == {"faithfulness": 0.8, "relevance": 0.9}
    assert report["summary"]["judge_faithfulness"] == 0.8
    plain = run_eval(ITEMS[:1], settings, collaborators=collaborators())
    assert plain["items"][0]["judge"] == {} and plain["summary"]["judge_faithfulness"] is None


def test_limit_spreads_across_kinds() -> None:
    from evals.runner import spread

    items = [EvalItem(id=f"a{i}", kind="abstain", question="q") for i in range(3)] + \
        [EvalItem(id=f"q{i}", question="q") for i in range(3)] + \
        [EvalItem(id="p0", kind="posting", profile={"issues": ["x"]})]
    assert [i.id for i in spread(items, 4)] == ["a0", "q0", "p0", "a1"]
    assert len(spread(items, 100)) == 7


class MarkerOnlyPipeline(FakePipeline):
    def ask(self, question: str, history=None) -> Answer:
        self.calls.append((question, list(history or [])))
        return Answer(answer="[1] [2]", citations=[Citation.from_hit(1, Hit(chunk=KIGYOJIN, rank=1))],
                      hits=[Hit(chunk=KIGYOJIN, rank=1), Hit(chunk=FUKUYAMA, rank=2)])


def test_form_issues_fail_the_item_with_a_reason_and_are_counted(settings) -> None:
    report = run_eval(ITEMS[:1], settings, collaborators=collaborators(MarkerOnlyPipeline()))
    item = report["items"][0]
    assert [f["code"] for f in item["form_issues"]] == ["marker_only_answer"]
    assert item["form_issues"][0]["ja"].startswith("回答に文章がなく")
    assert not item["passed"] and any(r.startswith("form: marker_only_answer") for r in item["reasons"])
    assert [p["title"] for p in item["passages"]] == ["scheme-kigyojin", "case-fukuyama"]  # kept for --rescore
    s = report["summary"]
    assert s["form_defects"] == 1 and s["form_defect_rate"] == 1.0 and s["form_issues"] == {"marker_only_answer": 1}


def test_draft_kind_with_only_a_question_is_asked_as_a_question(settings) -> None:
    item = EvalItem(id="po-q", kind="posting", question="地域活性化起業人の上限は？", reference_facts=["560万円"],
                    gold_sources=["scheme-kigyojin"])
    assert item.draft_as_question and not item.is_draft
    pipe = FakePipeline()
    got = run_eval([item], settings, collaborators=collaborators(pipe))["items"][0]
    assert pipe.calls and got["fact_coverage"] == 1.0 and got["hit_at_k"] is True
    assert got["warnings"] == ["kind=posting without a profile: evaluated as a question"]


def test_progress_lines_give_n_of_total_elapsed_and_eta(settings) -> None:
    from evals.progress import LineProgress

    lines: list[str] = []
    ticks = iter([0.0, 30.0, 60.0, 95.0])
    progress = LineProgress(lines.append, now=lambda: next(ticks))
    run_eval(ITEMS[:3], settings, collaborators=collaborators(), progress=progress)
    assert lines[0].startswith("[1/3] qa1: FAIL") and lines[0].endswith("elapsed 0:30, ETA 1:00")
    assert lines[2].startswith("[3/3] ab1: PASS") and lines[2].endswith("elapsed 1:35, ETA 0:00")


def test_cli_rescore_reads_an_old_report_and_calls_no_model(cli, tmp_path: Path, monkeypatch) -> None:
    def no_model(*a, **k):
        raise AssertionError("--rescore must not build a pipeline or call a model")

    monkeypatch.setattr(runner_mod, "build_collaborators", no_model)
    old = {"summary": {"items": 1, "fact_coverage": 0.0}, "meta": {"llm": "embedded"}, "items": [{
        "id": "st1", "kind": "qa", "status": "ok", "passed": False, "question": "ガイドブックとはどんな資料ですか？",
        "answer": "総務省の『外部デジタル人材の確保ガイドブック』は、自治体DX全体手順書の別冊で、62ページの資料です。[1]",
        "abstained": False, "facts": [{"fact": "総務省が作成した資料である", "found": False, "matcher": "none"},
                                      {"fact": "全体で約62ページある", "found": False, "matcher": "none"}],
        "must_not": [{"claim": "デジタル庁が作成した資料である", "violated": False, "matcher": "none"}],
        "citations": [], "hit_at_k": True}]}
    path = tmp_path / "old" / "report.json"
    path.parent.mkdir()
    path.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "re"
    res = CliRunner().invoke(cli, ["eval", "--rescore", str(path), "--out", str(out), "--no-embed-matcher", "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    facts = payload["items"][0]["facts"]
    assert [f["found"] for f in facts] == [True, True] and "62ページ" in facts[1]["terms_found"]
    assert payload["summary"]["fact_coverage"] == 1.0 and payload["previous_summary"]["fact_coverage"] == 0.0
    assert (out / "report.json").is_file() and json.loads((out / "report.json").read_text())["meta"]["rescored_from"]
    text = CliRunner().invoke(cli, ["eval", "--rescore", str(path), "--out", str(tmp_path / "re2"),
                                    "--no-embed-matcher"])
    assert text.exit_code == 0 and "fact_coverage: 1.0 (was 0.0)" in text.stdout
    same = CliRunner().invoke(cli, ["eval", "--rescore", str(path), "--out", str(path.parent)])
    assert same.exit_code == 1 and "--out" in same.stderr
