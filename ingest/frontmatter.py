"""The corpus front-matter contract (BRIEF "Corpus front matter"): validated per file so one bad file fails alone.

Corpus documents carry provenance (sources, as_of, confidence) that answers cite; a missing field would let an
unsourced summary pass as fact, so ingest refuses the file and names the field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, PositiveInt, ValidationError, field_validator

CorpusKind = Literal["guidebook-summary", "case", "support-scheme", "policy", "practice"]
_COVER_ID = re.compile(r"^[A-Z]\d*$")


class CorpusFrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    kind: CorpusKind
    sources: list[str]
    as_of: dt.date | str
    confidence: Literal["confirmed", "one-source"]
    step: int | list[int] | None = None
    population: PositiveInt | None = None
    prefecture: str | None = None
    covers: list[str] | None = None

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("title is empty")
        return v.strip()

    @field_validator("sources")
    @classmethod
    def _sources_are_urls(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("sources must list at least one URL")
        for url in v:
            parsed = urlparse(str(url))
            if parsed.scheme not in ("http", "https") or not parsed.netloc or any(c.isspace() for c in str(url)):
                raise ValueError(f"not an http(s) URL: {url!r}")
        return v

    @field_validator("as_of")
    @classmethod
    def _as_of_is_date_or_fiscal_year(cls, v: dt.date | str) -> dt.date | str:
        if isinstance(v, dt.date):
            return v
        try:
            dt.date.fromisoformat(v)
            return v
        except ValueError:
            pass
        if "年度" not in v:
            raise ValueError(f"as_of must be a date (YYYY-MM-DD) or a 年度 string, got {v!r}")
        return v

    @field_validator("step")
    @classmethod
    def _steps_in_range(cls, v: int | list[int] | None) -> int | list[int] | None:
        if isinstance(v, list) and not v:
            raise ValueError("step list is empty")
        for s in [v] if isinstance(v, int) else (v or []):
            if isinstance(s, bool) or not 1 <= s <= 4:
                raise ValueError(f"step must be in 1..4, got {s!r}")
        return v

    @field_validator("covers")
    @classmethod
    def _cover_ids(cls, v: list[str] | None) -> list[str] | None:
        for c in v or []:
            if not _COVER_ID.match(str(c)):
                raise ValueError(f"covers id must look like 'A', 'B3' or 'D2', got {c!r}")
        return v

    @property
    def steps(self) -> list[int]:
        return [self.step] if isinstance(self.step, int) else list(self.step or [])

    def chunk_extra(self) -> dict[str, str | int | float | bool]:
        """Scalar metadata for every chunk (Chroma metadata and Chunk.extra hold scalars only).

        `step` becomes "1,3" plus one boolean `step_N` per step, so retrieval can filter with an exact match."""
        extra: dict[str, str | int | float | bool] = {
            "as_of": self.as_of.isoformat() if isinstance(self.as_of, dt.date) else self.as_of,
            "confidence": self.confidence,
            "sources": " ".join(self.sources),
        }
        if self.step is not None:
            extra["step"] = ",".join(str(s) for s in self.steps)
            for s in self.steps:
                extra[f"step_{s}"] = True
        if self.population is not None:
            extra["population"] = self.population
        if self.prefecture:
            extra["prefecture"] = self.prefecture
        if self.covers:
            extra["covers"] = ",".join(self.covers)
        return extra


def validate_front_matter(meta: dict[str, Any]) -> CorpusFrontMatter:
    """Raises ValueError whose message names every bad field (`field: problem`)."""
    try:
        return CorpusFrontMatter.model_validate(meta)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "(front matter)"
            msg = "missing" if err["type"] == "missing" else err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            problems.append(f"{field}: {msg}")
        raise ValueError("; ".join(problems)) from None
