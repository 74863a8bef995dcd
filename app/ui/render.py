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
from typing import Any

from app.config import Settings
from app.flags import SEVERITY_ICON
from app.flags import visible as visible_flags
from app.schemas import KIND_LABELS_JA, Answer, Citation, Draft

NO_SOURCES_JA = "（根拠として示せる資料はありません）"
INSTRUCTION_NOTE_JA = "⚠️ この資料にはAIへの指示のような文が含まれています。その文は回答の作成に使っていません。"
SOURCES_HEADER = "### 根拠資料"
SOURCES_PLACEHOLDER = f"{SOURCES_HEADER}\n\n質問すると、ここに根拠が表示されます。"
SOURCES_WORKING = f"{SOURCES_HEADER}\n\n検索・回答を生成しています…"

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


def location(page: int | None, heading: str) -> str:
    """`p.12（見出し）` for PDFs, the heading path otherwise, '' when neither is known."""
    if page is not None:
        return f"p.{page}" + (f"（{heading}）" if heading else "")
    return heading


def _quote(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit] + "…"
    # a passage opening "- …" or "1. …" is quoted text, not a list
    text = _BLOCK_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\.", escape_md(text))
    return "> " + text


def citation_markdown(c: Citation) -> str:
    where = location(c.page, c.heading)
    lines = [
        f"**[{c.n}] {escape_md(c.title)}**",
        f"種別: {kind_label(c.kind)}" + (f"　／　位置: {escape_md(where)}" if where else ""),
        f"出典ファイル: {escape_md(c.source)}",
        _quote(c.text),
    ]
    if c.has_instruction:
        lines.insert(3, INSTRUCTION_NOTE_JA)
    return "\n\n".join(lines)


def sources_markdown(answer: Answer) -> str:
    """The sources panel: every citation with title, kind, page/heading and the passage itself."""
    if answer.abstained or not answer.citations:
        return f"{SOURCES_HEADER}\n\n{NO_SOURCES_JA}" + _flags_line(answer.flags)
    parts = [SOURCES_HEADER] + [citation_markdown(c) for c in answer.citations]
    return "\n\n---\n\n".join(parts) + _flags_line(answer.flags)


def _flags_line(flags: list[str]) -> str:
    """The flags a reader should see, in Japanese only (the codes stay in `--json` and the logs)."""
    notes = [f"{SEVERITY_ICON[f.severity]} {f.ja}" for f in visible_flags(flags)]
    return ("\n\n**検証メモ**\n\n" + "\n".join(f"- {n}" for n in notes)) if notes else ""


def answer_markdown(answer: Answer) -> str:
    """The chat bubble: the verified answer with its `[n]` markers shown bold so they stand out as references.

    `<b>` rather than `**`: Markdown emphasis does not open between a Japanese character and `[`."""
    text = escape_md(answer.answer)
    if answer.abstained or not answer.citations:
        return text
    known = {c.n for c in answer.citations}
    return _ESCAPED_MARKER.sub(lambda m: f"<b>[{m.group(1)}]</b>" if int(m.group(1)) in known else m.group(0), text)


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
