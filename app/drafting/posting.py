"""募集要項 (step ③): rule-filled sections. Pay, dates and contacts are copied from the profile or left 要確認."""

from __future__ import annotations

from app.drafting.base import DraftContext, RuleFn, seed_section
from app.drafting.employment_aid import decision_aid, recommend
from app.drafting.generate import SectionResult, markers, supporting_citations
from app.drafting.profile import TBD
from app.drafting.roles import match_roles
from app.drafting.sections import SectionSpec


def role(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    cites = supporting_citations(ctx.retriever, spec.query, doc_ids=spec.doc_ids, must_contain=("スキル標準",))
    seeded = seed_section(ctx.seed, "必要な人材の役割")
    types = match_roles(ctx.profile, extra_text=seeded)
    lines = [f"- 職名: {ctx.profile.get('role_sought')}",
             f"- 所属: {ctx.profile.display_name}（配属課は{TBD}）",
             f"- 役割の類型（外部人材スキル標準）: {'、'.join(r.name for r, _ in types)}{markers(cites)}"]
    lines += [f"  - {r.name}: {r.does}" for r, _ in types]
    return SectionResult("\n".join(lines), cites)


def employment(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    cites = supporting_citations(ctx.retriever, spec.query, doc_ids=spec.doc_ids, must_contain=("任用",))
    fitting = recommend(ctx.profile)
    first = fitting[0][0].name if fitting else TBD
    lines = [f"- 雇用形態: {first}（案。「雇用形態の判断補助」の節を参照し、人事課と確定してください）{markers(cites)}",
             f"- 任期: {ctx.profile.get('term')}",
             f"- 着任時期: {ctx.profile.get('start_date')}"]
    return SectionResult("\n".join(lines), cites)


def conditions(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    p = ctx.profile
    remote = "可（出勤の頻度は要確認）" if "リモート" in p.work_style else TBD
    lines = [f"- 勤務日数: {p.get('work_days')}",
             f"- 勤務場所: {p.work_place or (p.name and f'{p.name}役場・庁舎（詳細は要確認）') or TBD}",
             f"- リモート勤務: {remote}",
             f"- 働き方: {p.get('work_style')}"]
    if p.notes:
        lines.append(f"- その他: {p.notes}")
    return SectionResult("\n".join(lines), [])


def pay(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    """Only the profile's figure; never a number from another municipality's posting."""
    if ctx.profile.pay:
        return SectionResult(f"- 報酬: {ctx.profile.pay}\n- 旅費・手当: {TBD}", [])
    cites = supporting_citations(ctx.retriever, spec.query, doc_ids=spec.doc_ids, must_contain=("報酬",))
    ref = f"他団体の公表例は参考資料{markers(cites)}を参照してください（本募集の条件ではありません）。" if cites else ""
    return SectionResult(f"- 報酬: {TBD}（報酬条例・予算に基づき人事課と調整）\n- 旅費・手当: {TBD}\n{ref}".strip(), cites)


def application(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    cites = supporting_citations(ctx.retriever, spec.query, doc_ids=spec.doc_ids, must_contain=("面接", "選考"))
    lines = [f"- 募集期間: {ctx.profile.get('application_period')}",
             f"- 応募方法: {TBD}（応募フォーム・メール等）",
             "- 応募書類: 履歴書、職務経歴書、（任意）本募集の課題に対する考えをまとめた文書",
             f"- 選考の流れ: 書類選考 → 一次面接（オンライン可） → 最終面接{markers(cites)}",
             f"- 選考日程: {TBD}",
             f"- 着任時期: {ctx.profile.get('start_date')}"]
    return SectionResult("\n".join(lines), cites)


def contact(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    return SectionResult(f"- {ctx.profile.display_name} {ctx.profile.get('contact')}", [])


def aid(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    body, cites, warnings = decision_aid(ctx.profile, ctx.retriever)
    return SectionResult(body, cites, warnings)


RULES: dict[str, RuleFn] = {
    "募集職種・役割": role,
    "雇用形態と任期": employment,
    "勤務条件（日数・場所・リモート）": conditions,
    "報酬": pay,
    "応募方法・選考プロセス・日程": application,
    "問い合わせ先": contact,
    "雇用形態の判断補助": aid,
}


def seed_text(ctx: DraftContext) -> str:
    """A deep-dive seeds the posting's prose with its root causes, purpose and roles."""
    parts = [seed_section(ctx.seed, t) for t in ("課題の構造", "何のためにデジタル化", "必要な人材の役割")]
    return "\n".join(p[:120] for p in parts if p)
