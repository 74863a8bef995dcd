"""受入計画書 (step ④): purpose, period, organisation, a monthly schedule, deliverables and how the results are
reviewed, composed from the profile, the seed draft and the tables. The model writes the one-line ミッション only
when no seed posting carries one."""

from __future__ import annotations

from app.drafting.base import DraftContext, RuleFn, generated, quoted_issues, slot_checks
from app.drafting.checklist import chosen_form
from app.drafting.generate import SectionResult
from app.drafting.posting import mission
from app.drafting.profile import TBD
from app.drafting.roles import match_issues, match_roles, matched_patterns
from app.drafting.sections import SectionSpec
from app.flags import FlagCode
from app.schemas import DraftCheck

FORM_TERMS = {"特別職非常勤": ("term_tokubetsu", "term_koto"), "任期付": ("term_ninkitsuki",),
              "会計年度任用": ("term_kaikei",), "起業人": ("term_kigyojin",)}


def purpose(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    p = ctx.profile
    refs = ctx.refs()
    first = match_roles(p, limit=1)[0][0]
    text, results = mission(ctx, refs, first.duties[0], first.name)
    lines = [f"- 解決する業務課題: {quoted_issues(p)}", f"- ミッション: {text}"]
    for pattern in matched_patterns(p):
        lines.append(f"- 目指すこと（{pattern.label}）: {refs.line(pattern.purposes[0], prefix='')}")
    unmatched = [m.issue for m in match_issues(p) if not m.patterns]
    lines += [f"- 目指すこと（「{issue}」）: {TBD}（知識表の分野に当てはまらないため、業務課題の深掘りで決めてください）"
              for issue in unmatched]
    checks = slot_checks(*results) + [DraftCheck(code=FlagCode.DRAFT_NO_PATTERN, detail=i) for i in unmatched]
    return refs.result("\n".join(lines), generated(*results), checks)


def period(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    refs = ctx.refs()
    p = ctx.profile
    form = chosen_form(ctx)[0]
    lines = [f"- 雇用形態（案）: {form}", f"- 任期: {p.get('term')}", f"- 着任時期: {p.get('start_date')}",
             f"- 勤務日数: {p.get('work_days')}／報酬: {p.get('pay')}（予算の時期: {p.get('budget_timing')}）",
             f"- 更新の有無と上限: {TBD}（要綱・契約で定めます）"]
    for key, notes in FORM_TERMS.items():
        if key in form:
            lines += [f"- 参考: {refs.sentence(ctx.note(n))}" for n in notes]
    return refs.result("\n".join(lines))


def organisation(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    refs = ctx.refs()
    p = ctx.profile
    lines = [f"- 配属・担当部署: {p.get('departments')}（配属課は{TBD}）",
             f"- 指揮命令・報告の相手: {TBD}。{refs.sentence(ctx.note('reporting'))}",
             f"- 庁内の相談相手・一緒に動く職員: {p.get('current_dx_staff')}（担当者名は{TBD}）",
             f"- 参加する会議: {TBD}"]
    if match_roles(p, limit=1)[0][0].key == "producer":
        lines.append(f"- 置き方: {refs.sentence(ctx.note('cio_across'))}")
    month1 = next(ph for ph in ctx.kb.phases if ph.key == "month1")
    lines.append(f"- 外部人材の支え: {refs.line(month1.items[1], prefix='')}")
    return refs.result("\n".join(lines))


def schedule(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    refs = ctx.refs()
    patterns = matched_patterns(ctx.profile)
    rows = ["| 時期 | 重点 | 主な業務 |", "|---|---|---|"]
    for row in ctx.kb.schedule:
        work = list(row.activities)
        if row.take_next_steps:
            work += [refs.line(f, prefix="") for f in [f for p in patterns for f in p.next_steps if ctx.applies(f)][:2]]
        if row.take_duties:
            work += [refs.line(f, prefix="") for f in [f for p in patterns for f in p.duties if ctx.applies(f)][:3]]
        if not work and row.take_duties and not patterns:
            work = [f"業務課題の深掘りで決めた取組（業務課題が知識表の分野に当てはまらないため{TBD}）"]
        rows.append(f"| {row.period} | {row.focus} | {'／'.join(work) or TBD} |")
    intro = (f"着任時期（{ctx.profile.get('start_date')}）から任期末（{ctx.profile.get('term')}）までの目安です。"
             "月ごとの予定は着任後に本人と見直します。")
    return refs.result("\n".join([intro, "", *rows]))


def deliverables(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    refs = ctx.refs()
    lines = ["- 業務課題の一覧と根本原因（業務課題の深掘りを更新したもの）",
             f"- 進め方の計画（ロードマップ）。{refs.sentence(ctx.note('roadmap_example'))}",
             "- 成果指標の現状値と目標値（業務課題の深掘りの「成果指標」の表を埋めたもの）",
             "- 職員への引き継ぎ資料（手順書・研修の記録）"]
    for pattern in matched_patterns(ctx.profile):
        lines += [refs.line(f) for f in pattern.deliverables if ctx.applies(f)]
    return refs.result("\n".join(lines))


def review(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    refs = ctx.refs()
    kpis = [k for p in matched_patterns(ctx.profile) for k in p.kpis][:4]
    lines = ["- 測る指標（現状値・目標値は要確認）:"]
    lines += [f"  - {k.name}{refs.mark(k.fact())}" for k in kpis] or [
        f"  - {TBD}（業務課題が知識表の分野に当てはまらないため、指標の候補はありません。"
        "業務課題の深掘りの「成果指標」で決めてください）"]
    term = next(ph for ph in ctx.kb.phases if ph.key == "term")
    lines += [f"- 振り返りの時期: 着任後1か月、任期の中間、任期末（日程は{TBD}）",
              f"- 振り返る人: 本人、配属課、人事課（{TBD}）",
              refs.line(term.items[0]),
              f"- {refs.sentence(ctx.note('evaluate_results'))}"]
    return refs.result("\n".join(lines))


RULES: dict[str, RuleFn] = {
    "目的": purpose,
    "期間": period,
    "体制": organisation,
    "月ごとの業務スケジュール": schedule,
    "成果物": deliverables,
    "評価・振り返り": review,
}


def seed_text(ctx: DraftContext) -> str:
    return ""
