"""「同じ規模の団体はどうしたか」: the guidebook-style cases ranked by closeness to the asking municipality.

Closeness is size first (log10 of the population; when a side has no population in the corpus, a typical size
for its 団体種別 stands in, so a 町 without a figure still sorts near other towns), then the employment forms the
user wants and the same prefecture. Prefecture-level programmes sort after municipalities for a municipality (and
the other way round). Each result says why it was chosen, in Japanese, and where its facts are written.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from app.finders.data import load_cases
from app.finders.models import SMALL_BODIES, CaseEntry, CaseMatch, FinderQuery, Source

TYPICAL_LOG_POP: dict[str, float] = {"村": 3.6, "町": 4.1, "市": 4.9, "特別区": 5.3, "都道府県": 6.2, "中核市": 5.6,
                                     "政令指定都市": 6.0}
"""Stand-in sizes for ranking only (never shown): a village ≈ 4,000, a town ≈ 12,000, a city ≈ 80,000 …"""
OTHER_LEVEL = 0.6  # a prefecture's programme for a municipality's question (and vice versa)
FORM_BONUS = 0.25
SAME_PREFECTURE_BONUS = 0.1
NEAR = 0.5  # within ~3x in population: "人口規模が近い"
STAND_IN = 0.3  # a size read from the 団体種別 counts for less than a population the corpus states


def _size(population: int | None, *types: str | None) -> float | None:
    if population:
        return math.log10(population)
    return next((TYPICAL_LOG_POP[t] for t in types if t in TYPICAL_LOG_POP), None)


def _score(case: CaseEntry, query: FinderQuery) -> tuple[float, list[str]]:
    reasons: list[str] = []
    mine = _size(query.population, query.body_type)
    theirs = _size(case.population, case.city_class, case.body_type)
    distance = abs(mine - theirs) if mine is not None and theirs is not None else 1.0
    if not case.population:
        distance += STAND_IN
    if case.population and query.population and distance <= NEAR:
        reasons.append(f"人口規模が近い（{case.population_text}）")
    elif case.population:
        reasons.append(f"人口: {case.population_text}")
    elif case.body_type != "都道府県":
        unknown = "（人口は資料に記載なし）"
        if case.body_type in SMALL_BODIES and query.body_type in SMALL_BODIES:
            reasons.append(f"同じ町村の規模の事例{unknown}")
        else:
            reasons.append(f"{case.city_class or case.body_type}の事例{unknown}")
    if query.body_type and (case.body_type == "都道府県") != (query.body_type == "都道府県"):
        distance += OTHER_LEVEL
        if case.body_type == "都道府県":
            reasons.append("都道府県が市町村と取り組む例")
    shared = [f for f in case.employment_forms if f in query.work_styles]
    if shared:
        distance -= FORM_BONUS * min(len(shared), 2)
        reasons.append(f"希望する働き方（{'・'.join(shared)}）と同じ形")
    if query.prefecture and case.prefecture == query.prefecture:
        distance -= SAME_PREFECTURE_BONUS
        reasons.append(f"同じ{case.prefecture}内")
    return round(distance, 3), reasons


def similar_cases(
    query: FinderQuery,
    *,
    body_types: Iterable[str] | None = None,
    forms: Iterable[str] | None = None,
    step: int | None = None,
    limit: int | None = None,
    cases: Sequence[CaseEntry] | None = None,
) -> list[CaseMatch]:
    """Cases closest to `query` first; optional filters on 団体種別, employment form and guidebook step."""
    wanted_types, wanted_forms = set(body_types or ()), set(forms or ())
    matches = []
    for case in cases if cases is not None else load_cases():
        if wanted_types and case.body_type not in wanted_types:
            continue
        if wanted_forms and not wanted_forms & set(case.employment_forms):
            continue
        if step is not None and step not in case.steps:
            continue
        score, reasons = _score(case, query)
        matches.append(CaseMatch(case=case, score=score, reasons=reasons,
                                 cite=Source(title=case.doc_title, source=case.source, heading=case.heading)))
    matches.sort(key=lambda m: m.score)
    return matches[:limit] if limit else matches
