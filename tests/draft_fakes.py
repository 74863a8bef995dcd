"""Fakes for the drafting tests: a bigram retriever over the real corpus files, and scripted FakeChatModels."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import frontmatter
from langchain_core.messages import BaseMessage

from app.config import PROJECT_ROOT
from app.models.fake import FakeChatModel
from app.schemas import Chunk, Hit


def make_chunk(doc_id: str, title: str, kind: str, text: str, heading: list[str] | None = None, n: int = 0) -> Chunk:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Chunk(chunk_id=f"{doc_id}-{n}", text=text, source=f"corpus/{doc_id}.md", title=title, kind=kind,
                 heading_path=heading or [title], doc_hash=digest, content_hash=digest, extra={"doc_id": doc_id})


def corpus_chunks(folder: Path = PROJECT_ROOT / "corpus") -> list[Chunk]:
    """One chunk per `##` section of every corpus document (enough structure for retrieval-shaped tests)."""
    chunks = []
    for path in sorted(folder.glob("*.md")):
        if path.name == "README.md":
            continue
        post = frontmatter.load(path)
        title = str(post.metadata.get("title", path.stem))
        kind = str(post.metadata.get("kind", "document"))
        for n, part in enumerate(re.split(r"\n(?=## )", post.content)):
            heading = part.splitlines()[0].lstrip("# ").strip() if part.startswith("## ") else title
            text = part.strip()
            if len(text) > 40:
                chunks.append(make_chunk(path.stem, title, kind, text, [title, heading], n))
    return chunks


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


class BigramRetriever:
    """Ranks chunks by shared character bigrams with the query; records queries. `fail=True` raises."""

    def __init__(self, chunks: list[Chunk] | None = None, fail: bool = False) -> None:
        self.chunks = corpus_chunks() if chunks is None else chunks
        self.queries: list[str] = []
        self.fail = fail
        self._grams = [_bigrams(c.text) for c in self.chunks]

    def search(self, query: str, k: int | None = None, filters: Any = None) -> list[Hit]:
        self.queries.append(query)
        if self.fail:
            raise RuntimeError("index unavailable")
        q = _bigrams(query)
        scored = sorted(((len(q & g) / (len(q) or 1), c) for c, g in zip(self.chunks, self._grams, strict=True)),
                        key=lambda sc: -sc[0])
        return [Hit(chunk=c, rank=i + 1, scores={"fused": s}) for i, (s, c) in enumerate(scored[: k or 4]) if s > 0]


def scripted(respond: Callable[[list[BaseMessage]], str] | str) -> FakeChatModel:
    """The project's FakeChatModel answering every call with `respond(messages)` (or the fixed text)."""
    return FakeChatModel(respond if callable(respond) else (lambda _m, text=respond: text))


def section_of(messages: list[BaseMessage]) -> str:
    """The section title a drafting prompt asks for (「…」 in the user message)."""
    m = re.search(r"の「(.+?)」を書いてください", str(messages[-1].content))
    return m.group(1) if m else ""


GOOD_BODY = "- 窓口の申請が紙中心で、職員の転記作業が負担になっています[1]。\n- 業務課題を先に整理します[2]。"
