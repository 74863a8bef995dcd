"""Numbered, delimited context blocks: lean (the embedded model reads ~35 tokens/s) and inert (data, not orders).

Each block looks like::

    <資料 1>
    [1] タイトル／支援制度の要約／見出し
    本文…
    </資料 1>

Passages are trimmed at sentence boundaries to a per-block cap and the blocks to a total cap. Anything inside a
passage that looks like our delimiters, a chat-template token or a citation marker is neutralised, so a document
cannot close its own data section and speak as the system, nor plant citations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.schemas import Citation, Hit

HEADER_TITLE_CHARS = 40
HEADER_HEADING_CHARS = 30
OPEN_TAG = "<資料 {n}>"
CLOSE_TAG = "</資料 {n}>"

_DELIMITER_LOOKALIKE = re.compile(r"[<＜〈《]\s*/?\s*資\s*料[^>＞〉》\n]{0,20}[>＞〉》]")
_CHAT_TOKENS = re.compile(r"<\|[^|>\n]{0,40}\|>|<\s*/?\s*(?:system|assistant|user|s|im_start|im_end)\s*>", re.IGNORECASE)
_MARKERS = re.compile(r"[\[［]\s*(\d{1,3})\s*[\]］]")
_SENTENCE_END = re.compile(r"[。！？!?\n]")


@dataclass(frozen=True)
class ContextBlock:
    """One numbered block handed to the model; `n` is the number the model must cite."""

    n: int
    hit: Hit
    text: str

    @property
    def header(self) -> str:
        """`[n] title／kind／page-or-heading`, shortened: every character here costs prompt time."""
        chunk = self.hit.chunk
        parts = [_short(neutralise(chunk.title) or chunk.source, HEADER_TITLE_CHARS), chunk.kind_label]
        if chunk.page is not None:
            parts.append(f"p.{chunk.page}")
        elif chunk.heading_path and chunk.heading_path[-1] != chunk.title:
            parts.append(_short(neutralise(chunk.heading_path[-1]), HEADER_HEADING_CHARS))
        return f"[{self.n}] " + "／".join(parts)

    def render(self) -> str:
        return "\n".join([OPEN_TAG.format(n=self.n), self.header, self.text, CLOSE_TAG.format(n=self.n)])

    def citation(self, n: int) -> Citation:
        """The citation shown to the user carries the full chunk text, not the trimmed excerpt."""
        return Citation.from_hit(n, self.hit)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def neutralise(text: str) -> str:
    """Make passage text inert: drop delimiter look-alikes and chat tokens, turn [n] into （n）."""
    text = _DELIMITER_LOOKALIKE.sub("", text)
    text = _CHAT_TOKENS.sub("", text)
    return _MARKERS.sub(lambda m: f"（{m.group(1)}）", text)


def trim_at_sentence(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, preferring the last sentence end; '…' marks a hard cut."""
    text = re.sub(r"[ \t\u3000]+", " ", text).strip()
    text = re.sub(r"\n{2,}", "\n", text)
    if len(text) <= limit:
        return text
    window = text[:limit]
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if ends and ends[-1] >= limit // 3:
        return window[: ends[-1]].strip()
    return window[: limit - 1].rstrip() + "…"


def build_blocks(hits: list[Hit], block_chars: int, total_chars: int) -> list[ContextBlock]:
    """Blocks in rank order until the total budget is spent (the first block is always kept)."""
    blocks: list[ContextBlock] = []
    used = 0
    seen: set[str] = set()
    for hit in hits:
        text = trim_at_sentence(neutralise(hit.chunk.text_without()), block_chars)
        if not text or text in seen:
            continue
        remaining = total_chars - used
        if blocks and remaining < min(120, block_chars):
            break
        if blocks and len(text) > remaining:
            text = trim_at_sentence(text, remaining)
        seen.add(text)
        blocks.append(ContextBlock(n=len(blocks) + 1, hit=hit, text=text))
        used += len(text)
    return blocks


def render_context(blocks: list[ContextBlock]) -> str:
    return "\n".join(block.render() for block in blocks)
