"""Rule-based 雇用形態 decision aid: which engagement forms fit the profile, why, and which schemes could fund it.

Rules, not the LLM, decide: the legal distinctions (特別職非常勤 is limited to expertise-based advice since the
2020 reform; 任期付職員 are regular 地方公務員 bound by secrecy and side-job limits; part-time 会計年度任用職員 may
hold side jobs; a 業務委託 narrows the scope to the contract) come from the corpus facts, and each recommended form
gets its own retrieved citation so the user can check the rule against the source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.drafting.generate import Retriever, markers, supporting_citations
from app.drafting.profile import METRO_PREFECTURES, MunicipalityProfile
from app.flags import FlagCode
from app.schemas import Citation, DraftCheck

__all__ = ["FORMS", "METRO_PREFECTURES", "Form", "decision_aid", "recommend"]

ADVISORY = ("アドバイザー", "補佐官", "助言", "CIO", "CDO", "顧問", "フェロー")


@dataclass(frozen=True)
class Form:
    key: str
    name: str
    basis: str
    query: str
    doc_ids: tuple[str, ...]
    terms: tuple[str, ...]
    caution: str
    funding: tuple[str, ...]
    fit: Callable[[MunicipalityProfile], str | None]
    """Why the form fits this profile, or None when it does not."""


def _styles(p: MunicipalityProfile) -> set[str]:
    return set(p.work_style)


def _advisory(p: MunicipalityProfile) -> bool:
    return any(w in (p.role_sought or "") for w in ADVISORY)


def _fit_tokubetsu(p: MunicipalityProfile) -> str | None:
    if _styles(p) == {"常勤"}:
        return None  # a full-time post is not 非常勤, whatever the title says
    if _advisory(p):
        return "求める役割が専門的知見に基づく助言であり、この形態の対象（助言・調査・診断等）に当たるため"
    if _styles(p) & {"非常勤", "副業"}:
        return "非常勤・副業での関わりを希望しており、役割を助言に絞れば使えるため（業務が助言に当たるかは要確認）"
    return None


def _fit_ninkitsuki(p: MunicipalityProfile) -> str | None:
    if "常勤" in _styles(p):
        return "常勤で庁内の職員として事業を継続的に動かす役割を想定しているため"
    return None


def _fit_kaikei(p: MunicipalityProfile) -> str | None:
    if _styles(p) & {"非常勤", "副業"}:
        return "短時間・年度単位の任用が可能で、パートタイムであれば兼業の許可制の対象外とされるため"
    return None


def _fit_itaku(p: MunicipalityProfile) -> str | None:
    if _styles(p) & {"副業", "リモート"} or not p.work_style:
        return "成果物や支援の範囲を限って依頼する場合に使えるため（契約で範囲が狭まる点に注意）"
    return None


def _fit_fukugyo(p: MunicipalityProfile) -> str | None:
    if _styles(p) & {"副業", "リモート"}:
        return "副業・兼業やリモートでの関わりを希望しており、本業を持つ人材に応募してもらえるため"
    return None


def _fit_kigyojin(p: MunicipalityProfile) -> str | None:
    if p.in_metro_area():
        return None
    where = "3大都市圏外の自治体" if p.prefecture else "受入れ要件（所在地）が合えば"
    return f"{where}として、企業の社員を派遣（企業派遣型）または副業（副業型）で受け入れられる可能性があるため"


def _fit_chiiki_pm(p: MunicipalityProfile) -> str | None:
    if "常勤" in _styles(p) and (p.population or 0) < 100_000 and p.body() != "都道府県":
        return "地域の重要プロジェクトを常勤で束ねる橋渡し役を任用する制度で、小規模な自治体の常勤の役割に合うため"
    return None


FORMS: tuple[Form, ...] = (
    Form("tokubetsu", "特別職非常勤職員", "地方公務員法3条3項3号", "特別職非常勤 地方公務員法 専門的知見 助言 CIO補佐官",
         ("practice-tokubetsushoku", "practice-employment-forms"), ("特別職",),
         "地方公務員法の服務規定が原則として適用されないため、守秘義務等を要綱・契約で定める必要があります",
         ("scheme-cio-hosakan-tokkou",), _fit_tokubetsu),
    Form("ninkitsuki", "任期付職員", "地方公共団体の一般職の任期付職員の採用に関する法律", "任期付職員 任期 一般職 採用に関する法律",
         ("practice-ninkitsuki-kaikei", "practice-employment-forms"), ("任期付",),
         "一般職の地方公務員であり、守秘義務や営利企業への従事の制限が適用されます",
         ("scheme-cio-hosakan-tokkou",), _fit_ninkitsuki),
    Form("kaikei", "会計年度任用職員", "地方公務員法", "会計年度任用職員 パートタイム 兼業",
         ("practice-ninkitsuki-kaikei", "practice-employment-forms"), ("会計年度任用",),
         "フルタイムの場合は兼業に許可が必要です。任期は会計年度の範囲内です",
         (), _fit_kaikei),
    Form("itaku", "業務委託", "契約", "業務委託 契約 範囲 副業 兼業",
         ("practice-itaku-fukugyo", "practice-employment-forms"), ("業務委託", "委託"),
         "契約で業務の範囲が限られ、庁内で幅広く専門性を生かしにくくなります",
         ("scheme-cio-hosakan-tokkou",), _fit_itaku),
    Form("fukugyo", "副業・兼業人材の活用", "（上記の任用・契約形態と組み合わせます）", "副業 兼業 人材 公募 自治体",
         ("practice-itaku-fukugyo", "case-fukuyama"), ("副業", "兼業"),
         "本業の勤務先との利益相反（入札への関与等）の確認が必要です",
         (), _fit_fukugyo),
    Form("kigyojin", "地域活性化起業人（企業派遣型・副業型）", "総務省の制度（特別交付税措置）", "地域活性化起業人 企業派遣型 副業型 特別交付税",
         ("scheme-kigyojin",), ("起業人",),
         "受入れ自治体・派遣元企業の要件、協定の締結が必要です（要件は要確認）",
         ("scheme-kigyojin",), _fit_kigyojin),
    Form("chiiki_pm", "地域プロジェクトマネージャー", "総務省の制度（特別交付税措置）", "地域プロジェクトマネージャー 橋渡し 特別交付税",
         ("scheme-chiiki-pm",), ("地域プロジェクトマネージャー",),
         "住民票の異動などの要件があります（詳細は要確認）",
         ("scheme-chiiki-pm",), _fit_chiiki_pm),
)

FUNDING_QUERIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "scheme-cio-hosakan-tokkou": ("外部人材（CIO補佐官等）の任用等経費への特別交付税措置", "CIO補佐官 特別交付税 外部人材 任用 経費",
                                  ("特別交付税",)),
    "scheme-kigyojin": ("地域活性化起業人", "地域活性化起業人 特別交付税", ("起業人",)),
    "scheme-chiiki-pm": ("地域プロジェクトマネージャー", "地域プロジェクトマネージャー 特別交付税", ("プロジェクトマネージャー",)),
    "scheme-joho-adviser": ("地域情報化アドバイザー派遣", "地域情報化アドバイザー 派遣 総務省", ("アドバイザー",)),
}


@dataclass
class Recommendation:
    form: Form
    reason: str
    citations: list[Citation]


def recommend(profile: MunicipalityProfile) -> list[tuple[Form, str]]:
    """The forms that fit, in the order of FORMS (most common first), with the reason."""
    out = []
    for form in FORMS:
        reason = form.fit(profile)
        if reason:
            out.append((form, reason))
    return out


def decision_aid(profile: MunicipalityProfile, retriever: Retriever) -> tuple[str, list[Citation], list[DraftCheck]]:
    """The 雇用形態の判断補助 section: body, citations (numbered 1..n) and checks."""
    citations: list[Citation] = []
    warnings: list[DraftCheck] = []
    lines = [f"希望する働き方（{profile.get('work_style')}）と求める役割（{profile.get('role_sought')}）から、"
             "次の形態が考えられます。最終判断は人事課・法務担当と確認してください。", ""]
    fitting = recommend(profile)
    for form, reason in fitting:
        found = supporting_citations(retriever, form.query, doc_ids=form.doc_ids, must_contain=form.terms,
                                     start=len(citations) + 1)
        citations.extend(found)
        if not found:
            warnings.append(DraftCheck(code=FlagCode.DRAFT_NO_SOURCE, detail=form.name))
        lines.append(f"- **{form.name}**（根拠: {form.basis}）{markers(found)}")
        lines.append(f"  - 合う理由: {reason}")
        lines.append(f"  - 留意点: {form.caution}")
    funding_ids = [f for form, _ in fitting for f in form.funding]
    if (profile.population or 0) < 50_000 or not profile.population:
        funding_ids.append("scheme-joho-adviser")  # a short free adviser visit helps a small town define the need
    seen: set[str] = set()
    funding_lines = []
    for doc_id in funding_ids:
        if doc_id in seen or doc_id not in FUNDING_QUERIES:
            continue
        seen.add(doc_id)
        name, query, terms = FUNDING_QUERIES[doc_id]
        found = supporting_citations(retriever, query, doc_ids=(doc_id,), must_contain=terms, start=len(citations) + 1)
        citations.extend(found)
        funding_lines.append(f"- {name}（対象・上限額・要件は資料で確認）{markers(found)}")
    if funding_lines:
        lines += ["", "財源・支援として検討できる制度:", *funding_lines]
    if not fitting:
        lines.append(f"- 希望する働き方が未記入のため判断できません（{'要確認'}）。常勤／非常勤／副業／リモートを記入してください。")
    return "\n".join(lines), citations, warnings
