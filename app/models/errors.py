"""Errors of the model layer. Their messages are shown to users as one line, so each names what to fix."""

from __future__ import annotations


class ModelError(RuntimeError):
    """Base class: a model could not be built, verified or loaded."""


class LLMError(ModelError):
    """The chat model cannot be used; the message names the setting (DXHIRE_…) or the file to fix."""


class ModelFileError(LLMError):
    """A packaged model file is missing, incomplete or does not match its pinned hash."""


class EmbeddingModelError(ModelError):
    """The embedding model cannot be built or loaded; the message names DXHIRE_EMBED_MODEL / _BACKEND."""
