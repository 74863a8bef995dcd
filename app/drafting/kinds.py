"""The one registry of draft kinds: title, guidebook step, which drafts may seed it, its sections.

The CLI (`dxhire draft <kind>`), the UI's draft tabs, the evals and the case workspace all read this table, so a
new kind is added here once. It imports nothing heavy (no model, no retrieval): the workflows that compose each
kind are looked up by `app.drafting.service`.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.drafting import sections
from app.drafting.sections import SectionSpec
from app.schemas import DraftKind


@dataclass(frozen=True)
class KindInfo:
    kind: DraftKind
    title: str
    """The document title (「募集要項（案）」); the draft's title adds the municipality."""
    label: str
    """Short label for tabs and menus (「募集要項」)."""
    step: int
    """Guidebook step ①–④ the draft belongs to."""
    help: str
    """One line for `dxhire draft --help` and the UI."""
    seeds: tuple[DraftKind, ...]
    """Drafts that may seed this one (`--from`, 「次へ送る」)."""
    specs: tuple[SectionSpec, ...]
    next: DraftKind | None = None
    """The draft usually made next from this one (the UI's send-on button)."""
    uses_model: bool = True
    """False when no section has a model slot: the draft never loads a model (unless whole sections are on)."""

    def spec(self, title: str) -> SectionSpec | None:
        return next((s for s in self.specs if s.title == title), None)


KINDS: dict[DraftKind, KindInfo] = {
    "deepdive": KindInfo("deepdive", "業務課題の深掘り", "業務課題の深掘り", 1,
                         "業務課題の深掘り（① 業務課題の特定）", (), sections.DEEPDIVE, next="posting"),
    "posting": KindInfo("posting", "募集要項（案）", "募集要項", 3,
                        "募集要項（② 人材要件の定義・③ 人材の選定）", ("deepdive",), sections.POSTING, next="interview"),
    "interview": KindInfo("interview", "面接の質問セット・進行台本", "面接", 3,
                          "面接の質問セット・進行台本（③ 人材の選定）", ("posting",), sections.INTERVIEW, next="checklist"),
    "checklist": KindInfo("checklist", "受け入れチェックリスト", "受け入れチェックリスト", 4,
                          "受け入れチェックリスト（④ 人材の受け入れ）", ("posting", "interview"), sections.CHECKLIST,
                          next="plan", uses_model=False),
    "plan": KindInfo("plan", "受入計画書（案）", "受入計画書", 4,
                     "受入計画書（④ 人材の受け入れ）", ("posting", "interview", "checklist"), sections.PLAN),
}

KIND_NAMES: tuple[DraftKind, ...] = tuple(KINDS)


def kind_info(kind: str) -> KindInfo:
    """The registry entry; KeyError for an unknown kind (callers that take user input check first)."""
    return KINDS[kind]  # type: ignore[index]
