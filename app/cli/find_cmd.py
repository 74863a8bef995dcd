"""`dxhire find cases|schemes --profile P.yaml [--json]`: the finders over `corpus/data/*.yaml`, from the CLI.

Exit codes: 0 found (an empty list is a result too); 2 bad input (profile, option values).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, print_json


class Metro(StrEnum):
    inside = "inside"
    outside = "outside"


class Body(StrEnum):
    prefecture = "都道府県"
    city = "市"
    town = "町"
    village = "村"
    ward = "特別区"


ProfileOpt = Annotated[Path, typer.Option("--profile", "-p", help="自治体プロファイル（YAML/JSON） / profile file")]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSONで出力 / print JSON")]
MetroOpt = Annotated[Metro | None, typer.Option(
    "--metro", help="三大都市圏の区域か（inside / outside）。省略時はプロファイルから、分からなければ要確認")]
BodyOpt = Annotated[Body | None, typer.Option("--type", help="団体の種類（省略時は自治体名から）")]


def _query(profile_path: Path, metro: Metro | None, body: Body | None):  # noqa: ANN202 - FinderQuery
    from app.drafting.profile import ProfileError, load_profile
    from app.finders import query_from_profile

    try:
        profile = load_profile(profile_path)
    except ProfileError as exc:
        fail(str(exc), code=2)
    return query_from_profile(profile, in_metro=None if metro is None else metro is Metro.inside,
                              body_type=body.value if body else None)


def _where(cite) -> str:  # noqa: ANN001 - Source
    return f"{cite.title}／{cite.heading}（{cite.source}）"


def register(app: typer.Typer) -> None:
    find_app = typer.Typer(help="事例・支援制度を探す / find cases and support schemes", no_args_is_help=True)
    app.add_typer(find_app, name="find")

    @find_app.command("cases")
    def cases(
        profile: ProfileOpt,
        as_json: JsonOpt = False,
        limit: Annotated[int, typer.Option(min=1, help="表示する件数 / how many")] = 5,
        form: Annotated[list[str] | None, typer.Option(
            "--form", help="採用形態で絞り込む（副業、任期付職員 など。複数可）")] = None,
        metro: MetroOpt = None,
        body: BodyOpt = None,
    ) -> None:
        """人口規模などが近い団体の事例を、近い順に表示します / cases of similar municipalities, closest first."""
        from app.finders import similar_cases
        from app.finders.models import FORM_KEYWORDS

        unknown = [f for f in form or [] if f not in FORM_KEYWORDS]
        if unknown:
            fail(f"--form: {', '.join(unknown)} は使えません（{'、'.join(FORM_KEYWORDS)}） / unknown form", code=2)
        query = _query(profile, metro, body)
        found = similar_cases(query, forms=form, limit=limit)
        if as_json:
            print_json({"query": query.model_dump(mode="json"), "cases": [m.model_dump(mode="json") for m in found]})
            return
        if not found:
            typer.echo("条件に合う事例は資料にありません。")
        for i, m in enumerate(found, start=1):
            c = m.case
            typer.echo(f"{i}. {c.prefecture or ''}{c.name if c.name != c.prefecture else ''}（{c.body_type}）: {c.role}")
            typer.echo(f"   理由: {'、'.join(m.reasons) or '—'}")
            typer.echo(f"   採用形態: {'・'.join(c.employment_forms)}")
            for line in c.did:
                typer.echo(f"   ・{line}")
            typer.echo(f"   担当者のアドバイス: {' '.join(c.advice) if c.advice else '資料にありません'}")
            typer.echo(f"   出典: {_where(m.cite)}")

    @find_app.command("schemes")
    def schemes(
        profile: ProfileOpt,
        as_json: JsonOpt = False,
        all_: Annotated[bool, typer.Option("--all", help="対象外の制度も理由つきで表示 / include excluded ones")] = False,
        metro: MetroOpt = None,
        body: BodyOpt = None,
    ) -> None:
        """使える可能性のある国の支援制度を表示します（金額は年度つき、分からなければ要確認） / schemes that may fit."""
        from app.finders import amount_text, matching_schemes

        query = _query(profile, metro, body)
        found = matching_schemes(query, include_excluded=all_)
        if as_json:
            print_json({"query": query.model_dump(mode="json"),
                        "schemes": [{**m.model_dump(mode="json"), "amount_lines": [amount_text(a) for a in
                                                                                   m.scheme.amounts]}
                                    for m in found]})
            return
        for i, m in enumerate(found, start=1):
            s = m.scheme
            typer.echo(f"{i}. 【{m.fit}】{s.name}（{s.provider}）")
            for check in m.checks:
                typer.echo(f"   {check.label}: {check.verdict} — {check.detail}")
            for a in s.amounts:
                typer.echo(f"   {amount_text(a)}")
            if s.pairs_with:
                typer.echo(f"   組み合わせる採用形態: {'・'.join(s.pairs_with)}")
            for cond in s.conditions:
                typer.echo(f"   条件（要確認）: {cond}")
            typer.echo(f"   出典: {_where(m.cite)}")
