"""`dxhire case new|list|show|export`: the 案件 workspace from the command line (a thin layer over `app.cases`).

Exit codes: 0 done; 2 bad input (profile, unknown case, output suffix).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, load_settings, print_json

EXPORT_SUFFIXES = (".docx", ".zip")


def _store():  # noqa: ANN202 - CaseStore
    from app.cases.models import CaseError
    from app.cases.store import CaseStore

    try:
        return CaseStore(load_settings().cases_db)
    except CaseError as exc:
        fail(str(exc))


def _get(case_id: str):  # noqa: ANN202 - Case
    from app.cases.models import CaseError

    try:
        return _store().get(case_id)
    except CaseError as exc:
        fail(str(exc), code=2)


def register(app: typer.Typer) -> None:
    case_app = typer.Typer(help="案件（採用1件を4つのステップで管理） / case workspace", no_args_is_help=True)
    app.add_typer(case_app, name="case")

    @case_app.command("new")
    def new(
        profile: Annotated[Path, typer.Option("--profile", "-p", help="自治体プロファイル（YAML/JSON）")],
        title: Annotated[str, typer.Option("--title", help="案件名（省略時は自治体名から）")] = "",
        as_json: Annotated[bool, typer.Option("--json", help="JSONで出力")] = False,
    ) -> None:
        """プロファイルから案件を作ります / create a case from a profile."""
        from app.cases.models import CaseError
        from app.cases.service import new_case
        from app.drafting.profile import ProfileError, load_profile

        try:
            loaded = load_profile(profile)
        except ProfileError as exc:
            fail(str(exc), code=2)
        try:
            case = new_case(_store(), title, loaded)
        except CaseError as exc:
            fail(str(exc), code=2)
        if as_json:
            print_json(case)
        else:
            typer.echo(f"案件を作りました: {case.id}  {case.title}")

    @case_app.command("list")
    def list_(as_json: Annotated[bool, typer.Option("--json", help="JSONで出力")] = False) -> None:
        """案件の一覧（更新の新しい順） / list cases, most recently changed first."""
        from app.cases.models import STEP_MARKS

        cases = _store().list()
        if as_json:
            print_json({"cases": [c.model_dump(mode="json") for c in cases]})
            return
        if not cases:
            typer.echo("案件はまだありません。dxhire case new --profile P.yaml で作れます。")
        for c in cases:
            steps = " ".join(f"{STEP_MARKS[s]}{st}" for s, st in sorted(c.statuses.items()))
            typer.echo(f"{c.id}  {c.title}  （更新 {c.updated_at[:16].replace('T', ' ')}）  {steps}")

    @case_app.command("show")
    def show(
        case_id: Annotated[str, typer.Argument(help="案件ID")],
        as_json: Annotated[bool, typer.Option("--json", help="JSONで出力（全版を含む）")] = False,
    ) -> None:
        """案件の状態・成果物・次にすること / show a case: step status, artefacts, next action."""
        from app.cases.export import overview_markdown
        from app.cases.service import next_action

        case = _get(case_id)
        nxt = next_action(case)
        if as_json:
            print_json({**case.model_dump(mode="json"), "next_action": nxt.model_dump(mode="json")})
            return
        typer.echo(overview_markdown(case))
        typer.echo(f"次にすること: {nxt.text}")

    @case_app.command("export")
    def export(
        case_id: Annotated[str, typer.Argument(help="案件ID")],
        out: Annotated[Path, typer.Option("--out", "-o", help="書き出し先（.docx か .zip）")],
    ) -> None:
        """案件全体を1つの .docx、または Markdown の .zip に書き出します / export the whole case."""
        from app.cases import export as case_export

        if out.suffix.lower() not in EXPORT_SUFFIXES:
            fail(f"--out: 拡張子は {' か '.join(EXPORT_SUFFIXES)} にしてください / unsupported suffix {out.suffix!r}",
                 code=2)
        case = _get(case_id)
        try:
            (case_export.to_docx if out.suffix.lower() == ".docx" else case_export.to_zip)(case, out)
        except OSError as exc:
            fail(f"書き出せません: {out} / cannot write ({exc.strerror or exc})")
        typer.echo(f"書き出しました: {out}")
