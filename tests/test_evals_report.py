"""Metrics, pass/fail decisions, the CI gate, report files and the baseline comparison."""

from __future__ import annotations

import json
from pathlib import Path

from evals.gate import check, load_thresholds
from evals.metrics import ItemResult, decide, retrieval_scores, score_sections, score_text, summarize
from evals.report import compare, format_comparison, load_report, write_reports
from evals.schema import EvalItem


def _qa(**kw) -> EvalItem:
    return EvalItem(id=kw.pop("id", "q1"), question="地域活性化起業人の上限は？", **kw)


def test_retrieval_scores_count_documents_once() -> None:
    ranked = [("a", "A"), ("a", "A"), ("b", "B"), ("gold", "G")]
    assert retrieval_scores(["gold"], ranked) == (True, 1 / 3)
    assert retrieval_scores(["G"], ranked) == (True, 1 / 3)  # a title works as a gold source too
    assert retrieval_scores(["missing"], ranked) == (False, 0.0)
    assert retrieval_scores(["gold"], ranked, k=2) == (False, 1 / 3)


def test_score_text_and_decide_explain_failures() -> None:
    item = _qa(reference_facts=["560万円", "特別交付税"], must_not=["上限は650万円"])
    res = ItemResult(id=item.id, kind="qa", abstention_correct=True)
    score_text(res, item, "上限は650万円です。特別交付税の対象です。")
    decide(res, item)
    assert res.fact_coverage == 0.5 and res.must_not_violations == 1
    assert not res.passed and any("上限は650万円" in r for r in res.reasons)
    good = ItemResult(id=item.id, kind="qa", abstention_correct=True)
    score_text(good, item, "上限は¥5,600,000で、特別交付税で措置されます。上限は650万円ではありません。")
    decide(good, item)
    assert good.passed and good.fact_coverage == 1.0 and good.must_not_violations == 0


def test_abstain_item_fails_when_model_answers() -> None:
    item = EvalItem(id="ab", kind="abstain", question="市民税の納付方法は？")
    res = ItemResult(id="ab", kind="abstain", abstention_correct=False)
    decide(res, item)
    assert not res.passed and res.reasons == ["did not abstain"]


def test_sections_and_set_errors_in_summary() -> None:
    item = EvalItem(id="d", kind="posting", profile={"issues": ["x"]}, required_sections=["報酬", "問い合わせ先"])
    draft = ItemResult(id="d", kind="posting", latency_s=10.0)
    score_sections(draft, item, ["報酬", "業務内容"])
    decide(draft, item)
    assert draft.section_coverage == 0.5 and draft.missing_sections == ["問い合わせ先"] and not draft.passed
    set_err = ItemResult(id="s", kind="qa", status="set_error", errors=["gold source not in index: x"])
    decide(set_err, _qa(id="s"))
    qa = ItemResult(id="q", kind="qa", hit_at_k=True, reciprocal_rank=0.5, fact_coverage=1.0, abstention_correct=True,
                    latency_s=2.0)
    decide(qa, _qa(id="q"))
    summary = summarize([draft, set_err, qa])
    assert summary["items"] == 3 and summary["set_errors"] == 1
    assert summary["hit@5"] == 1.0 and summary["mrr"] == 0.5  # the set error does not count as a retrieval miss
    assert summary["section_coverage"] == 0.5 and summary["p50_s"] == 6.0
    assert summary["passed"] == 1 and summary["failed"] == 1


def _report(items: list[dict]) -> dict:
    return {"summary": {"items": len(items), "fact_coverage": 0.5, "must_not_violations": 1}, "items": items}


def _item(id_: str, passed: bool, cov: float, violations: int = 0) -> dict:
    return {"id": id_, "passed": passed, "fact_coverage": cov, "must_not_violations": violations,
            "invalid_citations": 0, "reasons": [] if passed else ["facts missed: x"], "status": "ok", "kind": "qa"}


def test_baseline_comparison_lists_improvements_and_regressions() -> None:
    old = _report([_item("a", False, 0.0), _item("b", True, 1.0), _item("c", True, 1.0), _item("gone", True, 1.0)])
    new = _report([_item("a", True, 1.0), _item("b", False, 0.0), _item("c", True, 1.0), _item("fresh", True, 1.0)])
    new["summary"]["must_not_violations"] = 0
    comp = compare(old, new)
    assert [c.id for c in comp.improvements] == ["a"]
    assert [c.id for c in comp.regressions] == ["b"]
    assert comp.new == ["fresh"] and comp.removed == ["gone"]
    assert comp.summary_delta == {"must_not_violations": -1}
    text = format_comparison(comp)
    assert "REGRESSED b" in text and "IMPROVED  a" in text and "(better)" in text


def test_same_pass_but_more_violations_is_a_regression() -> None:
    comp = compare(_report([_item("a", False, 0.5, 0)]), _report([_item("a", False, 0.5, 2)]))
    assert [c.id for c in comp.regressions] == ["a"]


def test_report_files_are_written_and_readable(tmp_path: Path) -> None:
    res = ItemResult(id="q<1>", kind="qa", question="質問", answer="回答です[1]。", passed=False,
                     reasons=["facts missed: 560万円"], sources=["scheme-kigyojin"], gold_sources=["scheme-kigyojin"])
    report = {"summary": summarize([res]), "items": [res.model_dump()], "load_errors": ["f.yaml:3: bad"], "meta": {}}
    report["comparison"] = compare(report, report).model_dump()
    paths = write_reports(report, tmp_path / "out")
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["items"][0]["id"] == "q<1>"
    md = paths["md"].read_text(encoding="utf-8")
    assert "q<1>" in md and "facts missed: 560万円" in md and "f.yaml:3: bad" in md and "回答です[1]。" in md
    html = paths["html"].read_text(encoding="utf-8")
    assert "q&lt;1&gt;" in html and "<script" not in html
    assert load_report(paths["json"])["summary"]["items"] == 1


def test_load_report_rejects_non_reports(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    for path in (bad, tmp_path / "missing.json"):
        try:
            load_report(path)
        except ValueError as exc:
            assert "baseline" in str(exc)
        else:
            raise AssertionError("expected ValueError")


def test_gate_checks_min_max_and_missing_metrics() -> None:
    limits = {"hit@5": {"min": 0.8}, "must_not_violations": {"max": 0}, "mrr": {"min": 0.5}}
    assert check({"hit@5": 0.9, "must_not_violations": 0, "mrr": 0.6}, limits) == []
    failures = check({"hit@5": 0.7, "must_not_violations": 2, "mrr": None}, limits)
    assert len(failures) == 3 and any("not measured" in f for f in failures)


def test_thresholds_file_has_ci_and_full_profiles() -> None:
    data = load_thresholds()
    assert {"ci", "full"} <= set(data)
    assert "hit@5" in data["ci"] and "fact_coverage" in data["full"]


def test_report_lists_the_five_worst_items_with_why() -> None:
    from evals.report import to_markdown, worst_items

    items = [{"id": f"d{n}", "kind": "posting", "status": "ok", "passed": n > 6, "fact_coverage": n / 10,
              "must_not_violations": 0, "invalid_citations": 0, "reasons": [f"facts missed: f{n}"]} for n in range(9)]
    worst = worst_items({"items": items})
    assert [i["id"] for i in worst] == ["d0", "d1", "d2", "d3", "d4"]
    md = to_markdown({"summary": {}, "items": items})
    assert "worst items" in md and "1. **d0** (posting): FAIL facts=0.00 (facts missed: f0)" in md


def test_fewer_failures_and_form_defects_read_as_better() -> None:
    from evals.report import Comparison, format_comparison

    text = format_comparison(Comparison(summary_delta={"failed": -5, "form_defects": -2, "passed": 5}))
    assert "failed: -5 (better)" in text and "form_defects: -2 (better)" in text and "passed: +5 (better)" in text
