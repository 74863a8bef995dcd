"""The sections of each draft kind: title, what the section does, retrieval keywords, and how it is checked.

Every section is composed by a rule from the profile and the knowledge tables (`app/drafting/knowledge/`); the
model fills only bounded slots inside some of them. Sections marked `writable` are the ones an endpoint model
may write whole when `DXHIRE_DRAFT_MODEL_SECTIONS` is on (under the same validators, with the composed section
as the fallback). The registry of kinds that uses these lists is `app/drafting/kinds.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SectionSpec:
    title: str
    purpose: str
    """What the section must do; the prompt and the retrieval query of a model-written section use it."""
    query: str
    """Keywords for retrieval (the profile's role and first issue are added)."""
    fact_check: bool = True
    """Numbers/法令名 must come from the profile, a cited passage or the template's own words. Off only for
    generated tables whose figures are arithmetic (minutes, scales)."""
    doc_ids: tuple[str, ...] = field(default_factory=tuple)
    """Corpus documents that best support the section; a hit from one of them is preferred as its citation."""
    writable: bool = False
    """An endpoint model may write this section whole (setting `draft_model_sections`)."""
    questions: bool = False
    """The section is a list of questions: at least one line must end with ？."""


DEEPDIVE: tuple[SectionSpec, ...] = (
    SectionSpec("現状と背景", "利用者が挙げた業務課題と庁内体制から、現状と背景を整理する", "業務課題の特定 現状 背景 体制",
                doc_ids=("guidebook-step1-issues",), writable=True),
    SectionSpec("課題の構造（なぜなぜ／根本原因）", "なぜなぜ分析で、表面の課題から根本原因まで掘り下げる",
                "業務課題 根本原因 なぜなぜ 課題の構造化", doc_ids=("policy-dx-priority-issues",), writable=True),
    SectionSpec("何のためにデジタル化するのか", "デジタル化の目的（住民・職員にとっての価値）を明確にする",
                "デジタル化の目的 手段の目的化 住民サービス", doc_ids=("policy-dx-priority-issues",), writable=True),
    SectionSpec("優先度（影響×緊急度）", "課題ごとに影響と緊急度を評価する表の枠を作る", "優先順位 影響 緊急度 業務課題",
                fact_check=False, doc_ids=("guidebook-step1-issues",)),
    SectionSpec("必要な人材の役割（外部人材スキル標準の類型）", "外部人材スキル標準の4類型から必要な役割を選ぶ",
                "外部人材スキル標準 プロデューサー プロジェクトマネージャー サービスデザイナー エンジニア",
                doc_ids=("policy-skill-standard", "guidebook-step2-requirements")),
    SectionSpec("成果指標", "取り組みの成果を測る指標（KPI）の候補を挙げる。目標値は要確認とする", "成果指標 KPI 評価 効果測定",
                doc_ids=("policy-dx-priority-issues",), writable=True),
    SectionSpec("次の一手", "人材要件の定義と確保に向けて次に行うことを挙げる", "人材要件の定義 次の手順 準備 予算",
                doc_ids=("guidebook-step2-requirements",), writable=True),
    SectionSpec("庁内アンケート／聞き取り質問票", "関係部署への聞き取り質問票", "聞き取り 庁内 アンケート 業務課題の把握",
                fact_check=False, doc_ids=("guidebook-step1-issues",), questions=True),
)

POSTING: tuple[SectionSpec, ...] = (
    SectionSpec("募集職種・役割", "募集する職名と役割", "募集職種 役割 CIO補佐官 外部人材スキル標準",
                doc_ids=("policy-skill-standard", "practice-job-posting")),
    SectionSpec("背景とミッション", "なぜこの人材を募集するのか、着任後に果たすミッションを書く",
                "募集の背景 ミッション 外部デジタル人材 自治体DX", writable=True),
    SectionSpec("業務内容", "具体的な業務内容を箇条書きで書く", "業務内容 職務 CIO補佐官 DX推進 助言",
                doc_ids=("policy-skill-standard", "practice-job-posting"), writable=True),
    SectionSpec("必須／歓迎スキル・経験", "必須のスキル・経験と歓迎するスキル・経験を分けて箇条書きで書く",
                "応募資格 必須スキル 歓迎 経験 外部人材スキル標準", doc_ids=("policy-skill-standard",), writable=True),
    SectionSpec("雇用形態と任期", "雇用形態と任期", "任用形態 任期 特別職非常勤 任期付職員",
                doc_ids=("practice-employment-forms",)),
    SectionSpec("勤務条件（日数・場所・リモート）", "勤務日数・勤務場所・リモート勤務", "勤務条件 テレワーク 勤務日数",
                doc_ids=("practice-posting-pay-terms", "practice-job-posting")),
    SectionSpec("報酬", "報酬", "報酬 日額 月額", doc_ids=("practice-posting-pay-terms",)),
    SectionSpec("応募方法・選考プロセス・日程", "応募方法と選考の流れ", "選考方法 書類選考 面接 応募方法",
                doc_ids=("practice-interview-selection", "guidebook-step3-selection")),
    SectionSpec("募集情報の発信（媒体と時期）", "募集情報をどこに、いつ出すか", "募集情報の発信 媒体 外部人材リスト 人材プール",
                doc_ids=("practice-recruiting-channels",)),
    SectionSpec("問い合わせ先", "問い合わせ先", "問い合わせ先", fact_check=False),
    SectionSpec("雇用形態の判断補助", "どの任用・契約形態が合うか、その理由と財源となり得る制度",
                "任用形態 比較 特別職非常勤 任期付 会計年度任用 業務委託"),
)

INTERVIEW: tuple[SectionSpec, ...] = (
    SectionSpec("面接の構成（時間配分）", "面接の進行と時間配分", "面接 進行 選考", fact_check=False,
                doc_ids=("practice-interview-selection",)),
    SectionSpec("質問：経験・スキル", "役割に必要なスキルごとに、経験を具体的に聞く質問を作る",
                "面接 質問 スキル 経験 技術面接", doc_ids=("policy-skill-standard",), writable=True, questions=True),
    SectionSpec("質問：人柄・まちとの相性", "人柄、自治体の文化やまちとの相性、なぜこの自治体かを聞く質問を作る",
                "面接 人柄 相性 自治体の文化 なぜ公共", doc_ids=("practice-interview-selection",), writable=True,
                questions=True),
    SectionSpec("確認事項（条件・利益相反・稼働）", "条件、利益相反、稼働可能な日数の確認項目", "利益相反 兼業 入札 誓約 稼働",
                fact_check=False, doc_ids=("practice-conflict-of-interest",)),
    SectionSpec("評価シート", "評価項目×5段階の評価シート", "評価 選考 基準", fact_check=False,
                doc_ids=("practice-interview-selection",)),
)

CHECKLIST: tuple[SectionSpec, ...] = (
    SectionSpec("受け入れの目的と役割の共有", "何のために迎え、何を任せるかを庁内で共有する", "受入れ準備 目的 役割 共有",
                doc_ids=("policy-dx-plan", "guidebook-step4-onboarding")),
    SectionSpec("内定〜着任前", "任用・服務・利益相反・執務環境・指揮命令を着任前に決める", "受入れ準備 任用 守秘義務 利益相反",
                doc_ids=("guidebook-step4-onboarding", "practice-conflict-of-interest", "practice-onboarding")),
    SectionSpec("着任初日", "初日に紹介・説明・受け渡しをする", "着任 紹介 守秘義務 誓約書",
                doc_ids=("practice-onboarding", "practice-conflict-of-interest")),
    SectionSpec("着任後1か月", "最初の1か月で定着を確かめる", "定着 文化の違い 孤立 振り返り",
                doc_ids=("practice-onboarding", "case-ehime")),
    SectionSpec("任期中・任期末（評価と振り返り）", "成果の評価と任期・更新を確かめる", "成果の評価 任期 更新 解任",
                doc_ids=("practice-interview-selection", "practice-conflict-of-interest")),
)

PLAN: tuple[SectionSpec, ...] = (
    SectionSpec("目的", "外部人材を迎える目的", "外部人材 活用の目的 受入れ", doc_ids=("guidebook-step4-onboarding",)),
    SectionSpec("期間", "任用・契約の期間と更新", "任期 更新 期間", doc_ids=("practice-employment-forms",)),
    SectionSpec("体制", "配属、指揮命令・報告先、相談相手", "体制 指揮命令 報告 相談",
                doc_ids=("guidebook-step4-onboarding",)),
    SectionSpec("月ごとの業務スケジュール", "着任から任期末までの月ごとの業務", "業務スケジュール 計画書 ロードマップ",
                doc_ids=("case-others",)),
    SectionSpec("成果物", "任期中に作ってもらうもの", "成果物 ロードマップ 業務課題の洗い出し", doc_ids=("case-others",)),
    SectionSpec("評価・振り返り", "成果をどう評価し、いつ振り返るか", "成果の評価 振り返り 任期 更新",
                doc_ids=("practice-interview-selection",)),
)
