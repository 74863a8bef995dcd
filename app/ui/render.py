"""How answers, sources, drafts and documents are shown: pure functions from core objects to Markdown/rows.

Kept apart from the Gradio wiring so the presentation can be tested without a browser.
"""

from __future__ import annotations

import html
from typing import Any

from app.schemas import KIND_LABELS_JA, Answer, Citation, Draft

NO_SOURCES_JA = "（根拠として示せる資料はありません）"


def _quote(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit] + "…"
    return "> " + html.escape(text, quote=False)


def citation_markdown(c: Citation) -> str:
    where = f"p.{c.page}" if c.page is not None else ""
    if c.heading:
        where = f"{where}（{c.heading}）" if where else c.heading
    label = KIND_LABELS_JA.get(c.kind, c.kind)
    lines = [f"**[{c.n}] {html.escape(c.title)}**", f"種別: {label}" + (f"　／　位置: {html.escape(where)}" if where else "")]
    lines.append(f"出典ファイル: `{c.source}`")
    lines.append(_quote(c.text))
    return "\n\n".join(lines)


def sources_markdown(answer: Answer) -> str:
    """The sources panel: every citation with title, kind, page/heading and the passage itself."""
    if answer.abstained or not answer.citations:
        return f"### 根拠資料\n\n{NO_SOURCES_JA}" + _flags_line(answer.flags)
    parts = ["### 根拠資料"] + [citation_markdown(c) for c in answer.citations]
    return "\n\n---\n\n".join(parts) + _flags_line(answer.flags)


def _flags_line(flags: list[str]) -> str:
    return f"\n\n⚠️ 検証メモ: {', '.join(flags)}" if flags else ""


def draft_warnings_markdown(draft: Draft) -> str:
    if not draft.warnings:
        return "✅ 検証で指摘はありません。"
    return "### 検証の指摘（要確認）\n\n" + "\n".join(f"- {html.escape(w)}" for w in draft.warnings)


def draft_sources_markdown(draft: Draft) -> str:
    blocks = []
    for section in draft.sections:
        if section.citations:
            cites = "\n".join(
                f"- [{c.n}] {html.escape(c.title)}（{KIND_LABELS_JA.get(c.kind, c.kind)}"
                + (f"、p.{c.page}" if c.page is not None else "")
                + (f"、{html.escape(c.heading)}" if c.heading else "")
                + "）"
                for c in section.citations
            )
            blocks.append(f"**{html.escape(section.title)}**\n{cites}")
    return "### 各節の根拠\n\n" + ("\n\n".join(blocks) if blocks else NO_SOURCES_JA)


DOCUMENT_COLUMNS = ["タイトル", "種別", "ページ", "チャンク", "取込日時", "ファイル"]


def document_rows(documents: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for d in documents:
        rows.append([
            d.get("title", ""),
            KIND_LABELS_JA.get(d.get("kind", ""), d.get("kind", "")),
            d.get("pages") or "",
            d.get("chunks", 0),
            d.get("ingested_at", ""),
            d.get("path", ""),
        ])
    return rows


INGEST_COLUMNS = ["ファイル", "結果", "ページ", "チャンク", "OCRが必要なページ", "メッセージ"]
STATUS_JA = {"ingested": "取り込み済み", "unchanged": "変更なし", "rejected": "拒否", "error": "エラー"}


def ingest_rows(report: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for f in report.get("files", []):
        message = f.get("error") or "; ".join(f.get("warnings", []))
        rows.append([
            f.get("path", ""), STATUS_JA.get(f.get("status", ""), f.get("status", "")), f.get("pages", 0),
            f.get("chunks", 0), ", ".join(str(p) for p in f.get("image_only_pages", [])), message,
        ])
    return rows
