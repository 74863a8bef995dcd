"""`draft(kind, profile, …) -> Draft`: the per-section loop shared by the three workflows.

For every section spec: a rule fills it (structure, profile facts, the 雇用形態 rules) or the model writes it from
retrieved passages. Then the validators run and their findings join the warnings. Per-section timings are
recorded because on the embedded model a draft takes minutes and users should see where the time went.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import ModuleType

from langchain_core.language_models import BaseChatModel

from app.config import Settings
from app.drafting import deepdive, interview, posting
from app.drafting.base import DraftContext
from app.drafting.generate import Retriever, SectionResult, write_section
from app.drafting.interview import check_minutes
from app.drafting.profile import MunicipalityProfile
from app.drafting.sections import SEED_KINDS, SPECS, TITLES, SectionSpec
from app.drafting.validators import validate_draft
from app.schemas import Draft, DraftKind, DraftProgress, DraftSection

WORKFLOWS: dict[DraftKind, ModuleType] = {"deepdive": deepdive, "posting": posting, "interview": interview}
KINDS: tuple[DraftKind, ...] = ("deepdive", "posting", "interview")


class DraftError(ValueError):
    """The request cannot be drafted (wrong kind, wrong seed, bad interview length); the message names the input."""


def check_request(kind: str, seed: Draft | None, interview_minutes: int) -> None:
    if kind not in WORKFLOWS:
        raise DraftError(f"kind: 起案の種類は {', '.join(KINDS)} のいずれかです / unknown draft kind {kind!r}")
    if seed is not None and seed.kind not in SEED_KINDS[kind]:  # type: ignore[index]
        allowed = "、".join(SEED_KINDS[kind]) or "なし"  # type: ignore[index]
        raise DraftError(f"--from: {kind} の元にできる起案は {allowed} です（{seed.kind} が渡されました） / "
                         f"a {seed.kind} draft cannot seed a {kind} draft")
    if kind == "interview":
        try:
            check_minutes(interview_minutes)
        except ValueError as exc:
            raise DraftError(str(exc)) from exc


def draft(
    kind: DraftKind,
    profile: MunicipalityProfile,
    *,
    settings: Settings,
    llm: BaseChatModel,
    retriever: Retriever,
    seed: Draft | None = None,
    interview_minutes: int = 60,
    progress: Callable[[DraftProgress], None] | None = None,
    only: list[str] | None = None,
) -> Draft:
    """Draft every section of `kind` (or only the titles in `only`, for quick smoke runs)."""
    check_request(kind, seed, interview_minutes)
    workflow = WORKFLOWS[kind]
    ctx = DraftContext(profile=profile, retriever=retriever, seed=seed, interview_minutes=interview_minutes,
                       k=min(settings.top_k, 4))
    seed_text = workflow.seed_text(ctx)
    specs = [s for s in SPECS[kind] if only is None or s.title in only]
    sections: list[DraftSection] = []
    warnings: list[str] = []
    timings: dict[str, float] = {}
    started = time.perf_counter()
    for i, spec in enumerate(specs, start=1):
        if progress:
            progress(DraftProgress(step=i, total=len(specs), title=spec.title))
        t0 = time.perf_counter()
        result = _run_section(spec, workflow, ctx, TITLES[kind], llm=llm, seed_text=seed_text)
        timings[spec.title] = round(time.perf_counter() - t0, 2)
        sections.append(DraftSection(title=spec.title, body=result.body, citations=result.citations))
        warnings.extend(result.warnings)
    timings["total"] = round(time.perf_counter() - started, 2)
    title = f"{TITLES[kind]}（{profile.display_name}）"
    result_draft = Draft(kind=kind, title=title, sections=sections, warnings=warnings, timings=timings)
    checks = validate_draft(result_draft, profile, interview_minutes if kind == "interview" else None)
    if only is not None:  # a partial run is not missing its other sections
        checks = [w for w in checks if not w.startswith("必須の節がありません")]
    result_draft.warnings.extend(checks)
    return result_draft


def _run_section(spec: SectionSpec, workflow: ModuleType, ctx: DraftContext, doc_title: str, *,
                 llm: BaseChatModel, seed_text: str) -> SectionResult:
    if spec.mode == "rule":
        return workflow.RULES[spec.title](ctx, spec)
    return write_section(spec, doc_title, ctx.profile, llm=llm, retriever=ctx.retriever, k=ctx.k, seed_text=seed_text)
