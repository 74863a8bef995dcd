"""Deterministic matchers for Japanese answers: is a fact there, is a wrong claim asserted, is a citation honest.

RAGAS-style LLM judges are fragile in Japanese, so the gate rests on these: a normalised substring match first,
then a char-bigram match and an embedding match on the best answer sentence. A figure or fiscal year in a fact
must appear in the matching sentence, so「措置率0.7」never matches「措置率0.5」however similar the embeddings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from app.checks.figures import canonical
from app.schemas import SOURCES_NOTE
from evals.statement_matcher import NEGATION, StatementMatch, is_negated, match_statement

EMBED_THRESHOLD = 0.914
"""Calibrated on evals/calibration/pairs.jsonl (15 paraphrase / 15 near-miss pairs) with multilingual-e5-small:
evals/calibrate_matcher.py prints the accuracy-maximising cut (0.914, accuracy 0.77). e5-small scores topical
near-misses high, so figures are guarded separately (`_numbers_ok`)."""
MUST_NOT_EMBED_THRESHOLD = 0.95
"""Stricter for wrong claims: wrongly accusing an answer of a false claim is worse than missing one."""
BIGRAM_THRESHOLD = 0.8
"""Share of a fact's content bigrams that must appear in one sentence (a near-verbatim reordering)."""
CITATION_BIGRAM_THRESHOLD = 0.3
"""Share of the citing sentence's bigrams found in the passage; a sentence that only names the same entity
(「福山市の上限も同じです」 vs a passage on 福山市) stays below it."""
CITATION_EMBED_THRESHOLD = 0.85

EmbedFn = Callable[[list[str]], list[list[float]]]
"""Texts -> unit vectors. Injected so tests and the CI subset can run without loading a model."""

# --- normalisation -----------------------------------------------------------------------------------------
# One spelling of figures for the whole project (app/checks/figures.py): 560万円 = ¥5,600,000 = 5600000円,
# 令和6年度 = 2024年度 = FY2024, 2万5千円 = 25000円, 四つ = 4つ.

_DROP = re.compile(r"(?<!\d)\.|\.(?!\d)|[\s\u3000、。,，・:：;；!！?？「」『』（）()\[\]【】〔〕〈〉《》\"'“”‘’`~〜～\-‐―—…/／]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """`canonical` plus lower case and no spaces or punctuation: the form substrings are compared in."""
    return _DROP.sub("", canonical(text).lower())


def numbers(text: str) -> set[str]:
    """Figures in a text after canonicalisation (so 560万円 and ¥5,600,000 give the same figure)."""
    found = set()
    for raw in _NUMBER.findall(canonical(text)):
        value = float(raw)
        found.add(str(int(value)) if value.is_integer() else str(value))
    return found


_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")
_MARKER = re.compile(r"\[(\d+)\]")
_LIST_MARK = re.compile(r"^(?:[-*・•]|#+|\d+[.)）](?!\d))\s*")


def sentences(text: str) -> list[str]:
    """Japanese sentences (and list lines) of an answer, stripped, empty ones dropped."""
    return list(_sentences(text))


@lru_cache(maxsize=1024)
def _sentences(text: str) -> tuple[str, ...]:
    parts: list[str] = []
    for piece in _SENTENCE_END.split(text):
        piece = _LIST_MARK.sub("", piece.strip()).strip()
        if piece:
            parts.append(piece)
    return tuple(parts)


# --- negation: evals.statement_matcher.is_negated / NEGATION (one definition, imported here) -------------------

__all__ = ["NEGATION", "canonical", "is_negated"]


# --- bigrams / similarity ------------------------------------------------------------------------------------


def bigrams(text: str) -> set[str]:
    norm = normalize(_MARKER.sub("", text))
    return {norm[i : i + 2] for i in range(len(norm) - 1)}


def bigram_containment(small: str, large: str) -> float:
    """Share of `small`'s char bigrams found in `large` (0 when `small` has none)."""
    a = bigrams(small)
    return len(a & bigrams(large)) / len(a) if a else 0.0


def _grams(norm: str) -> set[str]:
    return {norm[i : i + 2] for i in range(len(norm) - 1)}


def local_containment(small: str, large: str, slack: float = 1.5) -> float:
    """Like `bigram_containment`, but within a window of `large` about `slack` times as long as `small`: the words
    of a claim scattered over a long sentence (「手順書にもステップ1（全体方針の決定）があるが、ガイドブックの
    ステップ1は…」) do not add up to the claim."""
    a_norm, b_norm = normalize(_MARKER.sub("", small)), normalize(_MARKER.sub("", large))
    a = _grams(a_norm)
    if not a:
        return 0.0
    width = max(int(len(a_norm) * slack) + 2, 4)
    whole = len(a & _grams(b_norm)) / len(a)
    if len(b_norm) <= width or whole < BIGRAM_THRESHOLD:
        return whole  # a window can only hold fewer of the bigrams than the whole sentence
    best = 0
    for start in range(0, len(b_norm) - width + 1):
        best = max(best, len(a & _grams(b_norm[start : start + width])))
        if best == len(a):
            break
    return best / len(a)


def _cosines(embed: EmbedFn, query: str, texts: Sequence[str]) -> list[float]:
    vecs = np.asarray(embed([query, *texts]), dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-12
    return (vecs[1:] @ vecs[0]).tolist()


# --- facts ----------------------------------------------------------------------------------------------------

FACT_MATCHERS = ("substring", "statement", "bigram", "embedding")
"""Every matcher reports on every fact (FactResult.evidence); only `DECIDING_MATCHERS` decide."""
DECIDING_MATCHERS = ("substring", "statement")
"""Chosen on the labelled agreement set (evals/calibration/statements.jsonl, `python -m evals.calibrate_matcher`):
the bigram and e5 matchers credit near-misses (another scheme's figure, the opposite polarity) a reader rejects, so
they stay evidence only."""
MUST_NOT_MATCHERS = ("substring", "bigram", "statement", "embedding")
"""A wrong claim counts when any of these finds it with the claim's polarity (as before, plus the statement
matcher); the e5 cut for claims is the stricter MUST_NOT_EMBED_THRESHOLD."""


@dataclass(frozen=True)
class Match:
    """Whether a statement was found, by which matcher (substring | statement | bigram | embedding | none), where,
    how close; the statement matcher's found / missing / question-given terms; every matcher's score."""

    found: bool
    matcher: str
    sentence: str = ""
    score: float = 0.0
    terms_found: tuple[str, ...] = ()
    terms_missing: tuple[str, ...] = ()
    terms_given: tuple[str, ...] = ()
    evidence: dict[str, float] = field(default_factory=dict, compare=False)


def _numbers_ok(fact: str, sentence: str) -> bool:
    """Every figure of the fact appears in the sentence: a different figure or fiscal year is a different fact."""
    need = numbers(fact)
    return not need or need <= numbers(sentence)


def _substring(statement: str, text: str, sents: list[str]) -> list[Match]:
    target = normalize(statement)
    if not target:
        return []
    hits = [Match(True, "substring", s, 1.0) for s in sents if target in normalize(s)]
    # a statement spread over two sentences of a list still counts when the whole text contains it
    if not hits and target in normalize(text):
        hits.append(Match(True, "substring", "", 1.0))
    return hits


def _bigram(statement: str, sents: list[str]) -> list[Match]:
    scored = [(local_containment(statement, s), s) for s in sents if _numbers_ok(statement, s)]
    return [Match(score >= BIGRAM_THRESHOLD, "bigram", s, round(score, 3)) for score, s in sorted(scored, reverse=True)]


def _embedding(statement: str, sents: list[str], embed: EmbedFn | None, threshold: float) -> list[Match]:
    candidates = [s for s in sents if _numbers_ok(statement, s)]
    if embed is None or not candidates:
        return []
    sims = _cosines(embed, statement, candidates)
    return [Match(sim >= threshold, "embedding", s, round(sim, 3))
            for sim, s in sorted(zip(sims, candidates, strict=True), reverse=True)]


def _from_statement(m: StatementMatch) -> Match:
    return Match(m.found, "statement", m.window, m.score, tuple(m.found_terms), tuple(m.missing_terms),
                 tuple(m.given_terms))


def find_statement(
    statement: str, text: str, embed: EmbedFn | None = None, threshold: float = EMBED_THRESHOLD,
) -> list[Match]:
    """Every sentence of `text` that states `statement` by the substring, bigram or embedding matcher, best first
    (the matchers of earlier versions, kept as evidence and for must-not claims)."""
    sents = sentences(text)
    found = _substring(statement, text, sents)
    if found:
        return found
    found = [m for m in _bigram(statement, sents) if m.found]
    if found or not sents:
        return found
    return [m for m in _embedding(statement, sents, embed, threshold) if m.found]


def fact_evidence(
    fact: str, text: str, embed: EmbedFn | None = None, threshold: float = EMBED_THRESHOLD, question: str = "",
) -> dict[str, Match]:
    """Each matcher's best result for one fact, independently (what calibrate_matcher scores one by one)."""
    sents = sentences(text)
    out = {"substring": next(iter(_substring(fact, text, sents)), Match(False, "substring")),
           "statement": _from_statement(match_statement(fact, text, question)),
           "bigram": next(iter(_bigram(fact, sents)), Match(False, "bigram"))}
    if embed is not None:
        out["embedding"] = next(iter(_embedding(fact, sents, embed, threshold)), Match(False, "embedding"))
    return out


def combine(evidence: dict[str, Match], deciding: Sequence[str] = DECIDING_MATCHERS) -> Match:
    """The first deciding matcher that found the fact, carrying the statement matcher's terms and every score."""
    statement = evidence.get("statement", Match(False, "statement"))
    scores = {name: m.score if m.found or name != "substring" else 0.0 for name, m in evidence.items()}
    for name in deciding:
        m = evidence.get(name)
        if m is not None and m.found:
            return Match(True, name, m.sentence or statement.sentence, m.score, statement.terms_found,
                         statement.terms_missing, statement.terms_given, scores)
    return Match(False, "none", statement.sentence, statement.score, statement.terms_found, statement.terms_missing,
                 statement.terms_given, scores)


def match_fact(
    fact: str, text: str, embed: EmbedFn | None = None, threshold: float = EMBED_THRESHOLD, question: str = "",
) -> Match:
    """A reference fact is present when a deciding matcher finds it (the statement matcher is polarity-aware: an
    answer that denies the fact does not state it). `question` lets terms the question names stay implicit."""
    return combine(fact_evidence(fact, text, embed, threshold, question))


def match_must_not(
    claim: str, text: str, embed: EmbedFn | None = None, threshold: float = MUST_NOT_EMBED_THRESHOLD,
    question: str = "",
) -> Match:
    """A wrong claim is violated only by a sentence of the same polarity: 「措置率は0.5ではありません」 does not
    assert 「措置率0.5」, while 「副業は認められません」 does assert the claim 「副業は認められない」."""
    polarity = is_negated(claim)
    for hit in find_statement(claim, text, embed, threshold):
        if hit.matcher in MUST_NOT_MATCHERS and hit.sentence and is_negated(hit.sentence) == polarity:
            return hit
    if "statement" in MUST_NOT_MATCHERS:
        stated = match_statement(claim, text, question)
        if stated.found:
            return _from_statement(stated)
    return Match(False, "none")


# --- citations -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitationCheck:
    n: int
    valid: bool
    reason: str
    score: float = 0.0


def check_citations(
    answer_text: str,
    passages: dict[int, str],
    exists: Callable[[int], bool] | None = None,
    embed: EmbedFn | None = None,
) -> list[CitationCheck]:
    """Every `[n]` used in the answer: the passage must exist (in the answer's citations and, if `exists` is given,
    in the index) and share content with the sentence citing it (bigram overlap, else embedding similarity)."""
    checks: dict[int, CitationCheck] = {}
    previous = ""
    for sentence in sentences(answer_text):
        if not _MARKER.sub("", sentence).strip(" 。、"):
            sentence = previous + sentence  # 「…です。[1]」: a marker after the full stop cites the sentence before it
        previous = sentence
        consulted = SOURCES_NOTE in sentence  # a draft's list of passages it was written from asserts nothing
        for raw in _MARKER.findall(sentence):
            n = int(raw)
            if n in checks and checks[n].valid:
                continue
            if n not in passages:
                checks[n] = CitationCheck(n, False, "no such citation")
                continue
            if exists is not None and not exists(n):
                checks[n] = CitationCheck(n, False, "passage not in index")
                continue
            if consulted:
                checks.setdefault(n, CitationCheck(n, True, "listed as consulted"))
                continue
            claim = _MARKER.sub("", sentence)
            overlap = bigram_containment(claim, passages[n])
            if overlap >= CITATION_BIGRAM_THRESHOLD:
                checks[n] = CitationCheck(n, True, "bigram", round(overlap, 3))
                continue
            if embed is not None and claim.strip():
                sim = _cosines(embed, claim, [passages[n]])[0]
                if sim >= CITATION_EMBED_THRESHOLD:
                    checks[n] = CitationCheck(n, True, "embedding", round(sim, 3))
                    continue
            checks[n] = CitationCheck(n, False, "no shared content", round(overlap, 3))
    return [checks[n] for n in sorted(checks)]


# --- sections ---------------------------------------------------------------------------------------------------


def section_present(required: str, titles: Sequence[str]) -> bool:
    """A required section is present when a title contains it (or it contains a title) after normalisation;
    `A／B` in a requirement accepts either alternative."""
    alternatives = [normalize(a) for a in re.split(r"[／/|]", required) if normalize(a)]
    norm_titles = [normalize(t) for t in titles]
    return any(a in t or (t and t in a) for a in alternatives for t in norm_titles)


def embed_fn_from_settings(settings) -> EmbedFn:  # noqa: ANN001 - Settings, imported lazily
    """The project's e5 model as an EmbedFn (symmetric 'query:' side for both texts, as for paraphrase)."""
    from app.models.embeddings import get_embeddings

    model = get_embeddings(settings)
    cache: dict[str, list[float]] = {}

    def embed(texts: list[str]) -> list[list[float]]:
        todo = list(dict.fromkeys(t for t in texts if t not in cache))
        if todo:
            # e5 'query:' prefix on both sides: paraphrase detection is symmetric
            cache.update(zip(todo, [model.embed_query(t) for t in todo], strict=True))
        return [cache[t] for t in texts]

    return embed


CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration" / "pairs.jsonl"
