"""Is extracted text real text? Judged by what language looks like, per page, not by a list of known glyph forms.

PDFs with broken font maps yield glyph names (``/edGj0 /edGj0 …``, ``/g123``), ``(cid:12)``, shifted code points or
mojibake (Shift_JIS read as Latin-1, UTF-8 read as CP932). A list of the forms seen so far (the old check) let a
new one through: 17 pages of ``/edGj0`` became 233 chunks that won searches for 「エラー」. What every kind of
garbage shares is that it is not made of words:

- **recognisable share**: the characters that belong to a word the Japanese dictionary knows (SudachiPy, core
  dictionary: a known word of two or more characters, or a particle/auxiliary), a number, a known Latin word or a
  URL, out of all characters that are not spaces or punctuation. Real pages of the shared government PDFs score
  0.59 and up (median 0.9); every kind of synthetic garbage scores below 0.5 (`evals/bench/text_quality.py`).
- **Japanese share** of the Japanese-script part on its own: shifted code points stay kana and kanji, but their
  words are not in the dictionary (clean ≥ 0.6, shifted ≤ 0.41).
- **repetition**: a page of one repeated token compresses ~40× (clean pages ≤ 5.7× once runs of dot leaders are
  collapsed), and has almost no distinct tokens.
- replacement characters (U+FFFD) where the extractor gave up.

Too little text to judge (a page number, a caption) is accepted here; `loaders.MIN_PAGE_CHARS` treats it as a page
without a text layer.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

MIN_CHARS = 40
"""Below this many non-space characters a text is too short to judge; it is accepted."""
MIN_RECOGNISED = 0.5
MIN_JAPANESE_RECOGNISED = 0.5
JAPANESE_JUDGED_CHARS = 50
"""The Japanese share is judged only when the page has at least this many kana/kanji characters."""
MAX_COMPRESSION = 8.0
MIN_DISTINCT = 0.1
MAX_REPLACEMENT = 0.1
JUDGED_CHARS = 20_000
"""Long texts (a whole Markdown file) are judged on their first this many characters: enough for a verdict."""

_GOOD = re.compile(
    r"[\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]"  # kana, kanji, half-width kana
    r"|[A-Za-z]{2,}|\d+"  # ASCII words and numbers
)
"""Characters that can carry meaning: a page with fewer than `loaders.MIN_PAGE_CHARS` of them has no text layer."""
_JA_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u3005\u30fc]+")
_LATIN_WORD = re.compile(r"^[A-Za-z]+(?:['’-][A-Za-z]+)*$")
_NUMBER = re.compile(r"^(?:[\d][\d,.:/%\-]*|[IVXivx]+(?:[.\-]\d+)+|\d+(?:st|nd|rd|th|[a-z]))$")
"""12, 2021/6/10, 3.5%, III.4.1 (section numbers), 1st, 6a."""
_URL = re.compile(
    r"^(?:https?://|www\.)\S+$|^[\w.+-]+@[\w-]+\.[\w.]+$|^(?:[a-z0-9-]+\.)+(?:jp|com|org|net|go|lg|gov|int)(?:/\S*)?$",
    re.IGNORECASE,
)
_STRIP = "()[]{}<>\"'`“”‘’.,:;!?、。・…「」『』（）［］【】*"
_PARTS = re.compile(r"[-_./]+")
_EXTENSIONS = frozenset({"md", "pdf", "htm", "html", "txt", "doc", "docx", "xls", "xlsx", "csv", "ppt", "pptx", "zip",
                         "json", "yaml", "yml", "xml", "py"})
_PUNCT_ONLY = re.compile(r"^[\W_]+$")
_REPEATED_PUNCT = re.compile(r"([\W_])\1{2,}")
_FUNCTION_POS = frozenset({"助詞", "助動詞"})
_SLICE = 2000


@dataclass(frozen=True)
class TextQuality:
    """What `judge` measured on a text (kept for the labelled-set benchmark and for log lines)."""

    chars: int
    recognised: float
    japanese_chars: int
    japanese_recognised: float
    compression: float
    distinct: float
    replacement: float

    def reason(self) -> str | None:
        """A short English reason when the text is not language, else None."""
        if self.chars < MIN_CHARS:
            return None
        if self.replacement > MAX_REPLACEMENT:
            return f"{self.replacement:.0%} of the characters are replacement characters (U+FFFD)"
        if self.compression > MAX_COMPRESSION or self.distinct < MIN_DISTINCT:
            return f"one pattern repeated (compresses {self.compression:.0f}x, {self.distinct:.0%} distinct tokens)"
        if self.recognised < MIN_RECOGNISED:
            return f"only {self.recognised:.0%} of the text is dictionary words, numbers or URLs"
        if self.japanese_chars >= JAPANESE_JUDGED_CHARS and self.japanese_recognised < MIN_JAPANESE_RECOGNISED:
            return f"only {self.japanese_recognised:.0%} of the Japanese text is dictionary words"
        return None


def _slices(run: str) -> list[str]:
    return [run[i : i + _SLICE] for i in range(0, len(run), _SLICE)]


def _made_of_words(token: str, tokenizer) -> bool:
    """A Latin token of known words or numbers, possibly joined (`guidebook-overview.md`, `e-Gov`, `2021_06`).
    A glyph name (`/edGj0`, `g123`) mixes letters and digits inside one part and is not."""
    parts = [p for p in _PARTS.split(token) if p]
    if not parts:
        return False
    for part in parts:
        if part.isdigit() or part.lower() in _EXTENSIONS:
            continue
        if not _LATIN_WORD.match(part) or any(m.is_oov() for m in tokenizer.tokenize(part)):
            return False
    return True


def measure(text: str) -> TextQuality:
    """The language-likeness measures of `text` (see the module docstring)."""
    from app.retrieval.tokenize import _sudachi

    text = text[:JUDGED_CHARS]
    body = re.sub(r"\s+", "", text)
    tokenizer = _sudachi()
    ja_total = ja_good = 0
    surfaces: list[str] = []
    for run in _JA_RUN.findall(text):
        for piece in _slices(run):
            for m in tokenizer.tokenize(piece):
                surface = m.surface()
                ja_total += len(surface)
                surfaces.append(surface)
                if not m.is_oov() and (len(surface) >= 2 or m.part_of_speech()[0] in _FUNCTION_POS):
                    ja_good += len(surface)
    other_total = other_good = 0
    for raw in _JA_RUN.sub(" ", text).split():
        token = raw.strip(_STRIP)
        if not token or _PUNCT_ONLY.match(token):
            continue
        surfaces.append(token)
        other_total += len(token)
        if _NUMBER.match(token) or _URL.match(token) or _made_of_words(token, tokenizer):
            other_good += len(token)
    total = ja_total + other_total
    collapsed = _REPEATED_PUNCT.sub(r"\1", body).encode("utf-8")
    return TextQuality(
        chars=len(body),
        recognised=(ja_good + other_good) / total if total else 0.0,
        japanese_chars=ja_total,
        japanese_recognised=ja_good / ja_total if ja_total else 1.0,
        compression=len(collapsed) / len(zlib.compress(collapsed, 9)) if collapsed else 1.0,
        distinct=len(set(surfaces)) / len(surfaces) if len(surfaces) >= 50 else 1.0,
        replacement=body.count("\ufffd") / len(body) if body else 0.0,
    )


def mojibake_reason(text: str) -> str | None:
    """A short English reason when `text` (a page, or a whole non-PDF document) is not language, else None."""
    if len(re.sub(r"\s+", "", text)) < MIN_CHARS:
        return None
    return measure(text).reason()
