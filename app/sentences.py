"""Where Japanese sentences end: one rule for the chunker (ingest) and for evidence selection (answers).

A sentence ends at 。！？ (plus closing brackets) or at ASCII ! ? before a space or a Japanese character; a line break
ends one too, because a chunk's lines are whole paragraphs or list items (the chunker joined wrapped PDF lines).
`sentence_spans` gives character offsets into the text as stored, so a selected sentence can be highlighted inside
its passage.
"""

from __future__ import annotations

import re

TERMINATOR = re.compile(r"((?:[。！？]|[!?](?=\s|$|[^\x00-\x7f]))+[」』）)\]]*)")
"""A run of sentence-final punctuation with the closing brackets that belong to it (the chunker splits on it)."""


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of every sentence of `text`, surrounding spaces excluded, in order."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        cursor = pos
        for match in TERMINATOR.finditer(line):
            _add(spans, text, cursor, pos + match.end())
            cursor = pos + match.end()
        _add(spans, text, cursor, pos + len(line))
        pos += len(line) + 1
    return spans


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
