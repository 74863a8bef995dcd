"""`dxhire serve`: index corpus/ (incrementally) and start the web app on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import typer

from app.cli.common import fail, load_settings


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str | None = typer.Option(None, help="bind address (default DXHIRE_HOST = 127.0.0.1)"),
        port: int | None = typer.Option(None, help="port (default DXHIRE_PORT = 7860)"),
        skip_ingest: bool = typer.Option(False, "--skip-ingest", help="start without indexing corpus/ first"),
    ) -> None:
        """Webアプリを起動します / start the web app (indexes corpus/ on first start, incrementally after)."""
        from app.services import Services
        from app.store import StoreError

        settings = load_settings()
        if not skip_ingest:
            from ingest.pipeline import ensure_corpus_indexed

            typer.echo(f"コーパスを索引しています / indexing {settings.corpus_dir} …", err=True)
            try:
                report = ensure_corpus_indexed(
                    settings, progress=lambda done, total, name: typer.echo(f"  [{done}/{total}] {name}", err=True))
            except StoreError as exc:
                fail(str(exc))
            typer.echo(f"索引 / index: {report.totals}", err=True)
        from app.ui.app import launch

        bind = f"{host or settings.host}:{port or settings.port}"
        typer.echo(f"起動します / starting on http://{bind}/"
                   + ("（ログインあり / login enabled）" if settings.auth else ""), err=True)
        try:
            launch(Services(settings), host=host, port=port)
        except OSError as exc:  # port taken, address not on this machine
            fail(f"{bind} で待ち受けできません（--port か DXHIRE_PORT を変えてください） / cannot listen on {bind}: {exc}")
