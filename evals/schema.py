"""Eval items and the loader for eval files (YAML sets and the reviewers' JSONL format).

A malformed item must never abort a run: the loader records *which file and line* is wrong, skips the item
and keeps going, so one typo in a set cannot hide every other result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from app.drafting.kinds import KIND_NAMES, KINDS  # the one registry of draft kinds

ItemKind = Literal[("qa", "abstain", *KIND_NAMES)]  # type: ignore[valid-type]
DRAFT_KINDS: frozenset[str] = frozenset(KIND_NAMES)
SETS_DIR = Path(__file__).resolve().parent / "sets"


class EvalItem(BaseModel):
    """One thing to check. `question` (+ optional `turns` history) for qa/abstain; `profile` for drafts."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    kind: ItemKind = "qa"
    question: str | None = None
    turns: list[str] = Field(default_factory=list, description="Earlier user questions of a multi-turn item.")
    profile: dict[str, Any] | str | None = Field(None, description="Inline profile dict or a path to a YAML file.")
    reference_facts: list[str] = Field(default_factory=list)
    must_not: list[str] = Field(default_factory=list)
    gold_sources: list[str] = Field(default_factory=list, description="Corpus doc ids (file stems) or titles.")
    required_sections: list[str] = Field(default_factory=list)
    interview_minutes: int = 60
    notes: str = ""
    source_file: str = Field("", exclude=True)
    source_line: int = Field(0, exclude=True)

    @field_validator("reference_facts", "must_not", "gold_sources", "required_sections", "turns", mode="before")
    @classmethod
    def _scalars_as_text(cls, value: Any) -> Any:
        """YAML reads `[238, 13.7%]` as a number and a string; a fact is always text."""
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in value]
        return value

    @model_validator(mode="after")
    def _has_input(self) -> EvalItem:
        if self.kind in DRAFT_KINDS:
            if self.profile is None and not (self.question or "").strip():
                raise ValueError(f"kind={self.kind} needs `profile` (or a `question`, evaluated as a question)")
        elif not (self.question or "").strip():
            raise ValueError(f"kind={self.kind} needs a non-empty `question`")
        return self

    @property
    def is_draft(self) -> bool:
        """A draft to write: a draft kind with a profile. A draft kind with only a question is asked as a question
        (reviewers' files carry such items; skipping them would hide them from the report)."""
        return self.kind in DRAFT_KINDS and self.profile is not None

    @property
    def draft_as_question(self) -> bool:
        return self.kind in DRAFT_KINDS and self.profile is None

    @property
    def context(self) -> str:
        """The question with its earlier turns: what an answer may leave implicit."""
        return " ".join([*self.turns, self.question or ""]).strip()

    @property
    def retrieval_query(self) -> str:
        """What retrieval metrics search with: the question (with earlier turns for follow-ups) or the profile issue."""
        if not self.is_draft:
            return " ".join([*self.turns[-1:], self.question or ""]).strip()
        profile = self.profile if isinstance(self.profile, dict) else {}
        parts = [str(profile.get(k, "")) for k in ("issues", "issue", "role_sought", "role")]
        label = KINDS[self.kind].label  # type: ignore[index]
        return " ".join([label, *[p for p in parts if p]]).strip()


class LoadError(BaseModel):
    """A skipped item: where it is and why, in one line a set author can act on."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def _short(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'item'}: {e['msg']}" for e in exc.errors())


def _validate(raw: Any, path: Path, line: int, items: list[EvalItem], errors: list[LoadError]) -> None:
    if not isinstance(raw, dict):
        errors.append(LoadError(file=str(path), line=line, message=f"項目が辞書ではありません / item is not a mapping: {raw!r:.60}"))
        return
    try:
        item = EvalItem.model_validate(raw)
    except ValidationError as exc:
        errors.append(LoadError(file=str(path), line=line, message=f"不正な項目 / invalid item: {_short(exc)}"))
        return
    items.append(item.model_copy(update={"source_file": str(path), "source_line": line}))


def _load_jsonl(path: Path, items: list[EvalItem], errors: list[LoadError]) -> None:
    for no, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            errors.append(LoadError(file=str(path), line=no, message=f"JSONとして読めません / invalid JSON: {exc.msg}"))
            continue
        _validate(raw, path, no, items, errors)


def _item_lines(text: str) -> list[int]:
    """Line numbers (1-based) of each top-level list entry, so YAML errors can name the item's line."""
    node = yaml.compose(text)
    if node is None:
        return []
    seq = node.value if isinstance(node, yaml.SequenceNode) else None
    if seq is None and isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "items" and isinstance(value, yaml.SequenceNode):
                seq = value.value
    return [child.start_mark.line + 1 for child in (seq or [])]


def _load_yaml(path: Path, items: list[EvalItem], errors: list[LoadError]) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
        lines = _item_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        errors.append(LoadError(file=str(path), line=line, message=f"YAMLとして読めません / invalid YAML: {exc}"))
        return
    if isinstance(data, dict):
        data = data.get("items")
    if not isinstance(data, list):
        errors.append(LoadError(file=str(path), line=1, message="項目のリストがありません / expected a list of items"))
        return
    for i, raw in enumerate(data):
        _validate(raw, path, lines[i] if i < len(lines) else 0, items, errors)


def load_items(paths: list[Path]) -> tuple[list[EvalItem], list[LoadError]]:
    """Every valid item of every file, and one LoadError per skipped item. Duplicate ids are errors too."""
    items: list[EvalItem] = []
    errors: list[LoadError] = []
    for path in paths:
        if not path.is_file():
            errors.append(LoadError(file=str(path), line=0, message="ファイルがありません / file not found"))
            continue
        if path.suffix == ".jsonl":
            _load_jsonl(path, items, errors)
        else:
            _load_yaml(path, items, errors)
    seen: set[str] = set()
    unique: list[EvalItem] = []
    for item in items:
        if item.id in seen:
            errors.append(LoadError(file=item.source_file, line=item.source_line,
                                    message=f"重複したid / duplicate id: {item.id}"))
            continue
        seen.add(item.id)
        unique.append(item)
    return unique, errors


def set_paths(name: str | None = None, sets_dir: Path = SETS_DIR) -> list[Path]:
    """The files of one named set (file stem) or of all sets."""
    files = sorted([*sets_dir.glob("*.yaml"), *sets_dir.glob("*.jsonl")])
    if name is None:
        return files
    return [p for p in files if p.stem == name]


def set_names(sets_dir: Path = SETS_DIR) -> list[str]:
    return [p.stem for p in set_paths(None, sets_dir)]
