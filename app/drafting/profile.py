"""The municipality profile every draft starts from, and loading it from a YAML/JSON file.

Only `issues` is required: a town that knows nothing else still gets a draft, with every missing fact written as
「要確認」 instead of a plausible-looking invention. Unknown fields are errors (extra="forbid"), because a typo such as
`salery:` silently dropped would make the draft say 要確認 for a salary the user did give.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

TBD = "要確認"
"""The placeholder for every fact the user did not give."""

WorkStyle = Literal["常勤", "非常勤", "副業", "リモート"]
BodyType = Literal["都道府県", "市", "町", "村", "特別区"]

METRO_PREFECTURES = ("東京都", "神奈川県", "埼玉県", "千葉県", "愛知県", "大阪府", "京都府", "兵庫県")
"""Core prefectures of the 3大都市圏 (the 起業人 companies come from there; exact host conditions stay 要確認)."""

_SUFFIX_BODY: tuple[tuple[str, BodyType], ...] = (("都", "都道府県"), ("道", "都道府県"), ("府", "都道府県"),
                                                   ("県", "都道府県"), ("区", "特別区"), ("市", "市"), ("町", "町"),
                                                   ("村", "村"))
NOT_FACTS = ("label",)
"""Fields that describe the profile file itself, not the municipality: never shown as facts nor sent to a model."""


class ProfileError(ValueError):
    """A profile file cannot be used; the message names the file or field (Japanese first, then English)."""


class MunicipalityProfile(BaseModel):
    """What the user knows about the municipality and the role. Every field but `issues` may be left out."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label: str | None = Field(None, title="この例の名前", description="例のプロファイルの一覧に表示する名前",
                              json_schema_extra={"form": False})
    name: str | None = Field(None, title="自治体名", description="例: 〇〇町")
    body_type: BodyType | None = Field(None, title="団体の種類", description="空欄なら自治体名から判断します（〇〇県→都道府県）")
    prefecture: str | None = Field(None, title="都道府県")
    population: int | None = Field(None, gt=0, title="人口", description="人")
    departments: list[str] = Field(default_factory=list, title="関係部署", description="例: 住民課, 総務課")
    current_dx_staff: str | None = Field(None, title="現在のDX体制", description="例: 情報担当1名（兼務）")
    issues: list[str] = Field(min_length=1, title="業務課題（必須）", description="利用者の言葉で、1行に1つ")
    budget_timing: str | None = Field(None, title="予算の時期", description="例: 令和8年度当初予算で要求予定")
    work_style: list[WorkStyle] = Field(default_factory=list, title="希望する働き方")
    role_sought: str | None = Field(None, title="求める役割", description="例: DX推進アドバイザー（CIO補佐官）")
    pay: str | None = Field(None, title="報酬（決まっていれば）", description="例: 日額25,000円")
    work_days: str | None = Field(None, title="勤務日数（決まっていれば）", description="例: 月4日程度")
    work_place: str | None = Field(None, title="勤務場所")
    term: str | None = Field(None, title="任期（決まっていれば）", description="例: 委嘱日から令和9年3月31日まで")
    start_date: str | None = Field(None, title="着任時期")
    application_period: str | None = Field(None, title="募集期間")
    contact: str | None = Field(None, title="問い合わせ先", description="課名・電話・メール")
    notes: str | None = Field(None, title="その他の条件")

    @field_validator("issues", mode="before")
    @classmethod
    def _issues_as_list(cls, value: object) -> object:
        """A single issue written as one string is accepted (the common case in a hand-written YAML file)."""
        if isinstance(value, str):
            return [line.strip(" ・-") for line in value.splitlines() if line.strip(" ・-")]
        return value

    @field_validator("issues")
    @classmethod
    def _issues_not_blank(cls, value: list[str]) -> list[str]:
        cleaned = [v.strip() for v in value if v and v.strip()]
        if not cleaned:
            raise ValueError("業務課題を1つ以上書いてください / at least one issue is required")
        return cleaned

    def get(self, field: str) -> str:
        """The field as text for a draft, or 「要確認」 when the user did not give it."""
        value = getattr(self, field)
        if value is None or value == []:
            return TBD
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        if field == "population":
            return f"{value:,}人"
        return str(value)

    @property
    def display_name(self) -> str:
        return self.name or "（自治体名：要確認）"

    @property
    def short_name(self) -> str:
        """The name without a trailing note such as 「（架空）」, for use inside sentences."""
        return re.sub(r"[（(][^）)]*[）)]\s*$", "", self.name or "").strip() or "本団体"

    def body(self) -> BodyType | None:
        """都道府県 / 市 / 町 / 村 / 特別区: as given, else from the name's last character, else None."""
        if self.body_type:
            return self.body_type
        name = re.sub(r"[（(][^）)]*[）)]\s*$", "", self.name or "").strip()
        return next((body for suffix, body in _SUFFIX_BODY if name.endswith(suffix)), None)

    def in_metro_area(self) -> bool:
        """In a 3大都市圏 core prefecture (a prefecture profile counts by its own name)."""
        own = self.short_name if self.body() == "都道府県" else ""
        return any(p in (self.prefecture or "") or p == own for p in METRO_PREFECTURES)

    def facts_text(self) -> str:
        """Everything the user stated, as one text: the validator accepts numbers and 法令名 found here."""
        lines = []
        for field, info in type(self).model_fields.items():
            value = getattr(self, field)
            if value is None or value == [] or field in NOT_FACTS:
                continue
            shown = "、".join(value) if isinstance(value, list) else str(value)
            if field == "population":
                shown = f"{value}人 {value:,}人"
            lines.append(f"{info.title or field}: {shown}")
        return "\n".join(lines)

    def summary(self, limit: int = 400) -> str:
        """A short profile description for prompts (every prompt token costs ~30 ms on the embedded model)."""
        parts = [
            f"自治体: {self.display_name}（{self.get('prefecture')}、人口{self.get('population')}）",
            f"業務課題: {'／'.join(self.issues)}",
            f"関係部署: {self.get('departments')}",
            f"現在の体制: {self.get('current_dx_staff')}",
            f"求める役割: {self.get('role_sought')}",
            f"希望する働き方: {self.get('work_style')}",
        ]
        text = "\n".join(parts)
        return text if len(text) <= limit else text[: limit - 1] + "…"


def _field_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(全体)"
        if err["type"] == "extra_forbidden":
            parts.append(f"{field}: 不明な項目です / unknown field")
        elif err["type"] == "missing":
            parts.append(f"{field}: 必須の項目です / required field is missing")
        elif err["type"] == "greater_than":
            parts.append(f"{field}: 0より大きい数にしてください / must be greater than 0 (got {err.get('input')!r})")
        else:
            parts.append(f"{field}: {err['msg']}")
    return "; ".join(parts)


def parse_profile(data: object, origin: str = "profile") -> MunicipalityProfile:
    """Validate already-parsed data; errors name each bad field."""
    if not isinstance(data, dict):
        raise ProfileError(f"{origin}: 項目と値の組（マッピング）にしてください / the profile must be a mapping of fields")
    try:
        return MunicipalityProfile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(f"{origin}: プロファイルが不正です / invalid profile: {_field_errors(exc)}") from exc


def load_profile(path: Path | str) -> MunicipalityProfile:
    """Read a profile from YAML (.yaml/.yml) or JSON (.json; other suffixes are tried as YAML, a JSON superset)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ProfileError(f"{path}: ファイルがありません / file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: 読めません / cannot read the file ({exc})") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{path}: JSONとして読めません / not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ProfileError(f"{path}: YAMLとして読めません / not valid YAML{where}") from exc
    return parse_profile(data, origin=str(path))
