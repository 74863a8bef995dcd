"""What the 案件 tab and `dxhire case` do with a case: start one from a profile, draft an artefact from the case's
profile (seeded by the case's own earlier drafts), save the user's edit as a new version, say what to do next.

Drafting itself is the drafting core's (`draft_fn` is `Services.draft`); this module only decides the inputs and
records the result, so the UI and the CLI stay bindings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from app.cases.kinds import KindView, draft_kinds, kind_view
from app.cases.models import STEP_TITLES, Case, CaseError, Version, step_label
from app.cases.store import CaseStore
from app.config import Settings
from app.schemas import Draft, DraftProgress

DraftFn = Callable[..., Draft]
EDITED_BY = "利用者の編集"


class NextAction(BaseModel):
    """The one thing the officer should do next, with the step it belongs to (None when every step is 確認済み)."""

    step: int | None
    kind: str | None = None
    text: str


def model_label(settings: Settings) -> str:
    """What a generated version records as its author: the backend, and the model name for an endpoint."""
    return f"{settings.llm_backend}: {settings.llm_model}" if settings.llm_model else settings.llm_backend


class CaseService:
    def __init__(self, store: CaseStore, settings: Settings, draft_fn: DraftFn) -> None:
        self.store = store
        self._edits = threading.Lock()
        """The editor saves on the button and on leaving the box: both may arrive at once for one edit."""
        self.settings = settings
        self.draft_fn = draft_fn

    def new_case(self, title: str, profile: Any) -> Case:
        return new_case(self.store, title, profile)

    def profile(self, case: Case) -> Any:
        from app.drafting.profile import parse_profile

        return parse_profile(case.profile, origin=f"案件 {case.id}")

    def seed_for(self, case: Case, view: KindView) -> Draft | None:
        """The latest version of the most recently changed artefact this kind may be seeded by."""
        candidates = [a for a in case.artefacts if a.kind in view.seeds]
        if not candidates:
            return None
        return max(candidates, key=lambda a: a.latest.created_at).latest.draft

    def draft(self, case_id: str, kind: str, *, interview_minutes: int = 60,
              progress: Callable[[DraftProgress], None] | None = None) -> Version:
        case = self.store.get(case_id)
        try:
            view = kind_view(kind)
        except KeyError:
            raise CaseError(f"起案の種類が不明です: {kind} / unknown draft kind") from None
        result = self.draft_fn(kind, self.profile(case), seed=self.seed_for(case, view),
                               interview_minutes=interview_minutes, progress=progress)
        return self.store.add_version(case_id, kind, view.step, result, "generated", model_label(self.settings))

    def save_edit(self, case_id: str, kind: str, markdown: str) -> Version | None:
        """The edited Markdown as a new version (citations of the base version kept); None when nothing changed."""
        from app.drafting.export import draft_from_markdown, to_markdown

        with self._edits:  # read the latest version and append to it in one step: one edit is one version
            case = self.store.get(case_id)
            artefact = case.artefact(kind)
            if artefact is None:
                raise CaseError("まだ起案していません。先に起案してください / nothing drafted yet")
            base = artefact.latest.draft
            edited = draft_from_markdown(markdown or "", base)
            if (markdown or "").strip() == to_markdown(base).strip() or to_markdown(edited) == to_markdown(base):
                return None
            return self.store.add_version(case_id, kind, artefact.step, edited, "edited", EDITED_BY)


def new_case(store: CaseStore, title: str, profile: Any) -> Case:
    """`profile` is a validated `MunicipalityProfile`; the title defaults to the municipality's name."""
    data = profile.model_dump(mode="json", exclude_none=True)
    return store.create(title or f"{getattr(profile, 'display_name', '')}の外部デジタル人材の確保", data)


def next_action(case: Case) -> NextAction:
    """The first step not yet 確認済み decides: a kind of that step not drafted yet, else review and confirm."""
    kinds = draft_kinds()
    for step in STEP_TITLES:
        if case.statuses.get(step) == "確認済み":
            continue
        missing = [v for v in kinds if v.step == step and case.artefact(v.kind) is None]
        if missing:
            return NextAction(step=step, kind=missing[0].kind,
                              text=f"{step_label(step)}: 「{missing[0].title}」を起案してください。")
        if not any(v.step == step for v in kinds):
            return NextAction(step=step, text=(
                f"{step_label(step)}: 求める役割・希望する働き方・予算の時期をプロファイルで確かめ、"
                "下の「似た団体の事例」と「使える可能性のある支援制度」を確認して「確認済み」にしてください。"))
        return NextAction(step=step, text=f"{step_label(step)}: 下書きの「要確認」と出典を確認し、"
                                          "必要なら編集して「確認済み」にしてください。")
    return NextAction(step=None, text="4つのステップがすべて確認済みです。案件を書き出して共有できます。")
