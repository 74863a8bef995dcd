"""Japanese-aware keyword tokens for BM25.

Whitespace tokenisation turns a Japanese paragraph into one "word", which silently makes keyword search useless
(the bug of every naive RAG stack). Two complementary token streams are produced here instead:

* ``word_tokens``: SudachiPy (core dictionary, split mode C) morphemes in their *normalized form* (so 「読み」 and
  「読む」, 「ディジタル」 and 「デジタル」 meet), without particles, auxiliary verbs, punctuation or spaces.
* ``bigram_tokens``: overlapping character bigrams of every run of Japanese letters/digits (ASCII words stay
  whole). They need no dictionary, so they still match unknown words, 新語 and OCR-damaged text.

Both streams are lower-cased after NFKC normalisation, so full-width ＧＰＴ and gpt are one token.
"""

from __future__ import annotations

import re
import threading
import unicodedata

DROP_POS = frozenset({"助詞", "助動詞", "補助記号", "空白"})
"""Sudachi part-of-speech classes carrying no topic: dropping them keeps BM25 on content words."""

SUDACHI_MAX_CHARS = 4000
"""Sudachi refuses inputs above ~49 KB; longer texts are tokenised in slices of this size (cut at a newline or
sentence end when one is near)."""

_local = threading.local()  # a Sudachi tokenizer is not safe to share between threads (Gradio serves several)


def _sudachi():
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import Dictionary, SplitMode

        dictionary = Dictionary(dict="core")
        maker = getattr(dictionary, "tokenizer", None)
        tok = maker(mode=SplitMode.C) if maker else dictionary.create(SplitMode.C)
        _local.tokenizer = tok
    return tok


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _slices(text: str, size: int = SUDACHI_MAX_CHARS) -> list[str]:
    out: list[str] = []
    while len(text) > size:
        cut = max(text.rfind("\n", 0, size), text.rfind("。", 0, size))
        cut = cut + 1 if cut > size // 2 else size
        out.append(text[:cut])
        text = text[cut:]
    if text:
        out.append(text)
    return out


_REF = re.compile(r"第[0-9]+(?:[条項号章節款]|編)(?:の[0-9]+)*")
"""Numbered references (第27条の38, 第6項, 第3章): one token each. Sudachi splits them into 第 / 27 / 条, digits
that occur everywhere, so a question naming an article would not find that article's heading."""


def reference_tokens(text: str) -> list[str]:
    return _REF.findall(text)


def word_tokens(text: str) -> list[str]:
    """Normalized Sudachi morphemes minus function words and symbols, plus whole numbered references."""
    tokens: list[str] = reference_tokens(normalize(text))
    tokenizer = _sudachi()
    for piece in _slices(normalize(text)):
        for m in tokenizer.tokenize(piece):
            if m.part_of_speech()[0] in DROP_POS:
                continue
            form = m.normalized_form().lower().strip()
            if form:
                tokens.append(form)
    return tokens


_RUN = re.compile(r"[^\W_]+")
"""Runs of letters/digits in any script; punctuation, spaces and underscores split runs. Digits stay inside a
Japanese run on purpose: the bigrams 第5 / 5条 are what tells 第5条 from 第15条 (measured on lawqa_jp)."""


def bigram_tokens(text: str) -> list[str]:
    """Character bigrams of each non-ASCII run; ASCII words (API, 2025, dx) are kept whole."""
    tokens: list[str] = []
    for run in _RUN.findall(normalize(text)):
        if run.isascii() or len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


TOKENIZERS = {"word": word_tokens, "bigram": bigram_tokens}
"""BM25 fields by name; an index records which fields it was built with."""
