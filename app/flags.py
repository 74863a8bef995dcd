"""Every flag dxhire can raise about an answer or a draft, named once: code, Japanese explanation, severity.

Answers, drafts, evals, the UI and the CLI all import from here, so a code is never spelled twice and a user never
sees a raw code (`below_threshold`) without its Japanese explanation. `--json` keeps the stable English codes
(`Answer.flags` is a list of these strings); what a person reads comes from `explain()`.
A code that is raised somewhere but missing here fails `tests/test_flags.py`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["info", "warning", "danger"]
"""info: how the answer was made (abstained, question cut); warning: check before use; danger: do not trust as is."""

SEVERITY_ICON: dict[str, str] = {"info": "ℹ️", "warning": "⚠️", "danger": "⛔"}


class FlagCode(StrEnum):
    """The stable codes (what `--json` prints and evals count)."""

    NO_CITATIONS = "no_citations"
    INVALID_CITATION_REMOVED = "invalid_citation_removed"
    NON_JAPANESE_CHARACTERS = "non_japanese_characters"
    UNSUPPORTED_SENTENCES = "unsupported_sentences"
    UNSUPPORTED_NUMBERS = "unsupported_numbers"
    QUESTION_TRUNCATED = "question_truncated"
    REWRITE_FALLBACK = "rewrite_fallback"
    EMPTY_ANSWER = "empty_answer"
    BELOW_THRESHOLD = "below_threshold"
    NO_HITS = "no_hits"
    LLM_NOT_IN_MATERIAL = "llm_not_in_material"
    PASSAGE_DUMP = "passage_dump"
    MARKER_ONLY_ANSWER = "marker_only_answer"
    QUESTION_ECHO = "question_echo"
    MISATTRIBUTED_FIGURE = "misattributed_figure"
    SYNTHESIS_SENTENCE_REMOVED = "synthesis_sentence_removed"
    SYNTHESIS_WITHHELD = "synthesis_withheld"
    WEAK_EVIDENCE = "weak_evidence"
    DRAFT_MISSING_SECTION = "draft_missing_section"
    DRAFT_EMPTY_SECTION = "draft_empty_section"
    DRAFT_UNSUPPORTED_FACTS = "draft_unsupported_facts"
    DRAFT_ALTERED_TERM = "draft_altered_term"
    DRAFT_REPEATED_LINES = "draft_repeated_lines"
    DRAFT_NO_QUESTION = "draft_no_question"
    DRAFT_SLOT_FALLBACK = "draft_slot_fallback"
    DRAFT_NO_SOURCE = "draft_no_source"
    DRAFT_TIME_SUM = "draft_time_sum"
    DRAFT_STYLE_MIX = "draft_style_mix"
    DRAFT_NO_PATTERN = "draft_no_pattern"
    DRAFT_UNCITED = "draft_uncited"
    DRAFT_MODEL_SECTION_REJECTED = "draft_model_section_rejected"
    DRAFT_TERM_RESTORED = "draft_term_restored"


class Flag(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: FlagCode
    ja: str
    """One Japanese sentence for the reader: what happened and what to do."""
    severity: Severity
    shown: bool = True
    """False for flags that only explain an outcome the screen already shows (the abstention message itself)."""


_FLAGS: list[Flag] = [
    Flag(code=FlagCode.NO_CITATIONS, severity="warning",
         ja="回答に出典番号がありません。資料の該当箇所で内容を確かめてください。"),
    Flag(code=FlagCode.INVALID_CITATION_REMOVED, severity="info", ja="存在しない出典番号を削除しました。"),
    Flag(code=FlagCode.NON_JAPANESE_CHARACTERS, severity="danger",
         ja="日本語にない漢字（簡体字など）が含まれていたため、その部分を使っていません。"),
    Flag(code=FlagCode.UNSUPPORTED_SENTENCES, severity="warning",
         ja="資料に裏付けのない文が含まれている可能性があります。出典と照らして確認してください。"),
    Flag(code=FlagCode.UNSUPPORTED_NUMBERS, severity="danger",
         ja="資料にない数値が含まれています。出典の数値を確認してください。"),
    Flag(code=FlagCode.QUESTION_TRUNCATED, severity="info", ja="質問が長いため、先頭の部分だけで検索しました。"),
    Flag(code=FlagCode.REWRITE_FALLBACK, severity="info",
         ja="前の会話を踏まえた言い換えがうまくいかず、前の質問の話題を補って検索しました。"),
    Flag(code=FlagCode.EMPTY_ANSWER, severity="warning", ja="モデルが回答を返しませんでした。"),
    Flag(code=FlagCode.BELOW_THRESHOLD, severity="info", shown=False,
         ja="資料との関連が低いため、回答を控えました。"),
    Flag(code=FlagCode.NO_HITS, severity="info", shown=False, ja="該当する資料が見つかりませんでした。"),
    Flag(code=FlagCode.LLM_NOT_IN_MATERIAL, severity="info", shown=False,
         ja="モデルが資料に記載がないと判断しました。"),
    # answer-form checks (app/checks/answer_form.py)
    Flag(code=FlagCode.PASSAGE_DUMP, severity="warning",
         ja="資料の文章を見出しごと貼り付けたような回答です。要点は出典の該当箇所で確認してください。"),
    Flag(code=FlagCode.MARKER_ONLY_ANSWER, severity="warning",
         ja="回答に文章がなく、出典番号や数字だけでした。出典の該当箇所を直接確認してください。"),
    Flag(code=FlagCode.QUESTION_ECHO, severity="warning",
         ja="回答の一部が質問の繰り返しになっています。出典の該当箇所で内容を確認してください。"),
    Flag(code=FlagCode.MISATTRIBUTED_FIGURE, severity="danger",
         ja="数値が、資料とは別の制度や団体のものとして書かれている可能性があります。出典で数値と対象を確認してください。"),
    # evidence-first answers (app/answer/evidence.py, synthesis.py)
    Flag(code=FlagCode.SYNTHESIS_SENTENCE_REMOVED, severity="info",
         ja="まとめの文のうち、根拠の抜粋と合わない文を削除しました。"),
    Flag(code=FlagCode.SYNTHESIS_WITHHELD, severity="warning",
         ja="まとめの文が根拠の確認に通らなかったため、資料の該当箇所だけを示しています。"),
    Flag(code=FlagCode.WEAK_EVIDENCE, severity="warning",
         ja="質問に直接答える記述は資料に見当たりません。関連する箇所を示しています。資料に書かれていない点は原本で確認してください。"),
    Flag(code=FlagCode.DRAFT_MISSING_SECTION, severity="warning", ja="必要な節がありません。追加してください。"),
    Flag(code=FlagCode.DRAFT_EMPTY_SECTION, severity="warning", ja="本文が空です。記入してください。"),
    Flag(code=FlagCode.DRAFT_UNSUPPORTED_FACTS, severity="danger",
         ja="プロファイルにも引用資料にもない数値・日付・法令名があります。根拠を確認してください。"),
    Flag(code=FlagCode.DRAFT_ALTERED_TERM, severity="danger",
         ja="入力した言葉が別の字に変わっています（例: 窓口→窗口）。元の言葉に直してください。"),
    Flag(code=FlagCode.DRAFT_REPEATED_LINES, severity="warning",
         ja="同じ内容の行、または見出しや入力を言い換えただけの行があります。整理してください。"),
    Flag(code=FlagCode.DRAFT_NO_QUESTION, severity="warning", ja="質問の節に質問文（？で終わる文）がありません。"),
    Flag(code=FlagCode.DRAFT_SLOT_FALLBACK, severity="info",
         ja="モデルの文が確認に通らなかったため、プロファイルから組み立てた定型文にしました。"),
    Flag(code=FlagCode.DRAFT_NO_SOURCE, severity="warning",
         ja="根拠となる資料の箇所が索引に見つかりませんでした。出典を確認してください。"),
    Flag(code=FlagCode.DRAFT_TIME_SUM, severity="danger", ja="面接の時間配分の合計が面接時間と一致しません。"),
    Flag(code=FlagCode.DRAFT_STYLE_MIX, severity="info",
         ja="です・ます調とである調が混在しています。公用文ではどちらかに統一してください。"),
    Flag(code=FlagCode.DRAFT_NO_PATTERN, severity="info",
         ja="この業務課題に当てはまる分野が知識表にないため、一般的な問いで整理しました。"),
    Flag(code=FlagCode.DRAFT_UNCITED, severity="warning",
         ja="モデルが書いた節に文ごとの出典がありません。参照した資料と照らして確認してください。"),
    Flag(code=FlagCode.DRAFT_MODEL_SECTION_REJECTED, severity="info",
         ja="モデルが書いた節が確認に通らなかったため、知識表から組み立てた節にしました。"),
    Flag(code=FlagCode.DRAFT_TERM_RESTORED, severity="info",
         ja="モデルが入力した言葉を別の字（日本語にない字）で書いたため、入力どおりの字に直しました。"),
]

REGISTRY: dict[str, Flag] = {f.code.value: f for f in _FLAGS}

UNKNOWN_JA = "検証で注意点が見つかりました。出典と照らして確認してください。"


def get(code: str) -> Flag | None:
    return REGISTRY.get(str(code))


def explain(code: str) -> str:
    """The Japanese explanation of a code; an unregistered code gets a generic sentence, never the raw code."""
    flag = get(code)
    return flag.ja if flag else UNKNOWN_JA


def severity(code: str) -> Severity:
    flag = get(code)
    return flag.severity if flag else "warning"


def visible(codes: list[str]) -> list[Flag]:
    """The flags a reader should see, most severe first, each once."""
    order = {"danger": 0, "warning": 1, "info": 2}
    seen: dict[str, Flag] = {}
    for code in codes:
        flag = get(code) or Flag.model_construct(code=code, ja=UNKNOWN_JA, severity="warning", shown=True)
        if flag.shown and str(code) not in seen:
            seen[str(code)] = flag
    return sorted(seen.values(), key=lambda f: order[f.severity])
