"""`dxhire draft {deepdive,posting,interview,checklist,plan}`: a thin layer over `app.drafting.service.draft`.

Exit codes: 0 drafted (warnings are part of the output, not failures); 2 bad input (profile, --from, --minutes,
--out suffix); 1 the model or the index could not be used.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from app.cli.common import fail, load_settings, print_json
from app.drafting.kinds import KINDS
from app.models.registry import LLMChoice, resolve
from app.schemas import Draft

Kind = StrEnum("Kind", {name: name for name in KINDS})  # type: ignore[misc]  # the one registry of kinds
KIND_HELP = " | ".join(f"{name}（{info.label}）" for name, info in KINDS.items())


OUT_SUFFIXES = (".md", ".docx", ".json")


def draft_json(draft: Draft) -> dict[str, Any]:
    """The `--json` shape of the issue."""
    return {
        "kind": draft.kind,
        "title": draft.title,
        "sections": [
            {"title": s.title, "body": s.body,
             "citations": [c.model_dump(mode="json") for c in s.citations], "generated": list(s.generated)}
            for s in draft.sections
        ],
        "warnings": list(draft.warnings),
        "timings": dict(draft.timings),
        "checks": [c.model_dump(mode="json") for c in draft.checks],
    }


def read_seed(path: Path) -> Draft:
    try:
        return Draft.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"--from: ファイルがありません / file not found: {path}", code=2)
    except (ValidationError, ValueError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        fail(f"--from: 起案のJSON（dxhire draft --json の出力）として読めません / not a draft JSON: {path} ({first})",
             code=2)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def run(kind: Kind, profile_path: Path, seed_path: Path | None, out: Path | None, as_json: bool, minutes: int,
        llm_choice: LLMChoice | None) -> None:
    from app.drafting.profile import ProfileError, load_profile
    from app.drafting.service import DraftError, check_request

    try:
        profile = load_profile(profile_path)
    except ProfileError as exc:
        fail(str(exc), code=2)
    if out is not None and out.suffix.lower() not in OUT_SUFFIXES:
        fail(f"--out: 拡張子は {', '.join(OUT_SUFFIXES)} のいずれかにしてください / unsupported output suffix {out.suffix!r}",
             code=2)
    seed = read_seed(seed_path) if seed_path is not None else None
    try:
        check_request(kind.value, seed, minutes)
    except DraftError as exc:
        fail(str(exc), code=2)

    settings = load_settings()
    if llm_choice is not None:
        settings = settings.model_copy(update={"llm_backend": resolve(llm_choice.value).name})
    from app.services import Services

    services = Services(settings)
    from app.drafting.kinds import kind_info

    try:  # load now what the draft needs, so a setup error is one line before any work
        _ = services.retriever
        if kind_info(kind.value).uses_model or settings.draft_model_sections:
            _ = services.llm
    except Exception as exc:  # LLMError / StoreError name the setting to fix
        fail(_one_line(exc))
    progress = lambda event: typer.echo(event.message, err=True)  # noqa: E731 - stderr: --json stays clean
    try:
        result = services.draft(kind.value, profile, seed=seed, interview_minutes=minutes, progress=progress)
    except DraftError as exc:
        fail(str(exc), code=2)
    except Exception as exc:  # the model failed mid-draft: one line, never a stack trace
        fail(_one_line(exc))
    write_out(result, out)
    if as_json:
        print_json(draft_json(result))
    elif out is None:
        from app.drafting.export import to_markdown

        typer.echo(to_markdown(result))
    else:
        typer.echo(f"書き出しました / written: {out}（警告 {len(result.warnings)} 件）", err=True)


def write_out(result: Draft, out: Path | None) -> None:
    if out is None:
        return
    from app.drafting.export import to_docx, to_markdown

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        suffix = out.suffix.lower()
        if suffix == ".docx":
            to_docx(result, out)
        elif suffix == ".json":
            out.write_text(json.dumps(draft_json(result), ensure_ascii=False, indent=2), encoding="utf-8")
        else:
            out.write_text(to_markdown(result), encoding="utf-8")
    except OSError as exc:
        fail(f"--out: 書き込めません / cannot write {out}: {exc.strerror or exc}")


def register(app: typer.Typer) -> None:
    @app.command("draft")
    def draft_command(
        kind: Annotated[Kind, typer.Argument(help=KIND_HELP)],
        profile: Annotated[Path, typer.Option("--profile", help="自治体プロファイル（YAML/JSON）")],
        seed: Annotated[Path | None, typer.Option("--from", help="元にする起案（draft --json の出力）")] = None,
        out: Annotated[Path | None, typer.Option("--out", help="書き出し先（.md / .docx / .json）")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="JSONで出力")] = False,
        minutes: Annotated[int, typer.Option("--minutes", help="面接時間（分, 10〜240）")] = 60,
        llm: Annotated[LLMChoice | None, typer.Option("--llm", case_sensitive=False,
                                                       help="LLM backend (default: DXHIRE_LLM_BACKEND)")] = None,
    ) -> None:
        """起案: 業務課題の深掘り・募集要項・面接・受け入れチェックリスト・受入計画書 / draft one of the five kinds.

        進み具合（n/N と節の名前）は標準エラーに出ます / progress goes to stderr."""
        run(kind, profile, seed, out, as_json, minutes, llm)
