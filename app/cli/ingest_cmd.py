"""`dxhire ingest PATH... [--rebuild] [--json]` and `dxhire index status [--json]`: thin wrappers over
ingest/pipeline.py and app/store.py."""

from __future__ import annotations

from pathlib import Path

import typer

from app.cli.common import fail, load_settings, print_json

STATUS_JA = {"ingested": "取込", "unchanged": "変更なし", "rejected": "拒否", "error": "エラー"}


def _summary_lines(report) -> list[str]:
    t = report.totals
    lines = []
    for f in report.files:
        if f.status in ("rejected", "error"):
            lines.append(f"✗ {f.error}")
        for w in f.warnings:
            lines.append(f"! {w}")
    lines.append(
        f"ファイル {t.get('files', 0)} 件（取込 {t.get('ingested', 0)}・変更なし {t.get('unchanged', 0)}・"
        f"拒否 {t.get('rejected', 0)}・エラー {t.get('error', 0)}・削除 {t.get('removed', 0)}）、"
        f"ページ {t.get('pages', 0)}、チャンク {t.get('chunks', 0)}、警告 {t.get('warnings', 0)} / "
        f"files {t.get('files', 0)} (ingested {t.get('ingested', 0)}, unchanged/skipped {t.get('unchanged', 0)}, "
        f"rejected {t.get('rejected', 0)}, errors {t.get('error', 0)}, removed {t.get('removed', 0)}), "
        f"pages {t.get('pages', 0)}, chunks {t.get('chunks', 0)}, warnings {t.get('warnings', 0)}"
    )
    lines.append(
        f"索引 / index: 世代 generation {t.get('generation')}, 文書 {t.get('index_documents', 0)}, "
        f"チャンク {t.get('index_chunks', 0)}"
    )
    return lines


def register(app: typer.Typer) -> None:
    @app.command()
    def ingest(
        paths: list[Path] = typer.Argument(..., help="files or folders (a folder is a root: files deleted under it leave the index)"),  # noqa: B008
        rebuild: bool = typer.Option(False, "--rebuild", help="re-embed every document"),
        as_json: bool = typer.Option(False, "--json", help="print the summary as JSON"),
    ) -> None:
        """文書を索引に取り込みます / ingest PDF, Markdown, HTML and text files (incremental, atomic)."""
        from tqdm import tqdm

        from app.store import StoreError
        from ingest.pipeline import ingest_paths

        settings = load_settings()
        bar = tqdm(total=0, unit="file", desc="取り込み / ingest", disable=None, leave=False)

        def progress(done: int, total: int, name: str) -> None:
            bar.total = total
            bar.n = done
            bar.set_postfix_str(Path(name).name[:40], refresh=False)
            bar.refresh()

        try:
            report = ingest_paths(settings, paths, rebuild=rebuild, progress=progress)
        except StoreError as exc:
            bar.close()
            fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - users get one line; the previous index keeps serving
            bar.close()
            fail(f"取り込みに失敗しました。以前の索引はそのまま使えます / ingest failed, previous index kept: {exc}")
        bar.close()
        if as_json:
            print_json(report)
        else:
            for line in _summary_lines(report):
                typer.echo(line, err=not line.startswith(("ファイル", "索引")))
        if not report.ok:
            raise typer.Exit(1)

    index_app = typer.Typer(help="索引の状態 / index status", no_args_is_help=True)

    @index_app.command("status")
    def status(as_json: bool = typer.Option(False, "--json", help="print as JSON")) -> None:
        """索引に入っている文書を一覧します / list the documents in the serving index."""
        from app.store import StoreError, get_store

        settings = load_settings()
        store = get_store(settings)
        try:
            snapshot = store.open()
        except StoreError as exc:
            fail(str(exc))
        if snapshot is None:
            if as_json:
                print_json({"generation": None, "documents": [], "totals": {"documents": 0, "chunks": 0}})
            else:
                typer.echo("索引はまだありません。`dxhire ingest PATH` で作成します / no index yet")
            return
        m = snapshot.manifest.model_dump(mode="json")
        payload = {
            "generation": snapshot.generation,
            "created_at": m["created_at"],
            "embed": m["embed"],
            "chunking": m["chunking"],
            "store": store.describe(),
            "collection_count": snapshot.collection.count(),
            "documents": m["documents"],
            "totals": m["totals"],
        }
        if as_json:
            print_json(payload)
            return
        typer.echo(f"世代 generation {snapshot.generation}（{m['created_at']}）, store {payload['store']}, "
                   f"embed {m['embed']}, chunking {m['chunking']}")
        for d in payload["documents"]:
            pages = f"{d['pages']}p" if d.get("pages") else "-"
            ocr = f" OCR要: {d['image_only_pages']}" if d.get("image_only_pages") else ""
            ocr += f" 文字化けで除外: {d['garbage_pages']}" if d.get("garbage_pages") else ""
            typer.echo(f"  [{d['kind']}] {d['path']}  {pages}  {d['chunks']}チャンク  {d['ingested_at']}{ocr}")
        t = payload["totals"]
        typer.echo(f"文書 {t.get('documents', 0)} 件、チャンク {t.get('chunks', 0)} / documents, chunks")

    app.add_typer(index_app, name="index")
