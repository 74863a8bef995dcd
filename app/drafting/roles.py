"""Map the user's issues and role to the 4 role types of 総務省「自治体DX推進のための外部人材スキル標準」.

A keyword rule rather than the LLM: the mapping is small, must be explainable ("matched: 窓口, 申請") and the same
profile must always give the same roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.drafting.profile import MunicipalityProfile


@dataclass(frozen=True)
class RoleType:
    name: str
    does: str
    skills: tuple[str, ...]
    keywords: tuple[str, ...]


ROLE_TYPES: tuple[RoleType, ...] = (
    RoleType("プロデューサー（CIO補佐官等）", "組織全体のDXの方向づけ、幹部への助言、庁内の合意形成",
             ("自治体DXの全体方針・計画づくりの経験", "幹部・関係部署との合意形成", "行政の仕組みへの理解"),
             ("CIO", "CDO", "補佐官", "アドバイザー", "戦略", "計画", "方針", "全体", "推進体制", "助言")),
    RoleType("プロジェクトマネージャー", "個別事業の計画・進捗・費用の管理、事業者との調整",
             ("情報システムの導入・更新プロジェクトの管理経験", "調達仕様・事業者との調整", "進捗と費用の管理"),
             ("導入", "更新", "標準化", "調達", "プロジェクト", "ベンダー", "移行", "システム", "PM", "マネージャー")),
    RoleType("サービスデザイナー", "業務改革（BPR）、住民目線の手続・サービスの設計、UI/UX",
             ("業務フローの可視化と業務改革（BPR）の経験", "利用者調査とサービス設計", "UI/UXの改善"),
             ("窓口", "申請", "住民", "手続", "書かない", "BPR", "業務改善", "紙", "利用者", "デザイン", "オンライン")),
    RoleType("エンジニア", "RPA・ローコード等による業務の自動化・内製",
             ("RPA・ローコードツールによる業務自動化", "データの整備と活用", "職員への技術支援"),
             ("RPA", "ローコード", "自動化", "入力", "転記", "Excel", "エクセル", "データ", "kintone", "AI")),
)


def match_roles(profile: MunicipalityProfile, extra_text: str = "", limit: int = 3) -> list[tuple[RoleType, list[str]]]:
    """Role types whose keywords occur in the issues/role (with the words that matched), best first.
    Falls back to プロデューサー: a municipality that cannot yet name its need first needs direction."""
    text = " ".join([*profile.issues, profile.role_sought or "", extra_text])
    scored = []
    for role in ROLE_TYPES:
        hits = [k for k in role.keywords if k.lower() in text.lower()]
        if hits:
            scored.append((role, hits))
    scored.sort(key=lambda rh: -len(rh[1]))
    return scored[:limit] or [(ROLE_TYPES[0], [])]
