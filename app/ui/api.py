"""Programmatic endpoints mirroring the UI, for `gradio_client` and scripts: `/ask`, `/draft`, `/documents`
(`/ingest` and `/feedback_export` are bound in their tabs, where their file components live).

Errors are raised as `gr.Error` with the core's whole message (Japanese, then English for scripts), matched by
exception type.
"""

from __future__ import annotations

import json

import gradio as gr
from pydantic import ValidationError

from app.answer.question import QuestionError
from app.schemas import Draft
from app.services import Services
from app.ui import queueing
from app.ui.tabs.chat import question_error


def register(services: Services) -> None:
    def ask(question: str) -> dict:
        """Answer a question; returns the same JSON as `dxhire ask --json`."""
        problem = question_error(question)
        if problem:
            raise gr.Error(problem)
        try:
            return services.answers.ask(question.strip()).model_dump(mode="json")
        except QuestionError as exc:
            raise gr.Error(str(exc)) from exc

    def draft(kind: str, profile_json: str, seed_json: str = "", minutes: int = 60) -> dict:
        """Draft one of the drafting core's kinds from a profile given as JSON; returns the Draft as JSON."""
        from app.drafting.profile import ProfileError, parse_profile
        from app.drafting.service import KINDS, DraftError

        if kind not in KINDS:
            raise gr.Error(f"kind は {list(KINDS)} のいずれかです / unknown kind {kind!r}")
        try:
            profile = parse_profile(json.loads(profile_json or "{}"), origin="profile_json")
            seed = Draft.model_validate_json(seed_json) if seed_json else None
        except (ProfileError, ValidationError, json.JSONDecodeError) as exc:
            raise gr.Error(f"プロファイルが不正です / invalid profile: {exc}") from exc
        try:
            result = services.draft(kind, profile, seed=seed, interview_minutes=int(minutes))
        except DraftError as exc:
            raise gr.Error(str(exc)) from exc
        return result.model_dump(mode="json")

    def documents() -> list[dict]:
        """Documents in the index (title, kind, pages, chunks, ingested_at …)."""
        return services.documents()

    gr.api(ask, api_name="ask", **queueing.answer_event(services.settings))
    gr.api(draft, api_name="draft", **queueing.draft_event(services.settings))
    gr.api(documents, api_name="documents")
