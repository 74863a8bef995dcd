"""Finders over the structured corpus data: similar municipalities' cases and the support schemes that may fit.

Public calls (the drafts, the 案件 tab and `dxhire find` use these):
- `find_for_profile(profile, limit=5) -> FinderResult` — both lists for a `MunicipalityProfile`;
- `similar_cases(query, …)`, `matching_schemes(query, …)` with a `FinderQuery` (`query_from_profile(profile)`).
"""

from __future__ import annotations

from typing import Any

from app.finders.cases import similar_cases
from app.finders.data import FinderDataError, load_cases, load_schemes
from app.finders.models import (
    CaseEntry,
    CaseMatch,
    FinderQuery,
    FinderResult,
    SchemeEntry,
    SchemeMatch,
    amount_text,
)
from app.finders.query import query_from_profile
from app.finders.schemes import matching_schemes

__all__ = ["CaseEntry", "CaseMatch", "FinderDataError", "FinderQuery", "FinderResult", "SchemeEntry", "SchemeMatch",
           "amount_text", "find_for_profile", "load_cases", "load_schemes", "matching_schemes", "query_from_profile",
           "similar_cases"]


def find_for_profile(profile: Any, limit: int = 5, **overrides: Any) -> FinderResult:
    """The `limit` closest cases and every scheme that may fit (要確認 ones included, 対象外 left out)."""
    query = query_from_profile(profile, **overrides)
    return FinderResult(query=query, cases=similar_cases(query, limit=limit), schemes=matching_schemes(query))
