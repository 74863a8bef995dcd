"""The core objects one process needs, built lazily and once: what the Gradio app and CLI call.

Loading the embedding model or the GGUF takes seconds, so a surface holds one `Services` and shares it across
requests. Tests inject fakes through the constructor instead of patching globals.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.config import Settings
from app.feedback import FeedbackStore
from app.schemas import Draft, DraftKind, DraftProgress

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from app.answer import AnswerPipeline
    from app.cases.service import CaseService
    from app.drafting.profile import MunicipalityProfile
    from app.models.limiter import LimitedChatModel
    from app.retrieval.hybrid import HybridRetriever
    from ingest.report import IngestReport


class Services:
    def __init__(
        self,
        settings: Settings,
        llm: BaseChatModel | None = None,
        retriever: HybridRetriever | None = None,
    ) -> None:
        self.settings = settings
        self._llm = llm
        self._retriever = retriever
        self._ingest_lock = threading.Lock()

    @cached_property
    def llm(self) -> LimitedChatModel:
        """The one chat model of this process, behind its slot limiter (app/models/limiter.py): answers, rewrites
        and every drafting slot share the backend's slots, and only model calls wait for one."""
        from app.models.limiter import limited

        model = self._llm
        if model is None:
            from app.models.llm import get_chat_model

            model = get_chat_model(self.settings)
        return limited(model, self.settings)

    @cached_property
    def retriever(self) -> HybridRetriever:
        if self._retriever is not None:
            return self._retriever
        from app.retrieval.hybrid import build_retriever

        return build_retriever(self.settings)

    @cached_property
    def answers(self) -> AnswerPipeline:
        from app.answer import AnswerPipeline

        return AnswerPipeline(self.settings, self.llm, self.retriever)

    @cached_property
    def feedback(self) -> FeedbackStore:
        return FeedbackStore(self.settings.feedback_db)

    @cached_property
    def cases(self) -> CaseService:
        """The 案件 workspace under DXHIRE_HOME; its drafts go through `draft` below."""
        from app.cases.service import CaseService
        from app.cases.store import CaseStore

        return CaseService(CaseStore(self.settings.cases_db), self.settings, self.draft)

    def draft(
        self,
        kind: DraftKind,
        profile: MunicipalityProfile,
        seed: Draft | None = None,
        interview_minutes: int = 60,
        progress: Callable[[DraftProgress], None] | None = None,
    ) -> Draft:
        from app.drafting.service import draft

        return draft(
            kind, profile, settings=self.settings, llm=self.llm, retriever=self.retriever, seed=seed,
            interview_minutes=interview_minutes, progress=progress,
        )

    def ingest(self, paths: list[Path], progress: Callable[[int, int, str], Any] | None = None) -> IngestReport:
        """Ingest uploaded files. The retriever keeps serving the old generation until the new one is published;
        `progress(done_files, total_files, name)` as in `ingest.pipeline`."""
        from ingest.pipeline import ingest_paths

        with self._ingest_lock:
            return ingest_paths(self.settings, paths, progress=progress)

    def ingest_uploads(self, files: list[Path | str] | None,
                       progress: Callable[[int, int, str], Any] | None = None) -> IngestReport:
        """Uploaded files (web UI, API): gated, staged under DXHIRE_HOME/uploads, ingested; one row per file,
        refused ones included. See `ingest.uploads`."""
        from ingest.uploads import ingest_uploads

        return ingest_uploads(self.settings, files, self.ingest, progress=progress)

    def documents(self) -> list[dict[str, Any]]:
        from app.store import current_manifest

        manifest = current_manifest(self.settings)
        # the absolute path is the ingest's bookkeeping; the web API must not reveal the server's file layout
        return [doc.public() for doc in manifest.documents] if manifest else []
