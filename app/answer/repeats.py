"""Remove what a small model emits instead of an answer: loops at temperature 0 (the same line or sentence again and
again until the token cap) and recitations of its own prompt (rules, example sentences, passage headers). Used on
answers and on draft sections; the streamed text is replaced by the cleaned, verified one."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from app.answer.grounding import support

ECHO_MIN = 0.7
"""A line whose bigrams are at least this much inside one of the prompt texts is a recitation, not content."""
_LINE_LEAD = re.compile(r"^[\s\-*・>0-9.、)）\[\]]*(?:要確認\s*[:：]\s*)?")
_LIST_NUMBER = re.compile(r"^\s*\d{1,2}[.)．）]\s*")
_NOISE = re.compile(r"[\s\-*・]|\[\d+\]")
_LEADING_CONNECTIVE = re.compile(r"^(?:しかし|また|さらに|そして|ただし)、?")


def _dedupe_sentences(line: str, seen: set[str]) -> str:
    """Drop sentences already said (within the line or earlier): the loop also happens inside one paragraph."""
    out = []
    for part in re.split(r"(?<=[。！？])", line):
        key = _LEADING_CONNECTIVE.sub("", _NOISE.sub("", part))
        if key and len(key) > 8 and key in seen:
            continue
        seen.add(key)
        out.append(part)
    return "".join(out).rstrip()


def drop_repeats(text: str, skip_line: Callable[[str], bool] | None = None) -> str:
    """Drop repeated lines, repeated sentences and a cut-off copy of an earlier sentence at the end; lines for which
    `skip_line(normalised line)` is true are dropped as well."""
    seen_lines: set[str] = set()
    said: set[str] = set()
    kept: list[str] = []
    for line in text.splitlines():
        key = _NOISE.sub("", _LIST_NUMBER.sub("", line))  # 「4. 説明の流暢さ…」 repeats 「2. 説明の流暢さ…」
        if key and (key in seen_lines or (skip_line is not None and skip_line(key))):
            continue
        seen_lines.add(key)
        kept.append(_dedupe_sentences(line, said))
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    tail = re.split(r"(?<=[。！？\n])", out)[-1]
    tail_key = _NOISE.sub("", tail)
    if len(tail_key) > 8 and not tail.rstrip().endswith(("。", "！", "？")) and any(s.startswith(tail_key) for s in said
                                                                                  if s != tail_key):
        out = out[: len(out) - len(tail)].rstrip()  # the loop was cut by the token cap mid-sentence
    return out


def drop_echoes(text: str, avoid: Sequence[str]) -> str:
    """Drop lines (of 8+ characters after list marks) copied from any of the `avoid` texts."""
    kept = []
    for line in text.splitlines():
        core = _LINE_LEAD.sub("", line).strip()
        if len(core) >= 8 and any(support(core, source) >= ECHO_MIN for source in avoid):
            continue
        kept.append(line)
    return "\n".join(kept)
