"""The rule-based 雇用形態 decision aid: forms follow the profile, each recommended form carries its own source."""

from __future__ import annotations

from draft_fakes import BigramRetriever

from app.drafting.employment_aid import decision_aid, recommend
from app.drafting.profile import MunicipalityProfile


def keys(**fields) -> list[str]:  # noqa: ANN003
    return [form.key for form, _ in recommend(MunicipalityProfile(issues=["a"], **fields))]


def test_side_job_advisor_gets_part_time_forms_not_fixed_term() -> None:
    got = keys(work_style=["副業", "リモート"], role_sought="DX推進アドバイザー")
    assert got[0] == "tokubetsu" and {"kaikei", "itaku", "fukugyo"} <= set(got) and "ninkitsuki" not in got


def test_full_time_post_gets_fixed_term_not_part_time() -> None:
    got = keys(work_style=["常勤"], role_sought="CIO補佐官", population=400000)
    assert "ninkitsuki" in got and "tokubetsu" not in got and "kaikei" not in got and "chiiki_pm" not in got


def test_small_full_time_town_may_use_chiiki_pm_and_metro_excludes_kigyojin() -> None:
    assert "chiiki_pm" in keys(work_style=["常勤"], population=8000)
    assert "kigyojin" not in keys(work_style=["副業"], prefecture="東京都")
    assert "kigyojin" in keys(work_style=["副業"], prefecture="島根県")


def test_each_recommended_form_is_cited_from_its_document() -> None:
    profile = MunicipalityProfile(issues=["紙の申請"], work_style=["副業"], role_sought="アドバイザー", prefecture="島根県",
                                  population=9000)
    body, citations, warnings = decision_aid(profile, BigramRetriever())
    assert [c.n for c in citations] == list(range(1, len(citations) + 1))
    docs = {c.source for c in citations}
    assert "corpus/scheme-kigyojin.md" in docs
    assert any("employment-forms" in d or "tokubetsushoku" in d for d in docs)
    for n in range(1, len(citations) + 1):
        assert f"[{n}]" in body
    assert "財源" in body and "地域情報化アドバイザー" in body and not warnings


def test_no_sources_means_a_warning_not_a_fake_citation() -> None:
    body, citations, warnings = decision_aid(MunicipalityProfile(issues=["a"], work_style=["副業"]),
                                             BigramRetriever(chunks=[]))
    assert citations == [] and warnings and "[1]" not in body


def test_no_work_style_says_what_to_fill_in() -> None:
    body, _, _ = decision_aid(MunicipalityProfile(issues=["a"], prefecture="東京都"), BigramRetriever(chunks=[]))
    assert "業務委託" in body  # the one form that fits any style
