"""A 案件 (case): one recruitment followed across the guidebook's four steps, saved under DXHIRE_HOME.

A case holds the municipality profile, each step's status (未着手 / 作成中 / 確認済み), every artefact (a draft of one
kind) with all its versions — generated or edited by the user, each with its time, the model that wrote it and
its warnings — and free notes. A new version never replaces an old one, so nothing the user typed is lost.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.schemas import Draft

StepStatus = Literal["未着手", "作成中", "確認済み"]
STATUSES: tuple[StepStatus, ...] = ("未着手", "作成中", "確認済み")
STEP_TITLES: dict[int, str] = {1: "業務課題の特定", 2: "人材要件の定義", 3: "人材の選定", 4: "人材の受け入れ"}
"""The guidebook's four steps (ステップ1〜4)."""
STEP_MARKS = {1: "①", 2: "②", 3: "③", 4: "④"}
Origin = Literal["generated", "edited"]
ORIGIN_JA = {"generated": "起案", "edited": "利用者の編集"}


def step_label(step: int) -> str:
    return f"{STEP_MARKS[step]} {STEP_TITLES[step]}"


class CaseError(ValueError):
    """A case request that cannot be done (unknown case, empty title, bad status); Japanese first."""


class Version(BaseModel):
    n: int = Field(description="1-based version number within its artefact.")
    created_at: str
    origin: Origin
    model: str = Field(description="Which model wrote it (`embedded`, `openai: name`), or 利用者の編集.")
    warnings: list[str] = Field(default_factory=list)
    draft: Draft


class Artefact(BaseModel):
    kind: str
    step: int
    versions: list[Version] = Field(default_factory=list)

    @property
    def latest(self) -> Version:
        return self.versions[-1]


class Note(BaseModel):
    id: int
    created_at: str
    step: int | None = None
    body: str


class CaseSummary(BaseModel):
    id: str
    title: str
    created_at: str
    updated_at: str
    statuses: dict[int, StepStatus]


class Case(CaseSummary):
    profile: dict = Field(description="The MunicipalityProfile as JSON (validated by the drafting core on use).")
    artefacts: list[Artefact] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)

    def artefact(self, kind: str) -> Artefact | None:
        return next((a for a in self.artefacts if a.kind == kind), None)

    def step_artefacts(self, step: int) -> list[Artefact]:
        return [a for a in self.artefacts if a.step == step]
