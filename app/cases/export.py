"""A whole case as one .docx (for 人事課 or the 決裁) and as a .zip of Markdown files (one per artefact).

Each artefact is exported at its latest version — the user's edit when there is one — under its step's heading,
with the step status, the profile and the notes, so the file reads as the case's record on its own.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from app.cases.kinds import draft_kinds
from app.cases.models import ORIGIN_JA, STEP_TITLES, Artefact, Case, step_label

PROFILE_HEADING = "自治体プロファイル"
NOTES_HEADING = "メモ"


def _ordered(case: Case, step: int) -> list[Artefact]:
    order = {v.kind: i for i, v in enumerate(draft_kinds())}
    return sorted(case.step_artefacts(step), key=lambda a: order.get(a.kind, len(order)))


def _profile_lines(case: Case) -> list[tuple[str, str]]:
    """(label, value) for every field the user gave, formatted as the drafts show them (10,000人, 住民課、総務課)."""
    from app.drafting.profile import NOT_FACTS, MunicipalityProfile

    profile = MunicipalityProfile.model_validate(case.profile)
    rows = []
    for name, info in MunicipalityProfile.model_fields.items():
        if name in NOT_FACTS:
            continue  # describes the example file the profile came from, not the municipality
        if name in case.profile and case.profile[name] not in (None, "", []):
            rows.append(((info.title or name).replace("（必須）", ""), profile.get(name)))
    return rows


def _version_line(a: Artefact) -> str:
    v = a.latest
    return f"版{v.n}（{ORIGIN_JA[v.origin]}、{v.created_at[:16].replace('T', ' ')}、{v.model}）"


def to_docx(case: Case, path: Path) -> Path:
    from docx import Document

    from app.drafting.export import add_to_docx

    doc = Document()
    doc.add_heading(case.title, level=0)
    doc.add_paragraph(f"案件ID: {case.id}　作成: {case.created_at[:10]}　更新: {case.updated_at[:16].replace('T', ' ')}")
    doc.add_heading(PROFILE_HEADING, level=1)
    rows = _profile_lines(case)
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for r, (label, value) in enumerate(rows):
        table.cell(r, 0).text, table.cell(r, 1).text = label, value
    for step in STEP_TITLES:
        doc.add_heading(f"{step_label(step)}（{case.statuses.get(step, '未着手')}）", level=1)
        artefacts = _ordered(case, step)
        if not artefacts:
            doc.add_paragraph("このステップの成果物はまだありません。")
        for a in artefacts:
            doc.add_paragraph(_version_line(a))
            add_to_docx(doc, a.latest.draft, level=2)
        for note in (n for n in case.notes if n.step == step):
            doc.add_paragraph(f"メモ（{note.created_at[:10]}）: {note.body}")
    general = [n for n in case.notes if n.step is None]
    if general:
        doc.add_heading(NOTES_HEADING, level=1)
        for note in general:
            doc.add_paragraph(f"{note.created_at[:10]}: {note.body}", style="List Bullet")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_") or "case"


def overview_markdown(case: Case) -> str:
    lines = [f"# {case.title}", "", f"- 案件ID: {case.id}", f"- 更新: {case.updated_at[:16].replace('T', ' ')}", "",
             f"## {PROFILE_HEADING}", ""]
    lines += [f"- {label}: {value}" for label, value in _profile_lines(case)]
    for step in STEP_TITLES:
        lines += ["", f"## {step_label(step)}（{case.statuses.get(step, '未着手')}）", ""]
        artefacts = _ordered(case, step)
        lines += [f"- {a.latest.draft.title or a.kind}: {_version_line(a)}" for a in artefacts] or ["- 成果物なし"]
        lines += [f"- メモ（{n.created_at[:10]}）: {n.body}" for n in case.notes if n.step == step]
    general = [n for n in case.notes if n.step is None]
    if general:
        lines += ["", f"## {NOTES_HEADING}", ""] + [f"- {n.created_at[:10]}: {n.body}" for n in general]
    return "\n".join(lines) + "\n"


def to_zip(case: Case, path: Path) -> Path:
    """`00_案件の概要.md` plus `<step>-<n>_<kind>.md` per artefact (latest version)."""
    from app.drafting.export import to_markdown

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("00_案件の概要.md", overview_markdown(case))
        for step in STEP_TITLES:
            for i, a in enumerate(_ordered(case, step), start=1):
                z.writestr(f"{step}-{i}_{_safe(a.latest.draft.title or a.kind)}.md", to_markdown(a.latest.draft))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


def export_name(case: Case, suffix: str) -> str:
    return f"{_safe(case.title)}{suffix}"
