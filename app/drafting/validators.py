"""Checks run on every draft; each problem becomes a `DraftCheck` (a flag code of app/flags.py), never an exception.

Every amount, number with a unit, date and 法令名 in a fact-checked section must occur in the profile, in a passage
that section cites, or among the template's own words (報酬条例 in the pay line, 1か月 in a period label). What the
model wrote is also checked for characters outside Japanese usage, English words and profile words it altered
(窓口→窗口); every section for repeated or circular lines, and question sections for a question.
"""

from __future__ import annotations

import re
import unicodedata

from app.checks.answer_form import foreign_characters
from app.drafting.interview import MAX_MINUTES, MIN_MINUTES
from app.drafting.kinds import kind_info
from app.drafting.knowledge import knowledge
from app.drafting.profile import MunicipalityProfile
from app.drafting.textcheck import (
    altered_terms,
    foreign_words,
    has_question,
    profile_terms,
    repeated_lines,
)
from app.flags import FlagCode
from app.schemas import Draft, DraftCheck, DraftSection

_MARKER = re.compile(r"\[\d+(?:[,，、]\d+)*\]")
_UNITS = (r"万円|億円|千円|円|％|%|か月|ヶ月|カ月|箇月|年度|年間|年|月|日間|日|時間|分|人|名|件|回|歳|団体|市町村|条|項|号")
_NUMBER = re.compile(rf"(\d[\d,]*(?:\.\d+)?)\s*({_UNITS})")
_AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(億|万|千)?円")
_ERA = re.compile(r"(令和|平成|昭和)\s*(\d+|元)\s*年")
_LAW = re.compile(r"[一-龥ぁ-んァ-ヶー・]{2,30}?(?:に関する法律|法律|条例|施行令|施行規則|規則|政令|省令|法)(?![一-龥])")
_NOT_LAWS = ("方法", "手法", "用法", "文法", "作法", "寸法", "工法", "論法", "技法", "製法", "話法", "療法", "司法", "合法",
             "違法", "法人", "規則的", "不規則")
_PARTICLE = re.compile(r"には|[はがをでともへやか]")
"""A law's name has no topic/case particles (の and に関する do occur): the match starts after the last one."""
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
    laws = {_PARTICLE.split(m)[-1] for m in _LAW.findall(text)}
    laws = {m for m in laws if len(m) >= 2 and not any(m.endswith(w) or m == w for w in _NOT_LAWS)}
    return amounts, numbers, laws


def unsupported_facts(section: DraftSection, profile_text: str, template_terms: tuple[str, ...] = ()) -> list[str]:
    """Amounts, numbers, dates and 法令名 of the section found neither in the profile, nor in its cited passages,
    nor among `template_terms` (the template's own words, which are labels, not claims)."""
    haystack = "\n".join([profile_text, *(c.text for c in section.citations), *template_terms])
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


def style_hint(draft: Draft) -> DraftCheck | None:
    """公用文: one register per document. Tables and bullet fragments carry no sentence ending and are ignored."""
    text = _MARKER.sub("", "\n".join(s.body for s in draft.sections))
    endings = [e.strip() for e in re.split(r"[。．]", text)[:-1]]
    teinei = sum(1 for e in endings if _TEINEI.search(e))
    dearu = sum(1 for e in endings if not _TEINEI.search(e) and _DEARU.search(e))
    if teinei and dearu and min(teinei, dearu) >= max(2, 0.2 * (teinei + dearu)):
        return DraftCheck(code=FlagCode.DRAFT_STYLE_MIX, detail=f"です・ます {teinei}文／である {dearu}文")
    return None


def time_sum_problem(section: DraftSection, minutes: int | None) -> str | None:
    """The time table's rows must add up to its 合計 row and to the chosen interview length (None = fine)."""
    rows = [line for line in section.body.splitlines() if line.startswith("|") and "分" in line]
    total_rows = [r for r in rows if "合計" in r]
    parts = [r for r in rows if "合計" not in r]
    values = [int(m.group(1)) for r in parts if (m := re.search(r"(\d+)\s*分", _norm(r)))]
    stated = int(m.group(1)) if total_rows and (m := re.search(r"(\d+)\s*分", _norm(total_rows[0]))) else None
    expected = minutes if minutes is not None else stated
    if expected is None or not values:
        return "時間配分の表が見つかりません"
    if not MIN_MINUTES <= expected <= MAX_MINUTES:
        return f"面接時間 {expected}分 は範囲外です"
    if sum(values) != expected or (stated is not None and stated != expected):
        return f"合計 {sum(values)}分／面接時間 {expected}分"
    return None


def text_checks(section: DraftSection, profile: MunicipalityProfile, known: str) -> list[DraftCheck]:
    """Script, altered profile words and English in a section; the stricter JIS-level check runs on what the
    model wrote (composed text is the tables' and the profile's own words)."""
    out: list[DraftCheck] = []
    title = section.title
    foreign = foreign_characters(section.body)
    for text in section.generated:
        foreign += [c for c in foreign_characters(text, known) if c not in foreign]
    if foreign:
        out.append(DraftCheck(code=FlagCode.NON_JAPANESE_CHARACTERS, section=title, detail="・".join(foreign)))
    if altered := altered_terms(section.body, profile_terms(profile)):
        out.append(DraftCheck(code=FlagCode.DRAFT_ALTERED_TERM, section=title,
                              detail="、".join(f"{a}→{b}" for a, b in altered)))
    words = [w for text in section.generated for w in foreign_words(text, known)]
    if words:
        out.append(DraftCheck(code=FlagCode.NON_JAPANESE_CHARACTERS, section=title, detail=" ".join(words)))
    return out


def validate_draft(draft: Draft, profile: MunicipalityProfile, interview_minutes: int | None = None,
                   vouched: dict[str, list[str]] | None = None) -> list[DraftCheck]:
    """Every check of a finished draft. `vouched`: per section, table facts shown without a passage (already
    reported as `draft_no_source`); their figures are not reported a second time as inventions."""
    info = kind_info(draft.kind)
    checks: list[DraftCheck] = []
    titles = [s.title for s in draft.sections]
    for spec in info.specs:
        if spec.title not in titles:
            checks.append(DraftCheck(code=FlagCode.DRAFT_MISSING_SECTION, section=spec.title))
    profile_text = profile.facts_text()
    template_terms = knowledge().template_terms
    for section in draft.sections:
        spec = info.spec(section.title)
        known = "\n".join([profile_text, *(c.text for c in section.citations)])
        if not section.body.strip():
            checks.append(DraftCheck(code=FlagCode.DRAFT_EMPTY_SECTION, section=section.title))
        checks += text_checks(section, profile, known)
        echo = (section.title, profile.role_sought or "")
        if repeated := [r for text in section.generated for r in repeated_lines(text, echo)]:
            checks.append(DraftCheck(code=FlagCode.DRAFT_REPEATED_LINES, section=section.title,
                                     detail=" ／ ".join(r[:40] for r in repeated[:3])))
        if spec is not None and spec.questions and not has_question(section.body):
            checks.append(DraftCheck(code=FlagCode.DRAFT_NO_QUESTION, section=section.title))
        if spec is not None and not spec.fact_check:
            continue
        own = (*template_terms, *(vouched or {}).get(section.title, []))
        if bad := unsupported_facts(section, profile_text, own):
            checks.append(DraftCheck(code=FlagCode.DRAFT_UNSUPPORTED_FACTS, section=section.title, detail="、".join(bad)))
    if draft.kind == "interview":
        table = next((s for s in draft.sections if s.title.startswith("面接の構成")), None)
        if table is not None and (problem := time_sum_problem(table, interview_minutes)):
            checks.append(DraftCheck(code=FlagCode.DRAFT_TIME_SUM, section=table.title, detail=problem))
    if hint := style_hint(draft):
        checks.append(hint)
    return checks


def warning_line(check: DraftCheck) -> str:
    """The `Draft.warnings` string of a check (kept for --json and older readers): Japanese, then the code."""
    from app.drafting.export import explain

    return f"{explain(check)} / {check.code}"
