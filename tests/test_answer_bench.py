"""The answer benchmark runs end to end with fakes and reports every number the issue asks for."""

from __future__ import annotations

from answer_fakes import KeywordRetriever, scripted

from app.services import Services
from evals.bench.answer import QUESTIONS, run_benchmark


def test_benchmark_reports_latency_numbers(settings) -> None:
    s = settings.model_copy(update={"abstain_threshold": 0.8})
    retriever = KeywordRetriever(keywords={"guide-steps-0": ["ステップ", "業務課題"]})
    llm = scripted("四段階です[1]。")
    llm.delay = 0.005  # so decode time is measurable
    lines: list[str] = []
    result = run_benchmark(s, limit=3, echo=lines.append, draft=True,
                           services=Services(s, llm=llm, retriever=retriever))
    assert len(QUESTIONS) == 10
    summary = result["summary"]
    assert summary["questions"] == 3
    assert summary["abstained"] == 1  # the third question matches no keyword: dense 0.5 < 0.8
    for key in ["evidence_s", "first_token_s", "total_s", "tokens_per_s", "retrieve_s"]:
        assert summary[key]["p50"] is not None
    assert summary["peak_rss_mb"] > 10
    assert result["rows"][0]["tokens"] == len("四段階です[1]。")
    assert any("summary" in line for line in lines)
    assert result["draft"]["kind"] == "posting" and result["draft"]["sections"] > 0  # one draft after the answers
    foot = summary["footprint"]
    assert foot["peak_rss_mb"] >= foot["rss_mb"] > 10 and foot["file_rss_mb"] is not None
    assert any(line.startswith("peak RSS") and "one draft" in line for line in lines)
