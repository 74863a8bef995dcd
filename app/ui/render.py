"""How answers, sources, drafts, documents and settings are shown: pure functions from core objects to Markdown/rows.

Kept apart from the Gradio wiring so the presentation can be tested without a browser. Text that came from a
document, a file name or a model goes through `escape_md` before it reaches Markdown (HTML tags, entities and the
Markdown punctuation that makes links, code spans or emphasis), so a passage or a hostile file name such as
``x`<img src=x onerror=…>`.md`` cannot put markup into the page. Table cells (`document_rows`, `ingest_rows`) are
plain text: Gradio's Dataframe shows `str` cells as text, so they are never escaped twice.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

from app.config import Settings
from app.flags import SEVERITY_ICON
from app.flags import visible as visible_flags
from app.schemas import KIND_LABELS_JA, Answer, Citation, Draft, Evidence

NO_SOURCES_JA = "（根拠として示せる資料はありません）"
INSTRUCTION_NOTE_JA = "⚠️ この資料にはAIへの指示のような文が含まれています。その文は回答の作成に使っていません。"
SOURCES_HEADER = "### 根拠資料"
SOURCES_PLACEHOLDER = f"{SOURCES_HEADER}\n\n質問すると、ここに根拠が表示されます。"
SOURCES_WORKING = f"{SOURCES_HEADER}\n\n検索・回答を生成しています…"
HIGHLIGHT_NOTE_JA = "<mark>色付きの部分</mark>が、回答の根拠にした文です。"
EVIDENCE_HEADER_JA = "資料の該当箇所"
SYNTHESIS_HEADER_JA = "まとめ"
SYNTHESIS_WORKING_JA = "まとめを作成しています…"
PASSAGE_LIMIT = 400
"""Characters of a passage shown in the sources panel; a longer one is cut to a window around its highlight."""

_MARKER = re.compile(r"\[(\d{1,2})\]")
_ESCAPED_MARKER = re.compile(r"\\\[(\d{1,2})\\\]")
_BLOCK_START = re.compile(r"^(?:([-*+#>])|(\d+)\.)")
_MD_PUNCT = re.compile(r"([\\`*_\[\]~|$])")


def escape_md(text: str) -> str:
    """Text from a document, a file name or a model, made inert for Gradio's Markdown: no raw HTML (`<`, `>`, `&` as
    entities) and no Markdown syntax (code spans, links, emphasis, tables, LaTeX). Renders as the same characters."""
    return _MD_PUNCT.sub(r"\\\1", html.escape(text, quote=False))


def kind_label(kind: str) -> str:
    """要約 / 公式PDF / 事例 …: a summary written by us must never look like the guidebook's own words."""
    return KIND_LABELS_JA.get(kind, kind)


def location(page: int | None, heading: str, title: str = "") -> str:
    """`p.12（見出し）` for PDFs, the heading path otherwise, '' when neither is known. With `title`, a first heading
    that only repeats it (the document's own H1, often with other-width brackets) is left out."""
    parts = [p.strip() for p in heading.split(" > ") if p.strip()]
    if title and parts and unicodedata.normalize("NFKC", parts[0]) == unicodedata.normalize("NFKC", title):
        heading = " > ".join(parts[1:])
    if page is not None:
        return f"p.{page}" + (f"（{heading}）" if heading else "")
    return heading


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _inert_start(escaped: str) -> str:
    """A passage opening "- …" or "1. …" is quoted text, not a list."""
    return _BLOCK_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\.", escaped)


def _quote(text: str, limit: int = PASSAGE_LIMIT) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit] + "…"
    return "> " + _inert_start(escape_md(text))


GAP_LIMIT = 120
"""Unmarked text between two highlights of one passage longer than this is shortened to its ends around 「…」."""


def _context(before: str, after: str, middle: int, limit: int) -> tuple[str, str]:
    """Cut `before`/`after` so they fit, with the highlighted middle (`middle` characters, kept whole), in about
    `limit` characters: as much context on each side as fits, at least some around a long highlight; cuts are
    shown with 「…」."""
    if len(before) + middle + len(after) <= limit:
        return before, after
    room = max(limit - middle, GAP_LIMIT)
    keep_before = min(len(before), room // 2)
    keep_after = min(len(after), room - keep_before)
    keep_before = min(len(before), room - keep_after)  # what `after` did not need goes to `before`
    if keep_before < len(before):
        before = "…" + before[len(before) - keep_before:]
    if keep_after < len(after):
        after = after[:keep_after] + "…"
    return before, after


def _merged(spans: list[tuple[int, int, str]], length: int) -> list[tuple[int, int, str]]:
    """Valid `[start, end)` spans (with their label) of a text of `length`, sorted, overlapping ones joined
    (adjacent ones stay apart: each keeps its own number)."""
    out: list[tuple[int, int, str]] = []
    for a, b, label in sorted(s for s in spans if 0 <= s[0] < s[1] <= length):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]), out[-1][2] + label)
        else:
            out.append((a, b, label))
    return out


def passage_markdown(text: str, highlights: tuple[int, int] | list[tuple[int, int]] | None,
                     limit: int = PASSAGE_LIMIT, labels: list[int] | None = None) -> str:
    """The cited passage as a quote, each evidence sentence (`highlights`, spans of `text`) wrapped in `<mark>`
    (every part escaped), cut to a window around the highlights when the passage is long. With `labels` (the
    citation number of each highlight), each mark opens with its bold `[n]`: one card, several sentences."""
    listed = [highlights] if isinstance(highlights, tuple) else list(highlights or [])
    tags = [f"<b>[{n}]</b> " for n in labels] if labels and len(labels) == len(listed) else [""] * len(listed)
    spans = _merged([(a, b, tag) for (a, b), tag in zip(listed, tags, strict=True)], len(text))
    if not spans:
        return _quote(text, limit)
    parts: list[tuple[str, bool]] = []  # (text, marked), plain and marked alternating
    label_of: dict[int, str] = {}
    pos = 0
    for a, b, tag in spans:
        label_of[len(parts) + 1] = tag
        parts += [(_squash(text[pos:a]), False), (_squash(text[a:b]).strip(), True)]
        pos = b
    parts.append((_squash(text[pos:]).rstrip(), False))
    parts[0] = (parts[0][0].lstrip(), False)
    for i in range(2, len(parts) - 1, 2):  # the text between two highlights
        gap = parts[i][0]
        if len(gap) > GAP_LIMIT:
            parts[i] = (f"{gap[:GAP_LIMIT // 2]}…{gap[-GAP_LIMIT // 2:]}", False)
    parts = [(t[:limit] + "…" if marked and len(t) > limit else t, marked) for t, marked in parts]
    middle = sum(len(t) for t, _ in parts[1:-1])
    before, after = _context(parts[0][0], parts[-1][0], middle, limit)
    parts[0], parts[-1] = (before, False), (after, False)
    body = "".join(f"<mark>{label_of.get(i, '')}{escape_md(t)}</mark>" if marked else escape_md(t)
                   for i, (t, marked) in enumerate(parts))
    return "> " + (_inert_start(body) if before else body)


def citation_markdown(c: Citation, numbers: list[int] | None = None,
                      highlights: list[tuple[int, int]] | None = None, labels: list[int] | None = None) -> str:
    """One source card. `numbers`/`highlights`: every citation of this same passage (its evidence sentences are
    all marked in one card, headed 「[1]・[3]」), else this citation's own."""
    where = location(c.page, c.heading, c.title)
    markers = "・".join(f"[{n}]" for n in numbers or [c.n])
    lines = [
        f"**{markers} {escape_md(c.title)}**",
        f"種別: {kind_label(c.kind)}" + (f"　／　位置: {escape_md(where)}" if where else ""),
        f"出典ファイル: {escape_md(c.source)}",
        passage_markdown(c.text, highlights if highlights is not None else c.highlight, labels=labels),
    ]
    if c.has_instruction:
        lines.insert(3, INSTRUCTION_NOTE_JA)
    return "\n\n".join(lines)


def _same_passage(citations: list[Citation]) -> list[tuple[Citation, list[int], list[tuple[int, int]], list[int]]]:
    """Citations of one passage (two evidence sentences of the same chunk) as one card: the first citation, every
    number, every highlight with its number; in order of first appearance."""
    groups: dict[tuple[str, str], tuple[Citation, list[int], list[tuple[int, int]], list[int]]] = {}
    for c in citations:
        _first, numbers, spans, labels = groups.setdefault((c.chunk_id or c.source, c.text), (c, [], [], []))
        numbers.append(c.n)
        if c.highlight:
            spans.append(c.highlight)
            labels.append(c.n)
    return list(groups.values())


def citations_markdown(citations: list[Citation], flags: list[str] | None = None) -> str:
    """The sources panel for these citations (shown as soon as the evidence is selected, before the model writes)."""
    if not citations:
        return f"{SOURCES_HEADER}\n\n{NO_SOURCES_JA}" + _flags_line(flags or [])
    header = SOURCES_HEADER + (f"\n\n{HIGHLIGHT_NOTE_JA}" if any(c.highlight for c in citations) else "")
    cards = [citation_markdown(c, numbers, spans, labels if len(numbers) > 1 else None)
             for c, numbers, spans, labels in _same_passage(citations)]
    return "\n\n---\n\n".join([header, *cards]) + _flags_line(flags or [])


def sources_markdown(answer: Answer) -> str:
    """The sources panel: every citation with title, kind, page/heading and the passage itself."""
    if answer.abstained or not answer.citations:
        return f"{SOURCES_HEADER}\n\n{NO_SOURCES_JA}" + _flags_line(answer.flags)
    return citations_markdown(answer.citations, answer.flags)


def _flags_line(flags: list[str]) -> str:
    """The flags a reader should see, in Japanese only (the codes stay in `--json` and the logs)."""
    notes = [f"{SEVERITY_ICON[f.severity]} {f.ja}" for f in visible_flags(flags)]
    return ("\n\n**検証メモ**\n\n" + "\n".join(f"- {n}" for n in notes)) if notes else ""


def _bold_markers(escaped: str, known: set[int]) -> str:
    """`[n]` of a known citation in bold. `<b>` rather than `**`: Markdown emphasis does not open between a
    Japanese character and `[`."""
    return _ESCAPED_MARKER.sub(lambda m: f"<b>[{m.group(1)}]</b>" if int(m.group(1)) in known else m.group(0), escaped)


def evidence_markdown(evidence: list[Evidence]) -> str:
    """「資料の該当箇所」: the verbatim excerpts, one quoted line each with its bold `[n]` (shown before the model
    writes anything, so the facts a reader sees first are the material's own words)."""
    if not evidence:
        return ""
    lines = [f"> <b>[{e.n}]</b> {escape_md(_squash(e.text).strip())}" for e in evidence]
    return f"**{EVIDENCE_HEADER_JA}**\n\n" + "\n>\n".join(lines)


def bubble_markdown(evidence: str, synthesis: str) -> str:
    """The chat bubble of an evidence-first answer: the excerpts block, then 「まとめ」 and the synthesis (already
    Markdown: streamed with a cursor, a place in line, or the checked text)."""
    if not evidence:
        return synthesis
    return f"{evidence}\n\n**{SYNTHESIS_HEADER_JA}**\n\n{synthesis}"


def answer_markdown(answer: Answer) -> str:
    """The chat bubble of a finished answer: the evidence excerpts, then the checked synthesis with its `[n]`
    markers shown bold so they stand out as references (an abstention is its message alone)."""
    text = escape_md(answer.answer)
    if answer.abstained or not answer.citations:
        return text
    synthesis = _bold_markers(text, {c.n for c in answer.citations})
    return bubble_markdown(evidence_markdown(answer.evidence), synthesis)


def streaming_markdown(partial: str) -> str:
    """The answer while the model is still writing: escaped, with a cursor so the user sees it is not done."""
    return escape_md(partial) + " ▍"


def chat_messages(turns: list[tuple[str, str]]) -> list[dict[str, str]]:
    """(question, answer-markdown) turns -> the Chatbot's messages format."""
    messages: list[dict[str, str]] = []
    for question, answer in turns:
        messages.append({"role": "user", "content": escape_md(question)})
        messages.append({"role": "assistant", "content": answer})
    return messages


# --- drafts -----------------------------------------------------------------------------------------------


def draft_warnings_markdown(draft: Draft) -> str:
    from app.drafting.export import warnings_ja  # Japanese only; the codes stay in --json

    warnings = warnings_ja(draft)
    if not warnings:
        return "✅ 検証で指摘はありません。"
    return "### 検証の指摘（要確認）\n\n" + "\n".join(f"- {escape_md(w)}" for w in warnings)


def _citation_line(c: Citation) -> str:
    where = location(c.page, c.heading)
    return f"- [{c.n}] {escape_md(c.title)}（{kind_label(c.kind)}" + (f"、{escape_md(where)}" if where else "") + "）"


def draft_sources_markdown(draft: Draft) -> str:
    blocks = []
    for section in draft.sections:
        if section.citations:
            cites = "\n".join(_citation_line(c) for c in section.citations)
            blocks.append(f"**{escape_md(section.title)}**\n{cites}")
    return "### 各節の根拠\n\n" + ("\n\n".join(blocks) if blocks else NO_SOURCES_JA)


def draft_status_markdown(draft: Draft) -> str:
    """One line under the generate button: how many sections, warnings and how long it took."""
    total = draft.timings.get("total", draft.timings.get("total_s"))
    took = f"、{total:.1f}秒" if isinstance(total, int | float) else ""
    return f"起案しました: {len(draft.sections)}節、検証の指摘 {len(draft.warnings)}件{took}。"


# --- documents and ingest -----------------------------------------------------------------------------------

def short_time(iso: str) -> str:
    """`2026-11-29T03:53:02.8+00:00` -> `2026-11-29 03:53` (the manifest keeps the full timestamp)."""
    return iso.replace("T", " ")[:16] if iso else ""


DOCUMENT_COLUMNS = ["タイトル", "種別", "ページ", "チャンク", "取込日時", "ファイル"]
DOCUMENT_WIDTHS = ["33%", "14%", "6%", "7%", "15%", "25%"]


def document_rows(documents: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for d in documents:
        rows.append([
            d.get("title", ""),
            kind_label(d.get("kind", "")),
            d.get("pages") or "",
            d.get("chunks", 0),
            short_time(d.get("ingested_at", "")),
            d.get("path") or d.get("source", ""),
        ])
    return rows


INGEST_COLUMNS = ["ファイル", "結果", "ページ", "チャンク", "OCRが必要なページ", "メッセージ"]
INGEST_WIDTHS = ["24%", "9%", "6%", "7%", "10%", "44%"]
STATUS_JA = {"ingested": "取り込み済み", "unchanged": "変更なし", "rejected": "拒否", "error": "エラー"}


def ingest_rows(report: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for f in report.get("files", []):
        message = f.get("error") or "; ".join(f.get("warnings", []))
        rows.append([
            f.get("path", ""), STATUS_JA.get(f.get("status", ""), f.get("status", "")), f.get("pages", 0),
            f.get("chunks", 0), ", ".join(str(p) for p in f.get("image_only_pages", [])), message or "",
        ])
    return rows


def ingest_summary(report: dict[str, Any]) -> str:
    """One line in Japanese: how many files went in, how many were refused."""
    files = report.get("files", [])
    counts = {status: sum(1 for f in files if f.get("status") == status) for status in STATUS_JA}
    parts = [f"{STATUS_JA[s]} {n}件" for s, n in counts.items() if n]
    head = "取り込み結果: " + ("、".join(parts) if parts else "対象ファイルなし")
    if counts["rejected"] or counts["error"]:
        head += "。拒否・エラーのファイルは索引に入っていません（既存の索引はそのままです）。"
    return head


# --- settings -----------------------------------------------------------------------------------------------


def settings_view(s: Settings) -> dict[str, Any]:
    """What the 設定 tab shows: enough to know which model/store answers, never a secret."""
    if s.llm_backend == "openai":
        llm = f"openai互換: {s.llm_model or '(未設定)'} @ {s.llm_base_url or '(未設定)'}"
    else:
        llm = s.llm_backend
    return {
        "LLM": llm,
        "埋め込みモデル / embeddings": f"{s.embed_backend}: {s.embed_model}",
        "索引 / store": s.chroma_url or str(s.chroma_dir),
        "DXHIRE_HOME": str(s.home),
        "コーパス / corpus": str(s.corpus_dir),
        "チャンク / chunk": f"{s.chunk_size}字（重なり{s.chunk_overlap}字）",
        "検索 / retrieval": f"top_k={s.top_k}, candidates={s.candidate_k}, rerank={s.rerank_model or 'off'}",
        "棄権のしきい値 / abstain threshold": s.abstain_threshold,
        "アップロード上限 / max upload": f"{s.max_file_mb:g} MB",
        "APIキー / API key": "設定済み（非表示）" if s.llm_api_key else "なし",
        "ログイン / auth": "有効" if s.auth else "無効",
        "待ち受け / bind": f"{s.host}:{s.port}",
    }
