"""Run eval items through retrieval, the answer pipeline and the drafting agent, and score them.

Collaborators are injected (retriever, answer pipeline, draft function, embed function) so the CI subset can
run with a fake model and tests can run without any index; `run_eval` builds the real ones from settings
when they are not given.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from app.config import PROJECT_ROOT, Settings
from app.models.registry import ALIASES, BACKEND_NAMES
from evals.matchers import EmbedFn, embed_fn_from_settings
from evals.metrics import (
    ItemResult,
    PassageRef,
    decide,
    retrieval_scores,
    score_citations,
    score_form,
    score_sections,
    score_text,
    summarize,
)
from evals.progress import Progress, as_progress
from evals.schema import EvalItem, LoadError

LLM_CHOICES = {name: name for name in BACKEND_NAMES} | ALIASES
"""`--llm` value -> backend name, from the backend registry (`endpoint` is the alias of `openai`)."""
RETRIEVE_DEPTH = 10


class EvalSetupError(RuntimeError):
    """The run cannot start (no corpus, a model that will not load …); the message names what to fix."""


@dataclass
class IndexInfo:
    """What the index holds: used to tell a set error (gold source missing) from a model failure."""

    doc_ids: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    chunk_ids: set[str] | None = None

    def has(self, source: str) -> bool:
        return source in self.doc_ids or source in self.titles

    def has_chunk(self, chunk_id: str) -> bool:
        return self.chunk_ids is None or chunk_id in self.chunk_ids


def index_info(settings: Settings) -> IndexInfo:
    from app.store import open_index

    snap = open_index(settings)
    if snap is None:
        return IndexInfo(chunk_ids=set())
    got = snap.collection.get(include=[])
    info = IndexInfo(chunk_ids=set(got["ids"]))
    info.doc_ids = snap.manifest.doc_ids()  # documents, not chunks: read once from the typed manifest
    info.titles = {title for _kind, title in snap.manifest.titles()}
    return info


# --- the fake model used by `--llm fake` and the CI subset --------------------------------------------------

_BLOCK = re.compile(r"<資料 (\d+)>\n\[\d+\][^\n]*\n(.*?)\n</資料 \1>", re.S)
_FIRST_SENTENCES = re.compile(r"[^。\n]+。")


def extractive_reply(messages: list[BaseMessage]) -> str:
    """A deterministic 'model' that copies the first sentences of the first two context blocks with their markers.
    It exercises citation parsing and the scorers on real retrieved text; for prompts without context blocks
    (follow-up rewriting, drafting) it answers empty so the pipeline uses its own fallback."""
    text = str(messages[-1].content) if messages else ""
    blocks = _BLOCK.findall(text)
    out = []
    for n, body in blocks[:2]:
        sents = _FIRST_SENTENCES.findall(body)[:2] or [body.strip()[:80]]
        out.extend(f"{s.strip()[:-1]}[{n}]。" for s in sents if s.strip())
    return "".join(out)


def fake_llm():
    from app.models.fake import FakeChatModel

    return FakeChatModel(extractive_reply)


# --- profile handling --------------------------------------------------------------------------------------


def resolve_profile(profile: dict[str, Any] | str, base: Path | None = None):
    """An inline dict or a YAML path (relative to the set file, then to the project) as a MunicipalityProfile."""
    from app.drafting.profile import MunicipalityProfile, load_profile

    if isinstance(profile, dict):
        return MunicipalityProfile.model_validate(profile)
    for candidate in [*(([base / profile]) if base else []), PROJECT_ROOT / profile, Path(profile)]:
        if candidate.is_file():
            return load_profile(candidate)
    raise FileNotFoundError(f"profile not found: {profile}")


def _draft_text(draft: Any) -> tuple[str, list[str]]:
    titles = [s.title for s in draft.sections]
    text = "\n".join(f"{s.title}\n{s.body}" for s in draft.sections)
    return text, titles


# --- the run ----------------------------------------------------------------------------------------------


@dataclass
class Collaborators:
    retriever: Any = None
    pipeline: Any = None
    draft: Callable[..., Any] | None = None
    llm: Any = None
    embed: EmbedFn | None = None
    index: IndexInfo | None = None
    judge: Any = None
    """An optional LLM judge (evals/judge.py); only built when DXHIRE_EVAL_JUDGE_BASE_URL is set."""


def build_collaborators(settings: Settings, llm: str, retrieval_only: bool, embed_matcher: bool) -> Collaborators:
    """The real retriever/pipeline/drafter for `settings`; the corpus is indexed first if it is not yet."""
    try:
        from ingest.pipeline import ensure_corpus_indexed

        ensure_corpus_indexed(settings)
    except ImportError as exc:
        raise EvalSetupError(f"取り込みモジュールがありません / ingest not available: {exc}") from exc
    from app.retrieval.hybrid import build_retriever

    collab = Collaborators(retriever=build_retriever(settings), index=index_info(settings))
    if embed_matcher:
        collab.embed = embed_fn_from_settings(settings)
    if retrieval_only:
        return collab
    if llm == "fake":
        collab.llm = fake_llm()
    else:
        from app.models.llm import get_chat_model

        collab.llm = get_chat_model(settings.model_copy(update={"llm_backend": LLM_CHOICES[llm]}))
    from app.answer import build_answer_pipeline

    collab.pipeline = build_answer_pipeline(settings, llm=collab.llm, retriever=collab.retriever)
    from evals.judge import build_judge, judge_enabled

    if judge_enabled(settings):
        collab.judge = build_judge(settings)
    try:
        from app.drafting.service import draft

        collab.draft = draft
    except ImportError:
        collab.draft = None
    return collab


def _retrieval(result: ItemResult, item: EvalItem, collab: Collaborators) -> None:
    if collab.retriever is None or not item.gold_sources:
        return
    missing = [g for g in item.gold_sources if collab.index is not None and not collab.index.has(g)]
    if missing:
        result.status = "set_error"
        result.errors.append(f"gold source not in index: {', '.join(missing)}")
        return
    hits = collab.retriever.search(item.retrieval_query, k=RETRIEVE_DEPTH)
    ranked = [(str(h.chunk.extra.get("doc_id", "")), h.chunk.title) for h in hits]
    result.sources = list(dict.fromkeys(d or t for d, t in ranked))
    result.hit_at_k, result.reciprocal_rank = retrieval_scores(item.gold_sources, ranked)


def _answer(result: ItemResult, item: EvalItem, collab: Collaborators, settings: Settings) -> None:
    history: list[tuple[str, str]] = []
    start = time.perf_counter()
    for turn in item.turns:
        earlier = collab.pipeline.ask(turn, history or None)
        history.append((earlier.standalone_question or turn, earlier.answer))  # as the chat's memory keeps it
    start = time.perf_counter()  # latency of the scored turn only
    answer = collab.pipeline.ask(item.question or "", history or None)
    result.latency_s = round(time.perf_counter() - start, 3)
    # What the reader sees is scored: the verbatim evidence and the checked synthesis under it.
    shown = answer.reader_text()
    result.answer = shown
    result.synthesis = answer.answer
    result.abstained = answer.abstained
    result.abstention_correct = answer.abstained == (item.kind == "abstain")
    result.passages = [PassageRef(title=h.chunk.title, source=h.chunk.source, text=h.chunk.text)
                       for h in answer.hits]
    score_text(result, item, shown, collab.embed, question=item.context, claims_text=answer.answer)
    score_form(result, answer.answer, result.passages, item.question or "")  # the model's part: dumps, echoes …
    known = collab.index.has_chunk if collab.index is not None else None
    score_citations(result, shown, answer.citations, known, collab.embed)
    if collab.judge is not None and not answer.abstained:
        from evals.judge import judge_answer

        try:
            result.judge = judge_answer(collab.judge, item.question or "", shown,
                                        [c.text for c in answer.citations])
        except Exception as exc:  # noqa: BLE001 - judge scores are optional; never fail the item for them
            result.warnings.append(f"judge failed: {type(exc).__name__}: {exc}"[:200])


def _draft(result: ItemResult, item: EvalItem, collab: Collaborators, settings: Settings) -> None:
    if collab.draft is None:
        result.status = "error"
        result.errors.append("drafting not available (app.drafting.service.draft)")
        return
    base = Path(item.source_file).parent if item.source_file else None
    profile = resolve_profile(item.profile, base)  # type: ignore[arg-type]
    start = time.perf_counter()
    draft = collab.draft(item.kind, profile, settings=settings, llm=collab.llm, retriever=collab.retriever,
                         interview_minutes=item.interview_minutes)
    result.latency_s = round(time.perf_counter() - start, 3)
    text, titles = _draft_text(draft)
    result.answer = text
    result.warnings = list(draft.warnings)
    score_text(result, item, text, collab.embed)
    score_sections(result, item, titles)
    known = collab.index.has_chunk if collab.index is not None else None
    for section in draft.sections:
        score_citations(result, section.body, section.citations, known, collab.embed)


def evaluate_item(item: EvalItem, collab: Collaborators, settings: Settings, retrieval_only: bool = False,
                  ) -> ItemResult:
    """One item, never raising: a crash becomes status=error with the message."""
    question = item.question or (f"[{item.kind}] {item.profile}" if isinstance(item.profile, str) else item.kind)
    if item.turns:
        question = " → ".join([*item.turns, item.question or ""])
    result = ItemResult(id=item.id, kind=item.kind, question=question, gold_sources=list(item.gold_sources))
    if item.draft_as_question:
        result.warnings.append(f"kind={item.kind} without a profile: evaluated as a question")
    try:
        _retrieval(result, item, collab)
        if result.status == "ok" and not retrieval_only:
            (_draft if item.is_draft else _answer)(result, item, collab, settings)
    except Exception as exc:  # noqa: BLE001 - one bad item must not stop the run
        result.status = "error"
        result.errors.append(f"{type(exc).__name__}: {exc}"[:300])
    decide(result, item, retrieval_only)
    return result


def spread(items: list[EvalItem], limit: int) -> list[EvalItem]:
    """The first `limit` items taken round-robin across kinds (file order within a kind), so a short run with
    `--limit` still covers qa, abstain and every draft kind."""
    by_kind: dict[str, list[EvalItem]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    out: list[EvalItem] = []
    queues = [list(v) for v in by_kind.values()]
    while len(out) < limit and any(queues):
        for queue in queues:
            if queue and len(out) < limit:
                out.append(queue.pop(0))
    return out


def run_eval(
    items: Iterable[EvalItem],
    settings: Settings,
    *,
    llm: str = "fake",
    limit: int | None = None,
    retrieval_only: bool = False,
    embed_matcher: bool = True,
    collaborators: Collaborators | None = None,
    load_errors: list[LoadError] | None = None,
    progress: Progress | Callable[[str], None] | None = None,
    on_item: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Score `items` and return the report dict: {"summary", "items", "load_errors", "meta"}. `progress` hears about
    every item (n/N, elapsed, ETA: evals/progress.py; a plain callable gets one line per item). `on_item` receives
    the report so far after every item (the CLI writes it out, so a long embedded run interrupted midway loses
    nothing)."""
    if llm not in LLM_CHOICES:
        raise EvalSetupError(f"--llm は embedded|endpoint|fake のいずれか / unknown llm: {llm}")
    chosen = spread(list(items), limit) if limit else list(items)
    collab = collaborators or build_collaborators(settings, llm, retrieval_only, embed_matcher)
    started = time.perf_counter()
    results = []
    reporter = as_progress(progress)
    reporter.start(len(chosen))
    try:
        for n, item in enumerate(chosen, start=1):
            reporter.item_started(n, item.id)
            res = evaluate_item(item, collab, settings, retrieval_only)
            results.append(res)
            reporter.item_done(n, item.id, res.passed, res.reasons)
            if on_item is not None:
                on_item(_report(results, load_errors, llm, retrieval_only, collab, started, limit))
    finally:
        reporter.close()
    return _report(results, load_errors, llm, retrieval_only, collab, started, limit)


def _report(results: list[ItemResult], load_errors: list[LoadError] | None, llm: str, retrieval_only: bool,
            collab: Collaborators, started: float, limit: int | None) -> dict[str, Any]:
    return {
        "summary": summarize(results),
        "items": [r.model_dump() for r in results],
        "load_errors": [str(e) for e in (load_errors or [])],
        "meta": {"llm": llm, "retrieval_only": retrieval_only, "embed_matcher": collab.embed is not None,
                 "wall_s": round(time.perf_counter() - started, 1), "limit": limit},
    }
