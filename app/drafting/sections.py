"""Section specifications per draft kind: the one place that says which sections a draft has, in which order,
what each is for, and whether the LLM writes it or a rule fills it.

Structural sections (time tables, 報酬 when the profile is silent, contact lines) are filled by rules: the embedded
model writes ~10 tokens/s and invents numbers, so only prose that needs the retrieved material goes to the LLM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from app.schemas import DraftKind

Mode = Literal["llm", "rule"]


@dataclass(frozen=True)
class SectionSpec:
    title: str
    purpose: str
    """What the section must do; goes into the prompt and the retrieval query."""
    query: str
    """Keywords for retrieval (the profile's role and first issue are added)."""
    mode: Mode = "llm"
    fact_check: bool = True
    """Numbers/法令名 must come from the profile or a cited passage. Off for generated tables (minutes, scales)."""
    doc_ids: tuple[str, ...] = field(default_factory=tuple)
    """Corpus documents that best support a rule section; a hit from one of them is preferred as its citation."""


DEEPDIVE: list[SectionSpec] = [
    SectionSpec("現状と背景", "利用者が挙げた業務課題と庁内体制から、現状と背景を整理する", "業務課題の特定 現状 背景 体制"),
    SectionSpec("課題の構造（なぜなぜ／根本原因）", "なぜなぜ分析で、表面の課題から根本原因まで掘り下げる",
                "業務課題 根本原因 なぜなぜ 課題の構造化"),
    SectionSpec("何のためにデジタル化するのか", "デジタル化の目的（住民・職員にとっての価値）を明確にする",
                "デジタル化の目的 手段の目的化 住民サービス"),
    SectionSpec("優先度（影響×緊急度）", "課題ごとに影響と緊急度を評価する表の枠を作る", "優先順位 影響 緊急度 業務課題",
                mode="rule", fact_check=False, doc_ids=("guidebook-step1-issues",)),
    SectionSpec("必要な人材の役割（外部人材スキル標準の類型）", "外部人材スキル標準の4類型から必要な役割を選ぶ",
                "外部人材スキル標準 プロデューサー プロジェクトマネージャー サービスデザイナー エンジニア", mode="rule",
                doc_ids=("policy-skill-standard", "guidebook-step2-requirements")),
    SectionSpec("成果指標", "取り組みの成果を測る指標（KPI）の候補を挙げる。目標値は要確認とする", "成果指標 KPI 評価 効果測定"),
    SectionSpec("次の一手", "人材要件の定義と確保に向けて次に行うことを挙げる", "人材要件の定義 次の手順 準備 予算"),
    SectionSpec("庁内アンケート／聞き取り質問票", "関係部署への聞き取り質問票", "聞き取り 庁内 アンケート 業務課題の把握",
                mode="rule", fact_check=False, doc_ids=("guidebook-step1-issues",)),
]

POSTING: list[SectionSpec] = [
    SectionSpec("募集職種・役割", "募集する職名と役割", "募集職種 役割 CIO補佐官 外部人材スキル標準", mode="rule",
                doc_ids=("policy-skill-standard", "practice-job-posting")),
    SectionSpec("背景とミッション", "なぜこの人材を募集するのか、着任後に果たすミッションを書く",
                "募集の背景 ミッション 外部デジタル人材 自治体DX"),
    SectionSpec("業務内容", "具体的な業務内容を箇条書きで書く", "業務内容 職務 CIO補佐官 DX推進 助言"),
    SectionSpec("必須／歓迎スキル・経験", "必須のスキル・経験と歓迎するスキル・経験を分けて箇条書きで書く",
                "応募資格 必須スキル 歓迎 経験 外部人材スキル標準"),
    SectionSpec("雇用形態と任期", "雇用形態と任期", "任用形態 任期 特別職非常勤 任期付職員", mode="rule",
                doc_ids=("practice-employment-forms",)),
    SectionSpec("勤務条件（日数・場所・リモート）", "勤務日数・勤務場所・リモート勤務", "勤務条件 テレワーク 勤務日数",
                mode="rule", doc_ids=("practice-posting-pay-terms", "practice-job-posting")),
    SectionSpec("報酬", "報酬", "報酬 日額 月額", mode="rule", doc_ids=("practice-posting-pay-terms",)),
    SectionSpec("応募方法・選考プロセス・日程", "応募方法と選考の流れ", "選考方法 書類選考 面接 応募方法", mode="rule",
                doc_ids=("practice-interview-selection", "guidebook-step3-selection")),
    SectionSpec("問い合わせ先", "問い合わせ先", "問い合わせ先", mode="rule", fact_check=False),
    SectionSpec("雇用形態の判断補助", "どの任用・契約形態が合うか、その理由と財源となり得る制度",
                "任用形態 比較 特別職非常勤 任期付 会計年度任用 業務委託", mode="rule"),
]

INTERVIEW: list[SectionSpec] = [
    SectionSpec("面接の構成（時間配分）", "面接の進行と時間配分", "面接 進行 選考", mode="rule", fact_check=False,
                doc_ids=("practice-interview-selection",)),
    SectionSpec("質問：経験・スキル", "役割に必要なスキルごとに、経験を具体的に聞く質問を作る",
                "面接 質問 スキル 経験 技術面接"),
    SectionSpec("質問：人柄・まちとの相性", "人柄、自治体の文化やまちとの相性、なぜこの自治体かを聞く質問を作る",
                "面接 人柄 相性 自治体の文化 なぜ公共"),
    SectionSpec("確認事項（条件・利益相反・稼働）", "条件、利益相反、稼働可能な日数の確認項目", "利益相反 兼業 入札 誓約 稼働",
                mode="rule", fact_check=False, doc_ids=("practice-conflict-of-interest",)),
    SectionSpec("評価シート", "評価項目×5段階の評価シート", "評価 選考 基準", mode="rule", fact_check=False,
                doc_ids=("practice-interview-selection",)),
]

SPECS: dict[DraftKind, list[SectionSpec]] = {"deepdive": DEEPDIVE, "posting": POSTING, "interview": INTERVIEW}

TITLES: dict[DraftKind, str] = {
    "deepdive": "業務課題の深掘り",
    "posting": "募集要項（案）",
    "interview": "面接の質問セット・進行台本",
}

SEED_KINDS: dict[DraftKind, tuple[DraftKind, ...]] = {"deepdive": (), "posting": ("deepdive",), "interview": ("posting",)}
"""Which draft may seed which: a deep-dive seeds a posting, a posting seeds an interview set."""


def spec_for(kind: DraftKind, title: str) -> SectionSpec | None:
    return next((s for s in SPECS[kind] if s.title == title), None)
