"""Knowledge tables the drafts are composed from: roles, issue patterns, recruiting channels, step ④ items.

Each table is a YAML file beside this module, validated by the pydantic models in `models.py` (unknown keys
are errors). Every fact carries the corpus document that states it and the key terms that occur together in one
sentence of that document (`tests/test_draft_knowledge.py` checks this against `corpus/`), so a composed line can
always cite the passage that says it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from app.drafting.knowledge.models import KnowledgeBase

FOLDER = Path(__file__).resolve().parent
FILES = ("roles.yaml", "issues.yaml", "channels.yaml", "onboarding.yaml", "notes.yaml")


class KnowledgeError(ValueError):
    """A knowledge table is malformed; the message names the file and the field."""


def load_tables(folder: Path = FOLDER) -> KnowledgeBase:
    data: dict[str, object] = {}
    for name in FILES:
        path = folder / name
        try:
            part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise KnowledgeError(f"{path.name}: 読めません / cannot read: {exc}") from exc
        if not isinstance(part, dict):
            raise KnowledgeError(f"{path.name}: マッピングにしてください / must be a mapping")
        overlap = set(part) & set(data)
        if overlap:
            raise KnowledgeError(f"{path.name}: 重複した表 {sorted(overlap)} / duplicate tables")
        data.update(part)
    try:
        return KnowledgeBase.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(f"knowledge tables: {exc}") from exc


@cache
def knowledge() -> KnowledgeBase:
    """The shipped tables, loaded once per process."""
    return load_tables()
