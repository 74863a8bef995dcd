"""業務課題の深掘り (step ①): LLM sections come from SPECS; here are the rule-filled ones."""

from __future__ import annotations

from app.drafting.base import DraftContext, RuleFn
from app.drafting.generate import SectionResult, markers, supporting_citations
from app.drafting.profile import TBD
from app.drafting.roles import match_roles
from app.drafting.sections import SectionSpec


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
    cites = supporting_citations(ctx.retriever, spec.query, doc_ids=spec.doc_ids, must_contain=("スキル標準",))
    lines = [f"総務省「自治体DX推進のための外部人材スキル標準」の類型に当てはめると、次の役割が考えられます{markers(cites)}。"]
    for role, hits in match_roles(ctx.profile):
        why = f"（課題の記述の「{'」「'.join(hits[:3])}」から）" if hits else "（課題の方向づけが先に必要なため）"
        lines.append(f"- **{role.name}**: {role.does}{why}")
    lines.append(f"- 求める役割（プロファイル）: {ctx.profile.get('role_sought')}")
    return SectionResult("\n".join(lines), cites)


QUESTIONS = [
    "この課題に関わる業務の流れを教えてください（件数・所要時間・関わる人数は分かる範囲で）。",
    "いちばん手間がかかっている作業、ミスや手戻りが起きやすい作業はどれですか。",
    "それはなぜ起きていると思いますか（制度・システム・紙・人員・慣習など）。",
    "住民や事業者からどのような声（苦情・要望）がありますか。",
    "理想の状態と、それが実現したときに何が変わるかを教えてください。",
    "外部の専門人材に期待すること、不安なことは何ですか。",
    "聞き取りの日程・対応者・提供できる資料（業務マニュアル・統計）を教えてください。",
]


def questionnaire(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    cites = supporting_citations(ctx.retriever, spec.query, doc_ids=spec.doc_ids, must_contain=("聞き取り", "ヒアリング"))
    departments = ctx.profile.departments or [f"関係部署（{TBD}）"]
    lines = [f"対象: {'、'.join(departments)}。回答は自由記述とし、最後に5段階の設問を置きます"
             + (f"（現場の声から課題を把握する手順に沿います{markers(cites)}）。" if cites else "。"), ""]
    for dept in departments:
        lines.append(f"**{dept}向け**")
        lines += [f"{i}. {q}" for i, q in enumerate(QUESTIONS, start=1)]
        lines.append("")
    lines += ["**共通（5段階: 1 まったく当てはまらない ～ 5 とても当てはまる）**",
              "- 現在の業務量に対して人員が足りていない",
              "- デジタル化で業務が楽になると思う",
              "- 外部人材と一緒に取り組む時間を確保できる"]
    return SectionResult("\n".join(lines).strip(), cites)


RULES: dict[str, RuleFn] = {
    "優先度（影響×緊急度）": priority,
    "必要な人材の役割（外部人材スキル標準の類型）": roles,
    "庁内アンケート／聞き取り質問票": questionnaire,
}


def seed_text(ctx: DraftContext) -> str:
    return ""
