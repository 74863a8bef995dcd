"""業務課題の深掘り (step ①), composed from the profile and the issue patterns; the model writes only the 背景.

The structure a department fills in is given (なぜなぜ prompts, a KPI table with 要確認 targets, a priority
matrix, a questionnaire); the facts around it are the corpus's, each cited. Nothing is concluded for the
municipality that only its staff can know (root causes, targets, priorities).
"""

from __future__ import annotations

from app.drafting.base import DraftContext, RuleFn, generated, quoted_issues, slot_checks
from app.drafting.generate import SectionResult, markers, supporting_citations
from app.drafting.profile import TBD, MunicipalityProfile
from app.drafting.roles import match_issues, match_roles, matched_patterns
from app.drafting.sections import SectionSpec
from app.drafting.slots import issue_terms
from app.flags import FlagCode
from app.schemas import DraftCheck

REASON_FALLBACK = "こうした課題の解決に、外部の専門人材の知見を生かします。"


def background_lead(profile: MunicipalityProfile) -> str:
    """The 背景's first sentences, from the profile alone: the issues in the user's words and the current staff."""
    staff = f"現在のDX体制は{profile.current_dx_staff}です。" if profile.current_dx_staff else ""
    return f"{profile.short_name}では、{quoted_issues(profile)}という業務課題を抱えています。{staff}"


def background_fallback(profile: MunicipalityProfile) -> str:
    """The whole 背景 from the profile alone (when the model's two attempts fail its checks)."""
    return background_lead(profile) + REASON_FALLBACK


def background(ctx: DraftContext) -> tuple[str, list]:  # noqa: ANN001
    """(背景 text, slot results): the seed's validated 背景 when chaining, else the profile's lead sentences and
    the model's one sentence on why outside help is needed (its slot)."""
    seeded = ctx.seed_background()
    if seeded:
        return seeded, []
    p = ctx.profile
    fields = "、".join(issue_terms(p)[:4]) or "／".join(p.issues)
    result = ctx.slot("background", REASON_FALLBACK, name=p.short_name, fields=fields, staff=p.get("current_dx_staff"))
    return background_lead(p) + result.text, [result]


def current_state(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    p = ctx.profile
    refs = ctx.refs()
    text, results = background(ctx)
    lines = [text, "",
             f"- 自治体: {p.display_name}（{p.get('prefecture')}、人口{p.get('population')}）",
             f"- 関係部署: {p.get('departments')}",
             f"- 現在のDX体制: {p.get('current_dx_staff')}",
             f"- 予算の時期: {p.get('budget_timing')}",
             "", refs.sentence(ctx.note("problem_first"))]
    return refs.result("\n".join(lines), generated(*results), slot_checks(*results))


def structure(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    """Per issue: the matched pattern, what the corpus says about it, and なぜなぜ prompts to answer."""
    refs = ctx.refs()
    checks: list[DraftCheck] = []
    lines = ["各課題について「なぜ」をくり返し、表面の課題から根本原因まで掘り下げます。"
             "答えは関係部署への聞き取りで埋めてください（根本原因は現時点では要確認です）。", ""]
    for n, m in enumerate(match_issues(ctx.profile), start=1):
        lines.append(f"**課題{n}: 「{m.issue}」**")
        if m.patterns:
            why_first = f"なぜ「{m.issue}」という状態が起きているのですか？"
            lines.append(f"- 当てはまる分野: {'、'.join(p.label for p in m.patterns)}"
                         f"（「{'」「'.join(m.hits[0][:3])}」から）")
            lines.append(f"- 参考: {refs.sentence(m.patterns[0].context)}")
            whys = [why_first, *[w for p in m.patterns for w in p.whys]][:4]
        else:
            lines.append("- 当てはまる分野: 知識表の分野に当てはまりません。一般的な問いで掘り下げます。")
            whys = list(ctx.kb.general_whys)
            checks.append(DraftCheck(code=FlagCode.DRAFT_NO_PATTERN, detail=m.issue))
        lines += [f"  {i}. {q}" for i, q in enumerate(whys, start=1)]
        lines += [f"- 根本原因（仮説）: {TBD}", ""]
    return refs.result("\n".join(lines), checks=checks)


def purpose(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    """What digitalisation is for, per matched pattern: the purposes the corpus states, cited."""
    refs = ctx.refs()
    lines = ["デジタル化は手段です。課題ごとに、住民と職員にとって何が良くなるのかを先に決めます。", ""]
    patterns = matched_patterns(ctx.profile)
    for pattern in patterns:
        lines.append(f"**{pattern.label}**")
        lines += [refs.line(f) for f in pattern.purposes]
        lines.append("")
    if not patterns:
        lines.append(f"- 課題が知識表の分野に当てはまらないため、目的は関係部署と決めてください（{TBD}）。")
    lines.append(f"- 目指す状態（{ctx.profile.short_name}の言葉で）: {TBD}（聞き取りの「理想の状態」の回答から書きます）")
    return refs.result("\n".join(lines))


def priority(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    """A scoring frame, not scores: impact and urgency are judgements the departments must make."""
    cites = supporting_citations(ctx.retriever, spec.query, doc_ids=spec.doc_ids, must_contain=("優先",))
    rows = ["| 業務課題 | 影響（住民・職員） | 緊急度 | 優先度（影響×緊急度） |", "|---|---|---|---|"]
    rows += [f"| {issue} | {TBD}（高・中・低） | {TBD}（高・中・低） | {TBD} |" for issue in ctx.profile.issues]
    body = "\n".join([
        "影響と緊急度をそれぞれ高（3）・中（2）・低（1）で評価し、掛け合わせた値の大きい課題から取り組みます。"
        + (f"課題を整理してから優先順位を付けます{markers(cites)}。" if cites else ""),
        "", *rows, "",
        f"予算の時期: {ctx.profile.get('budget_timing')}（緊急度の判断材料とします）",
    ])
    return SectionResult(body, cites)


def roles(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    refs = ctx.refs()
    lines = [f"総務省「自治体DX推進のための外部人材スキル標準」の類型に当てはめると、次の役割が考えられます。"
             f"{refs.sentence(ctx.note('pick_types'))}"]
    for role, hits in match_roles(ctx.profile):
        why = f"（「{'」「'.join(hits[:3])}」から）" if hits else "（課題の方向づけが先に必要なため）"
        lines.append(f"- **{role.name}**: {role.summary.text}{refs.mark(role.summary)}{why}")
    lines.append(f"- 求める役割（プロファイル）: {ctx.profile.get('role_sought')}")
    lines.append(f"- {refs.sentence(ctx.note('admin_savvy'))}")
    return refs.result("\n".join(lines))


def kpis(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    """Metric candidates per issue; current values and targets are the municipality's to set (要確認)."""
    refs = ctx.refs()
    rows = ["| 業務課題 | 指標の候補 | 現状値 | 目標値 |", "|---|---|---|---|"]
    for m in match_issues(ctx.profile):
        metrics = [k for p in m.patterns for k in p.kpis][:3]
        if not metrics:
            rows.append(f"| {m.issue} | 知識表に候補がありません（{TBD}） | {TBD} | {TBD} |")
        for k in metrics:
            rows.append(f"| {m.issue} | {k.name}{refs.mark(k.fact())} | {TBD} | {TBD} |")
    intro = ("指標は「何を測るか」だけを挙げます。現状値は聞き取りで測り、目標値は関係部署と決めてください。"
             f"{refs.sentence(ctx.note('evaluate_results'))}")
    return refs.result("\n".join([intro, "", *rows]))


def next_steps(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    refs = ctx.refs()
    p = ctx.profile
    lines = [f"1. 関係部署（{p.get('departments')}）に「庁内アンケート／聞き取り質問票」で聞き取り、根本原因と現状値を埋める",
             f"2. 課題の優先度を決め、人材要件を定める。{refs.sentence(ctx.note('step2_next'))}"]
    n = 3
    for pattern in matched_patterns(p):
        for fact in pattern.next_steps:
            if ctx.applies(fact):
                lines.append(f"{n}. {fact.text}{refs.mark(fact)}")
                n += 1
    lines.append(f"{n}. 予算: {p.get('budget_timing')}。{refs.sentence(ctx.note('recruit_budget'))}")
    return refs.result("\n".join(lines))


QUESTIONS = [
    "この課題に関わる業務の流れを教えてください（件数・所要時間・関わる人数は分かる範囲で）。",
    "いちばん手間がかかっている作業、ミスや手戻りが起きやすい作業はどれですか？",
    "それはなぜ起きていると思いますか（制度・システム・紙・人員・慣習など）？",
    "住民や事業者からどのような声（苦情・要望）がありますか？",
    "理想の状態と、それが実現したときに何が変わるかを教えてください。",
]
"""Asked per issue (the form names each of the user's issues)."""
CLOSING_QUESTIONS = [
    "外部の専門人材に期待すること、不安なことは何ですか？",
    "聞き取りの日程・対応者・提供できる資料（業務マニュアル・統計）を教えてください。",
]


def questionnaire(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    """One form every department fills in: which of the user's issues touch it, the questions per issue, then
    the questions asked once (a copy of the same questions per department only made the form longer)."""
    cites = supporting_citations(ctx.retriever, spec.query, doc_ids=spec.doc_ids, must_contain=("聞き取り", "ヒアリング"))
    departments = ctx.profile.departments or [f"関係部署（{TBD}）"]
    lines = [f"対象: {'、'.join(departments)}（各部署が同じ用紙に記入します）。回答は自由記述とし、最後に5段階の設問を置きます"
             + (f"（現場の声から課題を把握する手順に沿います{markers(cites)}）。" if cites else "。"), "",
             "記入する部署: " + " ".join(f"□{d}" for d in departments), ""]
    for n, issue in enumerate(ctx.profile.issues, start=1):
        lines.append(f"**課題{n}: 「{issue}」について**（関わりがなければ空欄で構いません）")
        lines += [f"{n}-{i}. {q}" for i, q in enumerate(QUESTIONS, start=1)]
        lines.append("")
    lines.append("**全体について**")
    lines += [f"- {q}" for q in CLOSING_QUESTIONS]
    lines += ["", "**共通（5段階: 1 まったく当てはまらない ～ 5 とても当てはまる）**",
              "- 現在の業務量に対して人員が足りていない",
              "- デジタル化で業務が楽になると思う",
              "- 外部人材と一緒に取り組む時間を確保できる"]
    return SectionResult("\n".join(lines).strip(), cites)


RULES: dict[str, RuleFn] = {
    "現状と背景": current_state,
    "課題の構造（なぜなぜ／根本原因）": structure,
    "何のためにデジタル化するのか": purpose,
    "優先度（影響×緊急度）": priority,
    "必要な人材の役割（外部人材スキル標準の類型）": roles,
    "成果指標": kpis,
    "次の一手": next_steps,
    "庁内アンケート／聞き取り質問票": questionnaire,
}


def seed_text(ctx: DraftContext) -> str:
    return ""
