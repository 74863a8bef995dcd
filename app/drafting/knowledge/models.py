"""Pydantic models of the knowledge tables (`extra="forbid"`: a misspelt key is an error, never a silent gap)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.drafting.profile import BodyType, MunicipalityProfile, WorkStyle

_DOC_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class When(_Strict):
    """When an entry applies to a profile. Every given condition must hold; an empty `When` always holds."""

    work_style_any: tuple[WorkStyle, ...] = ()
    """The profile names at least one of these work styles."""
    work_style_none: tuple[WorkStyle, ...] = ()
    """The profile names none of these (an empty work style counts as none)."""
    population_max: int | None = Field(None, gt=0)
    population_min: int | None = Field(None, gt=0)
    body_types: tuple[BodyType, ...] = ()
    outside_metro: bool | None = None
    """True: only outside the 3大都市圏 prefectures (unknown prefecture counts as outside, with 要確認 elsewhere)."""
    forms_any: tuple[str, ...] = ()
    """At least one of these employment forms (keys of `employment_aid.FORMS`) fits the profile."""

    def holds(self, profile: MunicipalityProfile, forms: set[str] | None = None) -> bool:
        styles = set(profile.work_style)
        if self.work_style_any and not styles & set(self.work_style_any):
            return False
        if self.work_style_none and styles & set(self.work_style_none):
            return False
        pop = profile.population
        if self.population_max is not None and pop is not None and pop > self.population_max:
            return False
        if self.population_min is not None and (pop is None or pop < self.population_min):
            return False
        body = profile.body()
        if self.body_types and body is not None and body not in self.body_types:
            return False
        if self.outside_metro is not None and profile.in_metro_area() == self.outside_metro:
            return False
        return not self.forms_any or bool((forms or set()) & set(self.forms_any))


class Fact(_Strict):
    """One line a draft may state, written in our words, with the document that states it."""

    text: str = Field(min_length=4)
    source: str
    """Corpus document id (file stem of corpus/*.md)."""
    terms: tuple[str, ...] = Field(min_length=1)
    """Key terms that occur together in one sentence of `source`: how the citation is found and checked."""
    when: When = Field(default_factory=When)

    @field_validator("source")
    @classmethod
    def _doc_id(cls, value: str) -> str:
        if not _DOC_ID.match(value):
            raise ValueError(f"not a corpus document id: {value!r}")
        return value


class Skill(_Strict):
    """A skill a role needs, with the interview question that tests it."""

    name: str
    source: str
    terms: tuple[str, ...] = Field(min_length=1)
    question: str
    """Asks for a concrete past experience; ends with ？."""
    strong: str
    """What a strong answer shows (the interviewer's note)."""
    follow_up: str
    """A deeper question; ends with ？."""

    @field_validator("question", "follow_up")
    @classmethod
    def _is_question(cls, value: str) -> str:
        if not value.endswith("？"):
            raise ValueError(f"a question must end with ？: {value!r}")
        return value

    def fact(self) -> Fact:
        return Fact(text=self.name, source=self.source, terms=self.terms)


class Anchors(_Strict):
    """Evaluation anchors for one criterion: what 1, 3 and 5 points look like."""

    low: str
    mid: str
    high: str


class Role(_Strict):
    """One role type of 総務省「自治体DX推進のための外部人材スキル標準」."""

    key: str
    name: str
    summary: Fact
    keywords: tuple[str, ...] = Field(min_length=1)
    """Words in the profile's issues or role that point to this type."""
    duties: tuple[Fact, ...] = Field(min_length=1)
    required: tuple[Skill, ...] = Field(min_length=1)
    welcome: tuple[Fact, ...] = ()
    anchors: Anchors


class Metric(_Strict):
    """A KPI candidate: the metric only. Targets are always 要確認 (the municipality sets them)."""

    name: str
    source: str
    terms: tuple[str, ...] = Field(min_length=1)

    def fact(self) -> Fact:
        return Fact(text=self.name, source=self.source, terms=self.terms)


class IssuePattern(_Strict):
    """A kind of business issue, recognised from the profile's own words."""

    key: str
    label: str
    keywords: tuple[str, ...] = Field(min_length=1)
    context: Fact
    """What the corpus says about this kind of issue (cited under the issue)."""
    whys: tuple[str, ...] = Field(min_length=2)
    """なぜなぜ prompts: questions the department answers; they state nothing."""
    purposes: tuple[Fact, ...] = Field(min_length=1)
    kpis: tuple[Metric, ...] = Field(min_length=1)
    next_steps: tuple[Fact, ...] = ()
    duties: tuple[Fact, ...] = ()
    """Duties a posting adds for this kind of issue."""
    deliverables: tuple[Fact, ...] = ()
    roles: tuple[str, ...] = ()
    """Role keys this kind of issue usually needs."""

    @field_validator("whys")
    @classmethod
    def _questions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [q for q in value if not q.endswith("？")]
        if bad:
            raise ValueError(f"なぜなぜ prompts must end with ？: {bad}")
        return value


class Channel(_Strict):
    """Where a posting can be published, and for which municipalities and work styles it suits."""

    key: str
    name: str
    what: Fact
    suits: Fact
    """Whom it suits (常勤/副業, size, location), as the corpus states it (often marked there as dxhire's view)."""
    when: When = Field(default_factory=When)


class Phase(_Strict):
    """A step of the onboarding timeline (内定〜着任前, 着任初日, …) with its checklist items."""

    key: str
    title: str
    """The section title in the checklist (a title of `sections.CHECKLIST`)."""
    items: tuple[Fact, ...] = Field(min_length=1)


class ScheduleRow(_Strict):
    """One row of the plan's monthly schedule; activities are filled from the matched issue patterns."""

    period: str
    focus: str
    activities: tuple[str, ...] = ()
    """Fixed activities (template words, not claims)."""
    take_next_steps: bool = False
    """Add the matched patterns' next steps here."""
    take_duties: bool = False
    """Add the matched patterns' duties here."""


class KnowledgeBase(_Strict):
    roles: tuple[Role, ...] = Field(min_length=4)
    issues: tuple[IssuePattern, ...] = Field(min_length=3)
    general_whys: tuple[str, ...] = Field(min_length=2)
    """Prompts used for an issue no pattern matches."""
    channels: tuple[Channel, ...] = Field(min_length=3)
    phases: tuple[Phase, ...] = Field(min_length=3)
    schedule: tuple[ScheduleRow, ...] = Field(min_length=3)
    notes: dict[str, Fact]
    """Framing facts of particular sections, by name (e.g. `problem_first`)."""
    template_terms: tuple[str, ...] = ()
    """Words our own templates use that look like facts to the validator (報酬条例, 1か月): never a claim."""

    @model_validator(mode="after")
    def _references(self) -> KnowledgeBase:
        role_keys = {r.key for r in self.roles}
        for pattern in self.issues:
            unknown = set(pattern.roles) - role_keys
            if unknown:
                raise ValueError(f"issue pattern {pattern.key}: unknown role keys {sorted(unknown)}")
        for name, keys in (("roles", [r.key for r in self.roles]), ("issues", [p.key for p in self.issues]),
                           ("channels", [c.key for c in self.channels]), ("phases", [p.key for p in self.phases])):
            if len(keys) != len(set(keys)):
                raise ValueError(f"{name}: duplicate keys")
        return self

    def role(self, key: str) -> Role:
        return next(r for r in self.roles if r.key == key)

    def facts(self) -> list[tuple[str, Fact]]:
        """Every fact with a label saying where it sits (what the validation test walks)."""
        out: list[tuple[str, Fact]] = []
        for r in self.roles:
            out += [(f"roles.{r.key}.summary", r.summary)]
            out += [(f"roles.{r.key}.duties", f) for f in r.duties]
            out += [(f"roles.{r.key}.required", s.fact()) for s in r.required]
            out += [(f"roles.{r.key}.welcome", f) for f in r.welcome]
        for p in self.issues:
            out += [(f"issues.{p.key}.context", p.context)]
            out += [(f"issues.{p.key}.purposes", f) for f in p.purposes]
            out += [(f"issues.{p.key}.kpis", m.fact()) for m in p.kpis]
            out += [(f"issues.{p.key}.{name}", f) for name in ("next_steps", "duties", "deliverables")
                    for f in getattr(p, name)]
        out += [(f"channels.{c.key}.{part}", getattr(c, part)) for c in self.channels for part in ("what", "suits")]
        out += [(f"phases.{ph.key}", f) for ph in self.phases for f in ph.items]
        out += [(f"notes.{k}", f) for k, f in self.notes.items()]
        return out


