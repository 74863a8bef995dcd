"""Metadata filters: document kind(s), guidebook step, population range.

Filters are applied *before* ranking on both lists (a Chroma ``where`` clause for dense search, a row mask for
BM25), so a filtered search still returns up to k hits instead of the few that survived a post-filter.

Semantics (strict, so a filter never lets through a chunk it cannot vouch for):
* ``kinds``: the chunk's kind is one of them.
* ``step``: the chunk's front matter lists that step. Ingest stores ``extra["step"]`` as a comma string
  ("1,3") plus ``step_N`` booleans; an int or a list is accepted too. Chunks without a step are excluded.
* ``population_min`` / ``population_max``: inclusive bounds on ``extra["population"]``; chunks without a
  population (everything but cases) are excluded when a bound is set.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.schemas import Chunk


class RetrievalFilters(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kinds: list[str] | None = Field(None, description="Document kinds to keep (case, support-scheme, …).")
    step: int | None = Field(None, ge=1, le=4, description="Guidebook step 1..4 the document serves.")
    population_min: int | None = Field(None, ge=0, description="Smallest population (inclusive).")
    population_max: int | None = Field(None, ge=0, description="Largest population (inclusive).")

    @model_validator(mode="after")
    def _range(self) -> RetrievalFilters:
        lo, hi = self.population_min, self.population_max
        if lo is not None and hi is not None and lo > hi:
            raise ValueError("population_min > population_max / 人口の下限が上限を超えています")
        return self

    @property
    def empty(self) -> bool:
        return not self.kinds and self.step is None and self.population_min is None and self.population_max is None

    def cache_key(self) -> str:
        return self.model_dump_json()

    def matches(self, chunk: Chunk) -> bool:
        if self.kinds and chunk.kind not in self.kinds:
            return False
        if self.step is not None and self.step not in chunk_steps(chunk):
            return False
        if self.population_min is not None or self.population_max is not None:
            pop = chunk_population(chunk)
            if pop is None:
                return False
            if self.population_min is not None and pop < self.population_min:
                return False
            if self.population_max is not None and pop > self.population_max:
                return False
        return True

    def chroma_where(self) -> dict[str, Any] | None:
        """The same conditions as a Chroma ``where`` (metadata is flat; extras carry the ``x_`` prefix).

        A superset is fine: hits are re-checked with `matches`."""
        from app.store import EXTRA_PREFIX

        parts: list[dict[str, Any]] = []
        if self.kinds:
            parts.append({"kind": {"$in": list(self.kinds)}})
        if self.step is not None:
            s = self.step
            parts.append({"$or": [{f"{EXTRA_PREFIX}step_{s}": True}, {f"{EXTRA_PREFIX}step": s},
                                  {f"{EXTRA_PREFIX}step": str(s)}]})
        if self.population_min is not None:
            parts.append({f"{EXTRA_PREFIX}population": {"$gte": self.population_min}})
        if self.population_max is not None:
            parts.append({f"{EXTRA_PREFIX}population": {"$lte": self.population_max}})
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"$and": parts}


def chunk_steps(chunk: Chunk) -> set[int]:
    """Steps of a chunk whatever shape ingest stored: 2, "2", "1,3", "[1, 3]" or step_N flags."""
    steps: set[int] = set()
    raw = chunk.extra.get("step")
    if isinstance(raw, bool):
        raw = None
    if isinstance(raw, int | float):
        steps.add(int(raw))
    elif isinstance(raw, str):
        for part in raw.replace("[", "").replace("]", "").replace("、", ",").split(","):
            part = part.strip()
            if part.isdigit():
                steps.add(int(part))
    for key, value in chunk.extra.items():
        if key.startswith("step_") and value is True and key[5:].isdigit():
            steps.add(int(key[5:]))
    return steps


def chunk_population(chunk: Chunk) -> int | None:
    raw = chunk.extra.get("population")
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        return int(str(raw).replace(",", ""))
    except ValueError:
        return None
