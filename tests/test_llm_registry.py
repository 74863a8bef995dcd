"""The backend registry is the one list of backends: Settings, every CLI's --llm, evals, slots and check_llm read it."""

from __future__ import annotations

import stat
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import PROJECT_ROOT, Settings
from app.models import registry
from app.models.llm import LLMError, check_llm, get_chat_model


def test_every_backend_module_is_an_adapter() -> None:
    for spec in registry.BACKENDS.values():
        adapter = spec.adapter()
        assert callable(adapter.build) and callable(adapter.check), spec.module


def test_settings_accept_exactly_the_registered_names(tmp_path: Path) -> None:
    assert typing.get_args(Settings.model_fields["llm_backend"].annotation) == registry.BACKEND_NAMES
    for name in registry.BACKEND_NAMES:
        assert Settings(home=tmp_path, llm_backend=name).llm_backend == name
    with pytest.raises(ValidationError):
        Settings(home=tmp_path, llm_backend="llamafile")


def test_cli_choices_and_eval_runner_read_the_registry() -> None:
    from app.cli import ask_cmd, bench_answer, draft_cmd, eval_cmd
    from evals.runner import LLM_CHOICES

    for module in (ask_cmd, draft_cmd, eval_cmd):
        assert module.LLMChoice is registry.LLMChoice
    assert bench_answer.LLMOption is ask_cmd.LLMOption
    assert {c.value for c in registry.LLMChoice} == set(registry.BACKEND_NAMES) | {"endpoint"}
    assert LLM_CHOICES["endpoint"] == "openai" and all(LLM_CHOICES[n] == n for n in registry.BACKEND_NAMES)


def test_aliases_resolve_and_unknown_names_say_what_exists() -> None:
    assert registry.resolve("endpoint").name == "openai"
    assert registry.resolve(registry.LLMChoice("fake")).name == "fake"
    with pytest.raises(registry.UnknownBackendError, match="embedded"):
        registry.resolve("gpt")


def test_unknown_backend_is_an_llm_error_for_the_factory_and_the_probe(settings) -> None:
    bad = settings.model_copy(update={"llm_backend": "nope"})  # model_copy skips validation, as CLIs' overrides do
    for call in (get_chat_model, check_llm):
        with pytest.raises(LLMError, match="DXHIRE_LLM_BACKEND"):
            call(bad)


def test_slots_follow_the_backend(settings) -> None:
    s = settings.model_copy(update={"llm_concurrency": 5})
    assert registry.model_slots(s.model_copy(update={"llm_backend": "embedded"})) == 1
    assert registry.model_slots(s.model_copy(update={"llm_backend": "openai"})) == 5
    assert Settings.model_fields["llm_concurrency"].default == 8


def test_in_process_listener_is_private() -> None:
    from app.models.embedded import private_listener

    sock, key = private_listener()
    sock2, key2 = private_listener()
    folder = Path(sock).parent
    assert sock.endswith(".sock") and folder.is_dir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert len(key) >= 32 and key != key2 and sock != sock2


def test_engine_params_carry_the_private_listener() -> None:
    pytest.importorskip("xllamacpp")
    from app.models.embedded import _engine_params

    p = _engine_params("/x.gguf", 1024, 2, host="/tmp/d/engine.sock", port=0, api_key="k" * 32)
    assert list(p.hostnames) == ["/tmp/d/engine.sock"] and list(p.api_keys) == ["k" * 32]
    assert p.n_parallel == 1
    assert _engine_params("/x.gguf", 4096, 2, parallel=4).n_parallel == 4


def test_standalone_server_help_says_it_has_no_auth() -> None:
    out = subprocess.run([sys.executable, "-m", "app.models.llm_server", "--help"], cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    assert "no authentication" in text and "--api-key" in text and "--parallel" in text
