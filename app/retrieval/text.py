"""What text of a chunk is searched.

A chunk's body alone loses the words that locate it: ingest moves Markdown/HTML headings into
``heading_path`` (「第5条 > 第6項」, 「募集要項 > 報酬」), so a question naming the article or section would
never match the body's words. The heading path and the document title are therefore indexed with the body,
by BM25 and by the dense side alike (the e5 passage prefix is added by the embedding adapter). Embedding this
text instead of the body alone raised dense recall@1 from 0.571 to 0.671 on lawqa_jp and from 0.799 to 0.824
on jsquad_valid (1,000 queries), e5-small (docs/RESULTS.md, tuning record).
"""

from __future__ import annotations

from app.schemas import Chunk

INDEX_TEXT_VERSION = 2
"""Recorded in each generation's manifest: stored vectors made from another recipe are re-embedded on ingest."""


def index_text(chunk: Chunk, with_title: bool = True) -> str:
    parts = [chunk.title] if with_title and chunk.title else []
    parts.extend(h for h in chunk.heading_path if h and h != chunk.title)
    head = " > ".join(parts)
    return f"{head}\n{chunk.text}" if head else chunk.text
