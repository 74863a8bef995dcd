"""The drafting loop with fake models: composed sections, bounded slots with fallback, chaining, bad requests, and
the endpoint mode in which the model writes whole sections under the same validators."""

from __future__ import annotations

import re

import pytest
from draft_fakes import GOOD_BODY, BigramRetriever, scripted, section_of

from app.config import PROJECT_ROOT, Settings
from app.drafting.kinds import KINDS
from app.drafting.profile import MunicipalityProfile, load_profile
from app.drafting.service import DraftError, draft
from app.flags import FlagCode
from app.schemas import Draft, DraftProgress

PROFILE = MunicipalityProfile(
    name="〇〇町（架空）", population=10000, departments=["住民課", "総務課"], work_style=["副業", "リモート"],
    issues=["窓口の申請が紙で転記に時間がかかる"], role_sought="DX推進アドバイザー", work_days="月4日程度",
)
BACKGROUND = "窓口の申請を紙から切り替える進め方を職員だけでは決められないため、外部の知見を借ります。"
"""The model's one sentence of the 背景 (the sentence stating the issues is the profile's)."""
MISSION = "窓口の申請のデータ化と転記作業の削減"
"""The model's task phrase, set by the rule in 「…の解決に向けて、<役割>として<task>を担っていただきます。」."""
QUESTION = "窓口の申請の転記を減らすために、着任後まず何に取り組みますか？"


def slot_of(messages) -> str:  # noqa: ANN001
    user = str(messages[-1].content)
    return ("background" if "外部の専門人材を迎える理由を" in user else "mission" if "に任せる仕事を" in user
            else "question" if "質問を1つ" in user else "section")


def good_slots(messages) -> str:  # noqa: ANN001
    return {"background": BACKGROUND, "mission": MISSION, "question": QUESTION}.get(slot_of(messages), GOOD_BODY)


@pytest.fixture(scope="module")
def retriever() -> BigramRetriever:
    return BigramRetriever()


def run(kind, settings: Settings, retriever, llm=None, **kwargs) -> Draft:  # noqa: ANN001
    return draft(kind, kwargs.pop("profile", PROFILE), settings=settings,
                 llm=scripted(good_slots) if llm is None else llm, retriever=retriever, **kwargs)


def codes(result: Draft) -> list[str]:
    return [c.code for c in result.checks]


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_is_complete_and_cited_without_any_model_text(kind, settings: Settings, retriever) -> None:  # noqa: ANN001
    """No model at all: every section is composed, composed facts carry citations, and no check fires."""
    result = draft(kind, PROFILE, settings=settings, llm=None, retriever=retriever)
    assert [s.title for s in result.sections] == [s.title for s in KINDS[kind].specs]
    assert all(s.body.strip() and not s.generated for s in result.sections)
    assert sum(len(s.citations) for s in result.sections) >= len(result.sections) // 2
    for section in result.sections:  # every marker points at a citation of its own section
        numbers = {int(n) for n in re.findall(r"\[(\d+)\]", section.body)}
        assert numbers <= {c.n for c in section.citations}, section.title
    assert not [c for c in result.checks if c.code != FlagCode.DRAFT_NO_PATTERN], result.warnings
    assert set(result.timings) >= {"total", *(s.title for s in KINDS[kind].specs)}
    Draft.model_validate_json(result.model_dump_json())  # round-trips as the --from format


@pytest.mark.parametrize("example", sorted(p.stem for p in (PROJECT_ROOT / "app" / "examples").glob("*.yaml")))
@pytest.mark.parametrize("kind", list(KINDS))
def test_example_profiles_draft_cleanly(kind: str, example: str, settings: Settings, retriever) -> None:  # noqa: ANN001
    profile = load_profile(f"app/examples/{example}.yaml")
    result = draft(kind, profile, settings=settings, llm=None, retriever=retriever)
    assert not [c for c in result.checks if c.code != FlagCode.DRAFT_NO_PATTERN], result.warnings
    text = "\n".join(s.body for s in result.sections)
    assert profile.issues[0] in text  # adapted to this municipality, in its own words


def test_slots_use_the_model_text_when_it_passes(settings: Settings, retriever) -> None:  # noqa: ANN001
    llm = scripted(good_slots)
    post = run("posting", settings, retriever, llm)
    section = next(s for s in post.sections if s.title == "背景とミッション")
    assert section.generated == [BACKGROUND, MISSION]
    assert "〇〇町では、「窓口の申請が紙で転記に時間がかかる」という業務課題を抱えています。" + BACKGROUND in section.body
    assert f"DX推進アドバイザーとして{MISSION}を担っていただきます。" in section.body
    assert len(llm.calls) == 2  # two slots, nothing else goes to the model
    assert all(len(m[0].content) + len(m[1].content) < 700 for m in llm.calls)  # short prompts


def test_altered_profile_word_is_put_back_and_the_draft_says_so(settings: Settings, retriever) -> None:  # noqa: ANN001
    """窓口 → 窗口 (a Chinese form Shift_JIS happens to contain, the embedded model's habit): the user's word is put
    back in the model's sentence without a retry, the draft says so, and no 窗 reaches the page."""
    bad = "窗口の申請を紙から切り替える進め方を職員だけでは決められないため、外部の知見を借ります。"
    llm = scripted(lambda m: bad if slot_of(m) == "background" else good_slots(m))
    result = run("deepdive", settings, retriever, llm, only=["現状と背景"])
    assert len(llm.calls) == 1  # no retry for one character
    section = result.sections[0]
    assert "窗" not in section.body and section.generated == [bad.replace("窗", "窓")]
    restored = [c for c in result.checks if c.code == FlagCode.DRAFT_TERM_RESTORED]
    assert restored and "窗口→窓口" in restored[0].detail and "背景" in restored[0].detail
    assert FlagCode.NON_JAPANESE_CHARACTERS not in codes(result) and FlagCode.DRAFT_SLOT_FALLBACK not in codes(result)


def test_a_foreign_character_outside_the_profile_words_still_fails_the_slot(settings: Settings, retriever) -> None:  # noqa: ANN001
    """Only the user's own words are put back; 民众 (a simplified 衆) is no profile word: retry, then the template."""
    bad = "〇〇町では窓口の申請が紙で、民众の負担になっています。外部の専門人材の力を借ります。"
    llm = scripted(lambda m: bad if slot_of(m) == "background" else good_slots(m))
    result = run("deepdive", settings, retriever, llm, only=["現状と背景"])
    assert len(llm.calls) == 2 and "注意:" in llm.calls[1][1].content  # one retry with a reminder
    body = result.sections[0].body
    assert "众" not in body and "「窓口の申請が紙で転記に時間がかかる」" in body
    fallback = [c for c in result.checks if c.code == FlagCode.DRAFT_SLOT_FALLBACK]
    assert fallback and "众" in fallback[0].detail and "背景" in fallback[0].detail


@pytest.mark.parametrize("bad", [
    "窓口の申請は月300件あり、転記に時間がかかっています。外部人材を募集します。",  # a figure not in the profile
    "The paper forms at the counter take time to process.",  # not Japanese
    "窓口の申請について、どう考えますか？",  # a question where a statement is asked
])
def test_slot_that_fails_twice_falls_back(bad: str, settings: Settings, retriever) -> None:  # noqa: ANN001
    llm = scripted(lambda m: bad if slot_of(m) == "background" else good_slots(m))
    result = run("deepdive", settings, retriever, llm, only=["現状と背景"])
    assert bad not in result.sections[0].body and not result.sections[0].generated
    assert FlagCode.DRAFT_SLOT_FALLBACK in codes(result)


def test_a_slot_fixed_on_the_retry_is_used(settings: Settings, retriever) -> None:  # noqa: ANN001
    answers = iter(["", BACKGROUND])
    llm = scripted(lambda m: next(answers) if slot_of(m) == "background" else good_slots(m))
    result = run("deepdive", settings, retriever, llm, only=["現状と背景"])
    assert result.sections[0].generated == [BACKGROUND] and FlagCode.DRAFT_SLOT_FALLBACK not in codes(result)


def test_question_slot_must_be_a_question(settings: Settings, retriever) -> None:  # noqa: ANN001
    llm = scripted(lambda m: "窓口の申請を見直します。" if slot_of(m) == "question" else good_slots(m))
    result = run("interview", settings, retriever, llm, only=["質問：人柄・まちとの相性"])
    body = result.sections[0].body
    assert "〇〇町の「窓口の申請が紙で転記に時間がかかる」という課題に" in body  # the template question
    assert FlagCode.DRAFT_NO_QUESTION not in codes(result)


def test_issue_matching_no_pattern_gets_a_general_section_not_an_invented_one(settings: Settings, retriever) -> None:  # noqa: ANN001
    profile = MunicipalityProfile(issues=["高齢者の見守りの仕組みがない"])
    result = draft("deepdive", profile, settings=settings, llm=None, retriever=retriever)
    structure = next(s for s in result.sections if s.title.startswith("課題の構造"))
    assert "知識表の分野に当てはまりません" in structure.body and "いちばん困っているのは誰" in structure.body
    kpi = next(s for s in result.sections if s.title == "成果指標")
    assert "知識表に候補がありません" in kpi.body
    assert FlagCode.DRAFT_NO_PATTERN in codes(result)
    plan = draft("plan", profile, settings=settings, llm=None, retriever=retriever)
    body = "\n".join(s.body for s in plan.sections)
    assert "「高齢者の見守りの仕組みがない」）: 要確認（知識表の分野に当てはまらない" in body
    assert "指標の候補はありません" in body and FlagCode.DRAFT_NO_PATTERN in codes(plan)


def test_every_optional_field_empty_gives_要確認_not_inventions(settings: Settings, retriever) -> None:  # noqa: ANN001
    profile = MunicipalityProfile(issues=["窓口の申請が紙で転記に時間がかかる"])
    for kind in KINDS:
        result = draft(kind, profile, settings=settings, llm=None, retriever=retriever)
        text = "\n".join(s.body for s in result.sections)
        assert "要確認" in text and "None" not in text
        assert FlagCode.DRAFT_UNSUPPORTED_FACTS not in codes(result), result.warnings


def test_pay_comes_only_from_the_profile_and_報酬条例_is_no_false_alarm(settings: Settings, retriever) -> None:  # noqa: ANN001
    without = run("posting", settings, retriever, only=["報酬"])
    assert "要確認" in without.sections[0].body and "報酬条例" in without.sections[0].body
    assert not without.checks
    given = run("posting", settings, retriever, only=["報酬"], profile=PROFILE.model_copy(update={"pay": "日額25,000円"}))
    assert "日額25,000円" in given.sections[0].body and not given.checks


def test_publishing_section_fits_the_profile(settings: Settings, retriever) -> None:  # noqa: ANN001
    town = run("posting", settings, retriever, only=["募集情報の発信（媒体と時期）"]).sections[0].body
    assert "複業" in town and "地域活性化起業人" in town and "人材プール" in town
    metro = MunicipalityProfile(name="△△市", prefecture="大阪府", population=400000, work_style=["常勤"],
                                issues=["基幹業務システムの標準化が遅れている"])
    body = run("posting", settings, retriever, profile=metro, only=["募集情報の発信（媒体と時期）"]).sections[0].body
    assert "地域活性化起業人" not in body and "複業" not in body and "ビズリーチ" in body


def test_chaining_deepdive_to_posting_to_interview_to_checklist_and_plan(settings: Settings, retriever) -> None:  # noqa: ANN001
    llm = scripted(good_slots)
    deep = run("deepdive", settings, retriever, llm)
    calls = len(llm.calls)
    post = run("posting", settings, retriever, llm, seed=deep)
    assert len(llm.calls) == calls + 1  # the 背景 comes from the deep-dive; only the ミッション is written
    assert BACKGROUND in post.sections[1].body
    interview = run("interview", settings, retriever, llm, seed=post)
    checklist = run("checklist", settings, retriever, llm, seed=interview)
    plan = run("plan", settings, retriever, llm, seed=post)
    assert MISSION in plan.sections[0].body  # the posting's ミッション, not a new one
    assert "特別職非常勤" in checklist.sections[0].body


def test_checklist_never_calls_the_model(settings: Settings, retriever) -> None:  # noqa: ANN001
    def factory():  # noqa: ANN202
        raise AssertionError("the checklist must not load a model")

    result = draft("checklist", PROFILE, settings=settings, llm=factory, retriever=retriever)
    assert any("- [ ]" in s.body for s in result.sections)


def test_checklist_items_follow_the_chosen_form_and_work_style(settings: Settings, retriever) -> None:  # noqa: ANN001
    side_job = draft("checklist", PROFILE, settings=settings, llm=None, retriever=retriever)
    before = next(s for s in side_job.sections if s.title == "内定〜着任前").body
    assert "誓約書" in before and "設置要綱" in before and "任期付職員には" not in before
    full_time = PROFILE.model_copy(update={"work_style": ["常勤"], "role_sought": "プロジェクトマネージャー"})
    before = next(s for s in draft("checklist", full_time, settings=settings, llm=None,
                                   retriever=retriever).sections if s.title == "内定〜着任前").body
    assert "任期付職員には" in before and "兼業先の企業と保有株式" not in before


def test_wrong_seed_and_bad_minutes_are_errors_naming_the_input(settings: Settings, retriever) -> None:  # noqa: ANN001
    deep = run("deepdive", settings, retriever, only=["現状と背景"])
    for kind in ("interview", "checklist", "plan"):
        with pytest.raises(DraftError, match="--from"):
            run(kind, settings, retriever, seed=deep)
    for minutes in (0, 600):
        with pytest.raises(DraftError, match="interview_minutes"):
            run("interview", settings, retriever, interview_minutes=minutes)


def test_retriever_failure_still_drafts_and_says_sources_are_missing(settings: Settings) -> None:
    result = run("posting", settings, BigramRetriever(fail=True))
    assert len(result.sections) == len(KINDS["posting"].specs)
    assert FlagCode.DRAFT_NO_SOURCE in codes(result)
    assert all(not s.citations for s in result.sections)


@pytest.mark.parametrize("minutes", [10, 45, 90])
def test_interview_time_table_sums_to_the_length(minutes: int, settings: Settings, retriever) -> None:  # noqa: ANN001
    result = run("interview", settings, retriever, interview_minutes=minutes)
    assert FlagCode.DRAFT_TIME_SUM not in codes(result)
    rows = [line for line in result.sections[0].body.splitlines()
            if line.startswith("| ") and "合計" not in line and "分" in line]
    assert sum(int(r.split("|")[3].strip().rstrip("分")) for r in rows) == minutes


def test_progress_reports_each_section(settings: Settings, retriever) -> None:  # noqa: ANN001
    seen: list[DraftProgress] = []
    run("interview", settings, retriever, progress=seen.append)
    assert len(seen) == len(KINDS["interview"].specs) and "評価シート" in seen[-1].message
    assert [e.step for e in seen] == list(range(1, len(seen) + 1)) and {e.total for e in seen} == {len(seen)}


def test_warnings_are_japanese_lines_with_the_code_and_checks_are_structured(settings: Settings, retriever) -> None:  # noqa: ANN001
    llm = scripted(lambda m: "民众の件です。" if slot_of(m) == "background" else good_slots(m))
    result = run("deepdive", settings, retriever, llm, only=["現状と背景"])
    assert result.warnings and all(" / draft_" in w or " / " in w for w in result.warnings)
    assert all(re.search(r"[ぁ-ん]", w.split(" / ")[0]) for w in result.warnings)
    assert [c.section for c in result.checks] == ["現状と背景"] * len(result.checks)


# --- endpoint mode: the model writes whole sections, under the same validators ---------------------------------


@pytest.fixture
def model_sections(settings: Settings) -> Settings:
    return settings.model_copy(update={"draft_model_sections": True})


def test_model_written_sections_are_used_when_they_pass(model_sections: Settings, retriever) -> None:  # noqa: ANN001
    result = run("deepdive", model_sections, retriever, scripted(GOOD_BODY), only=["成果指標"])
    assert result.sections[0].generated and result.sections[0].citations
    assert "転記作業が負担" in result.sections[0].body


def test_model_section_with_an_invented_salary_falls_back_to_the_composed_one(model_sections: Settings, retriever) -> None:  # noqa: ANN001
    def respond(messages):  # noqa: ANN001, ANN202
        return "- 報酬は月額50万円です[1]。\n- 住民課と進めます[1]。" if section_of(messages) == "業務内容" else GOOD_BODY

    result = run("posting", model_sections, retriever, scripted(respond), only=["業務内容"])
    assert "50万円" not in result.sections[0].body and not result.sections[0].generated
    rejected = [c for c in result.checks if c.code == FlagCode.DRAFT_MODEL_SECTION_REJECTED]
    assert rejected and "500,000円" in rejected[0].detail


def test_model_section_unknown_markers_removed_and_uncited_text_lists_context(model_sections: Settings, retriever) -> None:  # noqa: ANN001
    result = run("deepdive", model_sections, retriever, scripted("- 紙の申請が多いことが課題です[9]。\n- 転記を減らします。"),
                 only=["次の一手"])
    section = result.sections[0]
    assert "[9]" not in section.body and section.citations
    assert "文ごとの出典は付いていません" in section.body
    assert {FlagCode.INVALID_CITATION_REMOVED, FlagCode.DRAFT_UNCITED} <= set(codes(result))


def test_model_section_loop_is_deduplicated(model_sections: Settings, retriever) -> None:  # noqa: ANN001
    loop = "この節では、なぜなぜ分析で掘り下げる方法を説明します。\n\n" * 5 + "- 様式が部署ごとに違います[1]。\n" * 3
    result = run("deepdive", model_sections, retriever, scripted(loop), only=["課題の構造（なぜなぜ／根本原因）"])
    body = result.sections[0].body
    assert body.count("様式が部署ごとに違います") == 1 and "この節では" not in body


def test_model_question_section_without_a_question_is_rejected(model_sections: Settings, retriever) -> None:  # noqa: ANN001
    result = run("interview", model_sections, retriever, scripted(GOOD_BODY), only=["質問：経験・スキル"])
    assert "質問:" in result.sections[0].body and FlagCode.DRAFT_MODEL_SECTION_REJECTED in codes(result)


def test_questionnaire_is_one_form_naming_each_issue(settings: Settings, retriever) -> None:  # noqa: ANN001
    profile = PROFILE.model_copy(update={"issues": ["窓口の申請が紙で転記に時間がかかる", "システム更新を相談できる人がいない"]})
    body = draft("deepdive", profile, settings=settings, llm=None, retriever=retriever,
                 only=["庁内アンケート／聞き取り質問票"]).sections[0].body
    assert all(f"「{issue}」について" in body for issue in profile.issues)
    assert "□住民課 □総務課" in body
    questions = [line.split(". ", 1)[1] for line in body.splitlines() if re.match(r"^\d+-\d+\. ", line)]
    assert len(questions) == 2 * len(set(questions))  # the same questions once per issue, not once per department
    assert body.count("外部の専門人材に期待すること") == 1


def test_checklist_boxes_are_actions_not_statements(settings: Settings, retriever) -> None:  # noqa: ANN001
    """A box to tick names something to do; what other documents say is a 参考 line under the boxes."""
    result = draft("checklist", PROFILE, settings=settings, llm=None, retriever=retriever)
    boxes = [line for s in result.sections for line in s.body.splitlines() if line.startswith("- [ ]")]
    assert boxes and not [b for b in boxes if re.search(r"(?:紹介されて|とされて)います(?:\[\d+\])*。?$", b)]
    assert "参考: 自治体DX推進計画の受入れ準備のチェックリスト" in result.sections[0].body


def test_interview_asks_about_every_matched_role_and_the_posting_lists_those_skills(settings: Settings, retriever) -> None:  # noqa: ANN001
    """The town's second issue (システムの更新・標準化) points to the プロジェクトマネージャー type: the interview asks
    about that type's skill too, and every skill it tests is one the posting asks for (必須 or 歓迎)."""
    profile = load_profile(PROJECT_ROOT / "app" / "examples" / "town-10k.yaml")
    interview = draft("interview", profile, settings=settings, llm=None, retriever=retriever,
                      only=["質問：経験・スキル"]).sections[0].body
    tested = [re.sub(r"\[\d+\]", "", m) for m in re.findall(r"^\*\*\d+\. (.+?)\*\*", interview, re.MULTILINE)]
    assert any("更新プロジェクト" in t for t in tested) and any("窓口" in t for t in tested)
    posting = draft("posting", profile, settings=settings, llm=None, retriever=retriever,
                    only=["必須／歓迎スキル・経験"]).sections[0].body
    assert all(t in posting for t in tested), tested


def test_interview_from_a_posting_tests_the_postings_role_types_in_its_order(settings: Settings, retriever) -> None:  # noqa: ANN001
    """Chained, the interview takes the role types of the posting's 「役割の類型」 line: the same skills as unchained
    (the posting's longer skill lists must not outvote the profile's issues)."""
    profile = load_profile(PROJECT_ROOT / "app" / "examples" / "town-10k.yaml")
    post = draft("posting", profile, settings=settings, llm=None, retriever=retriever)
    alone, chained = (draft("interview", profile, settings=settings, llm=None, retriever=retriever, seed=seed,
                            only=["質問：経験・スキル"]).sections[0].body for seed in (None, post))
    heads = [re.findall(r"^\*\*\d+\. (.+?)\*\*", body, re.MULTILINE) for body in (alone, chained)]
    assert heads[0] == heads[1] and any("窓口" in h for h in heads[1])
