"""What text of a chunk is searched.

A chunk's body alone loses the words that locate it: ingest moves Markdown/HTML headings into
``heading_path`` (「第5条 > 第6項」, 「募集要項 > 報酬」), so a question naming the article or section would
never match the body's words. The heading path and the document title are therefore indexed with the body.
Ingest should embed the same text (``index_text``) for the dense side; the e5 passage prefix is added by the
embedding adapter.
"""

from __future__ import annotations

from app.schemas import Chunk


def index_text(chunk: Chunk, with_title: bool = True) -> str:
    parts = [chunk.title] if with_title and chunk.title else []
    parts.extend(h for h in chunk.heading_path if h and h != chunk.title)
    head = " > ".join(parts)
    return f"{head}\n{chunk.text}" if head else chunk.text
