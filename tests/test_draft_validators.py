"""Validators: invented figures and 法令名 are flagged; the profile's own figures and cited ones are not."""

from __future__ import annotations

import pytest

from app.drafting.export import explain
from app.drafting.interview import InterviewLengthError, allocate
from app.drafting.profile import MunicipalityProfile
from app.drafting.validators import facts, style_hint, time_sum_problem, unsupported_facts, validate_draft
from app.flags import FlagCode
from app.schemas import Citation, Draft, DraftSection


def lines(draft: Draft, profile: MunicipalityProfile, minutes: int | None = None) -> list[str]:
    """What the user reads for each check (Japanese), with the code kept in front for the assertions."""
    return [f"{c.code} {explain(c)}" for c in validate_draft(draft, profile, minutes)]


def cite(text: str) -> Citation:
    return Citation(n=1, title="t", kind="practice", source="corpus/x.md", text=text)


def posting(pay_body: str, citations: list[Citation] | None = None) -> Draft:
    from app.drafting.sections import POSTING

    sections = [DraftSection(title=s.title, body="- 要確認") for s in POSTING]
    for s in sections:
        if s.title == "報酬":
            s.body, s.citations = pay_body, citations or []
    return Draft(kind="posting", sections=sections)


def test_invented_salary_is_flagged() -> None:
    warnings = lines(posting("- 報酬: 月額50万円"), MunicipalityProfile(issues=["a"]))
    assert any("500,000円" in w and "報酬" in w for w in warnings)


def test_salary_given_in_profile_is_not_flagged() -> None:
    profile = MunicipalityProfile(issues=["a"], pay="月額500,000円")
    assert not [w for w in lines(posting("- 報酬: 月額50万円"), profile) if "報酬" in w]


def test_salary_in_a_cited_passage_is_not_flagged_but_uncited_is() -> None:
    profile = MunicipalityProfile(issues=["a"])
    cited = posting("- 日額25,000円の例があります[1]", [cite("福山市は日額2万5千円ではなく日額25,000円でした。")])
    assert not [w for w in lines(cited, profile) if "報酬" in w]
    assert [w for w in lines(posting("- 日額25,000円の例があります"), profile) if "報酬" in w]


def test_invented_law_and_date_are_flagged() -> None:
    section = DraftSection(title="背景とミッション", body="デジタル人材確保推進法に基づき令和9年4月1日に着任します。")
    problems = unsupported_facts(section, "issues: a")
    assert "デジタル人材確保推進法" in problems
    assert any("9" in p for p in problems) and "4月" in problems


def test_law_in_citation_passes_and_common_words_are_not_laws() -> None:
    section = DraftSection(title="x", body="地方公務員法3条3項3号に基づく任用の方法と法務の確認。[1]",
                           citations=[cite("特別職非常勤は地方公務員法3条3項3号による。")])
    assert unsupported_facts(section, "") == []


@pytest.mark.parametrize("minutes", [10, 15, 30, 45, 60, 61, 90, 120, 179, 240])
def test_allocation_sums_exactly(minutes: int) -> None:
    parts = allocate(minutes)
    assert sum(m for _, m in parts) == minutes and all(m >= 1 for _, m in parts)


@pytest.mark.parametrize("minutes", [0, 9, 241, 600])
def test_allocation_rejects_out_of_range(minutes: int) -> None:
    with pytest.raises(InterviewLengthError, match="interview_minutes"):
        allocate(minutes)


def test_time_sum_problem_detects_a_bad_table() -> None:
    good = DraftSection(title="面接の構成（時間配分）", body="| 1 | 導入 | 10分 |\n| 2 | 質問 | 50分 |\n| | 合計 | 60分 |")
    bad = DraftSection(title="面接の構成（時間配分）", body="| 1 | 導入 | 10分 |\n| 2 | 質問 | 45分 |\n| | 合計 | 60分 |")
    assert time_sum_problem(good, 60) is None
    assert "合計 55分" in (time_sum_problem(bad, 60) or "")
    assert "合計 60分" in (time_sum_problem(good, 45) or "")


def test_missing_required_section_and_style_mix() -> None:
    draft = Draft(kind="deepdive", sections=[
        DraftSection(title="現状と背景", body="紙が多いです。転記が多いです。入力が遅いです。"),
        DraftSection(title="次の一手", body="体制を作る。予算を取る。人を探す。"),
    ])
    checks = validate_draft(draft, MunicipalityProfile(issues=["a"]))
    assert any(c.code == FlagCode.DRAFT_MISSING_SECTION and c.section.startswith("課題の構造") for c in checks)
    assert style_hint(draft) is not None
    uniform = Draft(kind="deepdive", sections=[DraftSection(title="x", body="紙が多いです。転記が多いです。")])
    assert style_hint(uniform) is None


def test_simplified_chinese_characters_are_flagged_in_a_draft() -> None:
    warnings = lines(posting("- 窗口业务の改善"), MunicipalityProfile(issues=["a"]))
    assert any(w.startswith(FlagCode.NON_JAPANESE_CHARACTERS) and "业" in w for w in warnings)
    assert not any(w.startswith(FlagCode.NON_JAPANESE_CHARACTERS)
                   for w in lines(posting("- 窓口業務の改善"), MunicipalityProfile(issues=["a"])))


def test_a_profile_word_altered_to_a_chinese_form_is_flagged() -> None:
    """窓口 typed by the user came back as 窗口 (窗 is in Shift_JIS, so a plain encoding check misses it)."""
    profile = MunicipalityProfile(issues=["窓口の申請手続がほぼ紙で、転記に時間がかかっている"])
    draft = posting("- 窗口の申請手続を見直します")
    flagged = [c for c in validate_draft(draft, profile) if c.code == FlagCode.DRAFT_ALTERED_TERM]
    assert flagged and "窓口→窗口" in flagged[0].detail and flagged[0].section == "報酬"
    assert "元の言葉に直してください" in explain(flagged[0])
    assert not [c for c in validate_draft(posting("- 窓口の申請手続を見直します"), profile)
                if c.code == FlagCode.DRAFT_ALTERED_TERM]


def test_repeated_and_circular_model_lines_and_a_question_section_without_a_question() -> None:
    profile = MunicipalityProfile(issues=["窓口の申請が紙"], role_sought="DX推進アドバイザー")
    text = "- DX推進アドバイザーとして働きます\n- DX推進アドバイザーとして働きます\n- 住民課と進めます"
    draft = Draft(kind="interview", sections=[
        DraftSection(title="質問：経験・スキル", body=text, generated=[text]),
        DraftSection(title="質問：人柄・まちとの相性", body="1. なぜ本町なのですか？"),
    ])
    checks = validate_draft(draft, profile, 60)
    assert [c.section for c in checks if c.code == FlagCode.DRAFT_REPEATED_LINES] == ["質問：経験・スキル"]
    assert [c.section for c in checks if c.code == FlagCode.DRAFT_NO_QUESTION] == ["質問：経験・スキル"]


def test_the_templates_own_words_are_no_false_alarm() -> None:
    """「報酬条例」 in the composed pay line is an instruction to the user, not a claimed law."""
    pay = posting("- 報酬: 要確認（報酬条例・予算に基づき人事課と調整）")
    assert not [c for c in validate_draft(pay, MunicipalityProfile(issues=["a"])) if c.section == "報酬"]
    assert facts("特別職には地方公務員法の服務の規定が適用されない")[2] == {"地方公務員法"}


def test_a_number_is_backed_only_with_its_unit() -> None:
    section = DraftSection(title="成果指標", body="- 年間3件以上の派遣\n- 任期は3年とします",
                           citations=[cite("任期は3年間で、第3条に定めます。")])
    assert unsupported_facts(section, "") == ["3件"]
