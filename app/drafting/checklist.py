"""受け入れチェックリスト (step ④): what to settle before, on and after the first day, composed from the
onboarding table. Items that depend on the employment form or the work style appear only when they apply; each
item cites the document that states it. The guidebook's own checklist is not public, and the draft says so."""

from __future__ import annotations

from app.drafting.base import DraftContext, RuleFn, quoted_issues, seed_section
from app.drafting.employment_aid import FORMS, recommend
from app.drafting.generate import SectionResult
from app.drafting.profile import TBD
from app.drafting.roles import match_roles
from app.drafting.sections import SectionSpec

OWNER = f"担当: {TBD}"


def chosen_form(ctx: DraftContext) -> tuple[str, set[str]]:
    """(name, form keys) of the employment form: the seed posting's (as the user may have edited it), else the
    first that fits the profile. Items that depend on the form follow this choice, not every candidate."""
    seeded = seed_section(ctx.seed, "雇用形態と任期")
    for line in seeded.splitlines():
        if "雇用形態:" in line:
            name = line.split("雇用形態:", 1)[1].split("（", 1)[0].strip()
            return name, {f.key for f in FORMS if f.name.split("（")[0] in name}
    fitting = recommend(ctx.profile)
    if not fitting:
        return TBD, set()
    return fitting[0][0].name, {fitting[0][0].key}


def purpose_and_role(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    refs = ctx.refs()
    p = ctx.profile
    types = match_roles(p, limit=2)
    mission = ctx.seed_mission()
    lines = [f"- [ ] 迎える目的（解決したい業務課題）を文書にする: {quoted_issues(p)}（{OWNER}）",
             *([f"  - ミッション（募集要項から）: {mission}"] if mission else []),
             f"- [ ] 任せる役割を決める: {p.get('role_sought')}（類型: {'、'.join(r.name for r, _ in types)}）",
             f"- [ ] 雇用形態を確定する: {chosen_form(ctx)[0]}（案。人事課と確定）"]
    if types[0][0].key == "producer":
        lines.append(f"- [ ] 置き方を決める: {refs.sentence(ctx.note('cio_across'))}")
    # a statement about other checklists is background for the officer, not an item to tick
    lines += ["", f"参考: {refs.sentence(ctx.note('expect_share'))}", "", refs.sentence(ctx.note("unknown_step4"))]
    return refs.result("\n".join(lines))


def phase(key: str) -> RuleFn:
    def compose(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
        refs = ctx.refs()
        items = next(ph for ph in ctx.kb.phases if ph.key == key).items
        forms = chosen_form(ctx)[1]
        lines = [f"- [ ] {refs.line(f, prefix='', suffix=f'（{OWNER}）')}" for f in items if ctx.applies(f, forms)]
        p = ctx.profile
        if key == "before":
            lines.append(f"- [ ] プロファイルの条件を本人と確かめる: 勤務日数 {p.get('work_days')}、勤務場所 "
                         f"{p.get('work_place')}、働き方 {p.get('work_style')}、着任時期 {p.get('start_date')}")
        return refs.result("\n".join(lines))

    return compose


RULES: dict[str, RuleFn] = {
    "受け入れの目的と役割の共有": purpose_and_role,
    "内定〜着任前": phase("before"),
    "着任初日": phase("day1"),
    "着任後1か月": phase("month1"),
    "任期中・任期末（評価と振り返り）": phase("term"),
}


def seed_text(ctx: DraftContext) -> str:
    return ""
