"""The structured corpus data the finders read (`corpus/data/cases.yaml`, `schemes.yaml`) and what they return.

Why a table beside the corpus rather than front matter: the finders need typed fields (団体種別, population,
employment forms, amounts with their fiscal year) while other engineers edit the corpus bodies. Every quoted string
in the tables occurs verbatim in the cited document (tests/test_finders_data.py), so a finder never shows a fact the
corpus does not state; where the corpus lacks a value the field is empty and the surfaces say 要確認.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.drafting.profile import BodyType

CityClass = Literal["政令指定都市", "中核市"]
EmploymentForm = Literal["常勤", "非常勤", "副業", "リモート", "任期付職員", "会計年度任用職員", "正規職員", "業務委託",
                         "企業派遣", "共同確保"]
Region = Literal["any", "outside_metro"]

FORM_KEYWORDS: dict[str, tuple[str, ...]] = {
    "常勤": ("常勤",), "非常勤": ("非常勤",), "副業": ("副業", "複業", "兼業"), "リモート": ("リモート", "テレワーク", "オンライン"),
    "任期付職員": ("任期付",), "会計年度任用職員": ("会計年度任用職員",), "正規職員": ("正規職員",), "業務委託": ("委託",),
    "企業派遣": ("派遣",), "共同確保": ("共同",),
}
"""A form label is only given when one of its words occurs in the entry's employment/pairs text (checked by test)."""

SMALL_BODIES: frozenset[str] = frozenset({"町", "村"})


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    source: str = Field(description="Corpus file the facts are quoted from, as indexed (relative to corpus/).")
    heading: str = Field(description="Heading path in that file (`親 > 子`), shown as the location.")
    doc_title: str = Field(description="The document's front-matter title, as citations show it.")


class CaseEntry(_Entry):
    """One municipality's (or prefecture's) case: who, how big, what role, which employment form, what they did."""

    name: str
    prefecture: str | None = None
    body_type: BodyType
    city_class: CityClass | None = None
    population: int | None = Field(None, gt=0, description="Read from population_text; for ranking only.")
    population_text: str | None = None
    year: str | None = None
    role: str
    employment_forms: list[EmploymentForm] = Field(min_length=1)
    employment_text: str
    did: list[str] = Field(min_length=1)
    advice: list[str] = Field(default_factory=list, description="担当者のアドバイス, quoted; none in the corpus yet.")
    points: list[str] = Field(default_factory=list)
    unknowns: str | None = None
    steps: list[int] = Field(default_factory=list)

    def quoted(self) -> list[str]:
        """Every string that must occur verbatim in the source document."""
        values = [self.name, self.prefecture, self.population_text, self.year, self.role, self.employment_text,
                  self.unknowns, *self.did, *self.advice, *self.points]
        return [v for v in values if v]


class Amount(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    what: str = Field(description="Our label for the figure (上限, 措置率 …).")
    text: str = Field(description="The figure as the document states it (or, when missing, why it is unknown).")
    fiscal_year: str | None = Field(None, description="The fiscal year the document gives for this figure.")
    as_of: str | None = Field(None, description="The publication the figure is as of, when the document names one.")
    missing: bool = Field(False, description="The corpus has no value: shown as 要確認 with the reason in `text`.")


class SchemeEntry(_Entry):
    """A national support scheme: who may use it, the figures with their fiscal year, the employment forms it fits."""

    name: str
    provider: str
    summary: str
    body_types: list[BodyType] = Field(min_length=1)
    body_text: str
    region: Region = "any"
    region_text: str | None = None
    population_max: int | None = None
    amounts: list[Amount] = Field(default_factory=list)
    pairs_with: list[EmploymentForm] = Field(default_factory=list)
    pairs_text: str | None = None
    conditions: list[str] = Field(default_factory=list)
    cautions: list[str] = Field(default_factory=list)

    def quoted(self) -> list[str]:
        values = [self.name, self.provider, self.summary, self.body_text, self.region_text, self.pairs_text,
                  *self.conditions, *self.cautions]
        for a in self.amounts:
            values += [a.text, a.fiscal_year, a.as_of]
        return [v for v in values if v]


class FinderQuery(BaseModel):
    """What the finders know about the asking municipality. Every field may be unknown; unknown never excludes."""

    model_config = ConfigDict(frozen=True)

    name: str | None = None
    body_type: BodyType | None = None
    population: int | None = Field(None, gt=0)
    prefecture: str | None = None
    in_metro: bool | None = Field(None, description="In a 三大都市圏 (None: not known, schemes say 要確認).")
    work_styles: list[str] = Field(default_factory=list, description="希望する働き方 / employment forms wanted.")


class Source(BaseModel):
    """Where a finder result's facts are written: enough for a citation line."""

    title: str
    source: str
    heading: str


class CaseMatch(BaseModel):
    case: CaseEntry
    score: float = Field(description="Lower is closer (size distance minus bonuses).")
    reasons: list[str]
    cite: Source


Verdict = Literal["該当", "対象外", "要確認"]


class SchemeCheck(BaseModel):
    label: str
    verdict: Verdict
    detail: str


class SchemeMatch(BaseModel):
    scheme: SchemeEntry
    fit: Literal["対象の可能性あり", "要確認", "対象外"]
    checks: list[SchemeCheck]
    form_match: list[str] = Field(default_factory=list)
    cite: Source


class FinderResult(BaseModel):
    """Both finders for one profile: what the drafts and the 案件 tab use."""

    query: FinderQuery
    cases: list[CaseMatch]
    schemes: list[SchemeMatch]


def amount_text(a: Amount) -> str:
    """One line for a figure, always with its year or 要確認: 「1人あたり年間560万円を上限…（年度: 要確認）」."""
    if a.missing:
        return f"{a.what}: 要確認（{a.text}）"
    when = f"（{a.fiscal_year}）" if a.fiscal_year else f"（{a.as_of}時点、年度: 要確認）" if a.as_of else "（年度: 要確認）"
    return f"{a.what}: {a.text}{when}"
