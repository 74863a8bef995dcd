"""面接の質問セット・進行台本 (step ③), composed: a time table that sums to the chosen length, one question per
required skill (with a follow-up and what a strong answer shows) from the role tables, the fit questions the
corpus reports, confirmations and an evaluation sheet with anchors. The model writes one question adapted to the
town; everything else is rule-built."""

from __future__ import annotations

from app.drafting.base import DraftContext, RuleFn, generated, seed_section, slot_checks
from app.drafting.generate import SectionResult, markers, supporting_citations
from app.drafting.knowledge.models import Skill
from app.drafting.profile import TBD, MunicipalityProfile
from app.drafting.roles import match_roles
from app.drafting.sections import SectionSpec
from app.drafting.slots import issue_terms

MIN_MINUTES, MAX_MINUTES = 10, 240

PHASES: tuple[tuple[str, float], ...] = (
    ("導入・趣旨説明", 0.08),
    ("経験・スキルの確認", 0.35),
    ("人柄・まちとの相性", 0.2),
    ("条件・利益相反・稼働の確認", 0.15),
    ("応募者からの質問", 0.12),
    ("クロージング・今後の流れ", 0.1),
)


class InterviewLengthError(ValueError):
    """The interview length is outside 10..240 minutes."""


def check_minutes(minutes: int) -> int:
    if not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise InterviewLengthError(
            f"interview_minutes（--minutes）は{MIN_MINUTES}〜{MAX_MINUTES}分で指定してください / "
            f"interview_minutes must be between {MIN_MINUTES} and {MAX_MINUTES} (got {minutes})"
        )
    return minutes


def allocate(minutes: int) -> list[tuple[str, int]]:
    """Whole minutes per phase summing exactly to `minutes` (largest remainder; every phase gets ≥1 minute)."""
    check_minutes(minutes)
    raw = [(name, max(1.0, w * minutes)) for name, w in PHASES]
    base = [(name, int(x)) for name, x in raw]
    left = minutes - sum(m for _, m in base)
    order = sorted(range(len(raw)), key=lambda i: -(raw[i][1] - base[i][1]))
    result = [list(x) for x in base]
    i = 0
    while left != 0:
        idx = order[i % len(order)]
        if left > 0:
            result[idx][1] += 1
            left -= 1
        elif result[idx][1] > 1:
            result[idx][1] -= 1
            left += 1
        i += 1
    return [(str(n), int(m)) for n, m in result]


def schedule(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    refs = ctx.refs()
    rows = ["| 順 | 進行 | 時間 |", "|---|---|---|"]
    rows += [f"| {i} | {name} | {m}分 |" for i, (name, m) in enumerate(allocate(ctx.interview_minutes), start=1)]
    rows.append(f"| | 合計 | {ctx.interview_minutes}分 |")
    intro = ("面接官には、一緒に働く部署の職員と、技術が分かる人（同じ職の経験者など）を加えます。"
             f"{refs.sentence(ctx.note('field_staff'))}{refs.sentence(ctx.note('role_explicit'))}")
    return refs.result("\n".join([intro, "", *rows]))


def seed_roles(ctx: DraftContext) -> list:
    """The role types of the seed posting's 「役割の類型」 line, in its order (what the posting asked for, as the user
    may have edited it); [] without such a line. Matching the seed's words instead let the skill lists of the
    posting outvote the profile's issues."""
    line = next((ln for ln in seed_section(ctx.seed, "募集職種").splitlines() if "役割の類型" in ln), "")
    names = [n.strip() for n in line.split(":", 1)[1].split("、")] if ":" in line else []
    by_name = {r.name: r for r in ctx.kb.roles}
    return [by_name[n] for n in names if n in by_name]


def skill_set(ctx: DraftContext, limit: int = 4) -> list[Skill]:
    """The skills the interview tests: the main role type's required skills that fit the user's issues best, then
    the first required skill of each other matched type (so an issue that points to another type, such as the
    システム更新・標準化 of a town whose main need is BPR, is asked about too). The posting composed by dxhire lists
    the same skills under 必須 and 歓迎; an edited seed's extra lines are ignored here."""
    roles = seed_roles(ctx) or [r for r, _ in match_roles(ctx.profile, limit=3)]
    main, others = roles[0], roles[1:3]
    words = issue_terms(ctx.profile)
    fitting = sorted(main.required, key=lambda sk: -sum(w in sk.name + sk.question for w in words))
    return (fitting[: max(2, limit - len(others))] + [r.required[0] for r in others])[:limit]


def skill_questions(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    """One question per required skill with what a strong answer shows and a follow-up; each skill cited."""
    refs = ctx.refs()
    types = match_roles(ctx.profile, limit=2)
    lines = [f"求める役割: {ctx.profile.get('role_sought')}（外部人材スキル標準の類型: "
             f"{'、'.join(r.name for r, _ in types)}）",
             f"役割に必要なスキルごとに、過去の経験を具体的に聞きます。{refs.sentence(ctx.note('role_explicit'))}", ""]
    for n, skill in enumerate(skill_set(ctx), start=1):
        lines += [f"**{n}. {skill.name}**{refs.mark(skill.fact())}",
                  f"- 質問: {skill.question}",
                  f"- 深掘り: {skill.follow_up}",
                  f"- よい回答に表れること: {skill.strong}", ""]
    return refs.result("\n".join(lines))


def question_fallback(profile: MunicipalityProfile) -> str:
    return f"{profile.short_name}の「{profile.issues[0]}」という課題に、着任後まず何から取り組みますか？"


def fit_questions(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    """The questions the corpus says mid-career public-sector interviews ask, the plain-explanation test, and one
    question adapted to the town (the model's slot)."""
    refs = ctx.refs()
    p = ctx.profile
    result = ctx.slot("question", question_fallback(p), name=p.short_name, role=p.role_sought or "外部デジタル人材",
                      issue=p.issues[0])
    why_public = refs.mark(ctx.note("why_public"))
    lines = [
        f"1. なぜ民間ではなく行政の仕事をしたいのですか？{why_public}",
        f"2. なぜ{p.short_name}なのですか？{why_public}",
        f"3. 民間での経験を、{p.short_name}の仕事にどう生かしますか？{why_public}",
        f"4. 専門的な内容を、職員や住民に分かる言葉で説明してください（例: ご自身の得意分野について）。"
        f"{refs.mark(ctx.note('output_power'))}",
        f"5. {result.text}",
        "6. 職員と意見が合わないとき、どのように進めますか？",
        "",
        f"- 評価の観点: {refs.sentence(ctx.note('output_power'))}{refs.sentence(ctx.note('skill_record'))}",
    ]
    return refs.result("\n".join(lines), generated(result), slot_checks(result))


def confirmations(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    cites = supporting_citations(ctx.retriever, spec.query, doc_ids=spec.doc_ids, must_contain=("利益相反", "兼業"))
    p = ctx.profile
    lines = [
        f"- 勤務条件: 勤務日数（{p.get('work_days')}）、勤務場所（{p.get('work_place')}）、リモートの可否に同意できるか",
        "- 稼働: 確保できる日数・時間帯、繁忙期、連絡の取りやすさ",
        f"- 着任時期: 希望する着任時期（{p.get('start_date')}）に着任できるか",
        f"- 報酬: 提示する報酬（{p.get('pay')}）で合意できるか",
        "- 利益相反: 本業・兼業先と取引先（入札参加の可能性）の申告、仕様書作成に関わった場合の入札制限、"
        f"誓約書の提出に同意できるか{markers(cites)}",
        "- 守秘義務: 要綱・契約で定める守秘義務を守れるか",
    ]
    return SectionResult("\n".join(lines), cites)


def evaluation_sheet(ctx: DraftContext, spec: SectionSpec) -> SectionResult:
    refs = ctx.refs()
    main = match_roles(ctx.profile, limit=1)[0][0]
    criteria = [(s.name, "経験を具体的に説明できない", "関連する経験がある", s.strong) for s in skill_set(ctx)[:3]]
    criteria += [
        ("役割の類型に照らした総合", main.anchors.low, main.anchors.mid, main.anchors.high),
        ("課題の理解", "自治体の課題を理解していない", "課題の概要を理解している", "課題の根本原因と進め方を自分の言葉で示せる"),
        ("説明する力", "専門用語が多く伝わらない", "概ね分かりやすい", "職員・住民に分かる言葉で説明できる"),
        ("人柄・まちとの相性", "組織の文化に合わせる姿勢がない", "協調して働ける", "職員と並走し、地域に関心を持って関われる"),
        ("条件・稼働の適合", "条件が合わない", "概ね合う", "必要な稼働と条件を満たす"),
    ]
    rows = ["| 評価項目 | 1（不十分） | 3（標準） | 5（優れている） | 点数 |", "|---|---|---|---|---|"]
    rows += [f"| {c} | {a} | {b} | {d} | |" for c, a, b, d in criteria]
    note = (f"各項目を1〜5点で評価し、2と4は中間とします。合否の基準点は{TBD}です。"
            f"{refs.sentence(ctx.note('output_power'))}{refs.sentence(ctx.note('skill_record'))}")
    return refs.result("\n".join([note, "", *rows]))


RULES: dict[str, RuleFn] = {
    "面接の構成（時間配分）": schedule,
    "質問：経験・スキル": skill_questions,
    "質問：人柄・まちとの相性": fit_questions,
    "確認事項（条件・利益相反・稼働）": confirmations,
    "評価シート": evaluation_sheet,
}


def seed_text(ctx: DraftContext) -> str:
    """For a model-written section (endpoint mode): the skills the interview tests and the seed's duties."""
    duties = seed_section(ctx.seed, "業務内容")[:120]
    text = "求めるスキル: " + "／".join(s.name for s in skill_set(ctx))
    return f"{text}\n業務内容: {duties}" if duties else text


__all__ = ["RULES", "seed_text", "allocate", "check_minutes", "InterviewLengthError", "TBD"]
