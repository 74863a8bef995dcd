"""Citations for composed lines: a knowledge fact → the indexed passage of its document that states it.

A fact names its corpus document and key terms that occur together in one sentence there (checked by
tests/test_draft_knowledge.py), so the passage is found by searching for the terms and keeping the first hit
from that document that contains all of them. Lookups are cached per draft: the same fact cited in two sections
costs one search, and every passage a search returned is looked at first for the next fact (a short term such as
「情報やシステムへのアクセス」 may rank its passage below the top hits while the fact before it, from the same
sentence, already brought that passage in). A fact whose passage is not in the index (the corpus was not ingested, or a user's index
lacks the document) is shown without a marker and reported, never attached to an unrelated passage.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from app.drafting.generate import Retriever, SectionResult, retrieve
from app.drafting.knowledge.models import Fact
from app.flags import FlagCode
from app.schemas import Citation, DraftCheck, Hit

SEARCH_K = 8


def norm(text: str) -> str:
    """NFKC without whitespace: how terms are matched against passages (full-width forms, line wraps)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


class Sources:
    """Finds the passage of each fact, once per draft."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever
        self._found: dict[tuple[str, tuple[str, ...]], Hit | None] = {}
        self._seen: dict[str, Hit] = {}
        """Every passage any search of this draft returned, by chunk id, in the order first seen."""

    def find(self, fact: Fact) -> Hit | None:
        key = (fact.source, fact.terms)
        if key not in self._found:
            self._found[key] = self._search(fact)
        return self._found[key]

    def _search(self, fact: Fact) -> Hit | None:
        terms = [norm(t) for t in fact.terms]

        def states(hit: Hit) -> bool:
            return hit.chunk.extra.get("doc_id") == fact.source and all(t in norm(hit.chunk.text) for t in terms)

        if seen := next((h for h in self._seen.values() if states(h)), None):
            return seen
        for query in (" ".join(fact.terms), f"{' '.join(fact.terms)} {fact.text}"[:200]):
            hits = retrieve(self.retriever, query, SEARCH_K)
            for hit in hits:
                self._seen.setdefault(hit.chunk.chunk_id, hit)
            if found := next((h for h in hits if states(h)), None):
                return found
        return None


@dataclass
class SectionRefs:
    """The numbered citations of one section (numbers are per section, as in every draft)."""

    sources: Sources
    citations: list[Citation] = field(default_factory=list)
    missing: list[Fact] = field(default_factory=list)

    def mark(self, fact: Fact) -> str:
        """`[n]` for the fact's passage (reusing the number of a passage already cited), or "" when not found."""
        hit = self.sources.find(fact)
        if hit is None:
            if fact not in self.missing:
                self.missing.append(fact)
            return ""
        for c in self.citations:
            if c.chunk_id == hit.chunk.chunk_id:
                return f"[{c.n}]"
        citation = Citation.from_hit(len(self.citations) + 1, hit)
        self.citations.append(citation)
        return f"[{citation.n}]"

    def line(self, fact: Fact, prefix: str = "- ", suffix: str = "") -> str:
        return f"{prefix}{fact.text}{suffix}{self.mark(fact)}"

    def sentence(self, fact: Fact) -> str:
        """The fact as a sentence ending in 。 with its marker before the period."""
        return f"{fact.text.rstrip('。')}{self.mark(fact)}。"

    def result(self, body: str, generated: list[str] | None = None,
               checks: list[DraftCheck] | None = None) -> SectionResult:
        found = list(checks or [])
        if self.missing:
            docs = "、".join(dict.fromkeys(f.source for f in self.missing))
            found.append(DraftCheck(code=FlagCode.DRAFT_NO_SOURCE, detail=docs))
        return SectionResult(body=body.strip(), citations=self.citations, checks=found, generated=generated or [],
                             vouched=[f.text for f in self.missing])
