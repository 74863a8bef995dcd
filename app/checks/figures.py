"""Figures in Japanese text, written one way: 2万5千円 = 25,000円 = ¥25,000, 令和4年度 = 2022年度, 四つ = 4つ.

A fact and an answer state the same figure in many spellings (「日額2万5,000円」「1日当たり2万5千円」, 「令和2年12月」
「2020年12月」, 「約62ページ」「62ページ程度」). Both the evals' statement matcher and the answer-form checks compare
figures, so the spelling is normalised once, here, and each figure is read as (value, unit class).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_KANJI_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1_000}
_LARGE = {"万": 10_000, "億": 100_000_000, "兆": 1_000_000_000_000}

_COUNTER = (
    r"か月|ヶ月|ヵ月|カ月|箇月|か所|ヶ所|箇所|年度|年間|時間|ページ|段階|類型|種類|項目|団体|市町村|市町|都道府県|"
    r"パーセント|%|つ|人|名|年|月|日|回|件|割|倍|円|頁|歳|週|分|点|社|県|市|町|村|章|節|条|項|号|期|次|代|校|課|度"
)
_RUN = re.compile(r"[0-9〇零一二三四五六七八九十百千万億兆.]+")
_HAS_DIGIT = re.compile(r"[0-9〇零一二三四五六七八九]")
_ARABIC = re.compile(r"[0-9]")
_COUNTER_AFTER = re.compile(rf"(?:{_COUNTER})")
_PREFIX_OK = set("第約計全各毎月年週日前後・、。，,（(「『【 \n/:：〜~-ー")
"""A kanji numeral right after one of these is a number (第三, 約五百人); after another kanji it is part of a word
(統一, 唯一, 同一人物)."""

_DIGIT_COMMA = re.compile(r"(?<=\d)[,，](?=\d{3}(?:\D|$))")
_ERA = re.compile(r"(令和|平成|昭和)\s*(\d+|元)\s*年")
_ERA_BASE = {"令和": 2018, "平成": 1988, "昭和": 1925}
_FY = re.compile(r"FY\s*(\d{4})", re.IGNORECASE)
_YEN_PREFIX = re.compile(r"[¥￥]\s*(\d+(?:\.\d+)?)(?!\s*円)")
_FRACTION = re.compile(r"(\d+)\s*分の\s*(\d+)")
_APPROX_BEFORE = re.compile(r"(?:約|およそ|概ね|おおむね)\s*(?=\d)")
_APPROX_AFTER = re.compile(rf"(?<=\d)((?:{_COUNTER})?)\s*(?:程度|ほど|前後|余り)")
_PER_UNIT = [
    (re.compile(r"(?<![\d.])1\s*(人|団体|件|市町村|自治体|社)\s*(?:当たり|あたり|当り)"), r"\1当たり"),
    (re.compile(r"1\s*日\s*(?:当たり|あたり|当り)|日当たり|日あたり"), "日額"),
    (re.compile(r"1\s*か月\s*(?:当たり|あたり|当り)|月当たり|月あたり"), "月額"),
    (re.compile(r"1\s*年\s*(?:当たり|あたり|当り)|年当たり|年あたり"), "年額"),
]
_HALF = re.compile(r"半分|半額")
_MONTHS = re.compile(r"(?<=\d)\s*(?:ヶ月|ヵ月|カ月|箇月|ケ月)")


def _kanji_number(run: str) -> int | float | None:
    """Value of a numeral run mixing arabic and kanji digits and multipliers (2万5千, 二十, 81百万, 三千)."""
    total, section, current = 0, 0, None
    digits = ""
    for ch in run + "$":
        if ch.isdigit() or ch == "." or ch in _KANJI_DIGIT:
            digits += str(_KANJI_DIGIT.get(ch, ch))
            continue
        if digits:
            try:
                current = float(digits) if "." in digits else int(digits)
            except ValueError:
                return None
            digits = ""
        if ch in _SMALL:
            section += (current if current is not None else 1) * _SMALL[ch]
            current = None
        elif ch in _LARGE:
            section += current or 0
            total += (section or 1) * _LARGE[ch]
            section, current = 0, None
    value = total + section + (current or 0)
    return int(value) if float(value).is_integer() else round(value, 6)


def _numerals(text: str) -> str:
    out, pos = [], 0
    for m in _RUN.finditer(text):
        run = m.group(0).strip(".")
        if not run or not _HAS_DIGIT.search(run) or run.isdigit() or re.fullmatch(r"\d+\.\d+", run):
            continue
        after = text[m.end() : m.end() + 4]
        before = text[m.start() - 1] if m.start() else " "
        kanji_only = not _ARABIC.search(run)
        if kanji_only:
            counted = bool(_COUNTER_AFTER.match(after))
            compound = any(ch in _SMALL or ch in _LARGE for ch in run) and len(run) > 1
            if "\u4e00" <= before <= "\u9fff" and before not in _PREFIX_OK:
                continue  # 統一, 唯一, 同一人物
            if not (counted or compound) or (run == "十" and after.startswith("分")):
                continue  # 一般, 一部, 十分な
        value = _kanji_number(run)
        if value is None:
            continue
        out.append(text[pos : m.start()])
        out.append(str(value))
        pos = m.start() + len(run)
    out.append(text[pos:])
    return "".join(out)


def _era(match: re.Match[str]) -> str:
    n = 1 if match.group(2) == "元" else int(match.group(2))
    return f"{_ERA_BASE[match.group(1)] + n}年"


@lru_cache(maxsize=65536)
def canonical(text: str) -> str:
    """NFKC; numerals as arabic integers (2万5千 → 25000, 四つ → 4つ, 1,140万 → 11400000); 令和/平成/昭和 years
    as western years; FY2024 → 2024年度; 2分の1, 半分 → 1/2 (the figure 0.5); ヶ月 → か月; 1日当たり → 日額; 約/程度 dropped before/after
    a figure; 1人当たり → 人当たり (a rate, not a figure). Punctuation and spaces are kept so sentences can still be split."""
    text = unicodedata.normalize("NFKC", text)
    text = _DIGIT_COMMA.sub("", text)
    text = _numerals(text)
    text = _FY.sub(lambda m: f"{m.group(1)}年度", text)
    text = _ERA.sub(_era, text)
    text = _YEN_PREFIX.sub(lambda m: f"{m.group(1)}円", text)
    text = _FRACTION.sub(lambda m: f"{m.group(2)}/{m.group(1)}", text)
    text = _HALF.sub("1/2", text)
    text = _MONTHS.sub("か月", text)
    for pattern, repl in _PER_UNIT:
        text = pattern.sub(repl, text)
    text = _APPROX_BEFORE.sub("", text)
    return _APPROX_AFTER.sub(lambda m: m.group(1), text)


# --- figures as (value, unit) ----------------------------------------------------------------------------------

UNIT_CLASS: dict[str, str] = {
    "円": "円", "人": "人", "名": "人", "年度": "年", "年": "年", "年間": "年間", "か月": "か月", "月": "月", "日": "日",
    "時間": "時間", "回": "回", "ページ": "ページ", "頁": "ページ", "%": "%", "パーセント": "%", "割": "割", "倍": "倍",
    "件": "件", "団体": "団体", "市町村": "団体", "市町": "団体", "つ": "個", "個": "個", "段階": "個", "類型": "個",
    "種類": "個", "項目": "個", "ステップ": "個", "歳": "歳", "週": "週", "分": "分", "社": "社", "か所": "か所",
    "箇所": "か所", "章": "章", "条": "条", "項": "項", "号": "号", "点": "点",
}
"""Spellings of a unit mapped to one class: 779人 = 779名; 2022年度 and 2022年 name the same year."""

_UNITS = sorted(UNIT_CLASS, key=len, reverse=True)
_FIGURE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?(?:/\d+)?)\s*(" + "|".join(map(re.escape, _UNITS)) + r")?")


@dataclass(frozen=True)
class Figure:
    """A figure as compared: the value written plainly ("25000", "0.5", "1/2") and its unit class ("" = bare)."""

    value: str
    unit: str = ""

    def __str__(self) -> str:
        return f"{self.value}{self.unit}"

    def satisfied_by(self, other: Figure) -> bool:
        """Same value, and the same unit class unless one side is bare (「措置率0.5」 = 「0.5」)."""
        return self.value == other.value and (not self.unit or not other.unit or self.unit == other.unit)


@dataclass(frozen=True)
class FigureSpan:
    figure: Figure
    start: int
    end: int


def _value(raw: str) -> str:
    if "/" in raw:
        num, den = raw.split("/")
        if float(den) == 0:
            return raw
        value = float(num) / float(den)  # 2分の1 = 1/2 = 0.5: a rate written either way is one figure
        return str(int(value)) if value.is_integer() else str(round(value, 4))
    value = float(raw)
    return str(int(value)) if value.is_integer() else str(value)


def figure_spans(canonical_text: str) -> list[FigureSpan]:
    """Figures of a text that is already `canonical`, with their character spans in it."""
    return [FigureSpan(Figure(_value(m.group(1)), UNIT_CLASS.get(m.group(2) or "", "")), m.start(), m.end())
            for m in _FIGURE.finditer(canonical_text)]


def figures(text: str) -> list[Figure]:
    """Every figure of `text` after canonicalisation, in order (「2万5千円」 → [Figure('25000', '円')])."""
    return [s.figure for s in figure_spans(canonical(text))]


def missing_figures(need: list[Figure], have: list[Figure]) -> list[Figure]:
    """Figures of `need` that no figure of `have` satisfies."""
    return [f for f in need if not any(f.satisfied_by(h) for h in have)]
