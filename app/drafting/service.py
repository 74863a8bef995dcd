"""`draft(kind, profile, …) -> Draft`: the per-section loop shared by the five workflows.

Every section is composed by its workflow's rule from the profile and the knowledge tables; the model fills only
the bounded slots some rules ask for. With `draft_model_sections` (an endpoint model) the `writable` sections are
written by the model instead, under the same validators, and the composed section replaces any that fails them.
Then the validators run over the whole draft. Per-section timings are recorded so users see where time went.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from types import ModuleType

from langchain_core.language_models import BaseChatModel

from app.config import Settings
from app.drafting.base import DraftContext
from app.drafting.generate import Retriever, SectionResult, write_section
from app.drafting.interview import check_minutes
from app.drafting.kinds import KIND_NAMES, KINDS, kind_info
from app.drafting.profile import MunicipalityProfile
from app.drafting.sections import SectionSpec
from app.drafting.textcheck import has_question
from app.drafting.validators import text_checks, unsupported_facts, validate_draft, warning_line
from app.flags import FlagCode
from app.schemas import Draft, DraftCheck, DraftKind, DraftProgress, DraftSection

LLMSource = BaseChatModel | Callable[[], BaseChatModel] | None
"""A model, a factory called at the first slot (so a draft without slots never loads a model), or None."""


class DraftError(ValueError):
    """The request cannot be drafted (wrong kind, wrong seed, bad interview length); the message names the input."""


def workflow(kind: DraftKind) -> ModuleType:
    """The module composing `kind` (app/drafting/<kind>.py), with RULES for every section title."""
    return importlib.import_module(f"app.drafting.{kind}")


def check_request(kind: str, seed: Draft | None, interview_minutes: int) -> None:
    if kind not in KINDS:
        raise DraftError(f"kind: 起案の種類は {', '.join(KIND_NAMES)} のいずれかです / unknown draft kind {kind!r}")
    info = kind_info(kind)
    if seed is not None and seed.kind not in info.seeds:
        allowed = "、".join(info.seeds) or "なし"
        raise DraftError(f"--from: {kind} の元にできる起案は {allowed} です（{seed.kind} が渡されました） / "
                         f"a {seed.kind} draft cannot seed a {kind} draft")
    if kind == "interview":
        try:
            check_minutes(interview_minutes)
        except ValueError as exc:
            raise DraftError(str(exc)) from exc


class _LazyModel:
    """Resolves an `LLMSource` once, when a slot first needs it."""

    def __init__(self, source: LLMSource) -> None:
        self._source = source
        self._model: BaseChatModel | None = source if isinstance(source, BaseChatModel) else None

    def get(self) -> BaseChatModel | None:
        if self._model is None and callable(self._source):
            self._model = self._source()
        return self._model


def draft(
    kind: DraftKind,
    profile: MunicipalityProfile,
    *,
    settings: Settings,
    llm: LLMSource,
    retriever: Retriever,
    seed: Draft | None = None,
    interview_minutes: int = 60,
    progress: Callable[[DraftProgress], None] | None = None,
    only: list[str] | None = None,
) -> Draft:
    """Draft every section of `kind` (or only the titles in `only`, for quick smoke runs)."""
    check_request(kind, seed, interview_minutes)
    info = kind_info(kind)
    module = workflow(kind)
    lazy = _LazyModel(llm)
    ctx = DraftContext(profile=profile, retriever=retriever, model=lazy.get, seed=seed,
                       interview_minutes=interview_minutes, k=min(settings.top_k, 4))
    specs = [s for s in info.specs if only is None or s.title in only]
    sections: list[DraftSection] = []
    checks: list[DraftCheck] = []
    vouched: dict[str, list[str]] = {}
    timings: dict[str, float] = {}
    started = time.perf_counter()
    for i, spec in enumerate(specs, start=1):
        if progress:
            progress(DraftProgress(step=i, total=len(specs), title=spec.title))
        t0 = time.perf_counter()
        result = _run_section(spec, module, ctx, info.title, settings=settings, lazy=lazy)
        timings[spec.title] = round(time.perf_counter() - t0, 2)
        sections.append(DraftSection(title=spec.title, body=result.body, citations=result.citations,
                                     generated=result.generated))
        checks += [c if c.section else c.model_copy(update={"section": spec.title}) for c in result.checks]
        vouched[spec.title] = result.vouched
    timings["total"] = round(time.perf_counter() - started, 2)
    title = f"{info.title}（{profile.display_name}）"
    result_draft = Draft(kind=kind, title=title, sections=sections, timings=timings)
    found = validate_draft(result_draft, profile, interview_minutes if kind == "interview" else None, vouched)
    if only is not None:  # a partial run is not missing its other sections
        found = [c for c in found if c.code != FlagCode.DRAFT_MISSING_SECTION]
    checks += found
    result_draft.checks = checks
    result_draft.warnings = [warning_line(c) for c in checks]
    return result_draft


def _run_section(spec: SectionSpec, module: ModuleType, ctx: DraftContext, doc_title: str, *,
                 settings: Settings, lazy: _LazyModel) -> SectionResult:
    rule = module.RULES[spec.title]
    if spec.writable and settings.draft_model_sections:
        model = lazy.get()
        if model is not None:
            written = write_section(spec, doc_title, ctx.profile, llm=model, retriever=ctx.retriever, k=ctx.k,
                                    seed_text=module.seed_text(ctx))
            problems = _model_section_problems(spec, written, ctx.profile) if written else ["unusable output"]
            if not problems:
                return written  # type: ignore[return-value]
            composed = rule(ctx, spec)
            composed.checks.append(DraftCheck(code=FlagCode.DRAFT_MODEL_SECTION_REJECTED, detail="; ".join(problems)))
            return composed
    return rule(ctx, spec)


def _model_section_problems(spec: SectionSpec, written: SectionResult, profile: MunicipalityProfile) -> list[str]:
    """What the validators would flag as danger in a model-written section (then the composed one is used)."""
    section = DraftSection(title=spec.title, body=written.body, citations=written.citations,
                           generated=written.generated)
    known = "\n".join([profile.facts_text(), *(c.text for c in written.citations)])
    problems = [f"{c.code}: {c.detail}" for c in text_checks(section, profile, known)]
    if spec.fact_check and (bad := unsupported_facts(section, profile.facts_text())):
        problems.append(f"{FlagCode.DRAFT_UNSUPPORTED_FACTS}: {'、'.join(bad)}")
    if spec.questions and not has_question(written.body):
        problems.append(str(FlagCode.DRAFT_NO_QUESTION))
    return problems
