"""The draft kinds as the case workspace sees them: label, guidebook step, which drafts may seed them.

Read from the drafting core's registry (`app.drafting.kinds.KINDS`) so a new kind appears in the 案件 tab without an
edit here. Until that registry is on main, the same facts are read from the older tables (`sections.TITLES`,
`sections.SEED_KINDS`) with the step each of the three kinds belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindView:
    kind: str
    label: str
    step: int
    seeds: tuple[str, ...]


def draft_kinds() -> list[KindView]:
    """Every kind in registry order."""
    try:
        from app.drafting.kinds import KINDS
    except ModuleNotFoundError as exc:
        if exc.name != "app.drafting.kinds":
            raise
        from app.drafting.sections import SEED_KINDS, TITLES

        legacy_steps = {"deepdive": 1, "posting": 3, "interview": 3}
        return [KindView(k, TITLES[k].removesuffix("（案）"), legacy_steps[k], tuple(SEED_KINDS[k])) for k in TITLES]
    return [KindView(i.kind, i.label, i.step, tuple(i.seeds)) for i in KINDS.values()]


def kind_view(kind: str) -> KindView:
    for view in draft_kinds():
        if view.kind == kind:
            return view
    raise KeyError(kind)
