"""Find sentences and parentheticals that talk about a document rather than state a fact (`meta` spans).

Our corpus bodies say who wrote them and how sure they are: 「この文書は、…を dxhire がまとめたものです」, 「文書全体の
確からしさは「one-source」としています」, 「（複数の情報源で確認）」. On a held-out set such sentences were picked as
evidence and copied into answers (a passage that "supports" a question about 上限額 by saying it was checked in several
sources). They are marked at ingest (`ingest.annotate`), never selected as evidence nor sent to a model
(`Chunk.text_without`); the document kind and confidence still reach the sources panel from the front matter.

What counts as meta (patterns about "this document / its sources / its confidence", not a list of sentences):

- a sentence about the document itself: it opens with 「この文書」「本文書」, says what dxhire made of its sources
  (「dxhire が…まとめたものです」「dxhire の整理です」), that it is not the original (「ガイドブックの本文ではありません」
  「計画本文の引用ではありません」), how sure it is (one-source, 確からしさ, 確認の程度, 「1件の報道に基づく」,
  「複数の情報源で確認できています」) or what it leaves out (「…ため、ここには書いていません」);
- a parenthetical about sources: 「（1つの情報源のみ）」「（複数出典で確認）」「（個人のnote記事1件による）」
  「（これは dxhire の整理です）」 — only the parenthetical, the sentence around it is a fact and stays;
- a table cell of a confidence column (「複数で確認」「金額は1情報源」).

A sentence that carries a figure (560万円, 395人, 13.7%, 3日 …) is never marked as a whole: it states a fact, whatever
else it says. The sentence rules apply to our own corpus kinds only (the conventions are ours; an uploaded 「この資料は
…」 may be content); the parenthetical and table rules to every document.
"""

from __future__ import annotations

import re

from app.sentences import merge_spans, sentence_spans, strip_span

CORPUS_KINDS = frozenset({"guidebook-summary", "case", "support-scheme", "policy", "practice"})
"""Front-matter kinds of the shipped corpus (ingest.frontmatter.CorpusKind), whose bodies follow our conventions."""

"""Sentence end: the chunker's rule (ingest.chunking), so a marked sentence is exactly one the splitter yields."""

_SOURCE = r"(?:情報源|出典|報道|記事|資料|発信)"
_ONE = r"(?:1|１|一|ひと|単一)"
_FIGURE = re.compile(
    r"\d[\d,，.．]*\s*(?:万円|億円|円|万人|人|%|％|団体|市区町村|市町村|自治体|ポスト|ページ|時間|か月|ヶ月|日|回)|\d[.．]\d"
)
"""A figure that makes a sentence a fact (money, people, shares, durations). Years are not figures here: a provenance
sentence may name the year of what it summarises (「福山市が2017年度に行った公募について…」)."""

_SELF_OPEN = re.compile(r"^(?:[-*・]\s*)?(?:この|本)(?:文書|資料|メモ|要約|一覧|比較|表)(?:は|の|では|で|に)")
"""A sentence that opens by naming the document it is in."""

_POINTER = r"(?:これ|この|次の|上の|以下|[^。、]{0,90}?(?:欄|説明|一覧|例示|例|表|文書|資料)」?は)"
"""The subject of a sentence about part of the document: 「これは」「次の一覧は」「各類型の説明は」「…の欄は」."""

_SENTENCE_RULES = [
    # what dxhire made of its sources, said of (part of) the document: 「次の一覧は…dxhire が組み立てたものです」
    # 「…の欄は…dxhire の整理です」 (not 「…というのが dxhire の整理です」 / 「…と dxhire は考えます」: content)
    rf"^{_POINTER}[^。]*dxhire\s*(?:が|で)[^。]{{0,60}}?(?:まとめ|整理し|要約し|作成し|一覧にし|組み立て|具体化し|"
    r"比較し|書き出し|項目に分け)た(?:もの|要約|実務メモ|一般論)",
    rf"^{_POINTER}[^。]*dxhire\s*の(?:整理|推測|まとめ|要約|一般論|解釈|助言|提案)(?:です|であり|で、|を含み|にすぎ)",
    # not the original: 「ガイドブックの本文ではありません」「計画本文の引用ではなく」「様式を再現したものではありません」
    r"(?:本文|原文|条文)(?:の|や)?[^。、]{0,8}?(?:引用|要約|再現|写し)?(?:では|でも)(?:なく|ありません)",
    r"(?:再現した|引用した)もの(?:では|でも)(?:なく|ありません)",
    r"(?:公式の様式|ガイドブックの(?:記述|内容|一覧|面接手順|手順))(?:では|でも)(?:なく|ありません)",
    r"(?:この(?:表|比較|一覧)|ここに書いたこと|以下)は[^。]{0,30}(?:では|でも)(?:なく|ありません)",
    # confidence: one-source, 確からしさ, 確認の程度, 「1件の報道に基づく」「情報源は1件の記事だけ」
    r"one-source|確からしさ|確認の程度",
    rf"{_ONE}(?:件|つ)の{_SOURCE}(?:に基づ|にしか|だけ|のみ|による)",
    rf"{_SOURCE}(?:は|が)?{_ONE}件(?:の{_SOURCE})?(?:だけ|のみ|に基づ|による|から)",
    rf"(?:複数の|別の|複数){_SOURCE}(?:で|でも)(?:確認|裏付け)(?:でき|され|が取れ)",
    r"(?:その箇所|各段落|段落ごと)に[^。]{0,10}(?:注記|書いて|記して)",
    rf"単一の{_SOURCE}(?:に基づ|にしか|だけ|のみ|による)",
    r"(?:まとめた|整理した|作った|組み立てた)のは\s*dxhire",
    r"(?:この|本)文書(?:の|は|に|で)",
    # what the document leaves out and why: 「…ため、ここには書いていません」「人口は…ないため記載していません」
    r"(?:ため|ので)、?\s*(?:ここ(?:に|で)は)?\s*(?:\S{1,12}\s*は)?\s*(?:記載して|書いて|含めて|載せて)いません",
    # front-matter vocabulary in the body: 「as_of の日付は…」
    r"\bas_of\b|\bconfidence\b|front matter",
]
_SENTENCE_META = re.compile("|".join(f"(?:{p})" for p in _SENTENCE_RULES), re.IGNORECASE)

_PAREN = re.compile(r"[（(]((?:[^（()）\n]|[（(][^（()）\n]*[)）]){1,120})[)）]")
"""A parenthetical, one level of nesting allowed (「（総務省の案内サイト（dx-navi）1件による）」)."""
_PAREN_META = re.compile(
    rf"{_SOURCE}(?:[^（()）]{{0,4}}){_ONE}件|情報源|出典|{_ONE}つの{_SOURCE}|複数の?{_SOURCE}?で確認|dxhire|"
    r"一般論|推測を含|(?:本文|記述)(?:では|でも)(?:なく|ありません)"
)

_STRONG_FIGURE = re.compile(r"\d[\d,，.．]*\s*(?:万円|億円|円|万人|人|%|％|団体|市区町村|市町村|ポスト)|\d[.．]\d")
"""A figure that keeps a parenthetical (「（国会答弁では措置率0.5と説明）」); a date alone does not (「（地方財政審議会、
2022年11月18日。単一出典）」 is an attribution)."""

_CELL = re.compile(r"(?<=\|)([^|\n]+)(?=\|)")
_CELL_META = re.compile(
    rf"^\s*(?=[^|]*(?:情報源|出典|確認|確からしさ))(?:確認の程度|確からしさ|(?:[^|、]{{0,10}}は)?(?:複数|{_ONE}|単一)(?:つの)?"
    rf"(?:{_SOURCE}|で確認)?(?:、[^|、]{{0,10}}は(?:複数|{_ONE}|単一)(?:つの)?(?:{_SOURCE}|で確認)?)*)"
    r"\s*(?:[（(][^|()（）]{0,30}[)）])?\s*$"
)
"""A cell of a confidence column: 「複数で確認」「1情報源」「金額は複数、要件は1情報源」, and the column's header."""


def is_meta_sentence(sentence: str) -> bool:
    """True for a sentence about the document, its sources or its confidence (see the module docstring).

    Parentheticals are left out before the rules run: 「…とされています（1つの情報源のみ）。」 is a fact with a note
    about its source, and only the note is meta (`_parentheticals`)."""
    s = _PAREN.sub("", sentence).strip()
    if not s or s.startswith("|") or _FIGURE.search(sentence):
        return False
    return bool(_SELF_OPEN.search(s) or _SENTENCE_META.search(s))


def about_sources(sentence: str) -> bool:
    """The sentence speaks of the material's sources or confidence (「…は個人のnote記事1件から分かっています」), even
    when it also carries figures: never what a synthesis should say (the sources panel shows provenance)."""
    return bool(_SENTENCE_META.search(_PAREN.sub("", sentence)))


def _parentheticals(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _PAREN.finditer(text)
            if _PAREN_META.search(m.group(1)) and not _STRONG_FIGURE.search(m.group(1))]


def _table_cells(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for line in text.split("\n"):
        if line.lstrip().startswith("|"):
            for m in _CELL.finditer(line):
                if _CELL_META.match(m.group(1)):
                    spans.append(strip_span(text, pos + m.start(), pos + m.end()))
        pos += len(line) + 1
    return spans


def meta_spans(text: str, doc_kind: str = "document") -> list[tuple[int, int]]:
    """Character ranges `[start, end)` of `text` that are about the document, not facts; [] when there are none.

    The detector contract of `ingest.annotate` (registered under the `meta` span kind)."""
    spans: list[tuple[int, int]] = []
    if doc_kind in CORPUS_KINDS:
        spans.extend((a, b) for a, b in sentence_spans(text) if is_meta_sentence(text[a:b]))
    spans.extend(_parentheticals(text))
    spans.extend(_table_cells(text))
    return [s for s in merge_spans(spans) if s[1] > s[0]]


def meta_texts(text: str, doc_kind: str = "document") -> list[str]:
    """The marked pieces themselves (tests, reports)."""
    return [text[a:b] for a, b in meta_spans(text, doc_kind)]
