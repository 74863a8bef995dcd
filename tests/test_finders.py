"""The finders on the shipped corpus data: who did this at our size, which schemes may fit, and what stays 要確認."""

from __future__ import annotations

from app.drafting.profile import MunicipalityProfile
from app.finders import (
    FinderQuery,
    amount_text,
    find_for_profile,
    load_schemes,
    matching_schemes,
    query_from_profile,
    similar_cases,
)

METRO_ONLY_OUTSIDE = {s.id for s in load_schemes() if s.region == "outside_metro"}


def test_a_3000_person_village_gets_the_small_town_cases_first() -> None:
    ranked = similar_cases(FinderQuery(body_type="村", population=3000))
    assert ranked[0].case.id == "bandai" and "人口規模が近い" in ranked[0].reasons[0]
    assert all(m.case.body_type in {"町", "村"} for m in ranked[:4]), [m.case.id for m in ranked[:4]]
    big = [m.case.id for m in ranked].index("fukuyama")
    assert big > 4
    assert ranked[-1].case.body_type == "都道府県"  # a prefecture's programme is the least like a village


def test_a_designated_city_in_a_metro_area_is_not_offered_schemes_for_outside_it() -> None:
    assert {"kigyojin-haken", "kigyojin-fukugyo"} <= METRO_ONLY_OUTSIDE
    city = FinderQuery(name="大阪市", body_type="市", population=2_700_000, prefecture="大阪府", in_metro=True)
    offered = {m.scheme.id for m in matching_schemes(city)}
    assert offered and not offered & METRO_ONLY_OUTSIDE
    excluded = [m for m in matching_schemes(city, include_excluded=True) if m.scheme.id in METRO_ONLY_OUTSIDE]
    assert excluded and all(m.fit == "対象外" for m in excluded)
    assert all("三大都市圏" in c.detail for m in excluded for c in m.checks if c.verdict == "対象外")


def test_an_unknown_region_is_to_be_confirmed_not_excluded() -> None:
    town = FinderQuery(body_type="町", population=9000)
    by_id = {m.scheme.id: m for m in matching_schemes(town)}
    assert by_id["kigyojin-haken"].fit == "要確認"
    assert {c.verdict for c in by_id["kigyojin-haken"].checks} == {"該当", "要確認"}
    outside = {m.scheme.id: m.fit for m in matching_schemes(town.model_copy(update={"in_metro": False}))}
    assert outside["kigyojin-haken"] == "対象の可能性あり"


def test_body_type_limits_schemes() -> None:
    prefecture = {m.scheme.id for m in matching_schemes(FinderQuery(body_type="都道府県", in_metro=False))}
    assert "dx-accelerator" in prefecture and "chiiki-pm" not in prefecture  # 地域PM: 市町村が任用
    town = {m.scheme.id for m in matching_schemes(FinderQuery(body_type="町", in_metro=False))}
    assert "chiiki-pm" in town and "dx-accelerator" not in town


def test_wanted_employment_form_sorts_first_and_filters() -> None:
    side_job = FinderQuery(body_type="町", population=8000, work_styles=["副業"], in_metro=False)
    schemes = matching_schemes(side_job)
    assert schemes[0].scheme.id == "kigyojin-fukugyo" and schemes[0].form_match == ["副業"]
    assert all("副業" in m.case.employment_forms for m in similar_cases(side_job, forms=["副業"]))
    assert [m.case.id for m in similar_cases(side_job, body_types=["都道府県"])] == [
        m.case.id for m in similar_cases(side_job) if m.case.body_type == "都道府県"]
    assert all(3 in m.case.steps for m in similar_cases(side_job, step=3))


def test_every_figure_line_has_its_year_or_says_to_confirm() -> None:
    for scheme in load_schemes():
        for amount in scheme.amounts:
            line = amount_text(amount)
            assert "要確認" in line or (amount.fiscal_year and amount.fiscal_year in line), line
    kyoryokutai = next(s for s in load_schemes() if s.id == "kyoryokutai")
    assert "（2024年度（令和6年度））" in amount_text(kyoryokutai.amounts[0])
    cio = next(s for s in load_schemes() if s.id == "cio-tokkou")
    assert any(a.missing and "要確認" in amount_text(a) for a in cio.amounts)  # 上限額 not in the corpus


def test_query_from_a_profile_guesses_nothing() -> None:
    village = MunicipalityProfile(name="山川村", population=3000, issues=["窓口が紙"], work_style=["副業"])
    q = query_from_profile(village)
    assert (q.body_type, q.population, q.in_metro, q.work_styles) == ("村", 3000, None, ["副業"])
    assert query_from_profile(MunicipalityProfile(issues=["x"])).body_type is None
    assert query_from_profile(village, in_metro=False).in_metro is False
    result = find_for_profile(village, limit=3)
    assert result.cases[0].case.id == "bandai" and len(result.cases) == 3
    assert all(m.fit != "対象外" for m in result.schemes)
    assert all(m.cite.source.endswith(".md") and m.cite.title for m in [*result.cases, *result.schemes])


def test_metro_area_is_taken_from_the_profile_only_when_inside() -> None:
    from types import SimpleNamespace

    def profile(inside: bool) -> SimpleNamespace:
        return SimpleNamespace(name="〇〇市", prefecture="〇〇県", population=50000, work_style=[],
                               body=lambda: "市", in_metro_area=lambda: inside)

    assert query_from_profile(profile(True)).in_metro is True
    assert query_from_profile(profile(False)).in_metro is None  # "not in the core list" is not "outside": 要確認
    assert query_from_profile(profile(False), in_metro=False).in_metro is False  # the user said so
