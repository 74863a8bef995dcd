"""How a case and the finders' results are shown in the 案件 tab: pure functions from core objects to HTML/Markdown.

Kept apart from the Gradio wiring so the presentation is tested without a browser. Text a user typed (titles,
notes) is escaped; facts from the finder tables are quoted with their source.
"""

from __future__ import annotations

import html

from app.cases.models import ORIGIN_JA, STEP_TITLES, Artefact, Case, CaseSummary, step_label
from app.cases.service import NextAction
from app.finders import CaseMatch, SchemeMatch, amount_text
from app.ui.render import escape_md

STATUS_CLASS = {"未着手": "todo", "作成中": "doing", "確認済み": "done"}
NO_CASE = "案件を選ぶか、「新しい案件を作る」から始めてください。"


def short(stamp: str) -> str:
    return stamp[:16].replace("T", " ")


def case_choices(cases: list[CaseSummary]) -> list[tuple[str, str]]:
    return [(f"{c.title}（更新 {short(c.updated_at)}）", c.id) for c in cases]


def path_html(case: Case | None) -> str:
    """The four steps as a progress path: ① → ② → ③ → ④, each with its status."""
    if case is None:
        return ""
    parts = []
    for step in STEP_TITLES:
        status = case.statuses.get(step, "未着手")
        parts.append(f'<div class="dx-step dx-{STATUS_CLASS[status]}" data-step="{step}">'
                     f'<b>{html.escape(step_label(step))}</b><span>{status}</span></div>')
    return f'<div class="dx-path" aria-label="進み具合">{"<i>→</i>".join(parts)}</div>'


def next_markdown(action: NextAction | None) -> str:
    return f"**次にすること:** {escape_md(action.text)}" if action else NO_CASE


def version_markdown(artefact: Artefact | None) -> str:
    if artefact is None:
        return "まだ起案していません。"
    lines = []
    for v in reversed(artefact.versions):
        warn = f"、指摘{len(v.warnings)}件" if v.warnings else ""
        lines.append(f"- 版{v.n}: {ORIGIN_JA[v.origin]}（{short(v.created_at)}、{escape_md(v.model)}{warn}）")
    return f"**最新: 版{artefact.latest.n}**（全{len(artefact.versions)}版）\n\n" + "\n".join(lines[:5])


def notes_markdown(case: Case | None) -> str:
    if case is None or not case.notes:
        return "メモはまだありません。"
    return "\n".join(f"- {short(n.created_at)}" + (f"［{step_label(n.step)}］" if n.step else "")
                     + f" {escape_md(n.body)}" for n in reversed(case.notes))


def _where(cite) -> str:  # noqa: ANN001 - finders.models.Source
    return f"出典: {escape_md(cite.title)}／{escape_md(cite.heading)}（`{cite.source}`）"


def cases_markdown(matches: list[CaseMatch]) -> str:
    if not matches:
        return "条件に合う事例は資料にありません。"
    blocks = []
    for m in matches:
        c = m.case
        who = c.name if c.name == c.prefecture else f"{c.prefecture or ''}{c.name}"
        head = f"**{escape_md(who)}**（{c.city_class or c.body_type}"
        head += f"、{escape_md(c.population_text)}）" if c.population_text else "）"
        lines = [head, f"- 役職・役割: {escape_md(c.role)}", f"- 採用形態: {'・'.join(c.employment_forms)}",
                 *[f"- {escape_md(d)}" for d in c.did],
                 f"- 担当者のアドバイス: {' '.join(escape_md(a) for a in c.advice) or '資料にありません'}"]
        if c.unknowns:
            lines.append(f"- 分からないこと: {escape_md(c.unknowns)}")
        if m.reasons:
            lines.append(f"- 近いと判断した理由: {'、'.join(m.reasons)}")
        lines.append(f"- {_where(m.cite)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def schemes_markdown(matches: list[SchemeMatch]) -> str:
    if not matches:
        return "条件に合う支援制度は資料にありません。"
    blocks = []
    for m in matches:
        s = m.scheme
        lines = [f"**【{m.fit}】{escape_md(s.name)}**（{escape_md(s.provider)}）", f"- {escape_md(s.summary)}"]
        lines += [f"- {c.label}: {c.verdict} — {escape_md(c.detail)}" for c in m.checks]
        lines += [f"- {escape_md(amount_text(a))}" for a in s.amounts]
        if s.pairs_with:
            lines.append(f"- 組み合わせる採用形態: {'・'.join(s.pairs_with)}"
                         + (f"（希望の「{'・'.join(m.form_match)}」と一致）" if m.form_match else ""))
        lines += [f"- 条件（要確認）: {escape_md(c)}" for c in s.conditions]
        lines.append(f"- {_where(m.cite)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
