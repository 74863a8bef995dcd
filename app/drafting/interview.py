"""面接の質問セット・進行台本 (step ③): time table, confirmations and the 評価シート are rule-filled."""

from __future__ import annotations

from app.drafting.base import DraftContext, RuleFn, bullet_items, seed_section
from app.drafting.generate import SectionResult, markers, supporting_citations
from app.drafting.profile import TBD, MunicipalityProfile
from app.drafting.roles import match_roles
from app.drafting.sections import SectionSpec

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
    claim = "実例では、一緒に働く現場の職員や、技術が分かる面接官が面接に加わっています"
    cites = supporting_citations(ctx.retriever, spec.query, doc_ids=spec.doc_ids, must_contain=("面接",), k=8,
                                 claim=claim)
    rows = ["| 順 | 進行 | 時間 |", "|---|---|---|"]
    rows += [f"| {i} | {name} | {m}分 |" for i, (name, m) in enumerate(allocate(ctx.interview_minutes), start=1)]
    rows.append(f"| | 合計 | {ctx.interview_minutes}分 |")
    intro = "面接官は2〜3名とし、技術が分かる人（同じ職の経験者など）を1名加えます。" + (
        f"{claim}{markers(cites)}。" if cites else "")
    return SectionResult("\n".join([intro, "", *rows]), cites)


def required_skills(profile: MunicipalityProfile, seed_text: str) -> list[str]:
    """From the seed posting's skills section when there is one, else from the matched role types."""
    items = bullet_items(seed_text)
    if items:
        return items
    return [s for role, _ in match_roles(profile) for s in role.skills][:5]


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
    claim = "実例では、専門的な内容を分かりやすく説明できる力（アウトプット力）や、スキルと実績を重く見て選んだ自治体があります"
    cites = supporting_citations(ctx.retriever, spec.query + " 重視 アウトプット力 スキルと実績", doc_ids=spec.doc_ids,
                                 must_contain=("重視", "重く見"), k=8, claim=claim)
    skills = required_skills(ctx.profile, seed_section(ctx.seed, "必須／歓迎スキル"))[:3]
    criteria = [(s, "経験を具体的に説明できない", "関連する経験がある", "同種の課題で成果を出した経験を具体的に示せる")
                for s in skills]
    criteria += [
        ("課題の理解", "自治体の課題を理解していない", "課題の概要を理解している", "課題の根本原因と進め方を自分の言葉で示せる"),
        ("説明する力", "専門用語が多く伝わらない", "概ね分かりやすい", "職員・住民に分かる言葉で説明できる"),
        ("人柄・まちとの相性", "組織の文化に合わせる姿勢がない", "協調して働ける", "職員と並走し、地域に関心を持って関われる"),
        ("条件・稼働の適合", "条件が合わない", "概ね合う", "必要な稼働と条件を満たす"),
    ]
    rows = ["| 評価項目 | 1（不十分） | 3（標準） | 5（優れている） | 点数 |", "|---|---|---|---|---|"]
    rows += [f"| {c} | {a} | {b} | {d} | |" for c, a, b, d in criteria]
    note = f"各項目を1〜5点で評価し、2と4は中間とします。合否の基準点は{TBD}です。" + (
        f"項目の参考: {claim}{markers(cites)}。" if cites else "")
    return SectionResult("\n".join([note, "", *rows]), cites)


RULES: dict[str, RuleFn] = {
    "面接の構成（時間配分）": schedule,
    "確認事項（条件・利益相反・稼働）": confirmations,
    "評価シート": evaluation_sheet,
}


def seed_text(ctx: DraftContext) -> str:
    """The interview questions are tied to the role's required skills (from the seed posting when given)."""
    skills = required_skills(ctx.profile, seed_section(ctx.seed, "必須／歓迎スキル"))
    duties = seed_section(ctx.seed, "業務内容")[:120]
    text = "求めるスキル: " + "／".join(skills)
    return f"{text}\n業務内容: {duties}" if duties else text


__all__ = ["RULES", "seed_text", "allocate", "check_minutes", "InterviewLengthError", "TBD"]
