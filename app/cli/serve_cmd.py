"""`dxhire serve`: start the web app on 127.0.0.1 unless told otherwise, indexing corpus/ beside it.

First start used to index the whole corpus before the server listened (minutes on a 2-core PC with the page
unreachable). Now the console prints one line per stage — models, corpus indexing, server — and the page comes up
at once; the corpus is indexed in the background (incrementally: on later starts it is a quick check) and the page
says so until it is done.
"""

from __future__ import annotations

import threading
import time

import typer

from app.cli.common import fail, load_settings


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str | None = typer.Option(None, help="bind address (default DXHIRE_HOST = 127.0.0.1)"),
        port: int | None = typer.Option(None, help="port (default DXHIRE_PORT = 7860)"),
        skip_ingest: bool = typer.Option(False, "--skip-ingest", help="start without indexing corpus/"),
    ) -> None:
        """Webアプリを起動します / start the web app (indexes corpus/ beside it: the page is usable at once)."""
        from app.models.errors import ModelError
        from app.models.llm import check_llm
        from app.services import Services

        started = time.monotonic()

        def stage(n: int, text: str) -> None:
            typer.echo(f"[{n}/3 {time.monotonic() - started:5.1f}s] {text}", err=True)

        settings = load_settings()
        try:
            stage(1, f"モデル / models: {check_llm(settings)}; 埋め込み / embeddings: "
                     f"{settings.embed_backend}:{settings.embed_model}")
        except ModelError as exc:
            fail(str(exc))
        services = Services(settings)

        def warm_up() -> None:  # load the model now, beside the page, so the first question does not pay for it
            try:
                _ = services.llm
            except Exception as exc:  # noqa: BLE001 — the page still serves; each question reports the error
                typer.echo(f"  警告 / warning: LLM を読み込めません / cannot load the LLM: {exc}", err=True)

        threading.Thread(target=warm_up, name="dxhire-llm-warmup", daemon=True).start()
        if skip_ingest:
            stage(2, "索引 / index: skipped (--skip-ingest)")
        else:
            stage(2, f"コーパスの索引をバックグラウンドで作成します / indexing {settings.corpus_dir} in the background")
            services.index_corpus_in_background(echo=lambda line: typer.echo(line, err=True))
        from app.ui.app import launch

        bind = f"{host or settings.host}:{port or settings.port}"
        stage(3, f"Webアプリ / server: http://{bind}/"
                 + ("（ログインあり / login enabled）" if settings.auth else ""))
        try:
            launch(services, host=host, port=port)
        except OSError as exc:  # port taken, address not on this machine
            fail(f"{bind} で待ち受けできません（--port か DXHIRE_PORT を変えてください） / cannot listen on {bind}: {exc}")
