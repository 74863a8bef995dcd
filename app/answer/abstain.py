"""Honest abstention: when the best evidence is too far from the question, say so and show what we do cover.

The decision uses the best *dense* cosine similarity among the hits (``Hit.scores["dense"]``), compared with
``settings.abstain_threshold``, calibrated by ``evals/bench/calibrate_abstain.py`` on in-scope vs
out-of-scope questions. BM25 and fused scores are not comparable across queries, so they are not used here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import frontmatter

from app.prompts import load_prompt
from app.schemas import KIND_LABELS_JA, Hit
from app.store import Manifest

BELOW_THRESHOLD_FLAG = "below_threshold"
NO_HITS_FLAG = "no_hits"
LLM_ABSTAINED_FLAG = "llm_not_in_material"

_KIND_ORDER = ["official", "guidebook-summary", "support-scheme", "case", "policy", "practice", "document"]


def best_dense(hits: list[Hit]) -> float | None:
    scores = [h.scores["dense"] for h in hits if "dense" in h.scores]
    return max(scores) if scores else None


def abstain_reason(hits: list[Hit], threshold: float) -> str | None:
    """A flag naming why we abstain, or None to answer. Hits without any dense score are answered (BM25 only)."""
    if not hits:
        return NO_HITS_FLAG
    best = best_dense(hits)
    if best is not None and best < threshold:
        return BELOW_THRESHOLD_FLAG
    return None


def _titles_from_corpus(corpus_dir: Path) -> list[tuple[str, str]]:
    found = []
    for path in sorted(corpus_dir.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:
            meta = frontmatter.load(path).metadata
        except Exception:  # a malformed file is ingest's problem to report, not ours
            continue
        if isinstance(meta.get("title"), str):
            found.append((str(meta.get("kind", "document")), meta["title"]))
    return found


def _short_title(title: str) -> str:
    """Drop a trailing parenthetical (「…（ガイドブックの第1段階について分かること）」): the list stays scannable."""
    return re.sub(r"\s*[（(][^（）()]*[）)]\s*$", "", title).strip() or title


def corpus_topics(
    manifest: Manifest | None = None, corpus_dir: Path | None = None, per_kind: int = 2, limit: int = 10
) -> list[str]:
    """A short, stable list of what the material covers: the guidebook steps first, then a few titles per kind."""
    docs = manifest.titles() if manifest else []
    if not docs and corpus_dir is not None and corpus_dir.is_dir():
        docs = _titles_from_corpus(corpus_dir)
    by_kind: dict[str, list[str]] = {}
    for kind, title in docs:
        titles = by_kind.setdefault(kind, [])
        short = _short_title(title)
        if short not in titles:
            titles.append(short)
    order = _KIND_ORDER + sorted(k for k in by_kind if k not in _KIND_ORDER)
    topics = []
    for kind in order:
        label = KIND_LABELS_JA.get(kind, kind)
        take = 4 if kind == "guidebook-summary" else per_kind
        topics.extend(f"{title}［{label}］" for title in sorted(by_kind.get(kind, []))[:take])
    return topics[:limit]


def abstention_text(topics: Iterable[str], no_hits: bool = False) -> str:
    return load_prompt("answer_abstain").render(topics=list(topics), no_hits=no_hits)
