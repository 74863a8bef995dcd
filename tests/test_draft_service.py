"""The drafting loop with fake models: schema, citations, bounded retries, chaining, bad requests."""

from __future__ import annotations

import pytest
from draft_fakes import GOOD_BODY, BigramRetriever, scripted, section_of

from app.config import Settings
from app.drafting.generate import SECTION_MAX_TOKENS
from app.drafting.profile import MunicipalityProfile
from app.drafting.sections import SPECS
from app.drafting.service import DraftError, draft
from app.schemas import Draft, DraftProgress

PROFILE = MunicipalityProfile(
    name="〇〇町（架空）", population=10000, departments=["住民課", "総務課"], work_style=["副業", "リモート"],
    issues=["窓口の申請が紙で転記に時間がかかる"], role_sought="DX推進アドバイザー", work_days="月4日程度",
)


@pytest.fixture(scope="module")
def retriever() -> BigramRetriever:
    return BigramRetriever()


def run(kind, settings: Settings, retriever, llm=None, **kwargs) -> Draft:  # noqa: ANN001
    return draft(kind, kwargs.pop("profile", PROFILE), settings=settings, llm=llm or scripted(GOOD_BODY),
                 retriever=retriever, **kwargs)


@pytest.mark.parametrize("kind", ["deepdive", "posting", "interview"])
def test_every_section_present_and_llm_sections_cited(kind, settings: Settings, retriever) -> None:  # noqa: ANN001
    llm = scripted(GOOD_BODY)
    result = run(kind, settings, retriever, llm)
    assert [s.title for s in result.sections] == [s.title for s in SPECS[kind]]
    for spec, section in zip(SPECS[kind], result.sections, strict=True):
        assert section.body.strip()
        if spec.mode == "llm":
            assert [c.n for c in section.citations] == [1, 2]  # the two markers the model wrote, verified
    assert not [w for w in result.warnings if "必須の節" in w]
    assert set(result.timings) >= {"total", *(s.title for s in SPECS[kind])}
    assert all(kw.get("max_tokens") == SECTION_MAX_TOKENS for kw in llm.call_kwargs)
    assert len(llm.calls) == sum(1 for s in SPECS[kind] if s.mode == "llm")
    Draft.model_validate_json(result.model_dump_json())  # round-trips as the --from format


def test_prompt_is_lean_and_carries_numbered_blocks(settings: Settings, retriever) -> None:  # noqa: ANN001
    llm = scripted(GOOD_BODY)
    run("deepdive", settings, retriever, llm, only=["現状と背景"])
    system, user = llm.calls[0]
    assert "<資料 1>" in user.content and "[1]" in user.content
    assert len(system.content) + len(user.content) < 2200


def test_unusable_output_is_retried_once_then_used(settings: Settings, retriever) -> None:  # noqa: ANN001
    answers = iter(["", GOOD_BODY])
    llm = scripted(lambda _m: next(answers))
    result = run("deepdive", settings, retriever, llm, only=["現状と背景"])
    assert len(llm.calls) == 2 and "注意:" in llm.calls[1][1].content
    assert result.sections[0].citations and not [w for w in result.warnings if "使えない" in w]


def test_persistently_bad_output_falls_back_with_a_warning(settings: Settings, retriever) -> None:  # noqa: ANN001
    llm = scripted("This section is about digital transformation in general terms only.")
    result = run("deepdive", settings, retriever, llm, only=["現状と背景", "成果指標"])
    assert len(llm.calls) == 4  # two attempts per section, then stop
    assert all("要確認" in s.body for s in result.sections)
    assert len([w for w in result.warnings if "not Japanese" in w]) == 2


def test_unknown_markers_removed_and_uncited_text_lists_context(settings: Settings, retriever) -> None:  # noqa: ANN001
    result = run("deepdive", settings, retriever, scripted("- 紙の申請が多いことが課題です[9]。\n- 転記を減らします。"),
                 only=["現状と背景"])
    section = result.sections[0]
    assert "[9]" not in section.body and section.citations  # the passages it was written from, said honestly
    assert "文ごとの出典は付いていません" in section.body
    assert any("存在しない資料番号" in w for w in result.warnings)


def test_retriever_failure_still_drafts(settings: Settings) -> None:
    result = run("posting", settings, BigramRetriever(fail=True))
    assert len(result.sections) == len(SPECS["posting"])
    assert any("根拠資料が見つかりません" in w for w in result.warnings)


def test_invented_salary_from_the_model_is_flagged(settings: Settings, retriever) -> None:  # noqa: ANN001
    def respond(messages):  # noqa: ANN001, ANN202
        return "- 報酬は月額50万円です[1]。" if section_of(messages) == "業務内容" else GOOD_BODY

    result = run("posting", settings, retriever, scripted(respond))
    assert any("業務内容" in w and "500,000円" in w for w in result.warnings)


def test_pay_comes_only_from_the_profile(settings: Settings, retriever) -> None:  # noqa: ANN001
    without = run("posting", settings, retriever, only=["報酬"])
    assert "要確認" in without.sections[0].body and "円" not in without.sections[0].body
    given = run("posting", settings, retriever, only=["報酬"], profile=PROFILE.model_copy(update={"pay": "日額25,000円"}))
    assert "日額25,000円" in given.sections[0].body
    assert not [w for w in given.warnings if "報酬" in w]


def test_chaining_deepdive_to_posting_to_interview(settings: Settings, retriever) -> None:  # noqa: ANN001
    def respond(messages):  # noqa: ANN001, ANN202
        title = section_of(messages)
        if title == "課題の構造（なぜなぜ／根本原因）":
            return "- 根本原因は様式が部署ごとに違うことです[1]。"
        if title == "必須／歓迎スキル・経験":
            return "- 必須: 申請様式の統一を進めた経験[1]\n- 歓迎: 住民向け電子申請の設計[2]"
        return GOOD_BODY

    llm = scripted(respond)
    deep = run("deepdive", settings, retriever, llm)
    post = run("posting", settings, retriever, llm, seed=deep)
    posting_prompts = [m[1].content for m in llm.calls[-3:]]
    assert all("様式が部署ごとに違う" in p for p in posting_prompts)
    interview = run("interview", settings, retriever, llm, seed=post)
    sheet = next(s for s in interview.sections if s.title == "評価シート")
    assert "申請様式の統一を進めた経験" in sheet.body
    skills_prompt = next(m[1].content for m in llm.calls if section_of(m) == "質問：経験・スキル")
    assert "住民向け電子申請の設計" in skills_prompt


def test_wrong_seed_and_bad_minutes_are_errors_naming_the_input(settings: Settings, retriever) -> None:  # noqa: ANN001
    deep = run("deepdive", settings, retriever, only=["現状と背景"])
    with pytest.raises(DraftError, match="--from"):
        run("interview", settings, retriever, seed=deep)
    for minutes in (0, 600):
        with pytest.raises(DraftError, match="interview_minutes"):
            run("interview", settings, retriever, interview_minutes=minutes)


@pytest.mark.parametrize("minutes", [10, 45, 90])
def test_interview_time_table_sums_to_the_length(minutes: int, settings: Settings, retriever) -> None:  # noqa: ANN001
    result = run("interview", settings, retriever, interview_minutes=minutes)
    assert not [w for w in result.warnings if "時間配分" in w]
    table = result.sections[0].body
    rows = [line for line in table.splitlines() if line.startswith("| ") and "合計" not in line and "分" in line]
    assert sum(int(r.split("|")[3].strip().rstrip("分")) for r in rows) == minutes


def test_progress_reports_each_section(settings: Settings, retriever) -> None:  # noqa: ANN001
    seen: list[DraftProgress] = []
    run("interview", settings, retriever, progress=seen.append)
    assert len(seen) == len(SPECS["interview"]) and "評価シート" in seen[-1].message
    assert [e.step for e in seen] == list(range(1, len(seen) + 1)) and {e.total for e in seen} == {len(seen)}


def test_looping_output_is_deduplicated_and_purpose_echo_dropped(settings: Settings, retriever) -> None:  # noqa: ANN001
    loop = "この節では、なぜなぜ分析で掘り下げる方法を説明します。\n\n" * 5 + "- 様式が部署ごとに違います[1]。\n" * 3
    result = run("deepdive", settings, retriever, scripted(loop), only=["課題の構造（なぜなぜ／根本原因）"])
    body = result.sections[0].body
    assert body.count("様式が部署ごとに違います") == 1 and "この節では" not in body


def test_sentence_loop_inside_one_line_is_cut(settings: Settings, retriever) -> None:  # noqa: ANN001
    loop = "回答: 相性は地域の特性により異なります[1]。しかし、" * 4
    result = run("interview", settings, retriever, scripted(loop), only=["質問：人柄・まちとの相性"])
    assert result.sections[0].body.count("地域の特性により異なります") == 1
