"""DXHIRE_AUTH: an empty user or password is refused with a clear message (an empty password lets anyone in)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from app.cli import _register_all
from app.cli import app as cli_app
from app.config import Settings


@pytest.mark.parametrize("value", ["admin:", ":secret", " : ", "admin: ", "nocolon"])
def test_empty_user_or_password_is_refused(tmp_path, value: str) -> None:
    with pytest.raises(ValidationError) as err:
        Settings(home=tmp_path, auth=value)
    assert "DXHIRE_AUTH" in str(err.value)


def test_a_real_pair_is_kept_colons_in_the_password_included(tmp_path) -> None:
    assert Settings(home=tmp_path, auth="staff:pa:ss").auth == "staff:pa:ss"


def test_cli_says_why_in_japanese(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DXHIRE_HOME", str(tmp_path))
    monkeypatch.setenv("DXHIRE_AUTH", "admin:")
    _register_all()
    result = CliRunner().invoke(cli_app, ["index", "status"])
    assert result.exit_code != 0
    assert "パスワードは空にできません" in result.output
