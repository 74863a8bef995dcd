"""Markdown and .docx export of a draft, each with a sources section, and reading an edited Markdown back.

Citation numbers are per section (each section was generated from its own passages), so the sources section is
grouped by section. Every source shows its kind label, so a summary written by us is never taken for the
guidebook's own words.
"""

from __future__ import annotations

import re
from pathlib import Path

from app import flags
from app.schemas import Citation, Draft, DraftCheck, DraftSection

SOURCES_HEADING = "出典"
WARNINGS_HEADING = "自動チェックの指摘（要確認）"
_RESERVED = (SOURCES_HEADING, WARNINGS_HEADING)


def source_line(c: Citation) -> str:
    heading = c.heading.split(" > ", 1)[1] if c.heading.startswith(c.title + " > ") else c.heading
    where = f"p.{c.page}" if c.page is not None else heading
    if heading == c.title:
        where = "" if c.page is None else where
    parts = [f"[{c.n}] {c.title}", c.kind_label]
    if where:
        parts.append(where)
    return "／".join(parts) + f"（{c.source}）"


def explain(check: DraftCheck) -> str:
    """The Japanese line a user reads for a check: section, explanation, offending text (no code)."""
    where = f"「{check.section}」: " if check.section else ""
    detail = f"（{check.detail}）" if check.detail else ""
    return f"{where}{flags.explain(check.code)}{detail}"


def warnings_ja(draft: Draft) -> list[str]:
    """What the exports, the CLI and the UI show: Japanese only, most severe first. A draft read from an older
    JSON without structured checks falls back to its warning strings."""
    if not draft.checks:
        return list(draft.warnings)
    order = {"danger": 0, "warning": 1, "info": 2}
    checks = sorted(draft.checks, key=lambda c: order[flags.severity(c.code)])
    return [f"{flags.SEVERITY_ICON[flags.severity(c.code)]} {explain(c)}" for c in checks]


def to_markdown(draft: Draft) -> str:
    lines = [f"# {draft.title or draft.kind}", "",
             "> この文書は dxhire による起案です。「要確認」の箇所と出典を確認してから使ってください。", ""]
    for section in draft.sections:
        lines += [f"## {section.title}", "", section.body.strip(), ""]
    cited = [s for s in draft.sections if s.citations]
    if cited:
        lines += [f"## {SOURCES_HEADING}", ""]
        for section in cited:
            lines += [f"### {section.title}", ""] + [f"- {source_line(c)}" for c in section.citations] + [""]
    if warnings := warnings_ja(draft):
        lines += [f"## {WARNINGS_HEADING}", ""] + [f"- {w}" for w in warnings] + [""]
    return "\n".join(lines).rstrip() + "\n"


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _add_rich(paragraph, text: str) -> None:  # noqa: ANN001 - python-docx paragraph
    """`**bold**` runs; everything else plain."""
    pos = 0
    for m in _BOLD.finditer(text):
        if m.start() > pos:
            paragraph.add_run(text[pos:m.start()])
        paragraph.add_run(m.group(1)).bold = True
        pos = m.end()
    if pos < len(text):
        paragraph.add_run(text[pos:])


def _table_rows(lines: list[str]) -> list[list[str]]:
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines]
    return [r for r in rows if not all(re.fullmatch(r":?-{2,}:?", c) for c in r if c)]


def _add_body(doc, body: str) -> None:  # noqa: ANN001 - python-docx document
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("|"):
            block = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                block.append(lines[i])
                i += 1
            rows = _table_rows(block)
            if rows:
                width = max(len(r) for r in rows)
                table = doc.add_table(rows=len(rows), cols=width)
                table.style = "Table Grid"
                for r, row in enumerate(rows):
                    for c, cell in enumerate(row):
                        table.cell(r, c).text = _BOLD.sub(r"\1", cell)
            continue
        stripped = line.strip()
        if not stripped:
            pass
        elif m := re.match(r"^(\s*)[-*・]\s+\[ \]\s*(.*)$", line):  # a checklist item: a box to tick on paper
            _add_rich(doc.add_paragraph(style="List Bullet 2" if len(m.group(1)) >= 2 else "List Bullet"),
                      "☐ " + m.group(2))
        elif m := re.match(r"^(\s*)[-*・]\s+(.*)$", line):
            style = "List Bullet 2" if len(m.group(1)) >= 2 else "List Bullet"
            _add_rich(doc.add_paragraph(style=style), m.group(2))
        elif m := re.match(r"^\s*\d+[.)．]\s+(.*)$", line):
            _add_rich(doc.add_paragraph(style="List Number"), m.group(1))
        else:
            _add_rich(doc.add_paragraph(), stripped.lstrip("> "))
        i += 1


def add_to_docx(doc, draft: Draft, level: int = 0) -> None:  # noqa: ANN001 - python-docx document
    """Write `draft` into an open python-docx document, its title at heading `level` (a whole case exports several
    drafts into one file under its own headings)."""
    doc.add_heading(draft.title or draft.kind, level=level)
    doc.add_paragraph("この文書は dxhire による起案です。「要確認」の箇所と出典を確認してから使ってください。")
    for section in draft.sections:
        doc.add_heading(section.title, level=level + 1)
        _add_body(doc, section.body)
    cited = [s for s in draft.sections if s.citations]
    if cited:
        doc.add_heading(SOURCES_HEADING, level=level + 1)
        for section in cited:
            doc.add_heading(section.title, level=level + 2)
            for c in section.citations:
                doc.add_paragraph(source_line(c), style="List Bullet")
    if warnings := warnings_ja(draft):
        doc.add_heading(WARNINGS_HEADING, level=level + 1)
        for w in warnings:
            doc.add_paragraph(w, style="List Bullet")


def to_docx(draft: Draft, path: Path) -> None:
    from docx import Document

    doc = Document()
    add_to_docx(doc, draft)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))


def draft_from_markdown(markdown_text: str, original: Draft) -> Draft:
    """The user's edited Markdown back into a Draft: edited bodies win, each section keeps its citations
    (matched by title); new sections are kept without citations; the sources/warnings parts are regenerated."""
    by_title = {s.title: s for s in original.sections}
    title = original.title
    sections: list[DraftSection] = []
    current: str | None = None
    buffer: list[str] = []

    def flush() -> None:
        if current is not None and current not in _RESERVED:
            cites = by_title[current].citations if current in by_title else []
            sections.append(DraftSection(title=current, body="\n".join(buffer).strip(), citations=cites))

    for line in markdown_text.splitlines():
        if line.startswith("# ") and current is None:
            title = line[2:].strip()
        elif line.startswith("## "):
            flush()
            current, buffer = line[3:].strip(), []
        elif current is not None:
            buffer.append(line)
    flush()
    if not sections:
        return original
    return original.model_copy(update={"title": title, "sections": sections})
