"""The core objects one process needs, built lazily and once: what the Gradio app and CLI call.

Loading the embedding model or the GGUF takes seconds, so a surface holds one `Services` and shares it across
requests. Tests inject fakes through the constructor instead of patching globals.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.config import Settings
from app.feedback import FeedbackStore
from app.schemas import Draft, DraftKind, DraftProgress

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from app.answer import AnswerPipeline
    from app.answer.memory import ConversationMemory
    from app.cases.service import CaseService
    from app.drafting.profile import MunicipalityProfile
    from app.models.limiter import LimitedChatModel
    from app.retrieval.hybrid import HybridRetriever
    from ingest.report import IngestReport


@dataclass
class IndexingStatus:
    """Progress of the corpus indexing that `dxhire serve` runs beside the web page on start (first start: minutes),
    so the page can say so instead of the server staying silent until it is done."""

    state: str = "waiting"  # waiting | running | done | failed
    done: int = 0
    total: int = 0
    name: str = ""
    error: str = ""
    seconds: float = 0.0
    _started: float = field(default_factory=time.monotonic, repr=False)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    def ja(self) -> str:
        """One line for the page (empty once indexing finished without trouble)."""
        if self.state == "failed":
            return f"⚠️ 資料の索引を作成できませんでした（これまでの索引で回答します）: {self.error}"
        if self.state == "done":
            return ""
        where = f"（{self.done}/{self.total}件）" if self.total else ""
        return (f"⏳ 資料の索引を作成しています{where}。完了するまで、まだ索引にない資料についての質問には"
                f"「資料に記載がありません」と答えることがあります。")


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
        self._llm_lock = threading.Lock()
        self._limited: LimitedChatModel | None = None
        self.indexing: IndexingStatus | None = None
        """Set by `index_corpus_in_background` (dxhire serve); the page shows it while it runs."""

    @property
    def llm(self) -> LimitedChatModel:
        """The one chat model of this process, behind its slot limiter (app/models/limiter.py): answers, rewrites
        and every drafting slot share the backend's slots, and only model calls wait for one. Built once, under a
        lock: two first requests (or the start-up warm-up) must not create two limiters."""
        with self._llm_lock:
            if self._limited is None:
                from app.models.limiter import limited

                model = self._llm
                if model is None:
                    from app.models.llm import get_chat_model

                    model = get_chat_model(self.settings)
                self._limited = limited(model, self.settings)
            return self._limited

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
    def memory(self) -> ConversationMemory:
        """The chat sessions' last turns (key: the browser session), so a web follow-up takes the same memory and
        rewrite path as `dxhire chat` (`answers.stream_session`)."""
        from app.answer.memory import ConversationMemory

        return ConversationMemory(max_turns=self.settings.memory_turns)

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

        return draft(  # the model is loaded at the first slot that needs it (a checklist never does)
            kind, profile, settings=self.settings, llm=lambda: self.llm, retriever=self.retriever, seed=seed,
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

    def index_corpus_in_background(self, echo: Callable[[str], None] | None = None) -> threading.Thread:
        """Index `corpus_dir` (incrementally) in a thread while the page already serves; progress goes to
        `self.indexing` and, one line per file, to `echo`."""
        from ingest.pipeline import ensure_corpus_indexed

        status = self.indexing = IndexingStatus()

        def progress(done: int, total: int, name: str) -> None:
            status.state, status.done, status.total, status.name = "running", done, total, name
            if echo:
                echo(f"  索引 / indexing [{done}/{total}] {Path(name).name}")

        def run() -> None:
            status.state = "running"
            try:
                report = ensure_corpus_indexed(self.settings, progress=progress)
            except Exception as exc:  # noqa: BLE001 — the old index keeps serving; say why on the page and console
                status.error, status.state = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__, "failed"
            else:
                status.state = "done"
                if echo:
                    echo(f"  索引 / index: {report.totals.get('index_documents', report.totals.get('files'))} documents, "
                         f"{report.totals.get('index_chunks', '?')} chunks")
            finally:
                status.seconds = round(time.monotonic() - status._started, 1)

        thread = threading.Thread(target=run, name="dxhire-corpus-index", daemon=True)
        thread.start()
        return thread

    def documents(self) -> list[dict[str, Any]]:
        from app.store import current_manifest

        manifest = current_manifest(self.settings)
        # the absolute path is the ingest's bookkeeping; the web API must not reveal the server's file layout
        return [doc.public() for doc in manifest.documents] if manifest else []
