"""Text clean-up shared by every loader: NFKC, no private-use glyphs, no control characters.

Government PDFs often draw 月日行 with Kangxi-radical look-alikes (⽉⽇⾏, U+2F00 block) and use private-use
code points for bullets; both break exact-match search and BM25 tokens. NFKC maps the radicals (and
full-width digits/letters) to their ordinary forms; private-use and control characters carry no meaning.
"""

from __future__ import annotations

import re
import unicodedata

_KEEP_CONTROLS = {"\n", "\t"}
_SPACES = re.compile(r"[ \t\u3000]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_CJK = "\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff0f\uff1a-\uff20\uff5b-\uff65"
_SPACE_IN_JAPANESE = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
"""PDF extractors often space out letter-spaced Japanese ("こ の 他 、"); Japanese never puts spaces there."""


def _keep(ch: str) -> bool:
    if ch in _KEEP_CONTROLS:
        return True
    cat = unicodedata.category(ch)
    # Cc control, Co private use, Cs surrogates, Cn unassigned; Cf (format: ZWSP, BOM, soft hyphen) too.
    return cat not in {"Cc", "Co", "Cs", "Cn", "Cf"}


def normalise_text(text: str) -> str:
    """NFKC, drop private-use/control/format characters (newlines stay), collapse runs of spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if _keep(ch))
    lines = [_SPACE_IN_JAPANESE.sub("", _SPACES.sub(" ", line)).strip() for line in text.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()
