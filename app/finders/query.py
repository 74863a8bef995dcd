"""From a municipality profile to a `FinderQuery`: what the finders may know, nothing guessed beyond it."""

from __future__ import annotations

from typing import Any

from app.finders.models import BodyType, FinderQuery


def _body(profile: Any) -> BodyType | None:
    """The profile's 団体種別 as the drafting profile decides it (given, or from the name's last character)."""
    body = getattr(profile, "body", None)
    return body() if callable(body) else getattr(profile, "body_type", None)


def _in_metro(profile: Any, body: BodyType | None) -> bool | None:
    """True when the profile's prefecture is one of the 三大都市圏's core prefectures (the drafting profile's
    `in_metro_area`); otherwise None, never False: which areas count for each scheme's 地域要件 is not in the corpus,
    so "outside" is only taken from the user (a UI filter, `--metro outside`) and schemes say 要確認 until then."""
    if not getattr(profile, "prefecture", None) and body != "都道府県":
        return None
    check = getattr(profile, "in_metro_area", None)
    return True if callable(check) and check() else None


def query_from_profile(profile: Any, **overrides: Any) -> FinderQuery:
    """`profile` is a `MunicipalityProfile` (or anything with its field names); `overrides` win (a UI filter, a CLI
    option such as in_metro=False)."""
    body = _body(profile)
    data = {
        "name": getattr(profile, "name", None),
        "body_type": body,
        "population": getattr(profile, "population", None),
        "prefecture": getattr(profile, "prefecture", None),
        "in_metro": _in_metro(profile, body),
        "work_styles": list(getattr(profile, "work_style", None) or []),
    }
    data.update({k: v for k, v in overrides.items() if v is not None})
    return FinderQuery.model_validate(data)
