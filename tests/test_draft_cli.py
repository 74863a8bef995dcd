"""`dxhire draft` with fakes: JSON shape, exports, chaining via --from, one-line errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from docx import Document
from draft_fakes import GOOD_BODY, BigramRetriever, scripted
from typer.testing import CliRunner

from app.cli import draft_cmd
from app.config import PROJECT_ROOT
from app.services import Services

runner = CliRunner()
TOWN = str(PROJECT_ROOT / "app" / "examples" / "town-10k.yaml")


def make_app() -> typer.Typer:
    cli = typer.Typer()
    draft_cmd.register(cli)

    @cli.callback()
    def _root() -> None:  # keep `draft` a sub-command, as in the real app
        pass

    return cli


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # noqa: ANN201
    monkeypatch.setenv("DXHIRE_HOME", str(tmp_path / "home"))
    llm, retriever = scripted(GOOD_BODY), BigramRetriever()
    monkeypatch.setattr(Services, "llm", property(lambda self: llm))
    monkeypatch.setattr(Services, "retriever", property(lambda self: retriever))
    return llm


def invoke(*args: str):  # noqa: ANN201
    return runner.invoke(make_app(), ["draft", *args])


def test_json_shape(fakes) -> None:  # noqa: ANN001
    result = invoke("interview", "--profile", TOWN, "--json", "--minutes", "45")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"kind", "sections", "warnings", "timings"} <= set(data) and data["kind"] == "interview"
    assert all({"title", "body", "citations"} <= set(s) for s in data["sections"])
    assert "45分" in data["sections"][0]["body"] and "total" in data["timings"]


def test_out_docx_and_md_and_chaining(fakes, tmp_path: Path) -> None:  # noqa: ANN001
    deep = tmp_path / "deep.json"
    result = invoke("deepdive", "--profile", TOWN, "--out", str(deep))
    assert result.exit_code == 0, result.output
    docx_path = tmp_path / "posting.docx"
    result = invoke("posting", "--profile", TOWN, "--from", str(deep), "--out", str(docx_path))
    assert result.exit_code == 0, result.output
    assert "募集職種・役割" in [p.text for p in Document(str(docx_path)).paragraphs]
    md = tmp_path / "deep.md"
    assert invoke("deepdive", "--profile", TOWN, "--out", str(md)).exit_code == 0
    assert md.read_text(encoding="utf-8").startswith("# 業務課題の深掘り")


@pytest.mark.parametrize("args,needle", [
    (["interview", "--minutes", "0"], "interview_minutes"),
    (["interview", "--minutes", "600"], "interview_minutes"),
    (["posting", "--out", "x.pdf"], "--out"),
    (["posting", "--from", "/nonexistent/d.json"], "--from"),
])
def test_bad_input_is_one_line_exit_2(fakes, args: list[str], needle: str) -> None:  # noqa: ANN001
    result = invoke(args[0], "--profile", TOWN, *args[1:])
    assert result.exit_code == 2
    assert needle in result.output and "Traceback" not in result.output
    assert fakes.calls == []  # rejected before any model call


def test_bad_profile_and_wrong_seed(fakes, tmp_path: Path) -> None:  # noqa: ANN001
    bad = tmp_path / "p.yaml"
    bad.write_text("issues: [a]\npopulation: -1\n", encoding="utf-8")
    result = invoke("deepdive", "--profile", str(bad))
    assert result.exit_code == 2 and "population" in result.output
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"kind": "deepdive", "sections": []}), encoding="utf-8")
    result = invoke("interview", "--profile", TOWN, "--from", str(seed))
    assert result.exit_code == 2 and "--from" in result.output


def test_model_failure_is_one_line_exit_1(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DXHIRE_HOME", str(tmp_path / "home"))

    def broken(self):  # noqa: ANN001, ANN202
        raise RuntimeError("DXHIRE_LLM_BACKEND: model file missing\nsecond line")

    monkeypatch.setattr(Services, "llm", property(broken))
    monkeypatch.setattr(Services, "retriever", property(lambda self: BigramRetriever()))
    result = invoke("deepdive", "--profile", TOWN)
    assert result.exit_code == 1 and "DXHIRE_LLM_BACKEND" in result.output and "second line" not in result.output


def test_progress_goes_to_stderr_and_json_stays_clean(fakes) -> None:  # noqa: ANN001
    """Section n/N with its title on stderr, one line per section, before the draft; stdout is only the JSON."""
    from app.drafting.kinds import KINDS

    result = invoke("posting", "--profile", TOWN, "--json")
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)
    specs = KINDS["posting"].specs
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    progress = [line for line in lines if line.split(" ", 1)[0].count("/") == 1]
    assert [line.split(" ", 1)[0] for line in progress] == [f"{i}/{len(specs)}" for i in range(1, len(specs) + 1)]
    assert all(f"「{spec.title}」" in line for spec, line in zip(specs, progress, strict=True))
