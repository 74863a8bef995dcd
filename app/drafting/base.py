"""What every rule-filled section receives, and small helpers shared by the three workflows."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from app.drafting.generate import Retriever, SectionResult
from app.drafting.profile import MunicipalityProfile
from app.drafting.sections import SectionSpec
from app.schemas import Draft

_MARKER = re.compile(r"\[\d+\]")


@dataclass
class DraftContext:
    profile: MunicipalityProfile
    retriever: Retriever
    seed: Draft | None = None
    interview_minutes: int = 60
    k: int = 4


RuleFn = Callable[[DraftContext, SectionSpec], SectionResult]


def seed_section(seed: Draft | None, *titles: str) -> str:
    """The body of the first seed section whose title starts with one of `titles`, without [n] markers."""
    if seed is None:
        return ""
    for title in titles:
        for section in seed.sections:
            if section.title.startswith(title):
                return _MARKER.sub("", section.body).strip()
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
