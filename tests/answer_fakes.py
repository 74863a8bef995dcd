"""Fakes for the answer tests: a keyword retriever returning Hits we construct, and scripted FakeChatModels."""

from __future__ import annotations

import hashlib
from typing import Any

from langchain_core.messages import BaseMessage

from app.models.fake import FakeChatModel
from app.schemas import Chunk, Hit


def make_chunk(doc_id: str, title: str, kind: str, text: str, heading: list[str] | None = None) -> Chunk:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Chunk(
        chunk_id=f"{doc_id}-0", text=text, source=f"corpus/{doc_id}.md", title=title, kind=kind,
        heading_path=heading or [title], doc_hash=digest, content_hash=digest, extra={"doc_id": doc_id},
    )


KIGYOJIN = make_chunk(
    "scheme-kigyojin", "地域活性化起業人（企業派遣型・副業型）", "support-scheme",
    "地域活性化起業人は、三大都市圏の企業の社員を自治体が受け入れる制度です。受入れに要する経費は特別交付税の措置対象です。"
    "予算の上限額は年度ごとに示されます。",
)
CASE = make_chunk(
    "case-hiroshima", "広島県の外部人材活用事例", "case",
    "広島県ではCIO補佐官を公募し、業務課題を整理してから人材要件を定義しました。",
)
GUIDE = make_chunk(
    "guide-steps", "外部デジタル人材の確保の手順", "guidebook-summary",
    "確保の手順は、業務課題の特定、人材要件の定義、人材の選定、人材の受け入れの四段階です。",
)
ALL_CHUNKS = [KIGYOJIN, CASE, GUIDE]
KEYWORDS = {
    KIGYOJIN.chunk_id: ["地域活性化起業人", "起業人", "特別交付税"],
    CASE.chunk_id: ["広島", "CIO補佐官", "事例"],
    GUIDE.chunk_id: ["手順", "確保", "人材要件"],
}


class KeywordRetriever:
    """Matches on keywords: matching chunks score dense `matched_dense`, otherwise every chunk comes back at dense 0.5."""

    def __init__(self, chunks: list[Chunk] | None = None, keywords: dict[str, list[str]] | None = None,
                 matched_dense: float = 0.9) -> None:
        self.matched_dense = matched_dense
        self.chunks = ALL_CHUNKS if chunks is None else chunks
        self.keywords = keywords if keywords is not None else KEYWORDS
        self.queries: list[str] = []

    def search(self, query: str, k: int | None = None, filters: Any = None) -> list[Hit]:
        self.queries.append(query)
        matched = [c for c in self.chunks if any(w in query for w in self.keywords.get(c.chunk_id, []))]
        chosen, dense = (matched, self.matched_dense) if matched else (self.chunks, 0.5)
        chosen = chosen[: k or len(chosen)]
        return [Hit(chunk=c, rank=i + 1, scores={"dense": dense - i * 0.01, "fused": 1.0 / (i + 1)})
                for i, c in enumerate(chosen)]


def is_rewrite_call(messages: list[BaseMessage]) -> bool:
    return "書き換え" in str(messages[0].content)


def scripted(answer: str, rewrite: str = "") -> FakeChatModel:
    """The project's FakeChatModel (per-character streaming), answering `rewrite` to rewrite calls and `answer`
    to answer calls."""
    return FakeChatModel(lambda m: rewrite if is_rewrite_call(m) else answer)

