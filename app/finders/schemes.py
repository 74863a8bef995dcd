"""「うちに合う支援制度は」: each national scheme checked against the asking municipality, never a bare yes.

Checks are the ones the table can decide (団体種別, 三大都市圏の外か, population); each gives 該当 / 対象外 / 要確認 with
the document's own words. A scheme with an unmet check is 対象外 (and listed last, with the reason, when asked for);
one whose check cannot be decided because the profile is silent is 要確認; the rest are 「対象の可能性あり」 — the
other conditions (quoted in `conditions`) stay for the officer to confirm. Figures come with their fiscal year or
「年度: 要確認」 (`models.amount_text`).
"""

from __future__ import annotations

from collections.abc import Sequence

from app.finders.data import load_schemes
from app.finders.models import FinderQuery, SchemeCheck, SchemeEntry, SchemeMatch, Source

_FIT_ORDER = {"対象の可能性あり": 0, "要確認": 1, "対象外": 2}


def _checks(scheme: SchemeEntry, query: FinderQuery) -> list[SchemeCheck]:
    checks: list[SchemeCheck] = []
    who = "・".join(scheme.body_types)
    if query.body_type is None:
        checks.append(SchemeCheck(label="団体の種類", verdict="要確認", detail=f"対象は{who}（団体の種類が未入力）"))
    elif query.body_type in scheme.body_types:
        checks.append(SchemeCheck(label="団体の種類", verdict="該当", detail=f"対象は{who}"))
    else:
        checks.append(SchemeCheck(label="団体の種類", verdict="対象外",
                                  detail=f"対象は{who}（{query.body_type}は対象外）: 「{scheme.body_text}」"))
    if scheme.region == "outside_metro":
        quote = f"「{scheme.region_text}」"
        if query.in_metro is None:
            checks.append(SchemeCheck(label="地域", verdict="要確認",
                                      detail=f"三大都市圏の外（地方）の自治体向けです。該当するか確認してください: {quote}"))
        elif query.in_metro:
            checks.append(SchemeCheck(label="地域", verdict="対象外",
                                      detail=f"三大都市圏の外（地方）の自治体向けの制度です: {quote}"))
        else:
            checks.append(SchemeCheck(label="地域", verdict="該当", detail="三大都市圏の外"))
    if scheme.population_max is not None:
        if query.population is None:
            checks.append(SchemeCheck(label="人口", verdict="要確認", detail=f"人口{scheme.population_max:,}人以下が対象"))
        else:
            ok = query.population <= scheme.population_max
            checks.append(SchemeCheck(label="人口", verdict="該当" if ok else "対象外",
                                      detail=f"人口{scheme.population_max:,}人以下が対象"))
    return checks


def _fit(checks: list[SchemeCheck]) -> str:
    verdicts = {c.verdict for c in checks}
    return "対象外" if "対象外" in verdicts else "要確認" if "要確認" in verdicts else "対象の可能性あり"


def matching_schemes(
    query: FinderQuery,
    *,
    include_excluded: bool = False,
    forms: Sequence[str] | None = None,
    schemes: Sequence[SchemeEntry] | None = None,
) -> list[SchemeMatch]:
    """Schemes that may fit first (those pairing with the wanted employment forms before others), then 要確認;
    対象外 ones only with `include_excluded`. `forms` narrows to schemes pairing with one of those forms."""
    wanted = list(forms or ())
    matches = []
    for order, scheme in enumerate(schemes if schemes is not None else load_schemes()):
        if wanted and not set(wanted) & set(scheme.pairs_with):
            continue
        checks = _checks(scheme, query)
        fit = _fit(checks)
        if fit == "対象外" and not include_excluded:
            continue
        form_match = [f for f in scheme.pairs_with if f in query.work_styles]
        matches.append((_FIT_ORDER[fit], -len(form_match), order, SchemeMatch(
            scheme=scheme, fit=fit, checks=checks, form_match=form_match,  # type: ignore[arg-type]
            cite=Source(title=scheme.doc_title, source=scheme.source, heading=scheme.heading))))
    matches.sort(key=lambda m: m[:3])
    return [m[3] for m in matches]
