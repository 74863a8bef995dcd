"""The chat-model entry points: `get_chat_model(settings)` and `check_llm(settings)`, dispatched through the
backend registry (app/models/registry.py). The adapters live one per module: `embedded.py` (xllamacpp),
`openai_compat.py` (any OpenAI-compatible endpoint), `fake.py` (tests and `--llm fake`).

Names that callers imported from here before the split stay importable.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from app.config import Settings
from app.models.embedded import EMBEDDED_MODEL_NAME, EmbeddedChatModel, embedded_model_path, load_engine
from app.models.errors import LLMError, ModelFileError
from app.models.registry import UnknownBackendError, resolve

__all__ = ["EMBEDDED_MODEL_NAME", "EmbeddedChatModel", "LLMError", "ModelFileError", "check_llm",
           "embedded_model_path", "get_chat_model", "load_engine"]


def _spec(settings: Settings):
    try:
        return resolve(settings.llm_backend)
    except UnknownBackendError as exc:
        raise LLMError(str(exc)) from None


def get_chat_model(settings: Settings) -> BaseChatModel:
    """The configured chat model. Raises LLMError (message names the setting) when it cannot be built."""
    return _spec(settings).adapter().build(settings)


def check_llm(settings: Settings) -> str:
    """Cheap readiness probe without generating: a one-line status, or LLMError naming the setting."""
    return _spec(settings).adapter().check(settings)
