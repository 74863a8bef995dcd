"""Match the profile to the knowledge tables: which issue patterns its issues are, which role types it needs.

Keyword rules rather than the model: the match must be explainable (「窓口」「申請」から) and the same profile must
always give the same draft. An issue that matches no pattern is kept as is and handled by a general section.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.drafting.knowledge import knowledge
from app.drafting.knowledge.models import IssuePattern, Role
from app.drafting.profile import MunicipalityProfile

MAX_PATTERNS_PER_ISSUE = 2


@dataclass(frozen=True)
class IssueMatch:
    issue: str
    """The user's own words."""
    patterns: tuple[IssuePattern, ...]
    hits: tuple[tuple[str, ...], ...]
    """The keywords of each pattern found in the issue (same order as `patterns`)."""


def match_issues(profile: MunicipalityProfile) -> list[IssueMatch]:
    out = []
    for issue in profile.issues:
        scored = []
        for pattern in knowledge().issues:
            hits = tuple(k for k in pattern.keywords if k.lower() in issue.lower())
            if hits:
                scored.append((pattern, hits))
        scored.sort(key=lambda ph: -len(ph[1]))
        top = scored[:MAX_PATTERNS_PER_ISSUE]
        out.append(IssueMatch(issue, tuple(p for p, _ in top), tuple(h for _, h in top)))
    return out


def matched_patterns(profile: MunicipalityProfile) -> list[IssuePattern]:
    """Every pattern some issue matched, once, in the order of the issues."""
    seen: dict[str, IssuePattern] = {}
    for m in match_issues(profile):
        for p in m.patterns:
            seen.setdefault(p.key, p)
    return list(seen.values())


def match_roles(profile: MunicipalityProfile, extra_text: str = "", limit: int = 3) -> list[tuple[Role, list[str]]]:
    """Role types with the words that point to them, best first: a role named in 求める役割 first, then keyword
    hits in the issues and role, plus the roles the matched issue patterns need. Falls back to プロデューサー:
    a municipality that cannot yet name its need first needs direction."""
    text = " ".join([*profile.issues, profile.role_sought or "", extra_text]).lower()
    wanted = (profile.role_sought or "").lower()
    votes: dict[str, int] = {}
    for pattern in matched_patterns(profile):
        for key in pattern.roles:
            votes[key] = votes.get(key, 0) + 1
    scored = []
    for role in knowledge().roles:
        hits = [k for k in role.keywords if k.lower() in text]
        core = role.name.split("（")[0].lower()
        score = len(hits) + 2 * votes.get(role.key, 0) + (10 if core in wanted else 0)
        if score:
            scored.append((score, role, hits))
    scored.sort(key=lambda s: -s[0])
    return [(r, h) for _, r, h in scored[:limit]] or [(knowledge().role("producer"), [])]
