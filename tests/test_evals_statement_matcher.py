"""The statement matcher on the Japanese cases of issue 15 (a reader finds these facts) and on near-misses that
must not match (another figure, another scheme, the opposite polarity, a different year)."""

from __future__ import annotations

import pytest

from evals.statement_matcher import fact_terms, match_statement, predicate_negated

GUIDEBOOK = "総務省の『外部デジタル人材の確保ガイドブック』は、自治体DX全体手順書の別冊で、62ページの資料です。"


@pytest.mark.parametrize("fact", ["総務省が作成した資料である", "自治体DX全体手順書の別冊という位置付けである",
                                  "全体で約62ページある"])
def test_the_guidebook_answer_states_all_three_facts(fact: str) -> None:
    assert match_statement(fact, GUIDEBOOK).found


@pytest.mark.parametrize(("fact", "answer"), [
    ("2020年（令和2年）12月に策定された",
     "自治体DX推進計画は、2020年12月25日(令和2年12月)に国の計画と歩調を合わせて初めて策定されました[1]。"),
    ("令和4年度から実施している", "総務省は2022年度から民間人材を公募しています[1]。"),
    ("1日当たり2万5千円", "報酬は日額2万5,000円でした[1]。"),
    ("報酬は1日当たり2万5千円である", "福山市の戦略推進マネージャーの報酬は日額25,000円です。"),
    ("期間は6か月から3年である", "社員が6か月から3年の間、地方の自治体で働きます[1]。"),
    ("ガイドブックは4つのステップに分けている", "ガイドブックは確保までの道筋を四つの段階に分けています[1]。"),
    ("2022年度に始まった", "開始：2022年度（令和4年度）"),
    ("フリーランスは対象外である", "企業に勤める人が対象で、フリーランスは対象になりません[1]。"),
])
def test_paraphrases_a_reader_accepts(fact: str, answer: str) -> None:
    got = match_statement(fact, answer)
    assert got.found, got


def test_a_fact_split_over_two_adjacent_sentences_is_found() -> None:
    answer = "福山市は戦略推進マネージャーを1人募集しました。その枠に395人が応募しています[1]。"
    got = match_statement("1人の枠に395人が応募した", answer)
    assert got.found and "395人" in got.found_terms


@pytest.mark.parametrize(("fact", "answer", "why"), [
    ("措置率は0.5である", "CIO補佐官等の経費の措置率は0.7です[1]。", "figure missing"),
    ("2022年度から募集にかかる経費も対象になった", "2021年度から募集にかかる経費も対象です。", "figure missing"),
    ("企業派遣型は1人あたり年間560万円を上限に措置される", "副業型は年間560万円を上限に措置されます[1]。",
     "another subject"),
    ("福山市には395人が応募した", "浜松市には395人が応募しました[1]。", "another subject"),
    ("服務や懲戒の規定は原則として適用されない", "特別職には服務や懲戒の規定が原則として適用されます[1]。",
     "opposite polarity"),
    ("フリーランスは対象外である", "フリーランスも対象です[1]。", "opposite polarity"),
    ("報償費は年間100万円が上限である", "提案事業の経費は1人あたり年間100万円を上限に2分の1が措置されます[1]。",
     "too few terms"),
])
def test_near_misses_do_not_match(fact: str, answer: str, why: str) -> None:
    got = match_statement(fact, answer)
    assert not got.found and why in got.reason, got


def test_negation_aware_in_both_directions() -> None:
    answer = "人材探しから始めるのではなく、課題から始めます[1]。"
    assert match_statement("人材探しではなく課題から始める", answer).found
    assert not match_statement("人材探しから始める", answer).found  # a must-not claim the answer denies
    assert predicate_negated("各部署に一人ずつ配置することを想定したものではない")
    assert not predicate_negated("人材探しではなく課題から始める")


def test_terms_the_question_names_count_half_when_left_implicit() -> None:
    question = "地域活性化起業人の副業型はいつ始まりましたか？"
    assert match_statement("副業型は2024年度に新設された", "2024年度に新設されました[1]。", question).found
    assert not match_statement("副業型は2024年度に新設された", "2024年度に新設されました[1]。").found
    # the question never supplies a figure
    assert not match_statement("副業型は2024年度に新設された", "新設されました[1]。", question).found


def test_per_fact_terms_are_reported() -> None:
    terms = {t.text: t.kind for t in fact_terms("企業派遣型は1人あたり年間560万円を上限に特別交付税で措置される")}
    assert terms["5600000円"] == "figure" and terms["企業派遣型"] == "entity" and terms["措置"] == "content"
    got = match_statement("総務省が作成した資料である", GUIDEBOOK)
    assert "総務省" in got.found_terms and "作成" in got.missing_terms and got.window == GUIDEBOOK


@pytest.mark.parametrize(("claim", "answer"), [
    # the predicate sits at the end of the sentence, after the topic's comma
    ("J-LISの人材派遣制度がある", "J-LIS による外部デジタル人材の確保を支援する制度は、調査では見つかりませんでした[1]。"),
    # 「しなければならない」 is an obligation, not a denial; the answer denies it in the first of two sentences
    ("4類型すべてを外部人材で確保しなければならない",
     "4つの類型すべてを外部人材で埋めることを求めてはいません[1]。必要な類型を選んで確保する前提です[1]。"),
    # in the list, 560万円 is 企業派遣型's
    ("副業型の上限は560万円である", "上限額（企業派遣型560万円、上乗せ各100万円、副業型各100万円）は報道時点の数字です[2]。"),
    # 同じ is part of the claim
    ("両者は同じ段階である", "両者は別の段階です。全体手順書は流れを4段階で示しています[2]。"),
    # an increase is not the decrease with the same two figures
    ("320万円から280万円に引き下げられた", "報償費等の上限は280万円から320万円に引き上げられました[1]。"),
])
def test_wrong_claims_an_answer_does_not_make(claim: str, answer: str) -> None:
    from evals.matchers import match_must_not

    assert not match_must_not(claim, answer).found


def test_a_subordinate_clause_keeps_its_own_polarity() -> None:
    passage = "旅費・宿泊費・謝金はすべて総務省が負担するため、受け入れる自治体の費用負担はありません。"
    assert match_statement("旅費・宿泊費・謝金は総務省が負担する", passage).found


@pytest.mark.parametrize(("fact", "answer", "why"), [
    ("人材探しではなく課題から始める", "ガイドブックは人材探しと課題整理の両方から始めるよう求めています[1]。", "opposite polarity"),
    ("報償費等の上限は280万円に引き下げられた", "報償費等の上限は2024年度に280万円から320万円に引き上げられました[1]。",
     "says the opposite"),
    ("利益相反を起こさない誓約書に署名する", "利益相反を約束する誓約書に署名するルールです[1]。", "opposite polarity"),
    ("ガイドブックのステップ1は全体方針の決定である",
     "全体手順書にもステップ1（全体方針の決定）がありますが、ガイドブックのステップ1は業務課題の特定です[1]。",
     "contrast"),
    ("サービスデザイナーは住民向けのサービスや業務プロセスを設計する",
     "住民向けのサービスや庁内の業務プロセスを設計する役割です[1]。", "too few terms"),
])
def test_more_near_misses_from_the_labelled_set(fact: str, answer: str, why: str) -> None:
    got = match_statement(fact, answer)
    assert not got.found and why in got.reason, got


@pytest.mark.parametrize(("fact", "answer"), [
    ("経費の2分の1が特別交付税で措置される", "対象経費の半分が特別交付税で措置されます[1]。"),
    ("兼業先の企業と保有している株式を届け出る",
     "非常勤職員が副業先と保有株式を届け出る、本人が関わった案件には兼業先の企業は入札に参加できないというルールです。"),
    ("業務委託では契約で決めた範囲の仕事しか頼めない", "業務委託は手続きが簡単ですが、契約で決めた範囲の仕事しか頼めません[1]。"),
])
def test_more_paraphrases_from_the_labelled_set(fact: str, answer: str) -> None:
    got = match_statement(fact, answer)
    assert got.found, got
