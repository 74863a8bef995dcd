"""Is extracted text real text? PDFs with broken font maps yield glyph names ("/g123", "uni30A2", "(cid:12)")
or U+FFFD instead of characters; indexing that would only produce nonsense hits, so such documents are refused."""

from __future__ import annotations

import re

_GLYPH_NAMES = re.compile(r"/g\d+|/?uni[0-9A-Fa-f]{4,6}|\(cid:\d+\)|/G[0-9A-F]{2,4}|\ufffd")
_GOOD = re.compile(
    r"[\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]"  # kana, kanji, half-width kana
    r"|[A-Za-z]{2,}|\d+"  # ASCII words and numbers
)

MIN_CHARS = 40
"""Below this a document is too short to judge; it is accepted."""


def mojibake_reason(text: str) -> str | None:
    """A short English reason when `text` looks like glyph names or garbage, else None."""
    body = re.sub(r"\s+", "", text)
    if len(body) < MIN_CHARS:
        return None
    glyph_chars = sum(len(m.group()) for m in _GLYPH_NAMES.finditer(text))
    if glyph_chars / len(body) > 0.2:
        return f"{glyph_chars / len(body):.0%} of the text is glyph names or replacement characters"
    good_chars = sum(len(m.group()) for m in _GOOD.finditer(text))
    if good_chars / len(body) < 0.4:
        return f"only {good_chars / len(body):.0%} of the text is Japanese or ASCII words"
    return None
