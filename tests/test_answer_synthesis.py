"""The synthesis check keeps only sentences its cited evidence supports; what fails is removed, never shown."""

from __future__ import annotations

from app.answer import synthesis
from app.flags import FlagCode
from app.schemas import Evidence

FEES = Evidence(n=1, text="地域活性化起業人の企業派遣型では、国が経費を1人あたり年間560万円を上限に特別交付税で措置します。",
                source="corpus/scheme-kigyojin.md", span=(0, 50))
SIDE = Evidence(n=2, text="地域活性化起業人の副業型では、謝金などの報償費が年間100万円を上限に措置されます。",
                source="corpus/scheme-kigyojin.md", span=(51, 90))
BAN = Evidence(n=3, text="任期付職員は、任期中に他の自治体の職を兼ねることはできません。", source="corpus/x.md", span=(0, 30))
EVIDENCE = [FEES, SIDE, BAN]
Q = "地域活性化起業人の副業型の上限はいくらですか？"


def kept(text: str, question: str = Q, english: bool = False) -> synthesis.CheckedSynthesis:
    return synthesis.check(text, EVIDENCE, question, english=english)


def test_a_supported_cited_sentence_is_kept_with_its_marker() -> None:
    result = kept("地域活性化起業人の副業型では、報償費が年間100万円を上限に措置されます[2]。")
    assert result.text == "地域活性化起業人の副業型では、報償費が年間100万円を上限に措置されます[2]。"
    assert result.removed == [] and result.flags == []


def test_marker_after_the_full_stop_and_at_the_start_are_read() -> None:
    assert kept("副業型では報償費が年間100万円を上限に措置されます。[2]").text.endswith("措置されます[2]。")
    assert kept("[2] 副業型では報償費が年間100万円を上限に措置されます。").text.endswith("措置されます[2]。")


def test_a_figure_of_another_scheme_is_removed_even_if_another_passage_has_it() -> None:
    # 560万円 is in the evidence, but it belongs to 企業派遣型, and sentence [2] does not hold it.
    result = kept("副業型の上限は年間560万円です[2]。副業型では報償費が年間100万円を上限に措置されます[2]。")
    assert "560" not in result.text and "100万円" in result.text
    assert [why for _, why in result.removed] == ["figure_not_in_evidence"]
    assert FlagCode.SYNTHESIS_SENTENCE_REMOVED in result.flags


def test_misattributed_figure_citing_the_right_passage_is_removed() -> None:
    result = kept("地域活性化起業人の副業型では、国が経費を1人あたり年間560万円を上限に措置します[1]。")
    assert result.kept == 0 and result.removed[0][1] in {"subject_not_in_evidence", "misattributed_figure"}
    assert result.text == synthesis.WITHHELD_JA and FlagCode.SYNTHESIS_WITHHELD in result.flags


def test_the_asked_sub_type_put_on_a_sentence_about_its_sibling_is_removed() -> None:
    extra = Evidence(n=4, text="受入準備のための経費は、1団体あたり年間100万円を上限に、その2分の1が措置されます。",
                     source="corpus/scheme-kigyojin.md", heading="地域活性化起業人 > 企業派遣型 > 経費と特別交付税",
                     span=(0, 40))
    result = synthesis.check("副業型の場合、受入準備のための経費は年間100万円を上限に2分の1が措置されます[4]。",
                             [*EVIDENCE, extra], "地域活性化起業人の副業型の場合、国からどんな財政支援がありますか？")
    assert result.kept == 0 and result.removed[0][1] == "subject_not_in_evidence"


def test_foreign_script_unsupported_echo_and_recitation_are_removed() -> None:
    assert kept("地域活性化起業人的副业型报酬是100万円[2]。").removed[0][1] == "foreign_characters"
    assert kept("而くは、副業型では報償費が年間100万円を上限に措置されます[2]。").removed[0][1] == "foreign_characters"
    assert kept("自治体の職員は毎年ボーナスを受け取ります[2]。").removed[0][1] == "unsupported"
    assert kept("地域活性化起業人の副業型の上限はいくらですか[2]？").kept == 0
    assert kept("抜粋に書かれたことだけを1〜3文で書く[1]。").removed[0][1] == "prompt_recitation"
    assert kept("地域活性化起業人の副業型の上限は以下の通りです[2]。").removed[0][1] == "announces_nothing"
    glued = kept("地域活性化起業人の副業型の上限はいくらですかというと、報償費が年間100万円を上限に措置されます[2]。")
    assert glued.removed[0][1] == "question_echo"
    assert kept("地域活性化起業人の副業型では、報償費が年間100万円を上限に措置されます[2]。").kept == 1


def test_a_sentence_that_negates_its_evidence_is_removed() -> None:
    question = "任期付職員は他の自治体の職を兼ねられますか？"
    result = kept("任期付職員は、任期中に他の自治体の職を兼ねることができます[3]。", question)
    assert result.removed and result.removed[0][1] == "contradicts_evidence"
    assert kept("任期付職員は、任期中に他の自治体の職を兼ねることはできません[3]。", question).kept == 1


def test_uncited_sentences_get_the_marker_of_their_evidence_only_when_it_supports_them() -> None:
    attached = kept("地域活性化起業人の副業型では、謝金などの報償費が年間100万円を上限に措置されます。")
    assert attached.text.endswith("[2]。")
    assert kept("この制度はとても便利です。").removed == [("この制度はとても便利です。", "uncited")]
    assert kept("[9] 副業型では報償費が年間100万円を上限に措置されます。").text.endswith("[2]。")  # [9] does not exist


def test_saying_the_material_does_not_state_it_is_kept_only_when_the_evidence_is_weak() -> None:
    assert synthesis.check("資料には記載がありません。", EVIDENCE, Q, weak=True).text == "資料には記載がありません。"
    denied = kept("データには記載がありません。")
    assert denied.kept == 0 and denied.removed[0][1] == "denies_the_evidence"


def test_marker_only_empty_and_repeated_output() -> None:
    assert kept("[1] [2] [3]").text == synthesis.WITHHELD_JA
    assert kept("").text == synthesis.WITHHELD_JA
    twice = "副業型では報償費が年間100万円を上限に措置されます[2]。" * 2
    assert kept(twice).kept == 1


def test_english_synthesis_keeps_markers_and_figures_checked() -> None:
    ok = kept("The side-job type covers up to 1,000,000 yen a year in fees [2].", english=True)
    assert ok.kept == 1
    bad = kept("The side-job type covers up to 5,600,000 yen [2].", english=True)
    assert bad.kept == 0


def test_grammar_describes_cited_sentences() -> None:
    assert 'sentence ::= body "[" [1-9] "]" "。"' in synthesis.GRAMMAR
    assert synthesis.complete_sentences("一文目です[1]。二文目[2]。三") == 2


def test_a_sentence_about_another_scheme_than_the_one_asked_is_removed() -> None:
    pm = Evidence(n=1, text="地域プロジェクトマネージャーは、市町村が任用し、1人あたり650万円を上限に特別交付税が措置されます。",
                  source="corpus/scheme-chiikipm.md", span=(0, 50))
    adviser = Evidence(n=2, text="地域力創造アドバイザーの招へいには、特別交付税が最大560万円まで措置されます。",
                       source="corpus/scheme-adviser.md", span=(0, 40))
    question = "地域力創造アドバイザーを招くとき、特別交付税の上限は？"
    result = synthesis.check("地域プロジェクトマネージャーは、1人あたり650万円を上限に特別交付税が措置されます[1]。"
                             "地域力創造アドバイザーの招へいには、特別交付税が最大560万円まで措置されます[2]。",
                             [pm, adviser], question)
    assert [why for _, why in result.removed] == ["other_subject"]
    assert "560万円" in result.text and "650" not in result.text
    unnamed = synthesis.check("上限は1人あたり650万円です[1]。", [pm, adviser], question)  # names nothing: its evidence decides
    assert unnamed.kept == 0 and unnamed.removed[0][1] == "other_subject"


def test_a_date_of_a_later_version_put_on_the_document_itself_is_removed() -> None:
    dates = Evidence(n=1, text="自治体DX全体手順書は2021年7月7日に公表され、第2.0版は2022年9月2日に公表されました。",
                     source="corpus/policy-dx-procedure.md", span=(0, 50))
    question = "自治体DX全体手順書はいつ公表されましたか？"
    wrong = synthesis.check("自治体DX全体手順書は2022年9月2日に公表されました[1]。", [dates], question)
    assert wrong.kept == 0 and wrong.removed[0][1] == "misattributed_figure"
    right = synthesis.check("自治体DX全体手順書は2021年7月7日に公表され、第2.0版は2022年9月2日に公表されました[1]。",
                            [dates], question)
    assert right.kept == 1


def test_a_list_copied_from_an_excerpt_is_not_a_synthesis() -> None:
    items = Evidence(n=1, text="職務の内容 / 応募の資格 / 勤務の条件 / 選考の方法", source="corpus/practice-posting.md", span=(0, 20))
    result = synthesis.check("職務の内容 / 応募の資格 / 勤務の条件 / 選考の方法[1]。", [items], "募集要項に書く項目は？")
    assert result.kept == 0 and result.removed[0][1] == "copied_list"


def test_a_sentence_announcing_a_list_it_does_not_write_is_removed() -> None:
    types = Evidence(n=1, text="外部人材スキル標準では、外部人材を次の4つの類型に分けています。", source="corpus/skill.md", span=(0, 30))
    question = "外部人材スキル標準ではどんな人材類型がありますか？"
    for text in ["外部人材スキル標準では、外部人材を次の4つの類型に分けています[1]。", "上記の4つの類型に分けています[1]。"]:
        assert synthesis.check(text, [types], question).removed[0][1] == "announces_nothing"


def test_a_sentence_about_the_sources_is_removed_and_a_list_number_dropped() -> None:
    note = Evidence(n=1, text="ガイドブックの62ページであることや4つのステップは、個人のnote記事1件から分かっています。"
                    "ガイドブックは課題から始める順序を示しています。", source="corpus/guidebook-unknowns.md", span=(0, 60))
    question = "ガイドブックは何から始めるよう求めていますか？"
    result = synthesis.check("1. ガイドブックの4つのステップは、個人のnote記事1件から分かっています[1]。"
                             "1. ガイドブックは課題から始める順序を示しています[1]。", [note], question)
    assert [why for _, why in result.removed] == ["about_the_sources"]
    assert result.text == "ガイドブックは課題から始める順序を示しています[1]。"


def test_the_situation_the_question_set_may_open_the_answer() -> None:
    start = Evidence(n=1, text="外部デジタル人材の確保ガイドブックは、人材探しより先に「業務課題の特定」から始めることを求めています。",
                     source="corpus/guidebook-overview.md", span=(0, 50))
    question = "外部人材を確保するとき、ガイドブックは何から始めるよう求めていますか?"
    kept_ = synthesis.check("外部人材を確保するとき、ガイドブックは「業務課題の特定」から始めることを求めています[1]。", [start], question)
    assert kept_.kept == 1
    echo = synthesis.check("外部人材を確保するとき、ガイドブックは何から始めるよう求めていますか[1]。", [start], question)
    assert echo.kept == 0  # the rest is still the question
