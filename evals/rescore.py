"""Re-score the answers saved in a report with today's matchers and form checks: no model call, no retrieval.

The answers of an embedded run cost an hour; the instrument that scores them changes more often. Any report.json
works — one written by this version or an earlier one (`items[].answer`, `items[].facts[].fact`,
`must_not[].claim`): facts, must-not claims and form checks are scored again; retrieval, abstention, citations and
section coverage are what the run recorded (they need the run's passages and index). Passages for the form checks
come from the report (`items[].passages`, written since this version) or, for older reports, from the corpus
documents the answer cited.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.matchers import EmbedFn
from evals.metrics import ItemResult, PassageRef, decide, score_form, score_text, summarize
from evals.report import compare
from evals.schema import DRAFT_KINDS, EvalItem


def _passages(raw: dict[str, Any], corpus_dir: Path | None) -> list[PassageRef]:
    if raw.get("passages"):
        return [PassageRef.model_validate(p) for p in raw["passages"]]
    out: list[PassageRef] = []
    if corpus_dir is None:
        return out
    seen: set[str] = set()
    for cite in raw.get("citations", []):
        source = str(cite.get("source") or "")
        if not source or source in seen:
            continue
        seen.add(source)
        path = Path(source)
        for candidate in (path, corpus_dir / path.name, corpus_dir.parent / path):
            if candidate.is_file():
                out.append(PassageRef(title=str(cite.get("title") or ""), source=source,
                                      text=candidate.read_text(encoding="utf-8")))
                break
    return out


def _question(raw: dict[str, Any]) -> tuple[str, str]:
    """(scored question, question with its earlier turns) from the report's `question` (turns joined by →)."""
    full = str(raw.get("question") or "")
    parts = [p.strip() for p in full.split("→")]
    return parts[-1], " ".join(parts)


def rescore_item(raw: dict[str, Any], embed: EmbedFn | None = None, corpus_dir: Path | None = None,
                 retrieval_only: bool = False) -> ItemResult:
    """One saved item scored again (an item that errored or had a set error keeps its status)."""
    result = ItemResult.model_validate(raw)
    if result.status != "ok" or not result.answer and not raw.get("facts"):
        return result
    question, context = _question(raw)
    item = EvalItem.model_construct(
        id=result.id, kind=result.kind, question=question, turns=[], profile=None,
        reference_facts=[f["fact"] for f in raw.get("facts", [])],
        must_not=[m["claim"] for m in raw.get("must_not", [])], gold_sources=list(result.gold_sources),
        required_sections=[], interview_minutes=60, notes="", source_file="", source_line=0,
    )
    is_draft = result.section_coverage is not None or (result.kind in DRAFT_KINDS and result.abstained is None)
    score_text(result, item, result.answer, embed, question="" if is_draft else context, claims_text=result.synthesis)
    if not is_draft:
        result.passages = _passages(raw, corpus_dir)
        score_form(result, result.synthesis if result.synthesis is not None else result.answer, result.passages,
                   question)
        if not raw.get("passages"):
            result.passages = []  # documents read only for this check; not written back as if they were passages
    decide(result, item, retrieval_only)
    return result


def rescore_report(
    report: dict[str, Any], embed: EmbedFn | None = None, corpus_dir: Path | None = None, source: str = "",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The report scored again: same shape as a run's report, with `meta.rescored_from`, the summary of the report
    as it was (`rescore.previous_summary`) and the per-item comparison with it."""
    results = []
    items = report.get("items", [])
    for n, raw in enumerate(items, start=1):
        results.append(rescore_item(raw, embed, corpus_dir, bool(report.get("meta", {}).get("retrieval_only"))))
        if progress is not None:
            progress(f"[{n}/{len(items)}] {raw.get('id')}")
    meta = dict(report.get("meta", {}))
    meta.update({"rescored_from": source, "embed_matcher": embed is not None})
    out = {"summary": summarize(results), "items": [r.model_dump() for r in results],
           "load_errors": list(report.get("load_errors", [])), "meta": meta}
    out["rescore"] = {"from": source, "previous_summary": report.get("summary", {})}
    out["comparison"] = compare(report, out).model_dump()
    return out
