"""Page-aware Japanese chunking: whole sentences packed up to `chunk_size` characters, with overlap.

Why not a generic splitter: LangChain's RecursiveCharacterTextSplitter measures overlap in characters and can
start a chunk mid-sentence; here the overlap is made of *whole* trailing sentences of the previous chunk, and a
chunk never crosses a page or heading boundary, so every chunk cites exactly one page and one heading path.
A sentence ends at 。！？ (plus closing brackets), at ASCII ! ? before a space, or at a paragraph/list break.
Only a single sentence longer than `chunk_size` is cut, preferably after 、 or a space.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from app.schemas import Chunk, MetaValue
from app.sentences import TERMINATOR as _TERMINATOR
from ingest.loaders import Block
from ingest.quality import _GOOD

_PARAGRAPH = re.compile(r"\n\s*\n")
_ITEM_START = re.compile(r"^\s*(?:[-*+・•●○◆◇■□▪※|>]|\d{1,3}[.)．]|[（(]\d{1,3}[)）]|[①-⑳]|第[0-9一二三四五六七八九十百]+[章節条])")
_CJK_END = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]$")
_CJK_START = re.compile(r"^[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


def _join_lines(paragraph: str) -> list[str]:
    """PDF lines wrap mid-sentence: join them (no space between Japanese characters), except where a new line
    starts a list item, table row or article, which is its own unit."""
    units: list[str] = []
    for line in paragraph.split("\n"):
        line = line.strip()
        if not line:
            continue
        if units and not _ITEM_START.match(line):
            prev = units[-1]
            glue = "" if _CJK_END.search(prev) or _CJK_START.match(line) else " "
            units[-1] = prev + glue + line
        else:
            units.append(line)
    return units


def split_sentences(text: str) -> list[list[str]]:
    """Lines (paragraphs and list items), each a list of sentences; joining a line's sentences with "" restores it."""
    lines: list[list[str]] = []
    for para in _PARAGRAPH.split(text):
        for unit in _join_lines(para):
            parts = _TERMINATOR.split(unit)
            sentences = []
            for i in range(0, len(parts), 2):
                sentence = parts[i] + (parts[i + 1] if i + 1 < len(parts) else "")
                if sentence.strip():
                    sentences.append(sentence.strip())
            if sentences:
                lines.append(sentences)
    return lines


def _cut_long(sentence: str, size: int) -> list[str]:
    """A sentence over the limit: cut after the last 、，, or space that fits, else at the limit."""
    pieces: list[str] = []
    rest = sentence
    while len(rest) > size:
        window = rest[:size]
        cut = max(window.rfind(c) for c in "、，, ")
        cut = cut + 1 if cut >= size // 2 else size
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def _glue(a: str, b: str) -> str:
    return "" if not a or _CJK_END.search(a) or _CJK_START.match(b) else " "


def pack_sentences(text: str, size: int, overlap: int) -> list[str]:
    """Greedy packing of whole sentences; each new chunk starts with trailing sentences of the previous one
    totalling at most `overlap` characters."""
    units: list[tuple[str, bool]] = []  # (sentence, starts a new line)
    for paragraph in split_sentences(text):
        for j, sentence in enumerate(paragraph):
            for k, piece in enumerate(_cut_long(sentence, size)):
                units.append((piece, j == 0 and k == 0))

    def render(group: list[tuple[str, bool]]) -> str:
        out = ""
        for n, (sentence, new_para) in enumerate(group):
            out += ("\n" if new_para else _glue(out, sentence)) if n else ""
            out += sentence
        return out

    chunks: list[str] = []
    current: list[tuple[str, bool]] = []
    fresh = 0  # sentences in `current` that no earlier chunk holds
    for unit in units:
        if current and len(render([*current, unit])) > size:
            chunks.append(render(current))
            carried: list[tuple[str, bool]] = []
            for prev in reversed(current):
                if len(render([prev, *carried, unit])) > size or len(render([prev, *carried])) > overlap:
                    break
                carried.insert(0, prev)
            current, fresh = carried, 0
        current.append(unit)
        fresh += 1
    if current and fresh:
        chunks.append(render(current))
    return chunks


def chunk_id(doc_hash: str, path_key: str, index: int) -> str:
    """Deterministic: an unchanged file at the same path keeps its ids across generations."""
    return f"{doc_hash[:16]}-{path_key[:8]}-{index:04d}"


def make_chunks(
    blocks: Iterable[Block],
    *,
    size: int,
    overlap: int,
    source: str,
    title: str,
    kind: str,
    doc_hash: str,
    path_key: str,
    extra: dict[str, MetaValue],
) -> list[Chunk]:
    chunks: list[Chunk] = []
    for block in blocks:
        for text in pack_sentences(block.text, size, overlap):
            if not _GOOD.search(text):
                continue  # only punctuation/rules: nothing to find
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(doc_hash, path_key, len(chunks)),
                    text=text,
                    source=source,
                    title=title,
                    kind=kind,
                    page=block.page,
                    heading_path=list(block.heading_path),
                    doc_hash=doc_hash,
                    content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    extra=dict(extra),
                )
            )
    return chunks
