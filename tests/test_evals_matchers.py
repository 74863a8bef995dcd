"""Matchers on Japanese: normalisation, facts, negation-aware must-not, citations, sections."""

from __future__ import annotations

import numpy as np
import pytest

from evals.matchers import (
    check_citations,
    combine,
    fact_evidence,
    is_negated,
    match_fact,
    match_must_not,
    normalize,
    numbers,
    section_present,
    sentences,
)


@pytest.mark.parametrize("form", ["560万円", "5.6百万円", "¥5,600,000", "５６０万円", "5,600,000円", "￥5600000"])
def test_money_forms_normalise_to_the_same_figure(form: str) -> None:
    assert normalize(form) == "5600000円"
    assert numbers(form) == {"5600000"}


def test_era_and_fiscal_year_forms_normalise() -> None:
    assert normalize("令和6年度") == normalize("2024年度") == normalize("FY2024")
    assert normalize("令和元年") == "2019年"
    assert normalize("Ｒ　６") != normalize("令和6年")  # only 令和/平成 + 年 are converted, nothing is guessed


def test_normalize_keeps_decimal_points_but_drops_punctuation() -> None:
    assert normalize("措置率は、0.5です。") == "措置率は0.5です"
    assert normalize("「業務課題の特定」（ステップ1）") == "業務課題の特定ステップ1"


def test_sentences_split_japanese_and_list_lines() -> None:
    text = "地域活性化起業人は制度です[1]。上限は560万円です[2]。\n- 副業型もある\n1. 0.5の措置"
    assert sentences(text) == ["地域活性化起業人は制度です[1]。", "上限は560万円です[2]。", "副業型もある", "0.5の措置"]


def test_fact_substring_across_money_forms() -> None:
    m = match_fact("上限は560万円", "企業派遣型の上限は¥5,600,000とされています。")
    assert m.found and m.matcher in {"substring", "bigram"}
    exact = match_fact("560万円", "企業派遣型の上限は¥5,600,000です。")
    assert exact.found and exact.matcher == "substring"


def test_fact_with_a_different_figure_does_not_match() -> None:
    assert not match_fact("上限は560万円", "企業派遣型の上限は650万円です。").found
    assert not match_fact("措置率は0.5", "措置率は0.7です。").found


def test_fact_with_a_different_fiscal_year_does_not_match() -> None:
    assert not match_fact("副業型は令和6年度に新設", "副業型は令和5年度に新設されました。").found
    assert match_fact("副業型は令和6年度に新設", "副業型は2024年度に新設されました。").found


def test_scattered_words_in_a_long_sentence_do_not_make_a_claim() -> None:
    text = ("自治体DX全体手順書にもステップ1（全体方針の決定）がありますが、外部デジタル人材の確保ガイドブックの"
            "ステップ1（業務課題の特定）とは別物です。")
    assert not match_fact("ガイドブックのステップ1は全体方針の決定", text).found


def test_negated_sentence_is_not_a_must_not_violation() -> None:
    assert not match_must_not("措置率0.5", "特別交付税の措置率は0.5ではありません。").found
    assert match_must_not("措置率0.5", "特別交付税の措置率0.5が適用されます。").found


@pytest.mark.parametrize("sentence", [
    "ガイドブックは100ページではありません。",
    "ガイドブックが100ページとは限りません。",
    "ガイドブックは100ページというのは誤りです。",
    "ガイドブックは100ページではなく62ページです。",
])
def test_negation_forms(sentence: str) -> None:
    assert is_negated(sentence)
    assert not match_must_not("ガイドブックは100ページ", sentence).found


def test_negative_claim_is_violated_by_a_negative_sentence() -> None:
    claim = "募集経費は対象外"
    assert is_negated("募集経費は対象になりません。")
    assert match_must_not("フリーランスは対象外", "副業型ではフリーランスは対象外です。").found
    assert not match_must_not(claim, "令和4年度から募集経費も対象です。").found


def test_affirmative_sentence_with_other_figure_is_not_a_violation() -> None:
    assert not match_must_not("ガイドブックは100ページ", "ガイドブックは62ページです。").found


def _toy_embed(vectors: dict[str, list[float]]):
    """An EmbedFn from a lookup table: unknown texts get a vector orthogonal to everything."""
    def embed(texts: list[str]) -> list[list[float]]:
        return [vectors.get(t, [0.0, 0.0, 1.0]) for t in texts]
    return embed


def test_embedding_matcher_fires_above_threshold_as_evidence_only() -> None:
    """e5 scores are reported for every fact, but do not decide (they credit near-misses a reader rejects)."""
    fact = "外部人材リストは希望する自治体に提供される"
    answer = "詳しい名簿は、申し出た団体にだけ渡されます。"
    embed = _toy_embed({fact: [1.0, 0.0, 0.0], answer: [0.99, 0.14, 0.0]})
    evidence = fact_evidence(fact, answer, embed)
    assert evidence["embedding"].found and evidence["embedding"].score > 0.95
    m = match_fact(fact, answer, embed)
    assert not m.found and m.evidence["embedding"] > 0.95
    assert combine(evidence, ("substring", "statement", "embedding")).matcher == "embedding"
    far = _toy_embed({fact: [1.0, 0.0, 0.0], answer: [0.5, 0.86, 0.0]})
    assert not fact_evidence(fact, answer, far)["embedding"].found


def test_embedding_matcher_still_requires_the_figures() -> None:
    fact = "18人が応募し14人が合格"
    answer = "応募は20人で、合格は14人でした。"
    embed = _toy_embed({fact: [1.0, 0.0, 0.0], answer: [1.0, 0.0, 0.0]})
    assert not match_fact(fact, answer, embed).found


def test_citations_valid_invalid_and_missing() -> None:
    passages = {1: "地域活性化起業人の企業派遣型は、1人あたり年間560万円を上限に特別交付税で措置されます。",
                2: "福山市は副業・兼業限定の公募を行いました。"}
    answer = "企業派遣型の上限は年間560万円です[1]。福山市の上限も同じです[2]。詳細は別資料です[5]。"
    checks = {c.n: c for c in check_citations(answer, passages)}
    assert checks[1].valid and checks[1].reason == "bigram"
    assert not checks[2].valid and checks[2].reason == "no shared content"
    assert not checks[5].valid and checks[5].reason == "no such citation"


def test_citation_to_a_passage_missing_from_the_index_is_invalid() -> None:
    passages = {1: "任期付職員の任期は最長5年です。"}
    checks = check_citations("任期付職員の任期は最長5年です[1]。", passages, exists=lambda n: False)
    assert checks[0].valid is False and checks[0].reason == "passage not in index"


def test_section_present_normalises_and_accepts_alternatives() -> None:
    titles = ["現状と背景", "課題の構造（なぜなぜ／根本原因）", "庁内アンケート／聞き取り質問票"]
    assert section_present("課題の構造", titles)
    assert section_present("聞き取り質問票", titles)
    assert section_present("必須／現状と背景", titles)
    assert not section_present("成果指標", titles)


def test_real_e5_scores_paraphrase_above_a_near_miss(settings) -> None:
    """The calibrated threshold separates a real paraphrase from a topical near miss with the project's e5."""
    from evals.matchers import EMBED_THRESHOLD, embed_fn_from_settings

    embed = embed_fn_from_settings(settings)
    fact = "受け入れ側の組織が準備不足だと外部人材が定着しない"
    para = "受け入れる組織の準備が整っていないと、外部の専門家はうまく馴染めません。"
    near = "地域おこし協力隊は都市部の住民が地方に移住して活動する制度です。"
    vec = np.asarray(embed([fact, para, near]))
    assert vec[0] @ vec[1] > EMBED_THRESHOLD > vec[0] @ vec[2]
    assert fact_evidence(fact, para, embed)["embedding"].found


def test_marker_after_the_full_stop_cites_the_previous_sentence() -> None:
    passages = {1: "外部デジタル人材の確保ガイドブックは、自治体DX全体手順書の別冊という扱いです。"}
    checks = check_citations("ガイドブックは自治体DX全体手順書の別冊です。[1]", passages)
    assert checks[0].valid and checks[0].reason == "bigram"


def test_a_drafts_consulted_sources_line_is_checked_for_existence_only() -> None:
    from app.schemas import SOURCES_NOTE

    text = f"- 窓口の申請を電子化します。\n（{SOURCES_NOTE}: [1][2][5]。文ごとの出典は付いていません）"
    checks = {c.n: c for c in check_citations(text, {1: "無関係な資料の本文です。", 2: "別の資料です。"})}
    assert checks[1].valid and checks[2].valid and checks[1].reason == "listed as consulted"
    assert not checks[5].valid and checks[5].reason == "no such citation"
