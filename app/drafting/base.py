"""What every composed section receives, and small helpers shared by the workflows."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from langchain_core.language_models import BaseChatModel

from app.drafting.cite import SectionRefs, Sources
from app.drafting.generate import Retriever, SectionResult
from app.drafting.knowledge import knowledge
from app.drafting.knowledge.models import Fact, KnowledgeBase
from app.drafting.profile import MunicipalityProfile
from app.drafting.sections import SectionSpec
from app.drafting.slots import SLOTS, SlotResult, fill_slot, problems_ja
from app.flags import FlagCode
from app.schemas import Draft, DraftCheck

_MARKER = re.compile(r"\[\d+\]")


@dataclass
class DraftContext:
    profile: MunicipalityProfile
    retriever: Retriever
    model: Callable[[], BaseChatModel | None] = lambda: None
    """Returns the model at a slot's first call (loading it then); None: no model, every slot takes its template."""
    seed: Draft | None = None
    interview_minutes: int = 60
    k: int = 4

    @cached_property
    def sources(self) -> Sources:
        return Sources(self.retriever)

    @property
    def kb(self) -> KnowledgeBase:
        return knowledge()

    def refs(self) -> SectionRefs:
        """Fresh per-section citation numbering."""
        return SectionRefs(self.sources)

    def note(self, name: str) -> Fact:
        return self.kb.notes[name]

    @cached_property
    def forms(self) -> set[str]:
        """Keys of the employment forms that fit the profile (employment_aid.recommend)."""
        from app.drafting.employment_aid import recommend

        return {form.key for form, _ in recommend(self.profile)}

    def applies(self, fact_or_when, forms: set[str] | None = None) -> bool:  # noqa: ANN001 - Fact/Channel/When
        """Whether a table entry fits this profile (`forms`: the employment forms to test, default all that fit)."""
        when = getattr(fact_or_when, "when", fact_or_when)
        return when.holds(self.profile, self.forms if forms is None else forms)

    def seed_background(self) -> str:
        """The 背景 paragraph of the seed draft (a deep-dive's 現状と背景 or a posting's 背景), already checked."""
        return (seed_paragraph(self.seed, "背景とミッション", "**背景**") or seed_paragraph(self.seed, "現状と背景")
                or seed_paragraph(self.seed, "目的", "**背景**"))

    def seed_mission(self) -> str:
        return seed_paragraph(self.seed, "背景とミッション", "**ミッション**") or seed_paragraph(self.seed, "目的",
                                                                                    "**ミッション**")

    def slot(self, slot_name: str, fallback: str, /, **variables: str) -> SlotResult:
        """Fill a bounded slot with the model (checked, one retry) or take the template; logged for the checks."""
        spec = SLOTS[slot_name]
        llm = self.model()
        if llm is None:
            result = SlotResult(text=fallback, from_model=False, problems=["no model"])
        else:
            result = fill_slot(spec, self.profile, llm, fallback, **variables)
        return result


RuleFn = Callable[[DraftContext, SectionSpec], SectionResult]


def slot_checks(*results: SlotResult) -> list[DraftCheck]:
    """A `draft_slot_fallback` check for every slot that took its template after the model failed twice, and a
    `draft_term_restored` one for every slot in which a word of the user's was put back (窗口 → 窓口)."""
    checks = [DraftCheck(code=FlagCode.DRAFT_SLOT_FALLBACK, detail=f"{r.label}: {problems_ja(r.problems)}")
              for r in results if not r.from_model and r.problems != ["no model"]]
    checks += [DraftCheck(code=FlagCode.DRAFT_TERM_RESTORED,
                          detail=f"{r.label}: " + "、".join(f"{form}→{term}" for term, form in r.restored))
               for r in results if r.from_model and r.restored]
    return checks


def generated(*results: SlotResult) -> list[str]:
    return [r.text for r in results if r.from_model]


def seed_section(seed: Draft | None, *titles: str) -> str:
    """The body of the first seed section whose title starts with one of `titles`, without [n] markers."""
    if seed is None:
        return ""
    for title in titles:
        for section in seed.sections:
            if section.title.startswith(title):
                return _MARKER.sub("", section.body).strip()
    return ""


def seed_paragraph(seed: Draft | None, title: str, label: str | None = None) -> str:
    """The first paragraph of a seed section (after the line `label` when given), markers removed; "" if absent."""
    body = seed_section(seed, title)
    if not body:
        return ""
    if label:
        if label not in body:
            return ""
        body = body.split(label, 1)[1]
    for para in body.strip().split("\n\n"):
        para = para.strip()
        if para and not para.startswith(("-", "|", "**")):
            return para
    return ""


def bullet_items(text: str, limit: int = 6) -> list[str]:
    """Bullet lines of a seed section (`- x`, `・x`, `1. x`), cleaned, for required skills and questions."""
    items = []
    for line in text.splitlines():
        m = re.match(r"^\s*(?:[-*・•]|\d+[.)．])\s*(.+)$", line)
        if m:
            item = m.group(1).strip().strip("*").strip()
            if item and not item.startswith("（"):
                items.append(item)
    return items[:limit]


def quoted_issues(profile: MunicipalityProfile, limit: int = 3) -> str:
    """The user's issues as 「…」「…」 (their own words, verbatim)."""
    return "".join(f"「{i}」" for i in profile.issues[:limit])
