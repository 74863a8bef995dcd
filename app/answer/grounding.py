"""Model-free checks of generated Japanese: does a passage contain a sentence's wording, is the script Japanese.

Character bigrams are used because they need no dictionary and survive the small rephrasings a model makes
(「確認します」/「確認する」 share most bigrams). A sentence whose bigrams are mostly absent from every passage
the model was given is likely the model's own addition; it is flagged, never silently removed.
"""

from __future__ import annotations

import re
import unicodedata

from app.checks.answer_form import foreign_characters, lacks_kana  # noqa: F401  (moved; imported from here too)
from app.retrieval.tokenize import bigram_tokens

UNSUPPORTED_FLAG = "unsupported_sentences"
UNSUPPORTED_NUMBERS_FLAG = "unsupported_numbers"
SUPPORT_MIN = 0.3
"""Share of a sentence's bigrams a passage must contain (the evals' citation check uses the same bar)."""
MIN_SENTENCE_CHARS = 15
"""Shorter sentences (「以下の通りです。」, list labels) carry no checkable claim."""

_MARKER = re.compile(r"[\[［【]\s*\d{1,3}\s*[\]］】]")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def support(claim: str, passage: str) -> float:
    grams = set(bigram_tokens(claim))
    return len(grams & set(bigram_tokens(passage))) / len(grams) if grams else 0.0


def supports(claim: str, passage: str) -> bool:
    return support(claim, passage) >= SUPPORT_MIN


def unsupported_sentences(text: str, passages: list[str]) -> list[str]:
    """Sentences of `text` (markers removed) that no passage supports."""
    out = []
    for raw in _SENTENCE.findall(text):
        sentence = _MARKER.sub("", raw).strip(" 　-*#0123456789.、")
        if len(sentence) < MIN_SENTENCE_CHARS:
            continue
        if not any(supports(sentence, p) for p in passages):
            out.append(sentence)
    return out


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def unsupported_numbers(text: str, passages: list[str]) -> list[str]:
    """Numbers of two or more digits, or with a decimal point, that appear in no passage (「449人」 when the passage
    says 779人): the 1.5B model invents figures, and a short answer escapes the sentence check."""
    def numbers(s: str) -> set[str]:
        s = _MARKER.sub("", unicodedata.normalize("NFKC", s))
        return {n.replace(",", "") for n in _NUMBER.findall(s)}

    known = set().union(*(numbers(p) for p in passages)) if passages else set()
    return sorted(n for n in numbers(text) if (len(n) >= 2 or "." in n) and n not in known)
