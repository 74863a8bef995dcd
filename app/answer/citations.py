"""Citation verification: every [n] must point at a block the model was given.

Unknown markers are removed (flag ``invalid_citation_removed``); an answer with no markers is flagged
``no_citations`` — we never attach a citation the model did not make, because a faked source is worse than an
honestly unsourced sentence. The citations returned are only the blocks actually cited, renumbered 1..k in
order of first use, and the answer text is rewritten to the same numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.answer.context import ContextBlock
from app.answer.grounding import foreign_characters
from app.schemas import Citation

INVALID_FLAG = "invalid_citation_removed"
NONE_FLAG = "no_citations"
FOREIGN_SCRIPT_FLAG = "non_japanese_characters"
"""Small Qwen models slip into simplified Chinese (业务, 职能): flagged so the UI can warn; the text is kept."""

# [1] ［1］ [1,2] [1、2] [1][2], and 【1】 / [資料1], which small models like to write.
_MARKER = re.compile(r"[\[［【]\s*(?:資料\s*)?(\d{1,3}(?:\s*[,，、・]\s*(?:資料\s*)?\d{1,3})*)\s*[\]］】]")
_SPLIT = re.compile(r"\s*[,，、・]\s*(?:資料\s*)?")
# The model sometimes echoes our delimiters; they are never part of an answer.
_ECHOED_TAG = re.compile(r"<\s*/?\s*資料\s*\d*\s*>")


@dataclass
class VerifiedAnswer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def cited_numbers(text: str) -> list[int]:
    """All numbers the text cites, in order (duplicates kept)."""
    return [int(n) for m in _MARKER.finditer(text) for n in _SPLIT.split(m.group(1))]


def fold_echoed_headers(text: str, blocks: list[ContextBlock]) -> str:
    """Small models copy a block's header line (`[1] title／kind／heading`) before copying its text. Drop the
    header and put its marker after the paragraph that follows, where a citation belongs."""
    headers = {block.header: block.n for block in blocks}
    headers.update({block.header.removeprefix(f"[{block.n}]").strip(): block.n for block in blocks})  # echoed bare
    lines = text.split("\n")
    out: list[str] = []
    pending: int | None = None
    for line in lines:
        core = re.sub(r"^[\s\-*#>0-9.]*", "", line).strip().strip("*")
        if core in headers:
            pending = headers[core]
            continue
        if pending is not None and line.strip():
            line = f"{line.rstrip()}[{pending}]"
            pending = None
        out.append(line)
    return "\n".join(out)


def verify_citations(text: str, blocks: list[ContextBlock]) -> VerifiedAnswer:
    by_n = {block.n: block for block in blocks}
    renumber: dict[int, int] = {}
    invalid = False

    def replace(match: re.Match[str]) -> str:
        nonlocal invalid
        out = []
        for raw in _SPLIT.split(match.group(1)):
            n = int(raw)
            if n not in by_n:
                invalid = True
                continue
            new = renumber.setdefault(n, len(renumber) + 1)
            marker = f"[{new}]"
            if marker not in out:
                out.append(marker)
        return "".join(out)

    new_text = _MARKER.sub(replace, fold_echoed_headers(_ECHOED_TAG.sub("", text), blocks))
    if invalid:
        new_text = re.sub(r"[ \t]+([。、．，.,])", r"\1", new_text)
        new_text = re.sub(r"[ \t]{2,}", " ", new_text)
    flags = []
    if invalid:
        flags.append(INVALID_FLAG)
    if not renumber:
        flags.append(NONE_FLAG)
    if foreign_characters(new_text):
        flags.append(FOREIGN_SCRIPT_FLAG)
    citations = [by_n[old].citation(new) for old, new in sorted(renumber.items(), key=lambda kv: kv[1])]
    return VerifiedAnswer(text=new_text.strip(), citations=citations, flags=flags)
