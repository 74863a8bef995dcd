"""Per-item results and the aggregated summary.

Every number in a report is computed here from plain data (answer text, citations, hit doc ids), so the
scoring can be tested without a model, an index or the CLI.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from app.checks.answer_form import check_answer_form
from app.flags import explain
from evals.matchers import EmbedFn, check_citations, match_fact, match_must_not, section_present
from evals.schema import DRAFT_KINDS, EvalItem

PASS_FACT_COVERAGE = 0.5
"""An answer passes when it states at least half of its reference facts (and breaks no other rule)."""
RETRIEVAL_K = 5


class FactResult(BaseModel):
    fact: str
    found: bool
    matcher: str = Field(description="The deciding matcher that found it (substring | statement), or none.")
    sentence: str = ""
    score: float = 0.0
    terms_found: list[str] = Field(default_factory=list, description="Statement matcher: terms in the best window.")
    terms_missing: list[str] = Field(default_factory=list)
    terms_given: list[str] = Field(default_factory=list, description="Left implicit, named by the question.")
    evidence: dict[str, float] = Field(default_factory=dict, description="Every matcher's best score.")


class MustNotResult(BaseModel):
    claim: str
    violated: bool
    matcher: str
    sentence: str = ""


class FormIssueResult(BaseModel):
    """A defect of the answer's form (app/checks/answer_form.py): the flag code, its Japanese explanation, a detail."""

    code: str
    ja: str = ""
    detail: str = ""


class PassageRef(BaseModel):
    """A passage the answer was written from (the retrieved hits), kept so a report can be re-scored later."""

    title: str = ""
    source: str = ""
    text: str = ""


class CitationResult(BaseModel):
    n: int
    valid: bool
    reason: str
    title: str = ""
    source: str = ""
    score: float = 0.0


class ItemResult(BaseModel):
    """Everything a reader needs to see why one item passed or failed."""

    id: str
    kind: str
    status: str = Field("ok", description="ok | set_error (the item or index is wrong) | error (the run crashed)")
    passed: bool = False
    reasons: list[str] = Field(default_factory=list)
    question: str = ""
    answer: str = ""
    synthesis: str | None = None
    """The model's checked part of an answer (the rest of `answer` is verbatim evidence); answer-form checks read it."""
    abstained: bool | None = None
    sources: list[str] = Field(default_factory=list, description="Doc ids retrieved, best first.")
    gold_sources: list[str] = Field(default_factory=list)
    hit_at_k: bool | None = None
    reciprocal_rank: float | None = None
    facts: list[FactResult] = Field(default_factory=list)
    fact_coverage: float | None = None
    must_not: list[MustNotResult] = Field(default_factory=list)
    must_not_violations: int = 0
    citations: list[CitationResult] = Field(default_factory=list)
    invalid_citations: int = 0
    abstention_correct: bool | None = None
    section_coverage: float | None = None
    missing_sections: list[str] = Field(default_factory=list)
    form_issues: list[FormIssueResult] = Field(default_factory=list)
    passages: list[PassageRef] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    latency_s: float | None = None
    errors: list[str] = Field(default_factory=list)
    judge: dict[str, float] = Field(default_factory=dict)


def retrieval_scores(gold: Sequence[str], ranked_docs: Sequence[tuple[str, str]], k: int = RETRIEVAL_K,
                     ) -> tuple[bool, float]:
    """hit@k and reciprocal rank of the first gold document among (doc_id, title) pairs ranked best first.
    Chunks of the same document count once (the rank is the document's first appearance)."""
    wanted = set(gold)
    seen: list[str] = []
    rank = 0
    for doc_id, title in ranked_docs:
        key = doc_id or title
        if key in seen:
            continue
        seen.append(key)
        if doc_id in wanted or title in wanted:
            rank = len(seen)
            break
    return (0 < rank <= k), (1.0 / rank if rank else 0.0)


def score_text(
    result: ItemResult, item: EvalItem, text: str, embed: EmbedFn | None = None, question: str = "",
    claims_text: str | None = None,
) -> None:
    """Fact coverage and must-not violations of an answer or a draft's full text. `question` (the item's question
    with its earlier turns) lets an answer leave the subject it asks about implicit. `claims_text` is what the
    must-not claims are checked in when it differs from `text`: an answer's synthesis, since its evidence is the
    material's own sentences (a verbatim 「企業派遣型は560万円」 shown for a 副業型 question claims nothing about 副業型)."""
    result.facts = [
        FactResult(fact=f, found=m.found, matcher=m.matcher, sentence=m.sentence[:200], score=m.score,
                   terms_found=list(m.terms_found), terms_missing=list(m.terms_missing),
                   terms_given=list(m.terms_given), evidence=dict(m.evidence))
        for f in item.reference_facts
        for m in [match_fact(f, text, embed, question=question)]
    ]
    if result.facts:
        result.fact_coverage = round(sum(f.found for f in result.facts) / len(result.facts), 4)
    result.must_not = [
        MustNotResult(claim=c, violated=m.found, matcher=m.matcher, sentence=m.sentence[:200])
        for c in item.must_not
        for m in [match_must_not(c, text if claims_text is None else claims_text, embed, question=question)]
    ]
    result.must_not_violations = sum(m.violated for m in result.must_not)


def score_form(result: ItemResult, text: str, passages: Sequence[PassageRef], question: str = "") -> None:
    """Answer-form defects (passage dump, marker-only, question echo, figure moved to another subject, non-Japanese
    characters) as per-item results; an abstention is the app's own fixed text and is not checked."""
    if result.abstained:
        result.form_issues = []
        return
    issues = check_answer_form(text, [p.text for p in passages], question, [p.title for p in passages])
    result.form_issues = [FormIssueResult(code=i.code.value, ja=explain(i.code.value), detail=i.detail)
                          for i in issues]


def score_citations(
    result: ItemResult, text: str, citations: Sequence[Any], known_chunk: Callable[[str], bool] | None,
    embed: EmbedFn | None = None,
) -> None:
    """Citations are objects with n, title, source, text, chunk_id (app.schemas.Citation)."""
    by_n = {c.n: c for c in citations}
    exists = None
    if known_chunk is not None:
        def exists(n: int) -> bool:
            return not by_n[n].chunk_id or known_chunk(by_n[n].chunk_id)
    checks = check_citations(text, {n: c.text for n, c in by_n.items()}, exists, embed)
    result.citations.extend(
        CitationResult(n=c.n, valid=c.valid, reason=c.reason, score=c.score,
                       title=getattr(by_n.get(c.n), "title", ""), source=getattr(by_n.get(c.n), "source", ""))
        for c in checks
    )
    result.invalid_citations = sum(not c.valid for c in result.citations)


def score_sections(result: ItemResult, item: EvalItem, titles: Sequence[str]) -> None:
    if not item.required_sections:
        return
    result.missing_sections = [s for s in item.required_sections if not section_present(s, titles)]
    present = len(item.required_sections) - len(result.missing_sections)
    result.section_coverage = round(present / len(item.required_sections), 4)


def decide(result: ItemResult, item: EvalItem, retrieval_only: bool = False) -> None:
    """Pass/fail with the reasons a reader can act on."""
    reasons: list[str] = []
    if result.status != "ok":
        reasons.extend(result.errors)
    elif retrieval_only:
        if result.hit_at_k is False:
            reasons.append(f"no gold source in top {RETRIEVAL_K}")
    else:
        if result.abstention_correct is False:
            reasons.append("abstained on an answerable question" if item.kind == "qa" else "did not abstain")
        if result.fact_coverage is not None and result.fact_coverage < PASS_FACT_COVERAGE:
            missed = [f.fact for f in result.facts if not f.found]
            reasons.append(f"facts missed: {'; '.join(missed)}")
        if result.must_not_violations:
            reasons.append("asserted: " + "; ".join(m.claim for m in result.must_not if m.violated))
        if result.invalid_citations:
            reasons.append(f"{result.invalid_citations} invalid citation(s)")
        if result.missing_sections:
            reasons.append("missing sections: " + "; ".join(result.missing_sections))
        for issue in result.form_issues:
            reasons.append(f"form: {issue.code} ({issue.detail})")
    result.reasons = reasons
    result.passed = result.status == "ok" and not reasons


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def summarize(results: Sequence[ItemResult]) -> dict[str, Any]:
    """The aggregate: the issue's keys first, then counts that explain them. Set errors and crashed items are
    counted apart and left out of the model metrics (they say nothing about the model)."""
    ok = [r for r in results if r.status == "ok"]
    citations = [c for r in ok for c in r.citations]
    answered = [r for r in ok if r.abstained is False]  # answers the model wrote (drafts leave abstained unset)
    facts = [f for r in ok for f in r.facts]
    latencies = [r.latency_s for r in ok if r.latency_s is not None]
    return {
        "items": len(results),
        "fact_coverage": _mean([r.fact_coverage for r in ok if r.fact_coverage is not None]),
        "must_not_violations": sum(r.must_not_violations for r in ok),
        "invalid_citations": sum(r.invalid_citations for r in ok),
        "abstention_accuracy": _mean([float(r.abstention_correct) for r in ok if r.abstention_correct is not None]),
        "hit@5": _mean([float(r.hit_at_k) for r in ok if r.hit_at_k is not None]),
        "mrr": _mean([r.reciprocal_rank for r in ok if r.reciprocal_rank is not None]),
        "section_coverage": _mean([r.section_coverage for r in ok if r.section_coverage is not None]),
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "citation_validity": _mean([float(c.valid) for c in citations]),
        "citations": len(citations),
        "passed": sum(r.passed for r in results),
        "failed": sum(not r.passed and r.status == "ok" for r in results),
        "set_errors": sum(r.status == "set_error" for r in results),
        "errors": sum(r.status == "error" for r in results),
        "draft_warnings": sum(len(r.warnings) for r in ok if r.kind in DRAFT_KINDS),
        "facts_found": sum(f.found for f in facts),
        "facts_total": len(facts),
        "form_defects": sum(bool(r.form_issues) for r in answered),
        "form_defect_rate": _mean([float(bool(r.form_issues)) for r in answered]),
        "form_issues": {code: n for code, n in sorted(Counter(i.code for r in answered for i in r.form_issues).items())},
        "judge_faithfulness": _mean([r.judge["faithfulness"] for r in ok if "faithfulness" in r.judge]),
        "judge_relevance": _mean([r.judge["relevance"] for r in ok if "relevance" in r.judge]),
    }
