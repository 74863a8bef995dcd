"""The one name → factory registry of chat-model backends.

Every place that needs to know which backends exist reads this table: the Settings type (`DXHIRE_LLM_BACKEND`),
the CLIs' `--llm` choices (`LLMChoice`), the evals runner, the concurrency limit (`model_slots`) and `check_llm`.
Like simonw/llm's model registration and pydantic-ai's one-module-per-provider, each backend lives in its own
module (`app/models/embedded.py`, `openai_compat.py`, `fake.py`) exposing `build(settings)` and
`check(settings)`; the table names that module, so importing the registry (which `app.config` does) costs nothing
and never loads a model runtime.

Adding a backend = one module with `build`/`check` + one `BackendSpec` row here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from app.config import Settings


class BackendModule(Protocol):
    """What an adapter module provides."""

    def build(self, settings: Settings) -> BaseChatModel: ...

    def check(self, settings: Settings) -> str: ...


@dataclass(frozen=True)
class BackendSpec:
    name: str
    module: str
    """Adapter module with `build(settings)` and `check(settings)`; imported only when the backend is used."""
    summary: str
    in_process: bool
    """True: the model runs inside this process with one decoding slot (requests queue one at a time).
    False: the backend is a server that can decode several requests at once (`DXHIRE_LLM_CONCURRENCY`)."""
    aliases: tuple[str, ...] = ()

    def adapter(self) -> BackendModule:
        return importlib.import_module(self.module)  # type: ignore[return-value]


BACKENDS: dict[str, BackendSpec] = {
    spec.name: spec
    for spec in (
        BackendSpec("embedded", "app.models.embedded", "Qwen2.5-Coder-1.5B GGUF in-process via xllamacpp",
                    in_process=True),
        BackendSpec("openai", "app.models.openai_compat", "any OpenAI-compatible endpoint (vLLM, Ollama, "
                    "llama.cpp server, Azure OpenAI)", in_process=False, aliases=("endpoint",)),
        BackendSpec("fake", "app.models.fake", "deterministic test model", in_process=False),
    )
}
BACKEND_NAMES: tuple[str, ...] = tuple(BACKENDS)
ALIASES: dict[str, str] = {alias: spec.name for spec in BACKENDS.values() for alias in spec.aliases}

# The Settings field's type: exactly the registered names (aliases are a CLI convenience only).
BackendName = Literal[BACKEND_NAMES]  # type: ignore[valid-type]

LLMChoice = StrEnum("LLMChoice", {n: n for n in (*BACKEND_NAMES, *ALIASES)})  # type: ignore[misc]
"""The `--llm` choices of every CLI verb: the registered names plus their aliases (`endpoint` = `openai`)."""


class UnknownBackendError(ValueError):
    pass


def resolve(name: str) -> BackendSpec:
    """A backend by name or alias. Raises UnknownBackendError naming the choices."""
    key = str(getattr(name, "value", name)).lower()
    key = ALIASES.get(key, key)
    if key not in BACKENDS:
        choices = " | ".join((*BACKEND_NAMES, *ALIASES))
        raise UnknownBackendError(f"DXHIRE_LLM_BACKEND={name!r} は未対応です / unsupported backend ({choices})")
    return BACKENDS[key]


def model_slots(settings: Settings) -> int:
    """How many model calls this process runs at once: one for an in-process engine, `llm_concurrency` otherwise."""
    return 1 if resolve(settings.llm_backend).in_process else settings.llm_concurrency
