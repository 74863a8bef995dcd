"""Answer-form checks on the defects read in real embedded-model answers, and on near-misses that must pass."""

from __future__ import annotations

from app import flags
from app.checks.answer_form import (
    check_answer_form,
    foreign_characters,
    marker_only,
    misattributed_figures,
    passage_dump,
    question_echo,
)
from app.checks.figures import Figure, canonical, figures
from app.flags import FlagCode

KIGYOJIN = ("地域活性化起業人の企業派遣型は、1人あたり年560万円を上限に特別交付税措置があります。"
            "副業型は令和6年度に始まり、報償費等は100万円までです。")
FUKUYAMA = "広島県福山市の戦略推進マネージャーの公募には395人が応募し、5人を採用しました。"
HAMAMATSU = "浜松市の副業プロジェクトマネージャーの公募には634人が応募しました。"


def codes(answer: str, passages: list[str], question: str = "") -> list[str]:
    return [i.code.value for i in check_answer_form(answer, passages, question)]


def test_figures_are_written_one_way() -> None:
    assert figures("日額2万5,000円") == figures("1日当たり2万5千円") == [Figure("25000", "円")]
    assert canonical("令和4年度から") == canonical("2022年度から")
    assert figures("約62ページ") == figures("62ページ程度") == [Figure("62", "ページ")]
    assert figures("四つのステップ") == figures("4つの段階") == [Figure("4", "個")]
    assert figures("81百万円") == [Figure("81000000", "円")] and figures("1,140万円") == [Figure("11400000", "円")]
    assert figures("2分の1") == figures("半分") == figures("0.5") == [Figure("0.5")]
    # words that only look like numerals stay words
    assert figures("一般職の地方公務員として統一的に、十分な準備を") == []
    assert figures("千葉県の万全な三大都市圏") == []
    assert Figure("779", "人").satisfied_by(figures("779名")[0])
    assert not Figure("6", "か月").satisfied_by(Figure("6", "人"))


def test_foreign_characters_catch_chinese_forms_but_not_rare_japanese() -> None:
    assert foreign_characters("组织と职務") == ["组", "织", "职"]
    assert foreign_characters("相談窗口を設けます") == ["窗"]  # cp932 has 窗, Japanese writes 窓口
    assert foreign_characters("稟議を通し、曖昧な要件を付箋で整理します") == []
    assert foreign_characters("相談窗口", known="窗口という表記") == []


def test_marker_only_and_empty_answers() -> None:
    assert marker_only("[1] [2] [3]") and marker_only("449[1]")
    assert not marker_only("措置率は0.5です[1]。") and not marker_only("")
    assert codes("[1] [2] [3]", [KIGYOJIN]) == [FlagCode.MARKER_ONLY_ANSWER]
    assert codes(" 。\n", [KIGYOJIN]) == [FlagCode.EMPTY_ANSWER]


def test_question_echo_is_found_and_a_restating_answer_is_not() -> None:
    q = "4つの人材類型すべてを外部人材でそろえる必要がありますか？"
    assert question_echo("全部そろえる必要がありますか? [1]", q) == ["全部そろえる必要がありますか?"]
    assert question_echo("必要な類型を選べばよく、4つすべてを外部人材でそろえる必要はありません[1]。", q) == []
    assert question_echo("地域活性化起業人の副業型の条件は次のとおりです。",
                         "地域活性化起業人の副業型はいつ始まり、どんな条件がありますか？") == []


def test_passage_dump_by_header_line_or_long_copy() -> None:
    dumped = "[1] 地域活性化起業人（企業派遣型・副業型・シニア型）／支援制度の要約／制度の概要\n地域活性化起業人は…"
    assert passage_dump(dumped, [KIGYOJIN]).header.startswith("[1] 地域活性化起業人")
    assert passage_dump("事例：福山市／事例\n395人が応募", [FUKUYAMA]) is not None
    other = ("地域プロジェクトマネージャーは市町村が任用し、その経費について1人あたり650万円を上限に特別交付税が"
             "措置されます。650万円という上限は報告時点の数字で、後の年度に変わっている可能性があります。")
    first = KIGYOJIN + "企業派遣型は、自治体と企業が協定を結び、企業の社員を自治体に派遣してもらう形です。"
    pasted = passage_dump(f"[1] {first}\n\n[2] {other}", [first, other])
    assert pasted is not None and len(pasted.runs) == 2 and pasted.run_chars >= 80
    assert passage_dump("| 形態 | 根拠 |\n|---|---|\n| 特別職 | 3条3項3号 |", []) is not None  # a pasted table
    # one copied sentence, or one paragraph that answers, is how facts should come from the sources
    assert passage_dump("地域活性化起業人の企業派遣型は、1人あたり年560万円を上限に特別交付税措置があります[1]。",
                        [KIGYOJIN]) is None
    assert passage_dump(KIGYOJIN + "[1]", [KIGYOJIN]) is None


def test_figure_moved_to_a_sibling_scheme_or_another_city_is_flagged() -> None:
    wrong = misattributed_figures("副業型の上限は560万円です[1]。", [KIGYOJIN])
    assert [(str(m.figure), m.answer_entity, m.passage_entities) for m in wrong] == [
        ("5600000円", "副業型", ("企業派遣型",))]
    assert misattributed_figures("浜松市には395人が応募しました[1]。", [FUKUYAMA, HAMAMATSU])[0].answer_entity == "浜松市"
    # right subject, its parent scheme, or a place inside the passage's place name: fine
    assert misattributed_figures("企業派遣型の上限は560万円です[1]。", [KIGYOJIN]) == []
    assert misattributed_figures("地域活性化起業人の上限は560万円です[1]。", [KIGYOJIN]) == []
    assert misattributed_figures("福山市には395人が応募しました[1]。", [FUKUYAMA, HAMAMATSU]) == []
    # a figure no passage has is another defect (invented number), not a misattribution
    assert misattributed_figures("副業型の上限は700万円です。", [KIGYOJIN]) == []
    # the passage names two subjects in the figure's sentence: either may be the answer's
    both = "地域プロジェクトマネージャーは、地域おこし協力隊と違い1人650万円までが対象です。"
    assert misattributed_figures("地域プロジェクトマネージャーの上限は650万円です。", [both]) == []


def test_the_running_subject_carries_over_sentences() -> None:
    answer = "企業派遣型について説明します。上限は560万円です[1]。"
    assert misattributed_figures(answer, [KIGYOJIN]) == []
    answer = "副業型について説明します。上限は560万円です[1]。"
    assert misattributed_figures(answer, [KIGYOJIN])


def test_every_issue_code_is_registered_with_japanese() -> None:
    answers = ["[1]", "副業型の上限は560万円です[1]。组织", "全部そろえる必要がありますか?", "是的。[1]"]
    got = {i.code.value for a in answers for i in check_answer_form(a, [KIGYOJIN], "そろえる必要がありますか？")}
    assert got == {"marker_only_answer", "misattributed_figure", "non_japanese_characters", "question_echo"}
    assert all(code in flags.REGISTRY for code in got)


def test_a_good_answer_has_no_form_issue() -> None:
    answer = "地域活性化起業人の企業派遣型では、1人あたり年560万円を上限に特別交付税措置があります[1]。"
    assert check_answer_form(answer, [KIGYOJIN], "地域活性化起業人の財政支援は？") == []
