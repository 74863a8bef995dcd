"""Where Japanese sentences end: one rule for the chunker (ingest), the provenance marks and evidence selection.

A sentence ends at 。！？ (plus closing brackets) or at ASCII ! ? before a space or a Japanese character; a line break
ends one too, because a chunk's lines are whole paragraphs or list items (the chunker joined wrapped PDF lines). A 。
inside an open parenthesis does not end the sentence (「（紹介記事1件による。…）」). `sentence_spans` gives character
offsets into the text as stored, so a selected sentence can be highlighted inside its passage.
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
            spans.append((cursor, pos + match.end()))
            cursor = pos + match.end()
        spans.append((cursor, pos + len(line)))
        pos += len(line) + 1
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        previous = joined[-1] if joined else None
        if previous and _open_parens(text[previous[0] : previous[1]]) > 0 and "\n" not in text[previous[1] : start]:
            joined[-1] = (previous[0], end)
        else:
            joined.append((start, end))
    return [s for s in (strip_span(text, a, b) for a, b in joined) if s[1] > s[0]]


def _open_parens(piece: str) -> int:
    return sum(piece.count(c) for c in "（(") - sum(piece.count(c) for c in ")）")


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the spaces at its ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans as one, in order (detectors mark the same sentence from several rules)."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
