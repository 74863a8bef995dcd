"""`dxhire case new|list|show|export` and `dxhire find cases|schemes`: JSON shapes, Japanese lines, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.cli import COMMAND_MODULES, case_cmd, find_cmd
from app.config import PROJECT_ROOT

runner = CliRunner()
TOWN = PROJECT_ROOT / "app" / "examples" / "town-10k.yaml"


def make_app() -> typer.Typer:
    cli = typer.Typer()
    case_cmd.register(cli)
    find_cmd.register(cli)
    return cli


@pytest.fixture(autouse=True)
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("DXHIRE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_registered_with_the_cli() -> None:
    assert {"case_cmd", "find_cmd"} <= set(COMMAND_MODULES)


def test_case_new_list_show_export(tmp_path: Path) -> None:
    created = runner.invoke(make_app(), ["case", "new", "--profile", str(TOWN), "--json"])
    assert created.exit_code == 0, created.output
    case = json.loads(created.stdout)
    assert case["statuses"] == {"1": "未着手", "2": "未着手", "3": "未着手", "4": "未着手"}
    listed = runner.invoke(make_app(), ["case", "list"])
    assert case["id"] in listed.stdout and "①未着手" in listed.stdout
    shown = json.loads(runner.invoke(make_app(), ["case", "show", case["id"], "--json"]).stdout)
    assert shown["next_action"]["step"] == 1 and shown["profile"]["population"] == 10000
    text = runner.invoke(make_app(), ["case", "show", case["id"]]).stdout
    assert "次にすること" in text and "10,000人" in text
    out = tmp_path / "case.docx"
    assert runner.invoke(make_app(), ["case", "export", case["id"], "--out", str(out)]).exit_code == 0
    assert out.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("args, message", [
    (["case", "show", "nope"], "案件が見つかりません"),
    (["case", "export", "nope", "--out", "x.pdf"], "拡張子"),
    (["case", "new", "--profile", "missing.yaml"], "ファイルがありません"),
    (["find", "cases", "--profile", str(TOWN), "--form", "正社員"], "--form"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(make_app(), args)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_find_cases_and_schemes(tmp_path: Path) -> None:
    village = tmp_path / "village.yaml"
    village.write_text("name: 山川村\npopulation: 3000\nissues: [窓口の申請が紙のまま]\n", encoding="utf-8")
    cases = json.loads(runner.invoke(make_app(), ["find", "cases", "-p", str(village), "--json"]).stdout)
    assert cases["query"]["body_type"] == "村" and cases["cases"][0]["case"]["id"] == "bandai"
    assert all(c["cite"]["source"].endswith(".md") for c in cases["cases"])
    text = runner.invoke(make_app(), ["find", "cases", "-p", str(village), "--limit", "1"]).stdout
    assert "磐梯町" in text and "出典:" in text and "担当者のアドバイス" in text
    schemes = json.loads(runner.invoke(make_app(), ["find", "schemes", "-p", str(village), "--json"]).stdout)
    fits = {s["scheme"]["id"]: s["fit"] for s in schemes["schemes"]}
    assert fits["kigyojin-haken"] == "要確認"  # the profile does not say whether it is in a 三大都市圏
    assert all("要確認" in line or "度" in line for s in schemes["schemes"] for line in s["amount_lines"])
    inside = json.loads(runner.invoke(make_app(), ["find", "schemes", "-p", str(village), "--metro", "inside",
                                                   "--all", "--json"]).stdout)
    assert {s["scheme"]["id"]: s["fit"] for s in inside["schemes"]}["kigyojin-haken"] == "対象外"
    lines = runner.invoke(make_app(), ["find", "schemes", "-p", str(village), "--metro", "outside"]).stdout
    assert "【対象の可能性あり】地域活性化起業人の企業派遣型" in lines and "年度: 要確認" in lines
