"""Evidence selection: the few sentences (up to six) of the retrieved passages that answer the question, verbatim
(no LLM).

Why: a 1.5B model on 2 cores drops, merges and misattributes facts when it writes prose from ~900 characters of mixed
passages. Selecting the sentences that carry the answer is cheap and deterministic, and what the user reads first is
then the material's own wording with its source; the model only links these sentences afterwards (app/answer/
synthesis.py). Each sentence is scored against the standalone question by

- content-term overlap (Sudachi normalized forms, weighted by how rare a term is among the candidates; a question's
  word inside a compound the tokenizer keeps whole — 費用 in 費用負担 — counts),
- character-bigram overlap (survives spelling variants Sudachi splits differently),
- the passage's retrieval rank,
- what the question asks for: the kind of figure (上限・いくら → 円, 措置率 → rate, 何人, 期間 …), a date, a
  requirement, a legal basis (根拠 → an article), a definition (「…とは」 → 「Xは…制度です」),
- the named subject: a sentence about 企業派遣型 — or under a 企業派遣型 heading — is not evidence for a question about
  副業型 (siblings in `ENTITY_PARENTS`); one naming the asked subject is preferred,
- what carries no fact: pointers to another document, what the material does not know (unless that is asked), and
  the write-up's guesses (「…の可能性が高い」).

Sentences are then taken greedily, each time the best one less what the chosen ones already say (a paraphrase of the
first excerpt adds nothing; the next should add a figure, a requirement, a date). Six excerpts (~600 characters) are
shown; the model reads only the best ones, up to `synthesis_evidence_chars` (app/answer/synthesis.py `for_model`).

A question asking two things gets the best sentence for each part first. The sentence after a chosen one joins it when
it carries the figure the question asks for and the chosen one does not (「…を措置の対象とします。措置率は0.5です。」),
or when it is the list the chosen one announces (lists and table rows are read as whole lines, across a chunk
boundary as a neighbouring item). Near-duplicates (overlapping chunks repeat sentences) are dropped. Sentences inside
marked spans (provenance notes, instructions to an assistant: `Chunk.spans`, or found now for unmarked chunks) are
never candidates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from app.answer.context import neutralise
from app.answer.question import has_japanese
from app.checks.answer_form import ENTITY_ALIASES, ENTITY_PARENTS, ENTITY_PATTERN
from app.checks.figures import canonical, figure_spans
from app.checks.instructions import instruction_spans
from app.checks.provenance import meta_spans
from app.retrieval.tokenize import bigram_tokens, normalize, word_tokens
from app.schemas import Chunk, Citation, Evidence, Hit
from app.sentences import sentence_spans

MIN_SENTENCE_CHARS = 8
"""Shorter lines are labels (「概要」, 「1.」), not statements."""
DUPLICATE_JACCARD = 0.7
"""Bigram Jaccard at or above which two sentences say the same thing (chunk overlap repeats sentences)."""
KEEP_SHARE = 0.4
"""A sentence is kept only if it scores at least this share of the best one: a weak extra sentence costs the reader
attention (0.55 when the same excerpts were the model's whole input; selection-only fact coverage of the statements
set 0.70 → 0.82 with six excerpts, this floor and the redundancy rule)."""
REDUNDANCY_WEIGHT = 0.5
"""How much a sentence loses for repeating what the chosen ones say (times its redundancy, 0–1): the next excerpt
should add a fact, not restate the first in other words (「…を提供する仕組みです」 twice)."""
SPECIFIC_BONUS = 0.05
"""Per kind of figure or date (two at most) in a sentence about what was asked: 「634人が応募し5人が委嘱」 is what an
officer asking 「どんな公募をしましたか」 wants, though it repeats few of the question's words."""
MIN_SCORE = 0.12
WEAK_COVERAGE = 0.3
"""Below this best coverage of the question's own terms (its named subject aside), the material barely touches the
question: the answer must say what the material does and does not say."""

_FIGURE_CUES: dict[str, re.Pattern[str]] = {
    "円": re.compile(r"上限|下限|いくら|幾ら|金額|費用|経費|報酬|給与|給料|賃金|謝金|単価|予算|財政|交付税|補助|助成|円|お金|負担"),
    "rate": re.compile(r"措置率|割合|率|何割|何%|何パーセント"),
    "人": re.compile(r"何人|人数|何名|応募数|採用数|規模"),
    "期間": re.compile(r"期間|任期|何年|何か月|何ヶ月|何日|何時間|時間|頻度|日数"),
}
"""What kind of figure a question asks for, by its words; a sentence holding that kind of figure is preferred."""
_ANY_FIGURE_CUE = re.compile(r"どのくらい|どれくらい|どの程度|どれほど|いくら")
"""「特別交付税はどのくらい？」 may be answered by an amount or by a rate: every kind counts."""
_FIGURE_UNITS: dict[str, frozenset[str]] = {
    "円": frozenset({"円"}), "rate": frozenset({"%", "割", "rate"}), "人": frozenset({"人"}),
    "期間": frozenset({"年", "年間", "か月", "月", "日", "時間", "週"}),
}
_EXPANSIONS: dict[str, str] = {
    "財政支援": "特別交付税 措置 上限", "財政措置": "特別交付税 措置 上限", "国の支援": "特別交付税 措置",
    "費用": "経費 負担", "お金": "経費 報酬 負担", "給料": "報酬", "給与": "報酬", "待遇": "報酬 勤務条件",
    "期間": "任期", "条件": "要件 対象 報酬 勤務", "要件": "条件 対象",
}
"""A few words of the guidebook's domain that questions and the material name differently (財政支援 is written
特別交付税で措置): the material's word is added to the question's terms."""
_DEFINITION_CUE = re.compile(r"とは|どんな|どのような|何ですか|なんですか|って何")
_DEFINITION = re.compile(r"(?:は|とは)、?.{4,}?(?:(?:制度|仕組み|役割|人材|資料|職|形|事業|計画|枠組み)(?:です|である|のこと)"
                         r"|として位置(?:づ|付)けられて)")
"""「地域プロジェクトマネージャーは、…橋渡し役を担う人材です。」: what a 「…とは」 question asks for."""
_LAW_CUE = re.compile(r"根拠|法令|規定|法律|条文|何法|法的")
_LAW = re.compile(r"法\d+条|法第\d+条|\d+条\d+項|第\d+条|法律第\d+号")
_UNKNOWN = re.compile(r"確認できていません|分かっていません|わかっていません|含まれていません|見つかりませんでした|明らかではありません")
_SPECULATION = re.compile(r"可能性が(?:高い|あります|ある)|かもしれません|と推測され")
_ASKS_UNKNOWN = re.compile(r"分か|わか|確認|公開|載って|記載|明らか")
_DATE_CUE = re.compile(r"いつ|時期|何年|年度|期限|締切|締め切り|日程|策定|開始|始ま|創設|公表")
_REQUIREMENT_CUE = re.compile(r"要件|条件|対象|資格|必要|できますか|可能|限ら|限る|基準")
_REQUIREMENT_WORD = re.compile(r"要件|条件|対象|必要|限|以上|以下|未満|こと|できる|できない|不可|可能")
_DATE = re.compile(r"\d{4}年|\d+月|年度")
_POINTER = re.compile(r"参照してください|を参照|文書にまとめ|文書にあります|文書で扱|にまとめています|詳しくは")
"""A sentence that sends the reader to another document carries no fact of its own."""
_ASKING = re.compile(r"[?？]\s*[」』）)]*$")
_GENERIC_TERMS = frozenset(
    ["ある", "する", "いる", "なる", "できる", "教える", "知る", "場合", "方法", "こと", "もの", "ため", "よう", "どう", "どの", "何", "なに", "どんな", "いくら", "いつ", "ください", "下さる", "思う", "件", "について", "具体", "的", "内容", "詳細", "一覧", "とき", "時", "ほか"]
)


@dataclass(frozen=True)
class Intent:
    """What the question asks for, computed once per question."""

    terms: frozenset[str]
    grams: frozenset[str]
    figure_kinds: frozenset[str]
    wants_date: bool
    wants_requirement: bool
    entities: frozenset[str]
    japanese: bool = True
    focus_terms: frozenset[str] = frozenset()
    wants_law: bool = False
    asks_unknown: bool = False
    wants_definition: bool = False


@dataclass
class Candidate:
    hit_index: int
    rank: int
    order: int
    start: int
    end: int
    text: str
    terms: frozenset[str]
    grams: frozenset[str]
    figure_kinds: frozenset[str]
    has_date: bool
    entities: frozenset[str]
    is_list: bool = False
    flat: str = ""
    """The text normalised as the tokenizer sees it (NFKC, lower case), for terms inside compounds."""
    rival: bool = False
    """About another sub-type than the one asked (企業派遣型 for a 副業型 question)."""
    score: float = 0.0
    coverage: float = 0.0
    focus: float = 0.0
    """Coverage of the question's terms that are not part of a named subject (退職金 in 「起業人の退職金は？」)."""


@dataclass
class Selection:
    """The chosen evidence with one citation per item (same `n`), and whether the material barely answers."""

    evidence: list[Evidence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    weak: bool = False


def entities_of(text: str) -> frozenset[str]:
    return frozenset(ENTITY_ALIASES.get(m.group(0), m.group(0)) for m in ENTITY_PATTERN.finditer(text))


def intent_of(question: str) -> Intent:
    expanded = question + " " + " ".join(v for k, v in _EXPANSIONS.items() if k in question)
    terms = frozenset(t for t in word_tokens(expanded) if t not in _GENERIC_TERMS and len(t) > 1 or t.isdigit())
    return Intent(
        terms=terms,
        grams=frozenset(bigram_tokens(question)),
        figure_kinds=frozenset(kind for kind, cue in _FIGURE_CUES.items()
                               if cue.search(question) or _ANY_FIGURE_CUE.search(question)),
        wants_date=bool(_DATE_CUE.search(question)),
        wants_requirement=bool(_REQUIREMENT_CUE.search(question)),
        entities=entities_of(question),
        japanese=has_japanese(question),
        wants_law=bool(_LAW_CUE.search(question)),
        asks_unknown=bool(_ASKS_UNKNOWN.search(question)),
        wants_definition=bool(_DEFINITION_CUE.search(question)),
        focus_terms=frozenset(t for t in terms if not any(t in e for e in entities_of(question))),
    )


def marked_spans(chunk: Chunk) -> list[tuple[int, int]]:
    """Spans that are not evidence: as marked at ingest, or — for a chunk indexed before marking existed, or built
    in memory — found now with the same detectors."""
    spans = [(s.start, s.end) for s in chunk.spans if s.kind in ("meta", "instruction")]
    if not chunk.spans:
        spans = [*instruction_spans(chunk.text, chunk.kind), *meta_spans(chunk.text, chunk.kind)]
    return sorted(spans)


def _clean(text: str, start: int, end: int, marked: list[tuple[int, int]]) -> str:
    """The sentence as shown and sent to the model: marked spans cut out, whitespace collapsed, markers inert."""
    pieces, pos = [], start
    for m_start, m_end in marked:
        if m_end > start and m_start < end:
            pieces.append(text[pos : max(m_start, pos)])
            pos = max(pos, min(m_end, end))
    pieces.append(text[pos:end])
    flat = " ".join("".join(pieces).split())
    if flat.startswith("|"):  # a table row: its cells, read as a line
        flat = "、".join(cell.strip() for cell in flat.strip("|").split("|") if cell.strip())
    return neutralise(re.sub(r"^[-*+・•●○◆◇■□▪>#\s]+", "", flat)).strip()


def _inside_marked(start: int, end: int, marked: list[tuple[int, int]]) -> bool:
    """Most of the sentence lies in a marked span: it is about the document, or an order, not evidence."""
    covered = sum(max(0, min(m_end, end) - max(m_start, start)) for m_start, m_end in marked)
    return covered >= 0.6 * (end - start)


_LIST_ITEM = re.compile(r"^\s*(?:[-*+・•●○◆◇■□▪]|\d{1,3}[.)．]|[（(]\d{1,3}[)）]|[①-⑳])")
_TABLE_RULE = re.compile(r"^\|?[\s:|-]*-{3}[\s:|-]*$")
_LEAD_IN = re.compile(r"(?:次|以下|下記)の|次のとおり|次の通り|[:：]$|(?:\d{1,2}|[二三四五六七八九])つの")
"""A sentence that announces the list after it (「次の項目は…」「…を4つの段階に分けています」): the list is its content."""
LIST_JOIN = " / "
"""How the lines of a list unit are joined into one excerpt (the synthesis check knows a copied list by it)."""
LIST_ITEM_CHARS = 60
"""List items and table rows up to this length are read together (「自己紹介 5分」 alone says nothing)."""


def units(text: str) -> list[list[tuple[int, int]]]:
    """Sentences, except that a list — its item lines (「- …」, table rows) and short lines without a sentence end,
    with the label line before them — is one unit of whole lines (「自己紹介 5分」 alone says nothing)."""
    out: list[list[tuple[int, int]]] = []
    run: list[tuple[int, int]] = []
    spans = sentence_spans(text)
    pos = 0
    for line in text.split("\n"):
        start, end = pos + len(line) - len(line.lstrip()), pos + len(line.rstrip())
        pos += len(line) + 1
        if end <= start or _TABLE_RULE.match(line):
            continue  # |---|---| draws the table; it says nothing
        body = text[start:end]
        is_item = bool(_LIST_ITEM.match(body)) or body.startswith("|")
        is_label = len(body) <= LIST_ITEM_CHARS and body[-1] not in "。！？"
        if is_item and len(body) <= 2 * LIST_ITEM_CHARS or is_label:
            run.append((start, end))
            continue
        if run:
            out.append(run)
            run = []
        out.extend([span] for span in spans if start <= span[0] and span[1] <= end)
    if run:
        out.append(run)
    return out


def candidates(hits: list[Hit]) -> list[Candidate]:
    out: list[Candidate] = []
    for i, hit in enumerate(hits):
        chunk = hit.chunk
        marked = marked_spans(chunk)
        context = heading_entities(chunk.heading_path)
        for order, unit in enumerate(units(chunk.text)):
            start, end = unit[0][0], unit[-1][1]
            if _inside_marked(start, end, marked):
                continue
            text = LIST_JOIN.join(t for t in (_clean(chunk.text, a, b, marked) for a, b in unit) if t)
            if len(text) < MIN_SENTENCE_CHARS:
                continue
            canon = canonical(text)
            out.append(Candidate(
                hit_index=i, rank=hit.rank or i + 1, order=order, start=start, end=end, text=text,
                terms=frozenset(word_tokens(text)), grams=frozenset(bigram_tokens(text)),
                figure_kinds=_figure_kinds(canon),
                has_date=bool(_DATE.search(canon)), entities=_own_or(entities_of(text), context),
                is_list=len(unit) > 1, flat=normalize(text),
            ))
    return out


def _figure_kinds(canonical_text: str) -> frozenset[str]:
    """The kinds of figure a sentence holds (円, rate, 人, 期間), from its figures' units; a bare decimal is a rate."""
    units = {f.figure.unit or ("rate" if "." in f.figure.value or "/" in f.figure.value else "")
             for f in figure_spans(canonical_text)}
    return frozenset(kind for kind, allowed in _FIGURE_UNITS.items() if units & allowed)


def heading_entities(heading_path: list[str]) -> frozenset[str]:
    """The subjects named by the deepest heading that names any (「企業派遣型 > 経費と特別交付税」 → 企業派遣型)."""
    for heading in reversed(heading_path):
        found = entities_of(heading)
        if found:
            return found
    return frozenset()


def _own_or(own: frozenset[str], context: frozenset[str]) -> frozenset[str]:
    """A sentence that names no sub-type (「もう一つは…100万円を上限に」) is about its section's subject."""
    if any(ENTITY_PARENTS.get(e) for e in own):
        return own
    return own | context


def siblings(entity: str) -> set[str]:
    """Other sub-types of the same scheme (副業型 → 企業派遣型, シニア型)."""
    parent = ENTITY_PARENTS.get(entity)
    if parent is None:
        return set()
    return {e for e, p in ENTITY_PARENTS.items() if p == parent and e != entity}


def score(cands: list[Candidate], intent: Intent, n_hits: int) -> None:
    """Fill `score` and `coverage` of every candidate (see the module docstring for the parts)."""
    df: dict[str, int] = {}
    for c in cands:
        # Sudachi keeps compounds whole (費用負担, 受入経費): a question's word inside one becomes one of the
        # sentence's terms, for this score and for the redundancy rule of select_evidence
        c.terms |= {t for t in intent.terms if len(t) >= 2 and t in c.flat}
        for t in c.terms & intent.terms:
            df[t] = df.get(t, 0) + 1
    n = max(len(cands), 1)
    # rarer terms weigh more; the question's own terms twice its named subject's (経費 in 「起業人の経費は？」)
    weight = {t: math.log(1 + n / df.get(t, 1)) * (2 if t in intent.focus_terms else 1) for t in intent.terms}
    total = sum(weight.values()) or 1.0
    rivals = {e: siblings(e) - intent.entities for e in intent.entities}
    focus_total = sum(weight[t] for t in intent.focus_terms)
    for c in cands:
        c.coverage = sum(weight[t] for t in c.terms & intent.terms) / total
        c.focus = sum(weight[t] for t in c.terms & intent.focus_terms) / focus_total if focus_total else c.coverage
        grams = len(c.grams & intent.grams) / len(intent.grams) if intent.grams else 0.0
        s = 0.3 * c.coverage + 0.4 * c.focus + 0.3 * grams
        s += 0.1 * (1 - (c.rank - 1) / max(n_hits, 1))
        if intent.figure_kinds & c.figure_kinds:
            s += 0.2
        if intent.wants_date and c.has_date:
            s += 0.1
        if intent.wants_requirement and _REQUIREMENT_WORD.search(c.text):
            s += 0.05
        if intent.entities & c.entities and (c.focus > 0 or not intent.focus_terms):
            s += 0.1  # names the asked subject and says something about what was asked
        c.rival = any(others & c.entities and asked not in c.entities for asked, others in rivals.items())
        if c.rival:
            s -= 0.3  # about 企業派遣型 when 副業型 was asked
        if _ASKING.search(c.text):
            s -= 0.3
        if _POINTER.search(c.text):
            s -= 0.3
        if intent.wants_definition and intent.entities & c.entities and _DEFINITION.search(c.text):
            s += 0.15
        if intent.wants_law and _LAW.search(canonical(c.text)):
            s += 0.2
        if _SPECULATION.search(c.text):
            s -= 0.15  # a guess of the write-up (「…に掲載されている可能性が高いと考えられます」) is not a fact
        if _UNKNOWN.search(c.text) and not intent.asks_unknown:
            s -= 0.2  # what the material does not know answers only a question about what is known
        if c.focus > 0 or not intent.focus_terms:  # a concrete figure or date about what was asked is a fact
            s += SPECIFIC_BONUS * min(2, len(c.figure_kinds) + c.has_date)
        if len(c.text) < 15:
            s *= 0.5
        c.score = s


def _redundancy(c: Candidate, said: frozenset[str], intent: Intent) -> float:
    """Share of what `c` says beyond the question's own words that the chosen sentences (`said`: their terms) already
    say: 0 for a sentence with new content (another figure, another requirement), near 1 for a paraphrase."""
    own = c.terms - intent.terms
    return len(own & said) / len(own) if own else 0.0


def _near_duplicate(a: Candidate, b: Candidate) -> bool:
    union = a.grams | b.grams
    return bool(union) and len(a.grams & b.grams) / len(union) >= DUPLICATE_JACCARD


def select_evidence(
    question: str, hits: list[Hit], max_items: int = 6, max_chars: int = 600
) -> Selection:
    """The best sentences for `question` from `hits` (in rank order), numbered 1..k, each tied to its passage."""
    cands = candidates(hits)
    if not cands:
        return Selection(weak=True)
    intent = intent_of(question)
    chosen: list[Candidate] = []
    part_focus: list[float] = []
    for part in question_parts(question):  # 「どんな制度で、上限はいくらですか」: the best sentence for each part first
        score(cands, intent_of(" ".join(sorted(intent.entities)) + " " + part), len(hits))
        part_focus.append(max(c.focus for c in cands))
        top = max(cands, key=lambda c: (c.score, -c.rank, -c.order))
        if top.score >= MIN_SCORE and top not in chosen and not top.rival:
            chosen.append(top)
    score(cands, intent, len(hits))
    ranked = sorted(cands, key=lambda c: (-c.score, c.rank, c.order))
    best = ranked[0]
    # A question in another language shares no words with the material: rank and figures decide, no floor.
    floor = max(MIN_SCORE, KEEP_SHARE * best.score) if intent.japanese else KEEP_SHARE * best.score
    chosen = chosen[:max_items]
    used = sum(len(c.text) for c in chosen)
    pool = [c for c in ranked if c not in chosen]
    while pool and len(chosen) < max_items:
        # the best remaining sentence, less what the chosen ones already say (a paraphrase adds nothing)
        said = frozenset().union(*(k.terms for k in chosen))
        c = min(pool, key=lambda c: (REDUNDANCY_WEIGHT * _redundancy(c, said, intent) - c.score, c.rank, c.order))
        pool.remove(c)
        if chosen and c.score < floor:
            continue
        if any(_near_duplicate(c, k) for k in chosen) or chosen and (c.rival or _POINTER.search(c.text)):
            continue
        if chosen and used + len(c.text) > max_chars:
            continue
        chosen.append(c)
        used += len(c.text)
    following = {(a.hit_index, a.order): b for a, b in zip(cands, cands[1:], strict=False) if a.hit_index == b.hit_index}
    following.update(_across_chunks(cands, hits))
    items = _join_following(chosen, following, intent)
    # weak only when no part of the question is well covered: one part answered is not "the material does not say"
    selection = Selection(weak=intent.japanese and max(c.focus for c in cands) < WEAK_COVERAGE
                          and all(f < WEAK_COVERAGE for f in part_focus))
    # one item per passage: a sentence joined with the start of the next chunk becomes two neighbouring items
    pieces = [[c for c in group if c.hit_index == h] for group in items
              for h in dict.fromkeys(c.hit_index for c in group)]
    for n, piece in enumerate(pieces, start=1):
        citation = Citation.from_hit(n, hits[piece[0].hit_index], highlight=(piece[0].start, piece[-1].end))
        selection.citations.append(citation)
        selection.evidence.append(Evidence.of(citation, "".join(c.text for c in piece)))
    return selection


_PART_BREAK = re.compile(r"(?<=[？?])|(?<=[^、]{4}(?:で|か))、(?=.{4,})|、また(?:は)?、?")


def question_parts(question: str) -> list[str]:
    """The questions inside one (「費用はかかりますか？日数の制限はありますか？」), or [] when it asks one thing."""
    parts = [p.strip(" 　、") for p in _PART_BREAK.split(question) if len(p.strip(" 　、？?")) >= 4]
    return parts if len(parts) > 1 else []


def _across_chunks(cands: list[Candidate], hits: list[Hit]) -> dict[tuple[int, int], Candidate]:
    """The last sentence of a passage → the first of the next passage of the same document, when both were
    retrieved (a list announced at the end of one chunk is the start of the next: 「主な媒体は次のとおりです。」)."""
    by_id = {hit.chunk.chunk_id: i for i, hit in enumerate(hits)}
    last: dict[int, Candidate] = {}
    first: dict[int, Candidate] = {}
    for c in cands:
        last[c.hit_index] = c
        first.setdefault(c.hit_index, c)
    out: dict[tuple[int, int], Candidate] = {}
    for i, c in last.items():
        head, _, number = hits[i].chunk.chunk_id.rpartition("-")
        if number.isdigit():
            j = by_id.get(f"{head}-{int(number) + 1:0{len(number)}d}")
            if j is not None and j in first:
                out[(c.hit_index, c.order)] = first[j]
    return out


def _join_following(
    chosen: list[Candidate], following_of: dict[tuple[int, int], Candidate], intent: Intent
) -> list[list[Candidate]]:
    """Each chosen sentence as an item; the next sentence of its passage joins it when it holds the asked figure the
    chosen one lacks or it is the list the chosen one announces, and chosen sentences that are neighbours in one passage become one item."""
    groups: list[list[Candidate]] = []
    taken: set[tuple[int, int]] = set()
    for c in chosen:
        if (c.hit_index, c.order) in taken:
            continue
        group = [c]
        taken.add((c.hit_index, c.order))
        following = following_of.get((c.hit_index, c.order))  # the next candidate: marked sentences are skipped
        if following is not None and (following.hit_index, following.order) not in taken and (
            intent.figure_kinds - c.figure_kinds and intent.figure_kinds & following.figure_kinds
            or following.is_list and _LEAD_IN.search(c.text)
            or following in chosen
        ):
            group.append(following)
            taken.add((following.hit_index, following.order))
        groups.append(group)
    return groups
