"""What makes an answer bad before any fact is checked: its form.

Read answer by answer, the embedded 1.5B model's failures were mostly visible at a glance: raw passages pasted
back with their header line (「[1] タイトル／要約／…」), answers that are only markers (「[1] [2] [3]」), the
question echoed back (「全部そろえる必要がありますか? [1]」), a figure moved onto another scheme (企業派遣型の560万円
given as 副業型's), Chinese forms (组织, 职務, 窗口). Each check here is a plain function over (answer text, passages,
question) so the answer pipeline can flag it (app/flags.py) and the evals can count it with a reason per item.
Nothing here calls a model.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from app.checks.figures import Figure, canonical, figure_spans
from app.flags import FlagCode
from app.schemas import KIND_LABELS_JA

MARKER = re.compile(r"[\[［【]\s*(?:資料\s*)?\d{1,3}(?:\s*[,，、・]\s*\d{1,3})*\s*[\]］】]")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")

# --- characters outside Japanese usage ----------------------------------------------------------------------

JIS_LEVEL1_LAST = 0x9872
"""Last Shift_JIS code of JIS X 0208 level 1 (the 2,965 everyday kanji). The whole corpus uses none above it."""


def _beyond_level1(ch: str) -> bool:
    try:
        code = int.from_bytes(ch.encode("cp932"), "big")
    except UnicodeEncodeError:
        return True
    return code > JIS_LEVEL1_LAST


def _oov_chars(text: str) -> set[str]:
    """Characters inside words the Japanese dictionary does not know (Sudachi OOV): 窗口 is OOV, 稟議 is not."""
    from app.retrieval.tokenize import _sudachi

    return {ch for m in _sudachi().tokenize(text) if m.is_oov() for ch in m.surface()}


def foreign_characters(text: str, known: str = "") -> list[str]:
    """CJK ideographs that Japanese text does not use: not encodable in cp932 (simplified 业 务 职 众), or a rare
    kanji (JIS level 2 or beyond) inside a word the dictionary does not know (窗 of 窗口; 稟 of 稟議 is fine).
    Characters that occur in `known` (the passages the text was written from) are never foreign."""
    candidates = [ch for ch in dict.fromkeys(text) if "\u4e00" <= ch <= "\u9fff" and ch not in known]
    found = []
    unknown_words: set[str] | None = None
    for ch in candidates:
        try:
            ch.encode("cp932")
        except UnicodeEncodeError:
            found.append(ch)
            continue
        if _beyond_level1(ch):
            if unknown_words is None:
                unknown_words = _oov_chars(unicodedata.normalize("NFKC", text))
            if ch in unknown_words:
                found.append(ch)
    return found


_KANA = re.compile(r"[ぁ-んァ-ヶ]")


def lacks_kana(text: str) -> bool:
    """Ideographs without a single kana: Chinese (是的。), not Japanese."""
    return bool(re.search(r"[\u4e00-\u9fff]", text)) and not _KANA.search(text)


# --- empty / marker-only -------------------------------------------------------------------------------------


def words_left(answer: str) -> str:
    """The answer without markers, spaces, punctuation and symbols: what a reader can actually read."""
    stripped = MARKER.sub("", unicodedata.normalize("NFKC", answer))
    return "".join(ch for ch in stripped if unicodedata.category(ch)[0] in "LN")


def is_empty(answer: str) -> bool:
    return not words_left(answer)


def marker_only(answer: str) -> bool:
    """Markers (and at most bare figures) but not one word: 「[1] [2] [3]」, 「449[1]」."""
    left = words_left(answer)
    return bool(MARKER.search(answer)) and not any(unicodedata.category(ch)[0] == "L" for ch in left)


# --- question echo -------------------------------------------------------------------------------------------

ECHO_INSIDE = 0.95
"""Share of an answer sentence's bigrams taken from the question, above which it repeats the question …"""
ECHO_COVER = 0.7
"""… when it also repeats this share of the question's bigrams."""
ECHO_INSIDE_ASKING = 0.7
"""An answer sentence that itself asks (ends in か / ？) needs less: answers do not ask the user questions."""


def _grams(text: str) -> set[str]:
    norm = re.sub(r"[^\w]", "", MARKER.sub("", unicodedata.normalize("NFKC", text)).lower())
    return {norm[i : i + 2] for i in range(len(norm) - 1)}


def question_echo(answer: str, question: str) -> list[str]:
    """Sentences of the answer that repeat the question instead of answering it."""
    q = _grams(question)
    if not q:
        return []
    echoed = []
    for raw in _SENTENCE.findall(answer):
        sentence = MARKER.sub("", raw).strip()
        s = _grams(sentence)
        if len(s) < 4:
            continue
        inside, cover = len(s & q) / len(s), len(s & q) / len(q)
        if re.match(r"(?:はい|いいえ)", sentence):
            continue  # 「はい、…必要があります」 answers (rightly or wrongly); it does not ask back
        asking = bool(re.search(r"(?:か|[?？])[。\s]*$", sentence))
        if (inside >= ECHO_INSIDE and cover >= ECHO_COVER) or (asking and inside >= ECHO_INSIDE_ASKING):
            echoed.append(sentence)
    return echoed


# --- passage dump ----------------------------------------------------------------------------------------------

DUMP_RUN_CHARS = 80
"""A verbatim run this long (normalised characters, about one long sentence) counts as a copied piece of a passage."""
DUMP_RUNS = 2
"""Pasting passages, not answering from them: two or more such copied pieces (「[1] 2023年度が…」「[2] この文書は…」),
or one copy this long: """
DUMP_SINGLE_CHARS = 400
"""One copied paragraph that answers the question (a list of media, one 約500人 sentence) is how facts should come
from the sources; several pasted pieces, or a whole page, are not."""

_HEADER_LINE = re.compile(r"(?m)^\s*[\[［]\d{1,3}[\]］]\s*[^\n]{1,60}／")
_KIND_HEADER = re.compile("／(?:" + "|".join(re.escape(v) for v in KIND_LABELS_JA.values()) + ")")
_TABLE = re.compile(r"(?m)^[ \t]*\|[^\n]*\|[ \t]*\n[ \t]*\|[ \t:|-]*-{3}")


@dataclass(frozen=True)
class Dump:
    """Why an answer counts as pasted passages: a header line or table, or the copied pieces (lengths)."""

    header: str = ""
    runs: tuple[int, ...] = ()

    @property
    def run_chars(self) -> int:
        return max(self.runs, default=0)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", MARKER.sub("", unicodedata.normalize("NFKC", text)))


def copied_runs(answer: str, passage: str, min_chars: int = DUMP_RUN_CHARS) -> list[tuple[int, int]]:
    """(start, length) in the flattened answer of every verbatim run of `min_chars` or more shared with the passage."""
    a, b = _flat(answer), _flat(passage)
    if not a or not b:
        return []
    blocks = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return [(m.a, m.size) for m in blocks if m.size >= min_chars]


def longest_copied_run(answer: str, passage: str) -> int:
    """Length of the longest run of characters the answer shares verbatim with the passage (spaces, markers off)."""
    a, b = _flat(answer), _flat(passage)
    if not a or not b:
        return 0
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


def passage_dump(answer: str, passages: Sequence[str], titles: Sequence[str] = ()) -> Dump | None:
    """The answer pastes passages instead of answering from them: it carries a context header line (「[1] タイトル／
    支援制度の要約／…」, a passage title followed by ／) or a pasted table, or two or more verbatim pieces of
    `DUMP_RUN_CHARS`+ characters (from one passage or several), or one piece of `DUMP_SINGLE_CHARS`+."""
    header = _HEADER_LINE.search(answer) or _KIND_HEADER.search(answer) or _TABLE.search(answer)
    if header is None:
        for title in titles:
            if title and re.search(re.escape(title[:20]) + r"[^\n]{0,40}／", answer):
                header = re.search(re.escape(title[:20]), answer)
                break
    if header is not None:
        return Dump(header=header.group(0).strip()[:80])
    pieces: dict[int, int] = {}
    for passage in passages:
        for start, size in copied_runs(answer, passage):
            pieces[start] = max(size, pieces.get(start, 0))
    runs = _distinct(pieces)
    if len(runs) >= DUMP_RUNS or any(r >= DUMP_SINGLE_CHARS for r in runs):
        return Dump(runs=tuple(sorted(runs, reverse=True)))
    return None


def _distinct(pieces: dict[int, int]) -> list[int]:
    """Lengths of the non-overlapping copied pieces (the same sentence copied from two passages counts once)."""
    out: list[tuple[int, int]] = []
    for start, size in sorted(pieces.items()):
        if out and start < out[-1][0] + out[-1][1]:
            end = max(out[-1][0] + out[-1][1], start + size)
            out[-1] = (out[-1][0], end - out[-1][0])
        else:
            out.append((start, size))
    return [size for _, size in out]


# --- figure attached to another entity ---------------------------------------------------------------------------

ENTITY_PARENTS: dict[str, str | None] = {
    "地域活性化起業人": None, "企業派遣型": "地域活性化起業人", "副業型": "地域活性化起業人", "シニア型": "地域活性化起業人",
    "地域プロジェクトマネージャー": None, "地域おこし協力隊": None, "雇用型": "地域おこし協力隊",
    "委託型": "地域おこし協力隊", "地域情報化アドバイザー": None, "地域力創造アドバイザー": None,
    "デジタル専門人材派遣制度": None, "地域社会DX推進パッケージ": None, "CIO補佐官等": None, "政府CIO補佐官": None,
    "外部人材リスト": None, "人材プール": None, "自治体DXアクセラレータ": None, "任期付職員": None,
    "会計年度任用職員": None, "特別職非常勤職員": None, "自治体DX推進計画": None, "自治体DX全体手順書": None,
    "外部人材スキル標準": None, "DXShip": None, "プロデューサー": "外部人材スキル標準",
    "サービスデザイナー": "外部人材スキル標準", "エンジニア": "外部人材スキル標準",
    "プロジェクトマネージャー": "外部人材スキル標準",
}
"""制度名 and other named subjects figures belong to, with the scheme a sub-type belongs to (副業型 is a kind of
地域活性化起業人, so 「地域活性化起業人は560万円」 is not a misattribution of 企業派遣型's 560万円; 副業型 is)."""
ENTITY_ALIASES: dict[str, str] = {
    "起業人": "地域活性化起業人", "協力隊": "地域おこし協力隊", "地域PM": "地域プロジェクトマネージャー",
    "CIO補佐官": "CIO補佐官等", "スキル標準": "外部人材スキル標準", "DX推進計画": "自治体DX推進計画",
    "全体手順書": "自治体DX全体手順書", "特別職非常勤": "特別職非常勤職員", "任期付": "任期付職員",
}
ENTITY_PATTERN = re.compile("|".join(re.escape(n) for n in sorted([*ENTITY_PARENTS, *ENTITY_ALIASES], key=len, reverse=True)))


@dataclass(frozen=True)
class Mention:
    name: str
    start: int
    end: int


def entity_mentions(text: str) -> list[Mention]:
    """Named schemes (from `ENTITY_PARENTS`) and place names (Sudachi 地名: 福山市, 浜松市) in a canonical text."""
    from app.retrieval.tokenize import _sudachi

    found = [Mention(ENTITY_ALIASES.get(m.group(0), m.group(0)), m.start(), m.end()) for m in ENTITY_PATTERN.finditer(text)]
    taken = [(m.start, m.end) for m in found]
    for piece_start, piece in _pieces(text):
        for m in _sudachi().tokenize(piece):
            pos = m.part_of_speech()
            if pos[1] == "固有名詞" and pos[2] == "地名":
                start, end = piece_start + m.begin(), piece_start + m.end()
                if not any(a < end and start < b for a, b in taken):
                    found.append(Mention(m.surface(), start, end))
    return sorted(found, key=lambda m: m.start)


def _pieces(text: str, size: int = 4000) -> list[tuple[int, str]]:
    return [(i, text[i : i + size]) for i in range(0, len(text), size)] or [(0, "")]


def ancestors(name: str) -> set[str]:
    """The name and every scheme it is a sub-type of (副業型 → {副業型, 地域活性化起業人})."""
    out = {name}
    while ENTITY_PARENTS.get(name):
        name = ENTITY_PARENTS[name]  # type: ignore[assignment]
        out.add(name)
    return out


_PLACE = re.compile(r"[都道府県市区町村]$")


def compatible(a: str, b: str) -> bool:
    """The same subject, one a sub-type of the other, or one place inside the other's name (広島県福山市 / 福山市;
    not 地域プロジェクトマネージャー / プロジェクトマネージャー, two different things)."""
    if a in ancestors(b) or b in ancestors(a):
        return True
    return bool(_PLACE.search(a) and _PLACE.search(b) and (a in b or b in a))


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]


def _nearest(mentions: list[Mention], start: int, end: int, bounds: list[tuple[int, int]]) -> list[str]:
    """The mention closest to [start, end) in its sentence; else the last one before it (the running subject)."""
    lo, hi = next(((a, b) for a, b in bounds if a <= start < b), (0, 10**9))
    inside = [m for m in mentions if lo <= m.start < hi]
    if inside:
        dist = [min(abs(m.end - start), abs(m.start - end)) for m in inside]
        best = min(dist)
        return [m.name for m, d in zip(inside, dist, strict=True) if d == best]
    before = [m for m in mentions if m.end <= start]
    return [before[-1].name] if before else []


def figure_subjects(text: str, start: int, end: int, mentions: list[Mention] | None = None) -> list[str]:
    """The named subject(s) nearest to the figure at [start, end) of a canonical text (same sentence first, else
    the running subject before it); [] when none is named."""
    ments = entity_mentions(text) if mentions is None else mentions
    return _nearest(ments, start, end, _sentence_bounds(text))


def _in_sentence(mentions: list[Mention], start: int, bounds: list[tuple[int, int]]) -> list[str]:
    """Every subject named in the figure's sentence, the most specific only (「地域活性化起業人の企業派遣型は…」
    gives 企業派遣型), else the running subject before it."""
    lo, hi = next(((a, b) for a, b in bounds if a <= start < b), (0, 0))
    names = list(dict.fromkeys(m.name for m in mentions if lo <= m.start < hi))
    if names:
        return [n for n in names if not any(n != o and n in ancestors(o) for o in names)]
    before = [m for m in mentions if m.end <= start]
    return [before[-1].name] if before else []


@dataclass(frozen=True)
class Misattribution:
    """A figure the answer ties to `answer_entity` while every passage that has it ties it to `passage_entities`."""

    figure: Figure
    answer_entity: str
    passage_entities: tuple[str, ...]
    sentence: str = ""


def misattributed_figures(answer: str, passages: Sequence[str], titles: Sequence[str] = ()) -> list[Misattribution]:
    """Figures whose nearest named subject in the answer differs from every subject named with that figure in the
    passages. Only figures with a unit or a decimal point that a passage contains are judged (a figure no passage
    has is a different defect: an invented number), and only when both sides name a subject. On the passage side
    every subject of the figure's sentence counts (else the passage's running subject, else its title), which keeps
    「地域プロジェクトマネージャーは、地域おこし協力隊と違い650万円」 from accusing a correct answer."""
    text = canonical(MARKER.sub("", answer))
    mentions = entity_mentions(text)
    if not mentions:
        return []
    bounds = _sentence_bounds(text)
    sources = []
    for i, passage in enumerate(passages):
        body = canonical(passage)
        title = canonical(titles[i]) if i < len(titles) and titles[i] else ""
        sources.append((body, entity_mentions(body), _sentence_bounds(body),
                        [m.name for m in entity_mentions(title)] if title else []))
    out: list[Misattribution] = []
    seen: set[tuple[Figure, str]] = set()
    for span in figure_spans(text):
        fig = span.figure
        if not fig.unit and "." not in fig.value:
            continue
        mine = _nearest(mentions, span.start, span.end, bounds)
        if not mine:
            continue
        theirs: list[str] = []
        for body, ments, bnds, title_names in sources:
            for other in figure_spans(body):
                if other.figure == fig or (fig.satisfied_by(other.figure) and other.figure.unit == fig.unit):
                    theirs.extend(_in_sentence(ments, other.start, bnds) or title_names)
        if not theirs:
            continue  # the figure is in no passage, or no passage names its subject
        if any(compatible(a, b) for a in mine for b in theirs):
            continue
        key = (fig, mine[0])
        if key in seen:
            continue
        seen.add(key)
        where = next((text[a:b].strip() for a, b in bounds if a <= span.start < b), "")
        out.append(Misattribution(fig, mine[0], tuple(dict.fromkeys(theirs)), where))
    return out


# --- all of them ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FormIssue:
    """One defect of form: the flag code (app/flags.py explains it in Japanese) and an English detail for logs."""

    code: FlagCode
    detail: str


def check_answer_form(
    answer: str, passages: Sequence[str] = (), question: str = "", titles: Sequence[str] = (),
) -> list[FormIssue]:
    """Every form defect of an answer, in a fixed order. `passages` are the texts the answer was written from
    (citation texts or context blocks), `titles` their document titles when known."""
    if marker_only(answer):
        return [FormIssue(FlagCode.MARKER_ONLY_ANSWER, f"no words, only markers/figures: {answer.strip()[:60]}")]
    if is_empty(answer):
        return [FormIssue(FlagCode.EMPTY_ANSWER, "empty answer")]
    issues: list[FormIssue] = []
    dump = passage_dump(answer, passages, titles)
    if dump is not None:
        why = (f"header line {dump.header[:60]!r}" if dump.header
               else f"{len(dump.runs)} pieces copied verbatim ({', '.join(map(str, dump.runs))} chars)")
        issues.append(FormIssue(FlagCode.PASSAGE_DUMP, f"passage dump: {why}"))
    if question and (echo := question_echo(answer, question)):
        issues.append(FormIssue(FlagCode.QUESTION_ECHO, f"question echoed: {echo[0][:80]}"))
    for m in misattributed_figures(answer, passages, titles):
        issues.append(FormIssue(FlagCode.MISATTRIBUTED_FIGURE,
                                f"{m.figure} given to {m.answer_entity}; passages: {', '.join(m.passage_entities)}"))
    if foreign := foreign_characters(answer, "".join(passages) + question):
        issues.append(FormIssue(FlagCode.NON_JAPANESE_CHARACTERS, f"non-Japanese characters: {''.join(foreign)}"))
    elif lacks_kana(MARKER.sub("", answer)):
        issues.append(FormIssue(FlagCode.NON_JAPANESE_CHARACTERS, "no kana: not Japanese"))
    return issues
