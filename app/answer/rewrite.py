"""Follow-up rewriting: 「それの予算は？」 → a standalone question retrieval can use.

Cheap on purpose: no LLM call without history or when the question already stands alone. An elliptical follow-up
that names a new subject or attribute without pointing back (「副業型の場合は？」「期間は？」) is completed without a model:
the previous standalone question's subject is carried over (`carry_subject`: 「地域活性化起業人の副業型の場合、受け入れると
国からどんな財政支援がありますか？」). Only follow-ups that point back (それ, その …) go to the model — the last turns
(answers shortened), a one-line output of at most ``REWRITE_MAX_TOKENS``. Small models sometimes answer instead of
rewriting, return nothing or repeat the previous question, so the output is checked and, when it is unusable, the
subject is carried deterministically as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from app.answer.evidence import entities_of, siblings
from app.answer.llm_call import invoke_text
from app.checks.answer_form import ENTITY_ALIASES, ENTITY_PATTERN
from app.prompts import load_prompt

REWRITE_MAX_TOKENS = 60
FALLBACK_FLAG = "rewrite_fallback"
_ANSWER_PREVIEW_CHARS = 80

_TERM = re.compile(r"[一-龥々〆ヶァ-ヴーｦ-ﾟA-Za-z0-9・]{2,}")
_STOP_TERMS = {"場合", "方法", "教えて", "ください", "について", "何", "どの", "具体的", "内容", "詳細", "一覧"}
_PREFIX = re.compile(r"^\s*(?:独立した質問|書き換え(?:た質問)?|質問|standalone question|question)\s*[:：]\s*", re.I)
_DEICTIC = re.compile(r"(それ|その(?!他)|そちら|これ|この|こちら|あれ|あの|同じ|上記|前述|先ほど|さっき|そこ|\b(it|its|that|this|those|them)\b)", re.I)
_CJK_OR_LATIN = re.compile(r"[ぁ-んァ-ヴ一-龥A-Za-z]")


@dataclass
class Rewrite:
    question: str
    used_llm: bool
    flags: list[str]


def key_terms(text: str, limit: int = 4) -> list[str]:
    """Content words (kanji/katakana/latin runs), longest first: what a follow-up most likely refers to."""
    terms: list[str] = []
    for term in _TERM.findall(text):
        term = term.strip("・")
        if len(term) >= 2 and term not in _STOP_TERMS and term not in terms:
            terms.append(term)
    return sorted(terms, key=len, reverse=True)[:limit]


def fallback_rewrite(question: str, history: list[tuple[str, str]]) -> str:
    """The previous question's subject carried over (`carry_subject`), else its key terms before the follow-up:
    crude, but retrieval finds the right topic. An independent new question is returned unchanged."""
    if not is_dependent(question):
        return question
    carried = carry_subject(question, history)
    if carried:
        return carried
    for previous, _answer in reversed(history):
        terms = [t for t in key_terms(previous) if t not in question]
        if terms:
            return f"{' '.join(terms)}について：{question}"
    return question


_ELLIPSIS_TAIL = re.compile(r"(?:の場合|の時|のとき|では|なら|だと|って)?(?:は|も|って)?\s*(?:どう(?:です|でしょう)か?|どうなりますか)?\s*[?？]?\s*$")
_LEADING_PARTICLE = re.compile(r"^(?:について|とは|では|には|は|を|が|の|に|で|も|と)")


def _subject(previous: str, drop: set[str]) -> tuple[str, str]:
    """(subject phrase, the rest of the question after it) of a standalone question: its named subjects joined
    (「地域活性化起業人の副業型」) without those in `drop` (siblings of a newly named sub-type); else its longest term."""
    found = list(ENTITY_PATTERN.finditer(previous))
    if found:
        names = [m.group(0) for m in found if ENTITY_ALIASES.get(m.group(0), m.group(0)) not in drop]
        if names:
            return "の".join(dict.fromkeys(names)), _LEADING_PARTICLE.sub("", previous[found[-1].end():]).strip()
    terms = key_terms(previous, limit=1)
    if not terms:
        return "", ""
    return terms[0], _LEADING_PARTICLE.sub("", previous[previous.find(terms[0]) + len(terms[0]):]).strip()


def carry_subject(question: str, history: list[tuple[str, str]]) -> str | None:
    """Complete an elliptical follow-up from the previous standalone question, or None when there is nothing to carry.

    A follow-up naming a sub-type (「副業型の場合は？」 after a 企業派遣型 or 地域活性化起業人 question) takes the earlier
    question with the sub-type swapped in; one naming an attribute (「期間は？」) asks it of the earlier subject."""
    if not history or _DEICTIC.search(question):
        return None
    previous = history[-1][0]
    asked = entities_of(question)
    rivals = set().union(*(siblings(e) for e in asked)) if asked else set()
    subject, rest = _subject(previous, rivals | asked)
    if not subject or subject in question:
        return None
    stem = _ELLIPSIS_TAIL.sub("", question).strip()
    if not stem:
        return None
    if asked and rest:
        return f"{subject}の{stem}の場合、{rest}"
    return f"{subject}の{question.strip()}"


def clean_output(raw: str) -> str:
    lines = [line.strip() for line in raw.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    line = _PREFIX.sub("", lines[0])
    return line.strip().strip("「」\"'` ")


def is_dependent(question: str) -> bool:
    """A follow-up that cannot stand alone: it points back (それ, その, 同じ …) or names almost nothing."""
    return bool(_DEICTIC.search(question)) or len(key_terms(question, limit=20)) < 2 and len(question) <= 15


def is_usable(rewritten: str, question: str, history: list[tuple[str, str]]) -> bool:
    """Non-empty, real words, not an essay, and about something the conversation mentioned. A dependent
    follow-up must have gained a term from the earlier turns (「その予算は？」 is not a rewrite)."""
    if not rewritten or not _CJK_OR_LATIN.search(rewritten):
        return False
    if len(rewritten) > max(120, 3 * len(question)):
        return False
    own = set(key_terms(question, limit=20))
    earlier: set[str] = set()
    for previous, _ in history:
        earlier.update(key_terms(previous, limit=20))
    gained = any(term in rewritten for term in earlier - own)
    if is_dependent(question):
        kept_own = all(term in rewritten for term in own if not _DEICTIC.fullmatch(term))
        repeated = any(rewritten.strip() == previous.strip() for previous, _ in history)
        return gained and kept_own and not repeated and not _DEICTIC.search(rewritten)
    return not (own | earlier) or gained or any(term in rewritten for term in own)


def format_history(history: list[tuple[str, str]]) -> str:
    lines = []
    for q, a in history:
        a = re.sub(r"\s+", " ", re.sub(r"[\[［]\d+[\]］]", "", a)).strip()
        if len(a) > _ANSWER_PREVIEW_CHARS:
            a = a[:_ANSWER_PREVIEW_CHARS] + "…"
        lines.append(f"利用者: {q}\nアシスタント: {a}")
    return "\n".join(lines)


GUIDEBOOK_FULL_NAME = "外部デジタル人材の確保ガイドブック"
_BARE_GUIDEBOOK = re.compile(r"(?<!確保)(?<!確保の)ガイドブック")


def name_in_full(question: str) -> str:
    """The retrieval query: 「ガイドブック」 alone means the guidebook this assistant is about, and the full name is what
    the material writes (a bare 「ガイドブックの発行日は？」 scores dense 0.862, below the abstention threshold; in full
    0.942). Evidence selection keeps the user's wording: the long name would outweigh what is asked."""
    return _BARE_GUIDEBOOK.sub(GUIDEBOOK_FULL_NAME, question, count=1)


def rewrite_question(
    llm: BaseChatModel, question: str, history: list[tuple[str, str]] | None, max_turns: int
) -> Rewrite:
    history = list(history or [])[-max_turns:] if max_turns > 0 else []
    if not history or not is_dependent(question):
        # Nothing to resolve: a question that names its own topic costs no model call (~10 s on the CPU model).
        return Rewrite(question=question, used_llm=False, flags=[])
    carried = carry_subject(question, history)
    if carried:  # 「副業型の場合は？」: completed without a model, and exactly
        return Rewrite(question=carried, used_llm=False, flags=[])
    messages = [
        SystemMessage(content=load_prompt("rewrite_system").render()),
        HumanMessage(content=load_prompt("rewrite_user").render(history=format_history(history), question=question)),
    ]
    raw = invoke_text(llm, messages, max_tokens=REWRITE_MAX_TOKENS)
    rewritten = clean_output(raw)
    if is_usable(rewritten, question, history):
        return Rewrite(question=rewritten, used_llm=True, flags=[])
    return Rewrite(question=fallback_rewrite(question, history), used_llm=True, flags=[FALLBACK_FLAG])
