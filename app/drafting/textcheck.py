"""Text checks for what the model writes in a draft: a profile word the model altered (窓口→窗口), English words,
repeated or circular lines, question sections without a question.

Characters outside Japanese usage are `app.checks.answer_form.foreign_characters` (cp932, and rare kanji inside
words the dictionary does not know). A one-character change to a word the user typed, where the new character is
such a foreign one, is reported as an altered term, so the user sees which of their words was changed.
"""

from __future__ import annotations

import re
import unicodedata

from app.answer.grounding import support
from app.checks.answer_form import foreign_characters
from app.drafting.profile import MunicipalityProfile

_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_TERM = re.compile(r"[\u3400-\u9fff\u30a0-\u30ffー]{2,}")
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9/]*")
KNOWN_ASCII = frozenset({"DX", "IT", "ICT", "AI", "RPA", "BPR", "CIO", "CDO", "CxO", "UI", "UX", "UI/UX", "SNS", "PM",
                         "PR", "NPO", "OJT", "KPI", "CIO補佐官"})
_GENERIC = frozenset({"業務", "課題", "対応", "確認", "時間", "担当", "必要", "実施", "推進", "状況", "関係", "利用", "活用",
                      "検討", "整理", "職員", "住民", "事業", "情報", "取組", "導入", "経験", "知識"})


def profile_terms(profile: MunicipalityProfile) -> list[str]:
    """The user's own content words (kanji/katakana runs of 2+ characters), most specific first."""
    texts = [*profile.issues, *profile.departments, profile.role_sought or "", profile.short_name,
             profile.current_dx_staff or ""]
    terms: list[str] = []
    for text in texts:
        for m in _TERM.findall(text):
            if m not in _GENERIC and m not in terms and m != "本団体":
                terms.append(m)
    return sorted(terms, key=len, reverse=True)


def altered_terms(text: str, terms: list[str]) -> list[tuple[str, str]]:
    """(the user's word, the form in `text`) where `text` has the word with one kanji swapped for a character
    outside Japanese usage or another kanji of the same shape family: 窓口 → 窗口."""
    out: list[tuple[str, str]] = []
    for term in terms:
        if term in text:
            continue
        for i, ch in enumerate(term):
            if not _KANJI.match(ch):
                continue
            pattern = re.escape(term[:i]) + r"([\u3400-\u9fff])" + re.escape(term[i + 1:])
            for m in re.finditer(pattern, text):
                other = m.group(1)
                if other != ch and other in foreign_characters(m.group(0)):
                    pair = (term, m.group(0))
                    if pair not in out:
                        out.append(pair)
    return out


def foreign_words(text: str, known: str = "") -> list[str]:
    """ASCII words that are neither common abbreviations nor in `known` (English where Japanese belongs)."""
    text = re.sub(r"\[\d+\]", "", unicodedata.normalize("NFKC", text))
    return [w for w in dict.fromkeys(_ASCII_WORD.findall(text)) if w not in KNOWN_ASCII and w not in known]


_LINE_NOISE = re.compile(r"^[\s\-*・>0-9.、)）\[\]]+|\*\*|\[\d+\]|[\s。、]")


def repeated_lines(body: str, echo: tuple[str, ...] = ()) -> list[str]:
    """Lines said twice in a section, and lines that only restate one of `echo` (the title, the role): circular."""
    seen: set[str] = set()
    out: list[str] = []
    for line in body.splitlines():
        if line.lstrip().startswith("|"):
            continue
        key = _LINE_NOISE.sub("", line)
        if len(key) < 8:
            continue
        if key in seen or any(e and support(key, e) >= 0.8 and len(key) <= len(_LINE_NOISE.sub("", e)) + 6
                              for e in echo):
            out.append(line.strip())
        seen.add(key)
    return out


def has_question(body: str) -> bool:
    return any(re.search(r"[？?]\s*(\[\d+\])*\s*$", line) for line in body.splitlines())
