"""The CI gate: summary metrics compared with the limits in evals/thresholds.yaml.

Limits live in a data file so tightening the gate after an improvement is a one-line reviewed change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

THRESHOLDS_FILE = Path(__file__).resolve().parent / "thresholds.yaml"


def load_thresholds(path: Path = THRESHOLDS_FILE) -> dict[str, dict[str, dict[str, float]]]:
    """{profile: {metric: {"min": x} | {"max": y}}}; profiles: `ci` (fake model) and `full` (embedded model)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of profiles")
    return data


def check(summary: dict[str, Any], limits: dict[str, dict[str, float]]) -> list[str]:
    """Failures as readable lines; an empty list means the gate passes. A missing metric fails (it was not run)."""
    failures = []
    for metric, bound in limits.items():
        value = summary.get(metric)
        if value is None:
            failures.append(f"{metric}: not measured")
            continue
        if "min" in bound and value < bound["min"]:
            failures.append(f"{metric}={value} < min {bound['min']}")
        if "max" in bound and value > bound["max"]:
            failures.append(f"{metric}={value} > max {bound['max']}")
    return failures
