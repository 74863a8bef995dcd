"""Every setting is documented in the README, with its real default (datasette-style)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import PROJECT_ROOT, Settings
from app.settings_doc import BEGIN, END, settings_table


def test_readme_settings_table_matches_code() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme and END in readme, "README lacks the settings-table markers"
    documented = readme.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert documented == settings_table(), "README settings table is stale: run `python -m app.settings_doc`"


def test_every_field_is_described() -> None:
    missing = [name for name, field in Settings.model_fields.items() if not field.description]
    assert not missing, f"settings without description: {missing}"


def test_env_vars_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DXHIRE_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("DXHIRE_CHUNK_SIZE", "300")
    s = Settings()
    assert s.home == (tmp_path / "h").resolve()
    assert s.chunk_size == 300
    assert s.chroma_dir == s.home / "chroma"


def test_invalid_values_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DXHIRE_CHUNK_SIZE", "5")
    with pytest.raises(ValidationError):
        Settings()
    with pytest.raises(ValidationError):
        Settings(auth="no-colon")
