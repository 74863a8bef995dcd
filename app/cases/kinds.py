"""The draft kinds as the case workspace sees them: label, guidebook step, which drafts may seed them.

Read from the drafting core's one registry (`app.drafting.kinds.KINDS`), so a new kind appears in the 案件 tab,
the start page and the case export without an edit here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindView:
    kind: str
    label: str
    step: int
    title: str
    """The document's name (「面接の質問セット・進行台本」), for the start page's list of what each step produces."""
    seeds: tuple[str, ...]


def draft_kinds() -> list[KindView]:
    """Every kind in registry order."""
    from app.drafting.kinds import KINDS

    return [KindView(i.kind, i.label, i.step, i.title.removesuffix("（案）"), tuple(i.seeds)) for i in KINDS.values()]


def kind_view(kind: str) -> KindView:
    for view in draft_kinds():
        if view.kind == kind:
            return view
    raise KeyError(kind)
