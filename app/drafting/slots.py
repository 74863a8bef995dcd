"""Bounded model slots: the only text of a draft the model writes (a 2-sentence 背景, a one-line ミッション, a
follow-up question adapted to the town).

Each slot has a small schema — length, number of sentences, a word of the user's profile it must contain, no
figure the profile does not give, Japanese only, no word of the profile altered, a question where a question is
asked — and a template fallback built from the profile alone. The model gets one retry with a reminder naming
what failed; if that fails too the template is used and the draft says so (`draft_slot_fallback`). Prompts are
short (a few hundred characters): on the embedded model every prompt token costs ~30 ms.

Generation stops early: the slot is streamed and cut as soon as its sentences are complete (a 1.5B model writes on
past its two sentences until `max_tokens`; each token it is spared saves ~0.1 s on the embedded model). A word of
the profile the model wrote with one character swapped for a non-Japanese one (窓口 → 窗口, a habit of the
embedded model) is put back in the user's form before the checks, and the draft says so
(`draft_term_restored`): the rest of the sentence is the model's, so a retry for one character is not worth ~10 s.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from app.answer.grounding import support
from app.answer.llm_call import stream_text
from app.checks.answer_form import foreign_characters, lacks_kana
from app.drafting.profile import MunicipalityProfile
from app.drafting.textcheck import altered_terms, foreign_words, profile_terms
from app.prompts import load_prompt


@dataclass(frozen=True)
class SlotSpec:
    name: str
    label: str
    """How the slot is named in a warning (「背景」)."""
    prompt: str
    max_tokens: int
    min_chars: int
    max_chars: int
    sentences: int
    """At most this many sentences are kept (a longer output is cut at a sentence end, not rejected)."""
    question: bool = False
    example_terms: tuple[str, ...] = ()
    """The distinctive words of the prompt's example (another municipality's case): copied, they are not this
    municipality's facts."""
    phrase: bool = False
    """The model writes a short noun phrase that the rule sets in its own sentence (「…を担っていただきます。」):
    a 1.5B model restates the problem or breaks the grammar when it writes the whole sentence."""
    staff_terms: bool = False
    """A word of the current DX staff line counts as the profile term too (the 背景's reason is about them)."""

    @property
    def grammar(self) -> str:
        """llama.cpp GBNF for the slot's shape (sent only to a model that accepts one: the embedded model). The
        1.5B model otherwise echoes the prompt as headings and labels or writes lists; under the grammar it can
        only write one plain line and stops at its end. The ending itself is left to the model (forcing
        「ますか？」 made it glue one onto a broken clause) and checked afterwards."""
        if self.phrase:
            return f'root ::= [^{_GRAMMAR_NOT}、，,]{{{self.min_chars},{self.max_chars}}}\n'
        end = '"？"' if self.question else '"。"'
        sentence = f"[^{_GRAMMAR_NOT}]{{{self.min_chars // self.sentences},{self.max_chars // self.sentences - 1}}} {end}"
        return f"root ::= {' '.join([sentence] * self.sentences)}\n"


EXAMPLE_TERMS = ("△△村", "介護保険", "兼務")
"""The example the three slot prompts share (prompts/draft_slot_*.md): 介護保険 applications of a △△村 whose staff
also do other work (兼務: copied into a town whose profile does not say so, it is an invented fact)."""

SLOTS: dict[str, SlotSpec] = {
    "background": SlotSpec("background", "背景", "draft_slot_background", 90, 20, 80, 1,
                           example_terms=EXAMPLE_TERMS, staff_terms=True),
    "mission": SlotSpec("mission", "ミッション", "draft_slot_mission", 40, 6, 32, 1, example_terms=EXAMPLE_TERMS,
                        phrase=True),
    "question": SlotSpec("question", "まちに合わせた質問", "draft_slot_question", 90, 12, 80, 1, question=True,
                         example_terms=EXAMPLE_TERMS),
}

MAX_ATTEMPTS = 2
RESTATE_MIN = 0.8
"""An issue whose bigrams are this much inside a slot's text was copied, not used (the rule's sentence quotes it)."""
RECITE_MIN = 0.85
"""A sentence whose bigrams are this much inside the instructions is a recitation (the model may reuse words)."""
_MARKUP = re.compile(r"\*\*|__|`|#+\s*|\[\d+\]")
_LEAD = re.compile(r"^\s*(?:[-*・•]|\d+[.)．])\s*")
_LABEL = re.compile(r"^\s*[「『]?(?:背景|ミッション|質問|回答|答え|例)[」』]?\s*[:：]\s*")
_SENTENCE = re.compile(r"[^。？！?!]+[。？！?!]?")
_DIGITS = re.compile(r"\d[\d,.]*")
_TEMPLATE_TAGS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_GRAMMAR_NOT = r"。？！?!\n\[\]【】#*:：「」“”\"（）()؟"
"""Characters a slot body may not contain under the grammar: sentence ends (the grammar places them), line
breaks, brackets of headings and markers, markup, labels' colons, quotes."""
_HEADING = re.compile(r"^[【〔\[][^】〕\]]*[】〕\]]")
_INLINE_LABEL = re.compile(r"^[^。、「」:：]{1,16}[:：]\s*")
"""「業務課題: …」「デジタル化の推進: …」: a label the model put before its sentence (an echo of the prompt)."""
_ENDS = ("。", "！", "!", "？", "?")
_POLITE_END = re.compile(r"(?:ます|です|ました|でした|ません|ください)$")
_POLITE = re.compile(r"(?:ます|です|ました|でした|ません|ください|ましょう|でしょう)(?:か)?[。！？!?]$")
_PREDICATE_END = re.compile(r"(?:ない|いる|ます|です|した|する|される|れる|ある|あり|った|たい|ため|こと|もの)$")
"""A phrase ending like a clause (「…活用できていない」, a restated problem) is no task to 担う."""
_JUNK = re.compile(r"[，“”\"'‘’؟]|\.\S|,(?!\d)")
"""Punctuation no Japanese sentence of ours uses (a full-width or ASCII comma, English quotes, an Arabic question
mark); a comma inside a figure (10,000) is the profile's."""
_PROMPT_WORDS = ("業務課題", "募集", "役割を担う", "短い言葉")
"""Words of the phrase prompt that do not belong in the task phrase itself."""
_PROMPT_PHRASES = ("この自治体の業務課題", "業務課題は", "課題の分野", "現在の体制では何", "候補者に聞く")
"""Phrases of the sentence prompts a slot about the town never needs (「この自治体の業務課題は、…」)."""
_BROKEN = re.compile(r"(?:いる|ない|ある|する|った|れる)です")
"""A plain-form verb glued to です (「かかっているです」): the 1.5B model's broken polite form."""
_DANGLING = ("・", "と", "の", "や", "を", "に", "が", "は", "、", "及び", "および")
"""A phrase ending in a particle or a 中黒 was cut at the grammar's length (「…と基幹業務システムの標準化・」)."""
_DEICTIC = ("以下", "下記", "次の通り", "次のとおり", "次のような", "上記")
"""Words pointing at text that a one- or two-sentence slot does not have (「以下のミッションを担当します。」)."""


@dataclass
class SlotResult:
    text: str
    from_model: bool
    problems: list[str] = field(default_factory=list)
    """Why the model's last attempt was rejected (English keys; `problems_ja` is what a user reads)."""
    label: str = ""
    restored: list[tuple[str, str]] = field(default_factory=list)
    """(the user's word, the model's altered form) put back before the checks (窓口, 窗口)."""


def tidy(raw: str, slot: SlotSpec, *, final: bool = True) -> str:
    """One paragraph of at most `slot.sentences` complete sentences: bullets, labels, 【headings】, markup and
    quotes removed. Only sentences that end (。？！) are kept, line by line: a line without an end is a heading,
    an echoed input line (「業務課題: …」) or text cut off at `max_tokens`. A last line ending in a polite
    verb without its 。 is taken as ended when the reply is `final`. For a question slot the first question is
    kept (a model often leads in with a statement)."""
    lines = [line for line in raw.strip().splitlines() if line.strip()]
    if slot.phrase:
        return _phrase(lines)
    seen: list[str] = []
    for i, line in enumerate(lines):
        line = _HEADING.sub("", _LABEL.sub("", _LEAD.sub("", _MARKUP.sub("", line))).strip()).strip()
        if len(line) >= 2 and line[0] in "「『\"" and line[-1] in "」』\"":
            line = line[1:-1]
        if final and i == len(lines) - 1 and _POLITE_END.search(line):
            line += "。"
        for sentence in _SENTENCE.findall(line):
            sentence = _INLINE_LABEL.sub("", sentence.strip()).strip()
            if sentence.endswith(_ENDS) and sentence not in seen:
                seen.append(sentence)
    if slot.question and (questions := [s for s in seen if s.endswith(("？", "?"))]):
        seen = questions
    return "".join(seen[: slot.sentences]).strip()


def _phrase(lines: list[str]) -> str:
    """The first line that is not a heading or a label alone, as a bare phrase: no quotes, no final 。, no
    「を担っていただきます」 the model may have added from the sentence it is written for."""
    for line in lines:
        line = _HEADING.sub("", _LABEL.sub("", _LEAD.sub("", _MARKUP.sub("", line))).strip()).strip()
        line = _INLINE_LABEL.sub("", line).strip().rstrip("。．.")
        line = re.sub(r"を?担(?:って|い)(?:いただきます|ます|もらいます)?$", "", line).strip().strip("「」『』\"")
        if line:
            return line
    return ""


def complete(text: str, slot: SlotSpec) -> bool:
    """Whether a tidied text already holds everything the slot keeps (so generation can stop)."""
    if slot.phrase:
        return bool(text)
    if slot.question:
        return text.endswith(("？", "?"))
    return len(_SENTENCE.findall(text)) >= slot.sentences and text.endswith(("。", "！", "!", "？", "?"))


def generate(llm: BaseChatModel, messages: list, slot: SlotSpec) -> str:
    """The model's raw text for a slot, streamed and cut once `complete` (the rest would be thrown away by `tidy`).
    The check runs only at a sentence end, so a long reply costs a few tidy() calls, not one per token."""
    raw = ""
    for piece in stream_text(llm, messages, max_tokens=slot.max_tokens, grammar=slot.grammar):
        raw += piece
        ends = "。？！?!\n" if slot.phrase else "。？！?!"
        if any(ch in piece for ch in ends) and complete(tidy(raw, slot, final=False), slot):
            break
    return raw


def _restates(text: str, issue: str) -> bool:
    """Whether `text` copies most of one of the user's issues (the draft states them already, in 「」)."""
    return len(issue) >= 12 and support(issue, text) >= RESTATE_MIN


def issue_terms(profile: MunicipalityProfile) -> list[str]:
    """The content words of the user's issues (a slot about this town must name one; the town's name or the
    role alone says nothing about it). Falls back to every profile word when the issues have none."""
    issues_only = MunicipalityProfile(issues=profile.issues)
    return profile_terms(issues_only) or profile_terms(profile)


def restore_terms(text: str, profile: MunicipalityProfile) -> tuple[str, list[tuple[str, str]]]:
    """`text` with every profile word the model altered (one kanji swapped for a non-Japanese one) put back."""
    altered = altered_terms(text, profile_terms(profile))
    for term, form in altered:
        text = text.replace(form, term)
    return text, altered


def slot_problems(text: str, slot: SlotSpec, profile: MunicipalityProfile, prompt: str = "") -> list[str]:
    """What makes `text` unusable in this slot (empty list = usable). `prompt` is the instruction text (the
    templates without their variables): a sentence copied from it is a recitation, not content."""
    problems: list[str] = []
    known = profile.facts_text()
    if not slot.min_chars <= len(text) <= slot.max_chars:
        problems.append(f"length {len(text)} outside {slot.min_chars}-{slot.max_chars}")
    if lacks_kana(text) or not text:
        problems.append("not Japanese")
    if unusual := foreign_characters(text, known):
        problems.append(f"characters outside Japanese usage: {''.join(unusual)}")
    if altered := altered_terms(text, profile_terms(profile)):
        problems.append("altered profile terms: " + ", ".join(f"{a}->{b}" for a, b in altered))
    if words := foreign_words(text, known):
        problems.append(f"English words: {' '.join(words)}")
    norm_known = unicodedata.normalize("NFKC", known)
    figures = [d for d in _DIGITS.findall(unicodedata.normalize("NFKC", text)) if d.strip(",.") not in norm_known]
    if figures:
        problems.append(f"figures not in the profile: {' '.join(figures)}")
    terms = issue_terms(profile)
    if slot.staff_terms and profile.current_dx_staff:
        terms += profile_terms(MunicipalityProfile(issues=[profile.current_dx_staff]))
    if terms and not any(t in text for t in terms):
        problems.append("no term of the profile's issues")
    if slot.phrase:
        if re.search(r"[。？！?!]", text):
            problems.append("a sentence where a phrase is asked")
        elif _PREDICATE_END.search(text):
            problems.append("not a noun phrase")
    elif text and any(not _POLITE.search(s) for s in _SENTENCE.findall(text)):
        problems.append("not in the polite style")
    if pointing := [w for w in _DEICTIC if w in text]:
        problems.append(f"points at text that is not there: {' '.join(pointing)}")
    if not slot.question and (restated := [i for i in profile.issues if _restates(text, i)]):
        problems.append(f"restates the issue: {restated[0][:20]}")
    if junk := sorted(set(_JUNK.findall(text))):
        problems.append(f"stray punctuation: {''.join(junk)}")
    if echo := [w for w in (_PROMPT_WORDS if slot.phrase else _PROMPT_PHRASES) if w in text]:
        problems.append(f"echoes the prompt: {' '.join(echo)}")
    if slot.phrase and text.endswith(_DANGLING):
        problems.append(f"cut off: {text[-4:]}")
    if slot.question and (text.startswith(("はい", "いいえ")) or "私は" in text or "私が" in text):
        problems.append("answers as the candidate")
    if broken := _BROKEN.findall(text):
        problems.append(f"broken grammar: {' '.join(broken)}")
    if borrowed := [w for w in slot.example_terms if w in text and w not in known]:
        problems.append(f"copies the example: {' '.join(borrowed)}")
    if slot.question and not text.endswith(("？", "?")):
        problems.append("not a question")
    if not slot.question and text.endswith(("？", "?")):
        problems.append("a question where a statement is asked")
    if prompt and any(support(s, prompt) >= RECITE_MIN for s in _SENTENCE.findall(text) if len(s) > 12):
        problems.append("recites the instructions")
    return problems


PROBLEMS_JA: tuple[tuple[str, str], ...] = (
    ("length", "長さが範囲外"), ("not Japanese", "日本語でない"), ("characters", "日本語にない字"),
    ("altered", "入力した言葉が別の字に変わった"), ("English", "英単語"), ("figures", "プロファイルにない数字"),
    ("no term", "業務課題の言葉がない"), ("not a question", "質問になっていない"),
    ("a question where", "言い切りでなく質問になった"), ("recites", "指示文の書き写し"),
    ("not in the polite", "です・ます調でない"), ("points at", "ない文を指している"), ("copies the example", "例の書き写し"),
    ("a sentence where", "短い言葉でなく文になった"), ("not a noun phrase", "仕事を表す言葉になっていない"),
    ("restates the issue", "業務課題の書き写し"), ("stray punctuation", "日本語にない記号"), ("echoes the prompt", "指示文の言葉"),
    ("broken grammar", "文法の崩れ"), ("cut off", "途中で切れた"), ("answers as the candidate", "候補者の立場の文"))


def problems_ja(problems: list[str]) -> str:
    """The rejected attempt's problems in Japanese, with the offending text (what the user reads)."""
    out = []
    for p in problems:
        label = next((ja for prefix, ja in PROBLEMS_JA if p.startswith(prefix)), "確認に不合格")
        detail = p.split(": ", 1)[1].replace("->", "→") if ": " in p else ""
        out.append(f"{label}（{detail}）" if detail else label)
    return "・".join(out)


def reminder_for(problems: list[str], slot: SlotSpec) -> str:
    """One Japanese line telling the model what to fix on its retry."""
    parts = []
    if slot.phrase and any(p.startswith(("length", "not Japanese", "a sentence", "not a noun")) for p in problems):
        parts.append(f"日本語の短い言葉（{slot.max_chars}字以内、「〜の〇〇」のように名詞で終わる）を1つだけ書いてください。")
    elif any(p.startswith(("length", "not Japanese")) for p in problems):
        parts.append(f"日本語で{slot.sentences}文、{slot.max_chars}字以内で書いてください。")
    if any(p.startswith(("characters", "altered", "English")) for p in problems):
        parts.append("業務課題の言葉をそのまま、日本語の漢字で使ってください。")
    if any(p.startswith("figures") for p in problems):
        parts.append("数字は書かないでください。")
    if any(p.startswith("no term") for p in problems):
        parts.append("業務課題の言葉を1つ以上使ってください。")
    if any(p.startswith("not in the polite") for p in problems):
        parts.append("です・ます調で書いてください。")
    if any(p.startswith("restates the issue") for p in problems):
        parts.append("業務課題の文をそのまま書き写さず、自分の言葉で書いてください。")
    if any(p.startswith(("points at", "copies the example")) for p in problems):
        parts.append("例や見出しは書かず、この自治体のことだけを書いてください。")
    if any("question" in p for p in problems):
        parts.append("「？」で終わる質問にしてください。" if slot.question else "質問ではなく、言い切りの文にしてください。")
    return "".join(parts) or "指示どおりに書き直してください。"


def fill_slot(slot: SlotSpec, profile: MunicipalityProfile, llm: BaseChatModel, fallback: str, /,
              **variables: str) -> SlotResult:
    """The model's text for the slot if it passes the checks (with one retry), else `fallback`."""
    system = load_prompt("draft_slot_system").render()
    prompt = load_prompt(slot.prompt)
    instructions = system + _TEMPLATE_TAGS.sub("", prompt.text)
    problems: list[str] = []
    reminder = ""
    for _attempt in range(MAX_ATTEMPTS):
        user = prompt.render(reminder=reminder, **variables)
        text, restored = restore_terms(tidy(generate(llm, [SystemMessage(system), HumanMessage(user)], slot), slot),
                                       profile)
        problems = slot_problems(text, slot, profile, prompt=instructions)
        if not problems:
            return SlotResult(text=text, from_model=True, label=slot.label, restored=restored)
        reminder = reminder_for(problems, slot)
    return SlotResult(text=fallback, from_model=False, problems=problems, label=slot.label)
