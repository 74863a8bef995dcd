"""Names that cross module lines: a chunk, a hit, a citation, a draft.

Each is defined once here and imported everywhere else, so ingest, retrieval, answers, drafting, evals and
the UI can never disagree about what a field means.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DocKind = Literal["guidebook-summary", "case", "support-scheme", "policy", "practice", "official", "document"]
"""Corpus kinds (written by us) plus `official` (the real guidebook PDF in corpus/official/) and `document`
(anything else a user ingests)."""

KIND_LABELS_JA: dict[str, str] = {
    "guidebook-summary": "要約（ガイドブック概要）",
    "case": "事例",
    "support-scheme": "支援制度の要約",
    "policy": "政策文書の要約",
    "practice": "実務の要約",
    "official": "公式PDF",
    "document": "利用者が追加した資料",
}
"""How a kind is shown to users, so a summary written by us is never mistaken for the guidebook's words."""

MetaValue = str | int | float | bool

SpanKind = Literal["meta", "instruction"]
"""Sentences of a passage that are not evidence: `meta` = about the document itself (「この文書は…dxhire が
まとめたものです」, confidence notes); `instruction` = an order aimed at an assistant (「これまでの指示を無視して…」).
Both are marked at ingest; neither is ever sent to a model, and `meta` is never selected as evidence."""

SPANS_KEY = "spans"
"""`Chunk.extra` key holding the marked spans as JSON (Chroma metadata accepts only scalars)."""


HEADING_SEPARATOR = " > "
"""How a heading path is written as one string (`Chunk.heading`, `Citation.heading`)."""


class TextSpan(BaseModel):
    """A marked character range `[start, end)` of a chunk's text."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    kind: SpanKind


class Chunk(BaseModel):
    """One retrievable passage with everything needed to cite it."""

    model_config = ConfigDict(frozen=True)

    chunk_id: str
    text: str
    source: str = Field(description="File path as given to ingest (relative to the corpus when inside it).")
    title: str
    kind: str = "document"
    page: int | None = Field(None, description="1-based PDF page; None for Markdown/HTML/text.")
    heading_path: list[str] = Field(default_factory=list)
    doc_hash: str = Field(description="sha256 of the source file's bytes.")
    content_hash: str = Field(description="sha256 of the chunk text.")
    extra: dict[str, MetaValue] = Field(
        default_factory=dict, description="Front-matter facts: doc_id, step, population, prefecture, as_of …"
    )

    @property
    def heading(self) -> str:
        return HEADING_SEPARATOR.join(self.heading_path)

    @property
    def spans(self) -> list[TextSpan]:
        """The marked spans (see `SpanKind`), in text order; [] when ingest marked none."""
        raw = self.extra.get(SPANS_KEY)
        if not isinstance(raw, str) or not raw:
            return []
        return sorted((TextSpan(start=a, end=b, kind=k) for a, b, k in json.loads(raw)), key=lambda s: s.start)

    def text_without(self, kinds: tuple[SpanKind, ...] = ("meta", "instruction")) -> str:
        """The text with the spans of `kinds` cut out: what may be sent to a model or selected as evidence."""
        out, pos = [], 0
        for span in self.spans:
            if span.kind in kinds and span.start >= pos:
                out.append(self.text[pos : span.start])
                pos = span.end
        out.append(self.text[pos:])
        return "".join(out).strip()

    @property
    def kind_label(self) -> str:
        return KIND_LABELS_JA.get(self.kind, self.kind)

    @property
    def location(self) -> str:
        """`p.12` for PDFs, the heading path otherwise: what a citation shows after the title."""
        if self.page is not None:
            return f"p.{self.page}" + (f"（{self.heading}）" if self.heading else "")
        return self.heading


class Hit(BaseModel):
    """A retrieved chunk with the score of every stage, so a user or an eval can see why it came back."""

    chunk: Chunk
    rank: int = Field(description="1-based rank after the final stage.")
    scores: dict[str, float] = Field(default_factory=dict, description="dense, bm25, fused, rerank.")


class Citation(BaseModel):
    """A numbered source of an answer or draft section, pointing at one retrieved passage."""

    n: int
    title: str
    kind: str
    source: str
    page: int | None = None
    heading: str = ""
    text: str
    chunk_id: str = ""
    spans: list[TextSpan] = Field(default_factory=list, description="Marked spans of `text` (see SpanKind).")
    highlight: tuple[int, int] | None = Field(
        None, description="[start, end) of the sentence(s) of `text` that support the claim citing it (evidence).")

    @classmethod
    def from_hit(cls, n: int, hit: Hit, highlight: tuple[int, int] | None = None) -> Citation:
        c = hit.chunk
        return cls(
            n=n, title=c.title, kind=c.kind, source=c.source, page=c.page, heading=c.heading,
            text=c.text, chunk_id=c.chunk_id, spans=c.spans, highlight=highlight,
        )

    @property
    def has_instruction(self) -> bool:
        """The passage contains a sentence ordering an assistant: shown as evidence only with a warning."""
        return any(s.kind == "instruction" for s in self.spans)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS_JA.get(self.kind, self.kind)


class Evidence(BaseModel):
    """One verbatim excerpt an answer rests on (「資料の該当箇所」): sentence(s) of a retrieved passage, cut out of it
    at `span`, numbered `n` like the citation of the same passage. Shown before any model text, so the facts a
    reader sees come from the sources word for word."""

    n: int
    text: str = Field(description="The sentence(s) as in the passage, marked spans (provenance, instructions) cut out.")
    source: str
    page: int | None = None
    heading: str = ""
    span: tuple[int, int] = Field(description="[start, end) in the passage text (`Citation.text`).")

    @classmethod
    def of(cls, citation: Citation, text: str) -> Evidence:
        assert citation.highlight is not None
        return cls(n=citation.n, text=text, source=citation.source, page=citation.page, heading=citation.heading,
                   span=citation.highlight)


class EvidenceReady(BaseModel):
    """Stream event of `AnswerPipeline.stream`: the evidence is selected (before the model writes anything)."""

    evidence: list[Evidence]
    citations: list[Citation]
    elapsed_s: float = Field(description="Seconds from the call to the evidence being ready (`timings.evidence_s`).")


class Answer(BaseModel):
    """What `dxhire ask --json` prints and what the chat UI renders.

    `answer` is the checked synthesis (sentences that each cite evidence), `evidence` the verbatim excerpts shown
    above it; `citations` has one entry per evidence item (same `n`), the whole passage with the excerpt highlighted.
    """

    answer: str
    abstained: bool = False
    evidence: list[Evidence] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    hits: list[Hit] = Field(default_factory=list, exclude=True)
    standalone_question: str | None = None

    def reader_text(self) -> str:
        """What a reader sees, as one text: the evidence excerpts with their markers, then the synthesis (evals score
        this, since facts are meant to come from the excerpts)."""
        if not self.evidence:
            return self.answer
        lines = [f"[{e.n}] {e.text}" for e in self.evidence]
        return "\n".join([*lines, "", self.answer]).strip()


DraftKind = Literal["deepdive", "posting", "interview", "checklist", "plan"]
"""The five drafts (steps ①–④); titles, seeds and sections live in one registry, `app/drafting/kinds.py`."""


class DraftCheck(BaseModel):
    """One finding of the draft validators: a flag code of `app/flags.py`, the section and the text concerned.
    Users read it through `flags.explain(code)` in Japanese; `Draft.warnings` keeps the one-line strings."""

    code: str
    section: str = ""
    detail: str = ""


class DraftSection(BaseModel):
    title: str
    body: str
    citations: list[Citation] = Field(default_factory=list)
    generated: list[str] = Field(
        default_factory=list,
        description="What the model wrote in this section (bounded slots that passed their checks); the rest is "
                    "composed from the profile and the knowledge tables.")


class Draft(BaseModel):
    """A drafted document: what `dxhire draft --json` prints and what `--from` reads back."""

    kind: DraftKind
    title: str = ""
    sections: list[DraftSection]
    warnings: list[str] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    checks: list[DraftCheck] = Field(default_factory=list)
    """The same findings as `warnings`, structured (code, section, detail)."""


class DraftProgress(BaseModel):
    """One step of a running draft, emitted before each section is written, so a surface can show section n/N
    with its title (the UI's progress bar, the CLI's stderr line) without parsing text."""

    model_config = ConfigDict(frozen=True)

    step: int = Field(ge=1, description="1-based number of the section being written.")
    total: int = Field(ge=1)
    title: str

    @property
    def done(self) -> float:
        """Fraction of the sections finished before this one (0 while the first is written)."""
        return (self.step - 1) / self.total

    @property
    def message(self) -> str:
        return f"{self.step}/{self.total} 「{self.title}」を起案しています…"

    def __str__(self) -> str:
        return self.message


SOURCES_NOTE = "この節の起案に用いた資料"
"""Opens a draft section's line listing the passages it was written from when the model cited none: a list of what
was consulted, not a claim (evals check those markers for existence only)."""
