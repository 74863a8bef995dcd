"""Checks on the user's question before anything expensive runs.

Decision (documented in the README): an over-long question is *truncated* to ``settings.max_question_chars``
with the flag ``question_truncated`` rather than refused, so a user who pasted a long e-mail still gets an
answer about its beginning and is told what happened. An empty question is refused with `QuestionError`, and so is
one with no letter, digit or kanji in it (「？？？」, 「…」): retrieval would return the most generic passages and the
evidence would look like an answer to a question nobody asked.
"""

from __future__ import annotations

import re
import unicodedata

TRUNCATED_FLAG = "question_truncated"

_ENGLISH_REQUEST = re.compile(
    r"(in\s+english|英語で|英文で|answer\s+in\s+english|respond\s+in\s+english|reply\s+in\s+english)", re.IGNORECASE
)


class QuestionError(ValueError):
    """The question cannot be answered as given (empty). The message is Japanese first, then English."""


def prepare_question(text: str | None, max_chars: int) -> tuple[str, list[str]]:
    """Normalise (NFKC, trimmed) and bound the question; returns (question, flags)."""
    question = unicodedata.normalize("NFKC", text or "").strip()
    if not question:
        raise QuestionError("質問が空です。質問を入力してください / the question is empty: please type a question")
    if not any(unicodedata.category(ch)[0] in "LN" for ch in question):
        raise QuestionError("質問の文字がありません（記号だけです）。知りたいことを文で入力してください / "
                            "the question has no words, only punctuation or symbols: please type a question")
    flags: list[str] = []
    if len(question) > max_chars:
        question = question[:max_chars].rstrip()
        flags.append(TRUNCATED_FLAG)
    return question, flags


def wants_english(question: str) -> bool:
    """Answers are Japanese unless the user explicitly asks for English (an English question alone is not enough)."""
    return bool(_ENGLISH_REQUEST.search(question))


_JAPANESE = re.compile(r"[ぁ-んァ-ヴ一-龥々]")


def has_japanese(text: str) -> bool:
    return bool(_JAPANESE.search(text))
