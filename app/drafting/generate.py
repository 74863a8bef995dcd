"""A whole section written by the model from retrieved passages (endpoint mode), and the retrieval helpers the
composed sections share.

By default no section is model-written: every section is composed from the knowledge tables and the model fills
bounded slots (`app/drafting/slots.py`). With `DXHIRE_DRAFT_MODEL_SECTIONS` an endpoint model writes the
`writable` sections whole: it gets a lean context of passages (build_blocks cuts their marked spans out) and at most ~250 new
tokens; unusable output (empty, not Japanese) is retried once with a reminder, and the caller validates the rest
and falls back to the composed section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from app.answer.citations import verify_citations
from app.answer.context import ContextBlock, build_blocks, render_context
from app.answer.grounding import supports
from app.answer.llm_call import invoke_text
from app.answer.repeats import drop_echoes, drop_repeats
from app.drafting.profile import MunicipalityProfile
from app.drafting.sections import SectionSpec
from app.flags import FlagCode
from app.prompts import load_prompt
from app.schemas import SOURCES_NOTE, Citation, DraftCheck, Hit

SECTION_MAX_TOKENS = 200
BLOCK_CHARS = 360
CONTEXT_CHARS = 950
SEED_CHARS = 300
MAX_RETRIES = 1
REMINDER = "日本語で、箇条書き3〜5行で、本文だけを書いてください。"
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_HEADING_ECHO = re.compile(r"^\s*#+\s*.*$", re.MULTILINE)


class Retriever(Protocol):
    def search(self, query: str, k: int | None = None, filters: Any = None) -> list[Hit]: ...


@dataclass
class SectionResult:
    body: str
    citations: list[Citation] = field(default_factory=list)
    checks: list[DraftCheck] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)
    """What the model wrote (slots or a whole section), kept apart so it can be checked and shown as such."""
    vouched: list[str] = field(default_factory=list)
    """Knowledge-table facts stated without a citation because their passage is not in this index: checked
    against the corpus by the table tests, so their figures are reported as a missing source, not as inventions."""


def section_query(spec: SectionSpec, profile: MunicipalityProfile) -> str:
    """Section keywords plus what is specific to this municipality, short enough for BM25 and e5 alike."""
    parts = [spec.query, profile.role_sought or "", profile.issues[0]]
    return " ".join(p for p in parts if p)[:200]


def retrieve(retriever: Retriever, query: str, k: int) -> list[Hit]:
    """Retrieval failures become an empty list: a draft with 要確認 is better than no draft."""
    try:
        return list(retriever.search(query, k=k))
    except Exception:  # noqa: BLE001 - reported by the caller as "no sources"
        return []


def usable(text: str) -> str | None:
    """Why the model's output cannot be used, or None when it can (the 'schema' of a section body)."""
    stripped = text.strip()
    if len(stripped) < 15:
        return "empty"
    if len(_JAPANESE.findall(stripped)) < 0.3 * len(re.sub(r"\s", "", stripped)):
        return "not Japanese"
    return None


def clean(text: str, echo: str = "", avoid: tuple[str, ...] = ()) -> str:
    """Drop echoed headings, fences, lines repeating the prompt's purpose, lines copied from `avoid` (the rules of
    the system prompt, the passages' header lines: a 1.5B model recites them) and repeated lines/sentences."""
    text = drop_echoes(_HEADING_ECHO.sub("", text.strip().strip("`").strip()), avoid)
    return drop_repeats(text, lambda key: bool(echo and echo in key) or key.startswith("この節では"))


def write_section(
    spec: SectionSpec, doc_title: str, profile: MunicipalityProfile, *, llm: BaseChatModel, retriever: Retriever,
    k: int, seed_text: str = "",
) -> SectionResult | None:
    """Retrieve, generate (retry once on unusable output), verify citations; None when the output stays unusable
    (the caller keeps its composed section)."""
    hits = retrieve(retriever, section_query(spec, profile), k)
    blocks = build_blocks(hits, BLOCK_CHARS, CONTEXT_CHARS)  # marked spans are cut out there
    system = load_prompt("draft_system").render()
    reminder = ""
    text = ""
    problem: str | None = "empty"
    for _attempt in range(MAX_RETRIES + 1):
        user = load_prompt("draft_section").render(
            doc_title=doc_title, section_title=spec.title, purpose=spec.purpose, profile=profile.summary(),
            seed=seed_text[:SEED_CHARS], context=render_context(blocks) or "（該当する資料がありません）",
            reminder=reminder,
        )
        raw = invoke_text(llm, [SystemMessage(system), HumanMessage(user)], max_tokens=SECTION_MAX_TOKENS)
        text = clean(raw, echo=spec.purpose[:20], avoid=(system, "\n".join(b.header for b in blocks)))
        problem = usable(text)
        if problem is None:
            break
        reminder = REMINDER
    if problem is not None or not blocks:
        return None
    verified = verify_citations(text, blocks)
    body, citations = verified.text, verified.citations
    checks: list[DraftCheck] = []
    if "invalid_citation_removed" in verified.flags:
        checks.append(DraftCheck(code=FlagCode.INVALID_CITATION_REMOVED))
    if not citations:
        body, citations = attach_context_sources(body, blocks)
        checks.append(DraftCheck(code=FlagCode.DRAFT_UNCITED))
    return SectionResult(body=body, citations=citations, checks=checks, generated=[body])


def attach_context_sources(body: str, blocks: list[ContextBlock]) -> tuple[str, list[Citation]]:
    """When the model cited nothing, say honestly which passages it was given instead of inventing attributions."""
    citations = [block.citation(i) for i, block in enumerate(blocks, start=1)]
    markers = "".join(f"[{c.n}]" for c in citations)
    return f"{body}\n\n（{SOURCES_NOTE}: {markers}。文ごとの出典は付いていません）", citations


def supporting_citations(
    retriever: Retriever, query: str, *, doc_ids: tuple[str, ...] = (), must_contain: tuple[str, ...] = (),
    k: int = 4, limit: int = 1, start: int = 1, claim: str = "",
) -> list[Citation]:
    """Citations for a rule-filled section: hits from the preferred documents first, else hits that mention one
    of the key terms; with `claim`, only passages that contain most of its wording. Nothing is attached when
    nothing relevant comes back (no decorative sources)."""
    hits = retrieve(retriever, query, k)
    if claim:
        hits = [h for h in hits if supports(claim, h.chunk.text)]
    preferred = [h for h in hits if h.chunk.extra.get("doc_id") in doc_ids]
    relevant = [h for h in hits if any(term in h.chunk.text for term in must_contain)]
    chosen: list[Hit] = []
    for hit in [*preferred, *relevant]:
        if hit.chunk.chunk_id not in {h.chunk.chunk_id for h in chosen}:
            chosen.append(hit)
    return [Citation.from_hit(start + i, h) for i, h in enumerate(chosen[:limit])]


def markers(citations: list[Citation]) -> str:
    return "".join(f"[{c.n}]" for c in citations)
