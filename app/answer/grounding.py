"""Model-free support measure of generated Japanese: how much of a sentence's wording a passage contains.

Character bigrams are used because they need no dictionary and survive the small rephrasings a model makes
(「確認します」/「確認する」 share most bigrams). The answer's synthesis check (app/answer/synthesis.py) and the drafts'
checks measure a sentence against the evidence or passages it cites with this.
"""

from __future__ import annotations

from app.checks.answer_form import foreign_characters  # noqa: F401  (imported from here by citations)
from app.retrieval.tokenize import bigram_tokens

SUPPORT_MIN = 0.3
"""Share of a sentence's bigrams a passage must contain (the evals' citation check uses the same bar)."""


def support(claim: str, passage: str) -> float:
    grams = set(bigram_tokens(claim))
    return len(grams & set(bigram_tokens(passage))) / len(grams) if grams else 0.0


def supports(claim: str, passage: str) -> bool:
    return support(claim, passage) >= SUPPORT_MIN
