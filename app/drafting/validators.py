"""Checks run on every draft; each problem becomes a warning line, never an exception.

The embedded model invents plausible numbers (月額50万円) and law names, so every amount, number with a unit,
date and 法令名 in a fact-checked section must occur in the profile or in a passage that section cites.
"""

from __future__ import annotations

import re
import unicodedata

from app.answer.grounding import foreign_characters
from app.drafting.interview import MAX_MINUTES, MIN_MINUTES
from app.drafting.profile import MunicipalityProfile
from app.drafting.sections import SPECS, spec_for
from app.schemas import Draft, DraftSection

_MARKER = re.compile(r"\[\d+(?:[,，、]\d+)*\]")
_UNITS = (r"万円|億円|千円|円|％|%|か月|ヶ月|カ月|箇月|年度|年間|年|月|日間|日|時間|分|人|名|件|回|歳|団体|市町村|条|項|号")
_NUMBER = re.compile(rf"(\d[\d,]*(?:\.\d+)?)\s*({_UNITS})")
_AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(億|万|千)?円")
_ERA = re.compile(r"(令和|平成|昭和)\s*(\d+|元)\s*年")
_LAW = re.compile(r"[一-龥ぁ-んァ-ヶー・]{2,30}?(?:に関する法律|法律|条例|施行令|施行規則|規則|政令|省令|法)(?![一-龥])")
_NOT_LAWS = ("方法", "手法", "用法", "文法", "作法", "寸法", "工法", "論法", "技法", "製法", "話法", "療法", "司法", "合法",
             "違法", "法人", "規則的", "不規則")
_TEINEI = re.compile(r"(です|ます|でした|ました|ません|ください|でしょう|ましょう)[）)」]*$")
_DEARU = re.compile(r"(である|であった|だ|だった|た|ない|[うくすつぬむるぐぶ])[）)」]*$")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _yen(value: str, scale: str | None) -> int:
    n = float(value.replace(",", ""))
    return int(n * {"億": 100_000_000, "万": 10_000, "千": 1_000}.get(scale or "", 1))


def facts(text: str) -> tuple[set[int], set[tuple[str, str]], set[str]]:
    """(amounts in yen, (number, unit) pairs, 法令名) found in a text."""
    text = _norm(_MARKER.sub("", text))
    amounts = {_yen(v, s) for v, s in _AMOUNT.findall(text)}
    numbers = {(v.replace(",", ""), u) for v, u in _NUMBER.findall(text) if not u.endswith("円")}
    numbers |= {(v, "era") for _, v in _ERA.findall(text)}
    laws = {m for m in _LAW.findall(text) if not any(m.endswith(w) or m == w for w in _NOT_LAWS)}
    return amounts, numbers, laws


def unsupported_facts(section: DraftSection, profile_text: str) -> list[str]:
    """Amounts, numbers, dates and 法令名 of the section found neither in the profile nor in its cited passages."""
    haystack = "\n".join([profile_text, *(c.text for c in section.citations)])
    h_amounts, h_numbers, _ = facts(haystack)
    h_norm = _norm(haystack)
    amounts, numbers, laws = facts(section.body)
    problems = [f"{a:,}円" for a in sorted(amounts - h_amounts)]
    for value, unit in sorted(numbers - h_numbers):
        if unit == "era":
            problems.append(f"令和/平成{value}年")
        elif f"{value}{unit}" not in h_norm:  # 「3年」 is backed by 「3年間」; a bare 3 elsewhere backs nothing
            problems.append(f"{value}{unit}")
    problems += sorted(law for law in laws if law not in h_norm)
    return problems


def style_hint(draft: Draft) -> str | None:
    """公用文: one register per document. Tables and bullet fragments carry no sentence ending and are ignored."""
    text = _MARKER.sub("", "\n".join(s.body for s in draft.sections))
    endings = [e.strip() for e in re.split(r"[。．]", text)[:-1]]
    teinei = sum(1 for e in endings if _TEINEI.search(e))
    dearu = sum(1 for e in endings if not _TEINEI.search(e) and _DEARU.search(e))
    if teinei and dearu and min(teinei, dearu) >= max(2, 0.2 * (teinei + dearu)):
        return (f"文体: です・ます調（{teinei}文）とである調（{dearu}文）が混在しています。公用文ではどちらかに統一してください / "
                "mixed registers (です・ます and である); use one")
    return None


def time_sum_problem(section: DraftSection, minutes: int | None) -> str | None:
    """The time table's rows must add up to its 合計 row and to the chosen interview length."""
    rows = [line for line in section.body.splitlines() if line.startswith("|") and "分" in line]
    total_rows = [r for r in rows if "合計" in r]
    parts = [r for r in rows if "合計" not in r]
    values = [int(m.group(1)) for r in parts if (m := re.search(r"(\d+)\s*分", _norm(r)))]
    stated = int(m.group(1)) if total_rows and (m := re.search(r"(\d+)\s*分", _norm(total_rows[0]))) else None
    expected = minutes if minutes is not None else stated
    if expected is None or not values:
        return "面接の構成: 時間配分の表が見つかりません / no time table found"
    if not MIN_MINUTES <= expected <= MAX_MINUTES:
        return f"面接の構成: 面接時間 {expected}分 は範囲外です / interview length out of range"
    if sum(values) != expected or (stated is not None and stated != expected):
        return f"面接の構成: 時間配分の合計 {sum(values)}分 が面接時間 {expected}分 と一致しません / time allocation does not sum"
    return None


def validate_draft(draft: Draft, profile: MunicipalityProfile, interview_minutes: int | None = None) -> list[str]:
    warnings: list[str] = []
    titles = [s.title for s in draft.sections]
    for spec in SPECS[draft.kind]:
        if spec.title not in titles:
            warnings.append(f"必須の節がありません: 「{spec.title}」 / required section missing")
    profile_text = profile.facts_text()
    for section in draft.sections:
        if not section.body.strip():
            warnings.append(f"「{section.title}」: 本文が空です / empty section")
        if foreign := foreign_characters(section.body):
            warnings.append(f"「{section.title}」: 日本語にない漢字 {'・'.join(foreign)}（簡体字など。直してください） / "
                            "characters outside Japanese (simplified Chinese?)")
        spec = spec_for(draft.kind, section.title)
        if spec is not None and not spec.fact_check:
            continue
        bad = unsupported_facts(section, profile_text)
        if bad:
            warnings.append(f"「{section.title}」: 根拠のない数値・法令名 {'、'.join(bad)}（プロファイルにも引用資料にもありません。"
                            f"要確認） / unsupported figures or law names")
    if draft.kind == "interview":
        table = next((s for s in draft.sections if s.title.startswith("面接の構成")), None)
        if table is not None and (problem := time_sum_problem(table, interview_minutes)):
            warnings.append(problem)
    if hint := style_hint(draft):
        warnings.append(hint)
    return warnings
