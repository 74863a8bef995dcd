"""The statement matcher: does an answer state a reference fact the way a careful reader would judge it?

A fact written as a statement (「総務省が作成した資料である」「全体で約62ページある」) is rarely a substring of a good
answer (「総務省の…ガイドブックは、…62ページの資料です」). So the fact is decomposed into content terms — Sudachi
normalised forms of nouns, proper nouns and verb stems, named schemes and places, and figures with their units
(app/checks/figures.py: 令和↔西暦, 年度, 漢数字, 約/程度, 2万5千円 = 25,000円) — and each window of one answer
sentence or two adjacent ones is scored by the weighted share of terms it contains. Every figure of the fact must be
in the window; a window naming a different scheme or place than the fact (副業型 for 企業派遣型) does not state it; and
the main predicate must have the fact's polarity (「適用されない」 is not 「適用される」; 「AではなくB」 asserts B).
Terms the question already names count half when the window leaves them implicit (「2024年度に新設されました」
answers 「副業型は…」). Each result says which terms were found, so a reader can check the verdict.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from app.checks.answer_form import ancestors, compatible, entity_mentions, figure_subjects
from app.checks.figures import Figure, canonical, figure_spans

STATEMENT_THRESHOLD = 0.75
"""Weighted share of a fact's terms a window must contain (calibrated on evals/calibration/statements.jsonl with
`python -m evals.calibrate_matcher`)."""
TWO_SENTENCE_THRESHOLD = 0.9
"""The bar for a window of two sentences: words gathered from two sentences more easily add up to a claim neither
makes (「必要な類型を選んで確保する」 + 「4つの類型に分け」 is not 「4類型すべてを確保しなければならない」)."""

WEIGHTS = {"figure": 2.0, "entity": 2.0, "topic": 1.5, "content": 1.0, "verb": 0.75, "light": 0.5}
"""Figures and named subjects carry a fact; the topic (the noun before は/が) names what it is about; light words
(資料, 場合, 位置付け, 行う …) are phrased in many ways and weigh little. A term the question names counts half."""
GIVEN_CREDIT = 0.5
GIVEN_KINDS = frozenset({"topic", "entity", "light"})
"""Only what a fact is *about* may be left to the question (「副業型は…」); what it says about it (負担, 新設) may not:
「費用は自治体が負担しますか」 does not make 「総務省が負担」 true of an answer that only names 総務省."""
MIN_WORD_SHARE = 0.5
"""Share of the weight of a fact's words (its figures apart) a window must hold when the fact has a word that is
not light: the figures must be said about the same thing."""

LIGHT = frozenset({
    "こと", "事", "物", "もの", "ため", "為", "よう", "様", "方", "点", "等", "場合", "言う", "位置付け", "扱い", "形",
    "内容", "全体", "資料", "文書", "仕組み", "制度", "目安", "対象", "期間", "必要", "行う", "有る", "居る", "成る",
    "出来る", "示す", "受ける", "求める", "挙げる", "含む", "含める", "通常", "概ね", "おおむね", "部分", "状況", "的",
    "化", "性", "上", "中", "間", "後", "前", "時", "際", "各", "全", "当たり", "一つ", "ほか", "他",
    "様々", "主", "大きい", "多い", "少ない", "良い", "よい", "付け", "付ける", "思う", "考える", "見る", "在る", "致す",
    "過ぎる", "年間", "年額", "月額", "日額", "作成", "実施", "作る", "纏める", "まとめる", "取り組む", "進める", "利用",
    "活用", "人当たり", "人", "為る", "する", "さ",
})
KEEP_ADNOMINAL = frozenset({"同じ", "同一", "別の"})
"""Adnominals that carry the claim (「両者は同じ段階である」) are terms; この・その are not."""
_NOT_TERMS = frozenset({"無い", "ない", "なく", "ず", "ぬ"})
"""Negation is the polarity check's business, not a term."""
_DROP_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号", "感動詞", "接続詞", "副詞", "連体詞", "代名詞"})

_REWRITES = [
    (re.compile(r"(?:し|せ)?なければ(?:ならない|なりません|いけない|いけません)|なくてはならない|ねばならない"), "必要がある"),
    (re.compile(r"対象外"), "対象ではない"), (re.compile(r"不要"), "必要ではない"), (re.compile(r"不可"), "できない"),
    (re.compile(r"未確認"), "確認できていない"), (re.compile(r"上限額"), "上限"), (re.compile(r"限度額"), "上限"),
]
"""Negative words spelled as a prefix, and a few fixed variants, written one way so polarity and terms compare."""

NEGATION = re.compile(
    r"ではありません|ではない|じゃない|ではなく|とは限ら|とはいえません|誤り|誤解|間違い|事実ではない|"
    r"ません(?!か)|(?<![少危汚幼切])ない(?:です|。|$|と|ので|ため|場合|こと|よう|し、)|(?<![少危汚幼切])なく|"
    r"ず[、。]|ずに|確認できません|不明|見つかりません|記載はありません|とは別|別物|異な[りる]|取り違え|混同"
)
_CLAUSE_STOP = r"ではなく|でなく|が、|けれど|ものの|ため、|ので、|から、|ば、|て、|で、|し、|[るたい]、"
_TAIL = re.compile(rf"(?:(?!{_CLAUSE_STOP})[^。！？!?\n])*(?:{_CLAUSE_STOP}|[。！？!?])?")
"""What follows the matched terms up to their predicate: the sentence end, or an earlier 「…ではなく」「…が、」 that
closes their clause (「Xは、…見つかりませんでした」 keeps its predicate; 「Aから始めるのではなく、Bから」 stops at A's)."""
_CONTRAST = re.compile(r"(?:(?<=[すたるいだ])が|けれど|けど|ものの)、|一方(?:で)?、")
"""「Aにもステップ1（全体方針の決定）がありますが、Bのステップ1（業務課題の特定）とは別物です」: words taken from
both sides of a contrast do not add up to a claim about either side (the fact's topic may stand before it:
「業務委託は手続きが簡単ですが、契約で決めた範囲しか頼めません」)."""
_SENT_END = re.compile(r"(?<=[。！？!?\n])")
_CLAUSE_END = re.compile(r"(?<=[、,])|(?<=ではなく)|(?<=でなく)")


def is_negated(text: str) -> bool:
    """Whether a text denies rather than asserts (「…ではありません」「…とは限りません」「誤り」…)."""
    return bool(NEGATION.search(unicodedata.normalize("NFKC", text)))


PREDICATE_CHARS = 12
"""How much of a clause's end is its predicate: 「…ないことを約束する誓約書に署名する」 denies nothing (the ない is
inside a noun phrase); 「…想定したものではない」「…適用されません」 deny."""
_INNER_NEGATION = re.compile(r"(?<![少危汚幼切])ない|ず[にの、。]|ません|ぬ")
"""Any denial, also inside a noun phrase (「利益相反を起こさない誓約書」)."""
_QUOTED = re.compile(r"ない(?=と(?:いう|する|される|の))")
"""「…参加できないというルールを設けました」: a quoted negation inside the object, not the predicate."""
_ONLY = re.compile(r"しか[^、。]*?(?:ない|ません)$")
"""「…範囲の仕事しか頼めない」 restricts (only), it does not deny."""
_TRAILER = re.compile(r"(?:\s|[。、,.!！?？」』]|[（(][^（）()]*[）)])+$")


def predicate_negated(text: str) -> bool:
    """Whether the *predicate of the last clause* denies: 「人材探しではなく課題から始める」 asserts; 「…ものではない」
    denies; a negation inside a noun phrase (「起こさないことを約束する」) does not count."""
    clauses = [c for c in _CLAUSE_END.split(text) if c.strip(" 、,。")]
    if not clauses:
        return False
    last = _QUOTED.sub("る", _ONLY.sub("る", _TRAILER.sub("", clauses[-1])))
    return is_negated(last[-PREDICATE_CHARS:] + "。")


def prepare(text: str) -> str:
    """Canonical figures, no markers or spaces, negative prefixes and obligations spelled out one way."""
    text = canonical(re.sub(r"[\[［【]\s*\d{1,3}(?:\s*[,，、・]\s*\d{1,3})*\s*[\]］】]", "", text))
    text = re.sub(r"[ \u3000\t]+", "", text)
    text = re.sub(r"(?<=[A-Za-z])[-‐](?=[A-Za-z])", "", text)  # J-LIS is one name, not J and LIS
    for pattern, repl in _REWRITES:
        text = pattern.sub(repl, text)
    return text


SYNONYMS: dict[str, tuple[str, ...]] = {
    "始まる": ("開始", "始め", "創設", "新設"), "開始": ("始ま", "始め"), "新設": ("設け", "創設", "始ま"),
    "公表": ("発表", "公開"), "横断": ("全体にわたって", "全庁"), "配置": ("置く", "置か", "置き"),
    "引き上げる": ("引上げ", "引き上げ", "増額"), "上限": ("最大",), "兼業": ("副業",), "副業": ("兼業",),
}
"""A handful of fixed equivalents seen in the labelled set (開始：2022年度 states 「2022年度に始まった」)."""
ANTONYMS: dict[str, tuple[str, ...]] = {
    "引き下げ": ("引き上げ", "引上げ"), "引き下げる": ("引き上げ", "引上げ"), "引き上げ": ("引き下げ", "引下げ"),
    "引き上げる": ("引き下げ", "引下げ"), "増加": ("減少",), "減少": ("増加",), "拡充": ("縮小",), "縮小": ("拡充",),
    "新設": ("廃止",), "廃止": ("新設", "創設"), "認め": ("禁止",), "禁止": ("認め",),
}
"""Verbs whose opposite, present where the fact's verb is missing, makes a window deny the fact."""

# --- terms ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One thing a window must contain: a figure, a named subject, or a content word (with its short-unit pieces
    for partial credit: 上限額 → 上限 / 額)."""

    text: str
    kind: str
    forms: tuple[str, ...] = ()
    pieces: tuple[str, ...] = ()
    figure: Figure | None = None

    @property
    def weight(self) -> float:
        return WEIGHTS[self.kind]


def _tokenizers():
    from sudachipy import SplitMode

    from app.retrieval.tokenize import _sudachi

    tok = _sudachi()
    return tok, SplitMode.A


@lru_cache(maxsize=8192)
def _morphemes(text: str) -> tuple[tuple[str, str, str, int, int], ...]:
    """(surface, POS, normalized form, begin, end) of Sudachi's mode C units."""
    tok, _ = _tokenizers()
    return tuple((m.surface(), m.part_of_speech()[0], m.normalized_form().lower(), m.begin(), m.end())
                 for m in tok.tokenize(text))


@lru_cache(maxsize=8192)
def _short_units(text: str) -> tuple[str, ...]:
    tok, mode_a = _tokenizers()
    return tuple(m.surface() for m in tok.tokenize(text, mode_a))


@lru_cache(maxsize=4096)
def _forms(text: str) -> frozenset[str]:
    """Normalised forms (mode C and A units) of a text: 「位置づけ」 and 「位置付け」, 「生かせる」 and 「生かす」 meet."""
    tok, mode_a = _tokenizers()
    out = {m[2] for m in _morphemes(text)}
    out |= {m.normalized_form().lower() for m in tok.tokenize(text, mode_a)}
    return frozenset(out)


def _topic_end(text: str) -> int:
    """End of the fact's topic (the phrase before the first は/が/では), or -1."""
    m = re.search(r"(?:では|は|が)", text)
    return m.start() if m else -1


@lru_cache(maxsize=4096)
def fact_terms(fact: str) -> tuple[Term, ...]:
    """The terms of a fact: figures, then named subjects, then content words in order."""
    text = prepare(fact)
    spans = figure_spans(text)
    taken: list[tuple[int, int]] = [(s.start, s.end) for s in spans]
    terms: list[Term] = [Term(str(s.figure), "figure", figure=s.figure) for s in spans]
    for m in entity_mentions(text):
        if not any(a < m.end and m.start < b for a, b in taken):
            terms.append(Term(m.name, "entity", forms=(text[m.start:m.end],)))
            taken.append((m.start, m.end))
    topic_end = _topic_end(text)
    morphs = _morphemes(text)
    pending: list[tuple[str, str, str, int, int]] = []

    def flush() -> None:
        if not pending:
            return
        surface = "".join(p[0] for p in pending)
        end = pending[-1][4]
        norm = "".join(p[2] for p in pending)
        pos = pending[-1][1]
        pending.clear()
        if (len(surface) < 2 and not re.search(r"[一-龥a-zA-Z]", surface)) or norm in _NOT_TERMS:
            return
        kind = "verb" if pos == "動詞" else "content"
        if norm in LIGHT or surface in LIGHT:
            kind = "light"
        elif end == topic_end and kind == "content":
            kind = "topic"
        pieces = tuple(u for u in _short_units(surface) if len(u) > 1)
        terms.append(Term(surface, kind, forms=tuple(dict.fromkeys([surface, norm])),
                          pieces=pieces if len(pieces) > 1 else ()))

    for surface, pos, norm, begin, end in morphs:
        if pos == "連体詞" and surface in KEEP_ADNOMINAL:
            pos = "形状詞"
        inside = any(a <= begin < b or a < end <= b for a, b in taken)
        if inside or pos in _DROP_POS or pos == "名詞" and norm.isdigit():
            flush()
            continue
        if pos == "接尾辞" and pending:
            pending.append((surface, pending[-1][1], norm, begin, end))
            continue
        if pos == "接頭辞":
            flush()
            pending.append((surface, "名詞", norm, begin, end))
            continue
        if pos == "名詞" and pending and pending[-1][1] == "名詞" and pending[-1][0] in {"各", "全", "非", "未", "不"}:
            pending.append((surface, pos, norm, begin, end))
            continue
        flush()
        if pos in ("動詞", "形容詞") and norm in LIGHT:
            continue
        if pos in ("名詞", "動詞", "形容詞", "形状詞", "接尾辞"):
            pending.append((surface, pos, norm, begin, end))
            flush()
    flush()
    unique: dict[tuple[str, str], Term] = {}
    for term in terms:
        unique.setdefault((term.kind, term.text), term)
    return tuple(unique.values())


# --- matching ---------------------------------------------------------------------------------------------------


@dataclass
class StatementMatch:
    """The best window for a fact: found or not, its score, the window, and which terms it had."""

    found: bool
    score: float = 0.0
    window: str = ""
    found_terms: list[str] = field(default_factory=list)
    missing_terms: list[str] = field(default_factory=list)
    given_terms: list[str] = field(default_factory=list)
    reason: str = ""


def _locate(term: Term, text: str, forms: Callable[[], frozenset[str]] | None) -> tuple[float, int]:
    """Credit (0..1) and a position of `term` in a prepared window text (-1 when absent). `forms` (the window's
    Sudachi normalised forms) is only computed when the plain spellings are not there."""
    low = text.lower()
    for form in term.forms or (term.text,):
        pos = low.find(form.lower())
        if pos >= 0:
            return 1.0, pos
    for form in term.forms:
        for alt in SYNONYMS.get(form, ()):
            pos = low.find(alt)
            if pos >= 0:
                return 1.0, pos
    if forms is not None and any(f.lower() in forms() for f in term.forms):
        return 1.0, -1
    if term.pieces:
        hits = [low.find(p.lower()) for p in term.pieces]
        found = [h for h in hits if h >= 0]
        if found:
            return len(found) / len(hits), min(found)
    return 0.0, -1


def _sentences(text: str) -> list[str]:
    from evals.matchers import sentences

    return sentences(text)


def _window_entities(text: str) -> list[str]:
    return [m.name for m in entity_mentions(text)]


def _other_entity(term: Term, names: list[str]) -> bool:
    """The window names a subject other than the fact's (a sibling scheme, another city) and never the fact's own
    subject or a sub-type of it."""
    if not names:
        return False
    own = [n for n in names if n == term.text or term.text in ancestors(n)]
    return not own and any(not compatible(n, term.text) for n in names)


def score_window(fact: str, window: str, question: str = "") -> StatementMatch:
    """Score one window (already one or two sentences) against a fact."""
    terms = fact_terms(fact)
    text = prepare(window)
    if not terms or not text:
        return StatementMatch(False, reason="no terms" if not terms else "empty window")
    total = sum(t.weight for t in terms)
    have = [s.figure for s in figure_spans(text)]
    lost = [t.text for t in terms if t.figure is not None and not any(t.figure.satisfied_by(h) for h in have)]
    if lost:  # cheap exit before any dictionary look-up: most windows of a long text fail here
        got = sum(t.weight for t in terms if t.kind == "figure" and t.text not in lost)
        return StatementMatch(False, round(got / total, 4), window, [], lost, [], reason=f"figure missing: {', '.join(lost)}")
    forms = lru_cache(maxsize=1)(lambda: _forms(text))
    q_text = prepare(question) if question else ""
    q_forms = lru_cache(maxsize=1)(lambda: _forms(q_text))
    names = _window_entities(text) if any(t.kind == "entity" for t in terms) else []
    predicate_index = -1
    position_kinds: list[str] = []
    got = 0.0
    found: list[str] = []
    missing: list[str] = []
    given: list[str] = []
    positions: list[list[tuple[int, int]]] = []
    for term in terms:
        if term.figure is not None:
            got += term.weight
            found.append(term.text)
            if spots := _all(text, term.figure.value):
                positions.append(spots)
                position_kinds.append(term.kind)
            continue
        if term.kind == "entity" and _other_entity(term, names):
            return StatementMatch(False, 0.0, window, found, [term.text], given,
                                  reason=f"names another subject: {', '.join(dict.fromkeys(names))}")
        credit, pos = _locate(term, text, forms)
        if credit == 0 and term.kind == "entity":
            credit = 1.0 if any(n == term.text or term.text in ancestors(n) for n in names) else 0.0
            pos = -1
        if credit > 0:
            got += term.weight * credit
            (found if credit == 1 else missing).append(term.text if credit == 1 else f"{term.text}(~{credit:.1f})")
            if pos >= 0:
                if term.kind in ("content", "verb", "topic"):
                    predicate_index = len(positions)  # the fact's last content word: where its predicate is
                needle = text[pos:pos + len(term.forms[0] if term.forms else term.text)]
                if term.kind == "verb":
                    needle = re.sub(r"(?<=.)[ぁ-ん]+$", "", needle)  # 始める also as 始めます
                positions.append(_all(text, needle))
                position_kinds.append(term.kind)
            continue
        if q_text and term.kind in GIVEN_KINDS and _locate(term, q_text, q_forms)[0] == 1:
            got += term.weight * GIVEN_CREDIT
            given.append(term.text)
            continue
        missing.append(term.text)
    score = round(got / total, 4) if total else 0.0
    if not found:
        return StatementMatch(False, score, window, found, missing, given, reason="no term in the window")
    words = [t for t in terms if t.figure is None]
    if any(t.kind != "light" for t in words):
        # figures alone do not state a fact: 「280万円から320万円に引き上げ」 is not 「320万円から280万円に引き下げ」
        have_words = sum(t.weight * (1.0 if t.text in found else GIVEN_CREDIT if t.text in given else 0.0)
                         for t in words)
        if have_words < MIN_WORD_SHARE * sum(t.weight for t in words):
            return StatementMatch(False, score, window, found, missing, given, reason="figures without the words")
    if (subject := _figure_elsewhere(terms, text)):
        return StatementMatch(False, score, window, found, missing, given,
                              reason=f"figure belongs to another subject: {subject}")
    if not _figure_order_ok(fact, text):
        return StatementMatch(False, score, window, found, missing, given, reason="figures in the other order")
    if antonym := _antonym(terms, text):
        return StatementMatch(False, score, window, found, missing, given, reason=f"says the opposite: {antonym}")
    core = [p for p, kind in zip(positions, position_kinds, strict=True) if kind not in ("topic", "entity", "light")]
    if core and _CONTRAST.search(text, *_smallest_cover(core)):
        return StatementMatch(False, score, window, found, missing, given, reason="words from both sides of a contrast")
    if not _same_polarity(prepare(fact), text, positions, predicate_index):
        return StatementMatch(False, score, window, found, missing, given, reason="opposite polarity")
    ok = score >= STATEMENT_THRESHOLD
    return StatementMatch(ok, score, window, found, missing, given, reason="" if ok else "too few terms")


def _figure_elsewhere(terms: Sequence[Term], text: str) -> str:
    """When a fact ties a figure to a named subject, the window must too: in 「(企業派遣型560万円、…副業型各100万円)」
    the 560万円 is 企業派遣型's, so the window does not state 「副業型の上限は560万円」. Returns the other subject."""
    subjects = [t.text for t in terms if t.kind == "entity"]
    figs = [t.figure for t in terms if t.figure is not None and (t.figure.unit or "." in t.figure.value)]
    if not subjects or not figs:
        return ""
    mentions = entity_mentions(text)
    for fig in figs:
        near = [figure_subjects(text, sp.start, sp.end, mentions) for sp in figure_spans(text)
                if fig.satisfied_by(sp.figure)]
        near = [n for n in near if n]
        if near and not any(compatible(a, b) for names in near for a in names for b in subjects):
            return ", ".join(dict.fromkeys(n for names in near for n in names))
    return ""


_FROM_TO = re.compile(r"(\d+(?:\.\d+)?)[^\d、。]{0,4}から(\d+(?:\.\d+)?)")


def _figure_order_ok(fact: str, window_text: str) -> bool:
    """「AからB」 in a fact keeps its order in the window (280万円から320万円 is an increase, the reverse is not)."""
    for a, b in _FROM_TO.findall(prepare(fact)):
        pa, pb = window_text.find(a), window_text.find(b)
        if pa >= 0 and pb >= 0 and pa > pb:
            return False
    return True


def _all(text: str, needle: str) -> list[tuple[int, int]]:
    """Every occurrence of `needle` (case-insensitive) as (start, end)."""
    if not needle:
        return []
    low, low_needle = text.lower(), needle.lower()
    out, pos = [], low.find(low_needle)
    while pos >= 0:
        out.append((pos, pos + len(needle)))
        pos = low.find(low_needle, pos + 1)
    return out


def _smallest_cover(occurrences: list[list[tuple[int, int]]]) -> tuple[int, int]:
    """The shortest stretch holding one occurrence of every term: 「人材探しから始めるのではなく、課題から始めます」
    puts 「人材探しから始める」 in the first clause (denied) and 「課題から始める」 in the second (asserted)."""
    events = sorted((s, e, i) for i, occ in enumerate(occurrences) for s, e in occ)
    need = len(occurrences)
    best = (events[0][0], max(e for _, e, _ in events))
    count: dict[int, int] = {}
    left = 0
    for right, (_, _, i) in enumerate(events):
        count[i] = count.get(i, 0) + 1
        while len(count) == need:
            start = events[left][0]
            end = max(e for _, e, _ in events[left:right + 1])
            if end - start < best[1] - best[0]:
                best = (start, end)
            j = events[left][2]
            count[j] -= 1
            if not count[j]:
                del count[j]
            left += 1
    return best


def _clause_to_predicate(text: str, end: int) -> str:
    """From the sentence start to the predicate after position `end` (see _TAIL)."""
    start = max(text.rfind(c, 0, end) for c in "。！？!?\n") + 1
    tail = _TAIL.match(text[end:])
    return text[start:end] + (tail.group(0) if tail else "")


def _same_polarity(fact: str, text: str, positions: list[list[tuple[int, int]]], predicate: int) -> bool:
    """A denying fact needs a denial among its matched words (「各部署に一人ずつ置くのではなく…想定されている」 states
    「…配置することを想定したものではない」), and so does a contrast (「人材探しではなく課題から」 is not stated by
    「人材探しと課題整理の両方から」). An asserting fact needs the predicate after its last content word to assert
    (「人材探しから始めるのではなく、」 does not state 「人材探しから始める」; 「副業先と保有株式を届け出る、…入札に
    参加できない」 does state 「…株式を届け出る」), and so must every other sentence its words come from (「…を求めては
    いません。…確保する前提です」 does not state 「…確保しなければならない」)."""
    if not positions:
        return predicate_negated(text) == predicate_negated(fact)
    start, end = _smallest_cover(positions)
    tail = _TAIL.match(text[end:])
    span = text[start:end] + (tail.group(0) if tail else "")
    denies = is_negated(fact) or _INNER_NEGATION.search(fact) or re.search(r"ではなく|でなく", fact)
    if denies and not (is_negated(span) or _INNER_NEGATION.search(span)):
        return False  # the fact denies something (「起こさない誓約書」, 「…ではない」); so must its words here
    if predicate_negated(fact):
        return True
    if 0 <= predicate < len(positions):
        # the predicate word inside the cover or in the clause right after it, the last one (「Aではなく課題から
        # 始める」: the 始める after 課題, not the one after A)
        inside = [o for o in positions[predicate] if start <= o[0] and o[1] <= end + len(tail.group(0) if tail else "")]
        if inside and predicate_negated(_clause_to_predicate(text, inside[-1][1])):
            return False
    elif predicate_negated(span):
        return False
    ends = [m.end() for m in re.finditer(r"[。！？!?\n]", text[start:end])]
    # the cover runs over a sentence end: that sentence's predicate must assert too
    return all(not predicate_negated(text[start:start + cut]) for cut in ends)


def _antonym(terms: Sequence[Term], text: str) -> str:
    """The window says the opposite of the fact's verb (引き上げ for 引き下げ, 廃止 for 新設)."""
    low = text.lower()
    for term in terms:
        if term.figure is not None:
            continue
        for form in term.forms or (term.text,):
            for opposite in ANTONYMS.get(form, ()):
                if opposite in low and form not in low:
                    return opposite
    return ""


def windows(text: str) -> list[str]:
    """Each sentence of an answer, and each pair of adjacent sentences (a fact is often split over two)."""
    sents = _sentences(text)
    return [*sents, *(a + b for a, b in zip(sents, sents[1:], strict=False))]


def match_statement(fact: str, text: str, question: str = "") -> StatementMatch:
    """The best window of `text` for `fact` (found windows first, then the highest score)."""
    best = StatementMatch(False, reason="empty answer")
    sents = _sentences(text)
    for i, window in enumerate(windows(text)):
        m = score_window(fact, window, question)
        if m.found and i >= len(sents) and m.score < TWO_SENTENCE_THRESHOLD:
            m.found, m.reason = False, "too few terms for two sentences"
        if not best.window or (m.found, m.score) > (best.found, best.score):
            best = m
    return best


__all__ = ["STATEMENT_THRESHOLD", "StatementMatch", "Term", "fact_terms", "is_negated",
           "match_statement", "predicate_negated", "score_window", "windows"]
