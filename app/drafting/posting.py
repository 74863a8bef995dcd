"""募集要項 (step ②③), composed: role, duties and skills from the role tables, where to publish from the channel
table, pay, dates and contacts copied from the profile or left 要確認. The model writes the 背景 and the one-line
ミッション only (the 背景 is reused from a deep-dive seed when there is one)."""

from __future__ import annotations

from app.drafting.base import DraftContext, RuleFn, generated, quoted_issues, seed_section, slot_checks
from app.drafting.cite import SectionRefs
from app.drafting.deepdive import background
from app.drafting.employment_aid import decision_aid, recommend
from app.drafting.generate import SectionResult, markers, supporting_citations
from app.drafting.knowledge.models import Fact
from app.drafting.profile import TBD, MunicipalityProfile
from app.drafting.roles import match_roles, matched_patterns
from app.drafting.sections import SectionSpec

MAX_DUTIES = 7


def _roles(ctx: DraftContext, limit: int = 3):  # noqa: ANN202
    return match_roles(ctx.profile, extra_text=seed_section(ctx.seed, "必要な人材の役割"), limit=limit)


def role(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    refs = ctx.refs()
    types = _roles(ctx)
    lines = [f"- 職名: {ctx.profile.get('role_sought')}",
             f"- 所属: {ctx.profile.display_name}（配属課は{TBD}）",
             f"- 役割の類型（外部人材スキル標準）: {'、'.join(r.name for r, _ in types)}"]
    lines += [f"  - {r.name}: {r.summary.text}{refs.mark(r.summary)}" for r, _ in types]
    return refs.result("\n".join(lines))


def mission_sentence(profile: MunicipalityProfile, task: str) -> str:
    """The ミッション: the user's issues, the role, and the task (the model's phrase or a role table duty)."""
    role = profile.role_sought or "外部デジタル人材"
    return f"{quoted_issues(profile, 2)}の解決に向けて、{role}として{task.rstrip('。')}を担っていただきます。"


def mission_fallback(profile: MunicipalityProfile, duty: Fact) -> str:
    return mission_sentence(profile, duty.text)


def mission(ctx: DraftContext, refs: SectionRefs, duty: Fact, role: str) -> tuple[str, list]:
    """(ミッション sentence, slot results): the seed's when chaining, else the model's task phrase set in the
    sentence, else the first duty of the role table (cited)."""
    seeded = ctx.seed_mission()
    if seeded:
        return seeded, []
    p = ctx.profile
    m = ctx.slot("mission", duty.text, name=p.short_name, role=p.role_sought or role, issues="／".join(p.issues))
    if m.from_model:
        return mission_sentence(p, m.text), [m]
    return mission_sentence(p, duty.text).rstrip("。") + refs.mark(duty) + "。", [m]


def background_mission(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    refs = ctx.refs()
    text, results = background(ctx)
    first_role = _roles(ctx, 1)[0][0]
    duty = first_role.duties[0]
    mission_text, mission_results = mission(ctx, refs, duty, first_role.name)
    results += mission_results
    lines = ["**背景**", "", text, "", "**ミッション**", "", mission_text]
    return refs.result("\n".join(lines), generated(*results), slot_checks(*results))


def duties(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    """The top role types' duties, then the duties the matched issue patterns add, each cited; no invented task."""
    refs = ctx.refs()
    facts: list[Fact] = []
    for n, (r, _) in enumerate(_roles(ctx, 2)):
        facts += list(r.duties[: 3 - n])
    for pattern in matched_patterns(ctx.profile):
        facts += [f for f in pattern.duties if ctx.applies(f)]
    facts = list({f.text: f for f in facts}.values())[:MAX_DUTIES]
    seen: set[str] = set()
    lines = [f"本募集で解決したい業務課題: {quoted_issues(ctx.profile)}", "", "次の業務を担っていただきます。"]
    for fact in facts:
        if fact.text in seen:
            continue
        seen.add(fact.text)
        lines.append(refs.line(fact))
    lines.append(f"- 具体的な担当範囲と優先順位は、着任後に{ctx.profile.short_name}と相談して決めます（{TBD}）。")
    return refs.result("\n".join(lines))


def skills(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    refs = ctx.refs()
    types = _roles(ctx, 3)
    main = types[0][0]
    lines = ["**必須**", ""]
    lines += [refs.line(s.fact()) for s in main.required]
    lines.append(refs.line(ctx.note("disqualification")))
    lines += ["", "**歓迎**", ""]
    welcome = list(main.welcome)
    welcome += [s.fact() for r, _ in types[1:] for s in r.required[:1]]  # the interview asks about these too
    lines += [refs.line(f) for f in welcome]
    if {"副業", "リモート"} & set(ctx.profile.work_style):
        lines.append(f"- テレワークやオンライン会議で職員と協働した経験。{refs.sentence(ctx.note('remote_counts'))}")
    lines += ["", f"経験年数の目安は本団体で決めてください（{TBD}）。{refs.sentence(ctx.note('experience_years'))}"]
    return refs.result("\n".join(lines))


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
             f"- 勤務場所: {p.work_place or (p.name and f'{p.short_name}の庁舎（詳細は要確認）') or TBD}",
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


def publishing(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    """募集情報の発信: the channels that fit this profile (work style, size, location), and when to publish."""
    refs = ctx.refs()
    lines = ["**発信先**", ""]
    for channel in ctx.kb.channels:
        if ctx.applies(channel):
            lines.append(f"- **{channel.name}**: {refs.sentence(channel.what)}{refs.sentence(channel.suits)}")
    lines += ["", "**時期**", "",
              f"- 本募集の募集期間: {ctx.profile.get('application_period')}／着任時期: {ctx.profile.get('start_date')}",
              f"- 実例: {refs.sentence(ctx.note('fukuyama_timeline'))}",
              f"- 予算: {ctx.profile.get('budget_timing')}。{refs.sentence(ctx.note('publish_budget'))}",
              f"- 費用: {refs.sentence(ctx.note('fees_unknown'))}"]
    return refs.result("\n".join(lines))


def contact(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    p = ctx.profile
    where = p.get("contact")
    return SectionResult(f"- {where if where.startswith(p.short_name) else f'{p.display_name} {where}'}", [])


def aid(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    body, cites, checks = decision_aid(ctx.profile, ctx.retriever)
    return SectionResult(body, cites, checks)


RULES: dict[str, RuleFn] = {
    "募集職種・役割": role,
    "背景とミッション": background_mission,
    "業務内容": duties,
    "必須／歓迎スキル・経験": skills,
    "雇用形態と任期": employment,
    "勤務条件（日数・場所・リモート）": conditions,
    "報酬": pay,
    "応募方法・選考プロセス・日程": application,
    "募集情報の発信（媒体と時期）": publishing,
    "問い合わせ先": contact,
    "雇用形態の判断補助": aid,
}


def seed_text(ctx: DraftContext) -> str:
    """For a model-written section (endpoint mode): the seed deep-dive's root causes, purpose and roles."""
    parts = [seed_section(ctx.seed, t) for t in ("課題の構造", "何のためにデジタル化", "必要な人材の役割")]
    return "\n".join(p[:120] for p in parts if p)
