"""The model's part of an answer, and its check sentence by sentence.

The model gets only the best of the selected evidence sentences (app/answer/evidence.py; up to
`synthesis_evidence_chars`, see `for_model`), numbered, and writes 1–3 sentences that link them. Every sentence it
writes is then checked against the evidence it cites — the facts must be there, not merely somewhere in the passages:

- it cites an evidence number (a well-supported sentence without one gets the number of the evidence that supports
  it; the check below decides, not the model's marker);
- its wording is mostly taken from the cited evidence (character bigrams);
- every figure, year and 制度名 in it appears in the cited evidence (or the 制度名 in the question);
- no figure is attached to another subject than in the evidence (「副業型は560万円」 when 560万円 is 企業派遣型's);
- it is about what was asked: a sentence naming only other schemes than the question's (「地域プロジェクトマネージャー
  は650万円」 for a question about 地域力創造アドバイザー) is removed, whatever it cites;
- a date or figure keeps its qualifier: 「手順書は2022年9月2日に公表」 from 「第2.0版は2022年9月2日に公表」 is not
  what the evidence says;
- it is prose, not a list copied from an excerpt (the ` / ` that joins list lines never occurs in prose);
- it does not negate what the evidence affirms, nor the reverse;
- no characters outside Japanese usage (窗, 众), no recitation of the prompt, no echo of the question.

A failing sentence is removed. When nothing survives, the evidence alone is the answer, with one Japanese line
saying so. An English question gets an English synthesis: the wording check is skipped (the evidence is Japanese),
markers and figures are still checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from app.answer.citations import cited_numbers
from app.answer.evidence import LIST_JOIN, entities_of, heading_entities, siblings
from app.answer.grounding import support
from app.checks.answer_form import (
    ENTITY_PATTERN,
    MARKER,
    compatible,
    foreign_characters,
    lacks_kana,
    misattributed_figures,
    question_echo,
    words_left,
)
from app.checks.figures import canonical, figure_spans, figures, missing_figures
from app.checks.provenance import about_sources
from app.flags import FlagCode
from app.prompts import load_prompt
from app.schemas import HEADING_SEPARATOR, Evidence

SUPPORT_MIN = 0.45
"""Share of a sentence's bigrams the cited evidence must contain. Higher than the passage-level check (0.3): the
evidence is two or three sentences, and a linking sentence reuses their words."""
ATTACH_MIN = 0.55
"""A sentence without a marker is kept, with the number of its best evidence, only if supported this well."""
WITHHELD_JA = "（要約文は根拠の確認に通らなかったため表示していません。上の「資料の該当箇所」が資料の記述です。）"
NOT_STATED = re.compile(r"(?:記載|記述|言及|説明)(?:が|は)?(?:ありません|ない|見当たりません|見つかりません)|書かれていません|示されていません")
_CLAIM = re.compile(r"[^。！？!?\n]+(?:[。！？!?]+[」』）)]*)?(?:[ \t　]*[\[［【]\s*\d{1,2}(?:\s*[,，、・]\s*\d{1,2})*\s*[\]］】])*")
GRAMMAR = r"""root ::= sentence sentence? sentence?
sentence ::= body "[" [1-9] "]" "。"
body ::= [^\[\]。\n]{4,150}
"""
"""llama.cpp GBNF for a Japanese synthesis on the embedded model: 1–3 sentences, each ending in a marker and 。, and
nothing else — no passage headers, no lists, no trailing essay. The model stops when the grammar is complete."""
_NEGATION = re.compile(
    r"(?:でき|され|られ|め|含ま|使え|行え|わ|さ|け|せ|れ)(?:ません|ない|ず)(?!と|ければ|くては)|不可|対象外|ありません|いません"
)
"""Negated predicates (できません, 認められない, 対象外). Not obligations (しなければならない) nor 少ない: a sentence whose
polarity differs from its evidence's says the opposite of it."""
_ANNOUNCES = re.compile(r"(?:以下|次|下記)の(?:通り|とおり|ように|よう|\d+つ|[一二三四五六七八九]つ)"
                        r"|(?:以下|次)(?:です|になります|が挙げられます)|上記|前述")
"""「…は以下の通りです。」「次の4つの類型に分け…」 promise a list the synthesis never writes, 「上記の…」 points at
nothing the reader sees as the answer: the evidence above is the list."""
_ENUMERATOR = re.compile(r"^(?:\d{1,2}[.)．、]|[（(]\d{1,2}[)）]|[①-⑳]|[-・*•])\s*")
_PROMPT_WORDS = re.compile(r"【|抜粋|根拠の番号|番号を付け|規則[:：]")


@dataclass
class Claim:
    text: str
    """The sentence as written, markers included."""
    body: str
    """Without markers."""
    numbers: list[int]


@dataclass
class CheckedSynthesis:
    text: str
    kept: int = 0
    removed: list[tuple[str, str]] = field(default_factory=list)
    """(sentence, reason) of every removed sentence: logged and kept in the eval report, never shown as answer."""
    flags: list[str] = field(default_factory=list)


def for_model(evidence: list[Evidence], max_chars: int) -> list[Evidence]:
    """The excerpts the model reads: the first ones (best first) up to `max_chars`, the first always. The reader sees
    every excerpt; the model only needs enough to link the main facts, and each character costs prompt time."""
    out: list[Evidence] = []
    used = 0
    for e in evidence:
        if out and used + len(e.text) > max_chars:
            break
        out.append(e)
        used += len(e.text)
    return out


def build_messages(question: str, evidence: list[Evidence], english: bool = False) -> list[BaseMessage]:
    """A short prompt (every token costs the user ~0.03 s on the embedded model): fixed system text, the numbered
    evidence sentences, the question."""
    lines = "\n".join(f"[{e.n}] {e.text}" for e in evidence)
    user = load_prompt("answer_synthesis_user").render(
        evidence=lines, question=question, language="英語（English）" if english else "日本語"
    )
    return [SystemMessage(content=load_prompt("answer_synthesis_system").render()), HumanMessage(content=user)]


def claims(text: str) -> list[Claim]:
    """Sentences with the markers that follow them (「…です。[1]」 and 「…です[1]。」 both cite 1)."""
    out = []
    for m in _CLAIM.finditer(text):
        raw = m.group(0).strip()
        if not raw:
            continue
        numbers = cited_numbers(raw)
        body = re.sub(r"\s+([。！？])", r"\1", MARKER.sub("", raw)).strip()
        body = _ENUMERATOR.sub("", body)  # 「1. 課題から…」: the model began a list; the sentence is what counts
        out.append(Claim(text=raw, body=body, numbers=list(dict.fromkeys(numbers))))
    return out


def complete_sentences(text: str) -> int:
    """How many finished sentences the model has written so far (for stopping the stream early)."""
    return len(re.findall(r"[。！？!?](?![。！？!?])", MARKER.sub("", text)))


_CLASSICAL = frozenset("而之其亦乃于")
"""Kanji that are Japanese in name only in a modern answer (「而くは、…」 from the 1.5B model): Chinese function words."""
GLUED_CHARS = 8
"""A run this long copied from the question that the evidence does not hold is the question pasted into the answer
(「…副業型の場合、受け入れると国から特別交付税の上限が見直されるため…」)."""


def _glued_question(body: str, question: str, source: str) -> bool:
    """Named subjects repeated from the question are how an answer should start; the rest of the question is not."""
    matcher = SequenceMatcher(None, body, question, autojunk=False)
    for m in matcher.get_matching_blocks():
        run = body[m.a : m.a + m.size]
        if run not in source and len(re.sub(r"[のはがを、\s]", "", ENTITY_PATTERN.sub("", run))) >= GLUED_CHARS:
            return True
    return False


_QUALIFIER = re.compile(r"第\d+(?:\.\d+)?版|改定版|改訂版")
"""Words that say a date belongs to a later version of a document, not to the document itself."""


def _dropped_qualifier(body: str, source: str) -> bool:
    """A figure of `body` stands in `source` in a clause with a version word (第2.0版) that `body` leaves out."""
    text = canonical(source)
    own = canonical(body)
    for span in figure_spans(own):
        for there in figure_spans(text):
            if not span.figure.satisfied_by(there.figure) or not span.figure.unit:
                continue
            start = max(text.rfind(p, 0, there.start) for p in "、。,")
            clause = text[start + 1 : there.start]
            if any(q.group(0) not in own for q in _QUALIFIER.finditer(clause)):
                return True
    return False


def _other_subject(body: str, question: str, cited: frozenset[str]) -> bool:
    """The question names schemes and the sentence is about others only (neither the same nor a sub-type): by the
    schemes it names, or — naming none (「上限は1人あたり650万円です」) — by those of the evidence it cites."""
    asked, said = entities_of(question), entities_of(body) or cited
    return bool(asked and said) and not any(compatible(a, b) for a in asked for b in said)


_SETTING = re.compile(r"^[^。、]{4,40}?(?:とき|場合|際)、")
"""A leading 「…とき、」「…場合、」 clause: the situation the question set, which an answer may restate."""


def _after_setting(body: str, question: str) -> str:
    """The sentence without a leading situation clause copied from the question (「外部人材を確保するとき、ガイドブックは
    「業務課題の特定」から始まります」 answers; only the rest is checked for echo and support). A restated topic
    (「…任用したときの特別交付税は、」) is not a situation clause and stays."""
    lead = _SETTING.match(body)
    if lead and lead.group(0).rstrip("、") in question and len(body) - lead.end() >= GLUED_CHARS:
        return body[lead.end():]
    return body


def _negated(text: str) -> bool:
    return bool(_NEGATION.search(text))


def _problem(claim: Claim, cited: list[Evidence], question: str, english: bool) -> str | None:
    """Why this sentence may not be shown, or None."""
    body = claim.body
    source = "".join(e.text for e in cited)
    if _PROMPT_WORDS.search(body):
        return "prompt_recitation"
    if _ANNOUNCES.search(body):
        return "announces_nothing"
    if about_sources(body):
        return "about_the_sources"
    core = _after_setting(body, question)
    if question_echo(core, question) or _glued_question(core, question, source):
        return "question_echo"
    if LIST_JOIN in claim.text:
        return "copied_list"
    named = entities_of(source) | {e for c in cited for e in heading_entities(c.heading.split(HEADING_SEPARATOR))}
    if _other_subject(body, question, named):
        return "other_subject"
    if missing_figures(figures(body), figures(source)):
        return "figure_not_in_evidence"
    unknown = entities_of(body) - named - entities_of(question)
    swapped = {e for e in entities_of(body) - named if siblings(e) & named}
    if unknown or swapped:  # 「副業型は…」 from a sentence about 企業派遣型, even if the question named 副業型
        return "subject_not_in_evidence"
    if misattributed_figures(body, [source]) or _dropped_qualifier(body, source):
        return "misattributed_figure"
    if english:
        return None
    if support(core, source) < SUPPORT_MIN:
        return "unsupported"
    if _negated(body) != _negated(source):
        return "contradicts_evidence"
    return None


def check(
    text: str, evidence: list[Evidence], question: str, english: bool = False, weak: bool = False
) -> CheckedSynthesis:
    """Keep the sentences that pass (see the module docstring), renumbered to the evidence they cite. `weak`: the
    evidence barely touches the question, so saying the material does not state it is allowed."""
    by_n = {e.n: e for e in evidence}
    kept: list[str] = []
    result = CheckedSynthesis(text="")
    seen: set[str] = set()
    for claim in claims(text):
        if not words_left(claim.body):
            continue  # markers, a stray 「。」
        known = "".join(e.text for e in evidence) + question
        if foreign_characters(claim.body, known=known) or (not english and (
                lacks_kana(claim.body)  # 「是的。」: Chinese written with Japanese kanji
                or any(ch in _CLASSICAL and ch not in known for ch in claim.body))):
            result.removed.append((claim.text, "foreign_characters"))
            continue
        if len(words_left(claim.body)) < 4:
            continue  # a list number, 「はい。」
        key = re.sub(r"\W", "", claim.body)
        if key in seen:
            continue
        seen.add(key)
        if NOT_STATED.search(claim.body) and not figures(claim.body):
            if weak:  # 「資料には記載がありません。」 is honest when the material barely touches the question …
                kept.append(claim.body)
            else:  # … and wrong under excerpts that do answer it
                result.removed.append((claim.text, "denies_the_evidence"))
            continue
        numbers = [n for n in claim.numbers if n in by_n]
        if not numbers:
            best = max(evidence, key=lambda e: support(claim.body, e.text), default=None)
            if best is None or english or support(claim.body, best.text) < ATTACH_MIN:
                result.removed.append((claim.text, "uncited"))
                continue
            numbers = [best.n]
        reason = _problem(claim, [by_n[n] for n in numbers], question, english)
        if reason is not None and not english:  # the model may cite the wrong excerpt of the right words
            other = max((e for e in evidence if e.n not in numbers), key=lambda e: support(claim.body, e.text),
                        default=None)
            if other is not None and support(claim.body, other.text) >= ATTACH_MIN and not _problem(
                    claim, [other], question, english):
                numbers, reason = [other.n], None
        if reason is not None:
            result.removed.append((claim.text, reason))
            continue
        body = claim.body
        end = re.search(r"[。！？!?]+[」』）)]*$", body)
        markers = "".join(f"[{n}]" for n in numbers)
        kept.append(body[: end.start()] + markers + end.group(0) if end else body + markers + "。")
    result.kept = len(kept)
    if kept:
        result.text = "".join(kept)
        if result.removed:
            result.flags.append(FlagCode.SYNTHESIS_SENTENCE_REMOVED)
    else:
        result.text = WITHHELD_JA
        result.flags.append(FlagCode.SYNTHESIS_WITHHELD)
    return result
