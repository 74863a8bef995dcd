"""Loading the finder tables once per process; a broken table names the file and the entry."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import ValidationError

from app.config import PROJECT_ROOT
from app.finders.models import CaseEntry, SchemeEntry

DATA_DIR = PROJECT_ROOT / "corpus" / "data"
CASES_FILE = DATA_DIR / "cases.yaml"
SCHEMES_FILE = DATA_DIR / "schemes.yaml"
T = TypeVar("T", CaseEntry, SchemeEntry)


class FinderDataError(ValueError):
    """A finder table cannot be read; the message names the file and the entry (Japanese first)."""


def _load(path: Path, model: type[T]) -> tuple[T, ...]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise FinderDataError(f"{path.name}: 読めません / cannot read the table: {exc}") from exc
    if not isinstance(raw, list):
        raise FinderDataError(f"{path.name}: 項目のリストにしてください / the table must be a list of entries")
    entries: list[T] = []
    for i, item in enumerate(raw, start=1):
        try:
            entries.append(model.model_validate(item))
        except ValidationError as exc:
            name = item.get("id") if isinstance(item, dict) else None
            raise FinderDataError(f"{path.name}: {i}件目（{name or 'idなし'}）が不正です / invalid entry: {exc}") from exc
    ids = [e.id for e in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise FinderDataError(f"{path.name}: id が重複しています / duplicate ids: {', '.join(duplicates)}")
    return tuple(entries)


@lru_cache(maxsize=4)
def load_cases(path: Path = CASES_FILE) -> tuple[CaseEntry, ...]:
    return _load(path, CaseEntry)


@lru_cache(maxsize=4)
def load_schemes(path: Path = SCHEMES_FILE) -> tuple[SchemeEntry, ...]:
    return _load(path, SchemeEntry)
