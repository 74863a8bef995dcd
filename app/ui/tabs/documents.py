"""The 資料 tab: the documents in the index, and uploads with one result row per file.

Binds components to `services.documents()` and `services.ingest_uploads()`; gating, staging and the per-file report
are the core's (`ingest.uploads`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from app.services import Services
from app.ui import notify, queueing, render

FORMATS_JA = "PDF・Word（.docx）・Markdown・HTML・テキスト"


def make_ingest_handler(services: Services):
    def ingest(files: list[str] | None, progress=gr.Progress()):  # noqa: B008 — how Gradio injects progress
        if not files:
            notify.warn("ファイルを選んでください。")
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()

        def step(done: int, total: int, name: str) -> None:
            progress(done / max(total, 1), desc=f"取り込み中 {done}/{total}: {Path(name).name}（検索は使えます）")

        progress(0, desc="取り込みを始めます…（検索・回答はこれまでの索引で動き続けます）")
        report = services.ingest_uploads(files, step).model_dump(mode="json")
        for entry in report["files"]:
            if entry["status"] in {"rejected", "error"}:
                notify.warn(entry["error"] or f"{entry['path']}: 取り込めませんでした")
        return (render.ingest_rows(report), render.document_rows(services.documents()),
                render.ingest_summary(report), None)

    return ingest


def build(services: Services, page: gr.Blocks) -> None:
    s = services.settings
    gr.Markdown(f"索引にある資料です。公式ガイドブックのPDFや庁内の要綱・募集要項をお持ちならここから追加できます"
                f"（{FORMATS_JA}、1ファイル{s.max_file_mb:g}MBまで）。取り込み中も検索・回答はこれまでの索引で使えます。")
    documents = gr.Dataframe(headers=render.DOCUMENT_COLUMNS, column_widths=render.DOCUMENT_WIDTHS, interactive=False,
                             wrap=True, elem_id="dx-documents")
    refresh = gr.Button("一覧を更新", size="sm")
    # no file_types filter: Gradio would drop other files with its own English toast; every file reaches the core's
    # gate instead and a refused one gets a row with a Japanese reason
    upload = gr.File(label="資料を追加", file_count="multiple", elem_id="dx-upload")
    ingest_btn = gr.Button("取り込む", variant="primary", elem_id="dx-ingest")
    ingest_summary = gr.Markdown(elem_id="dx-ingest-summary")
    ingest_result = gr.Dataframe(headers=render.INGEST_COLUMNS, column_widths=render.INGEST_WIDTHS, interactive=False,
                                 wrap=True, elem_id="dx-ingest-result")
    ingest_btn.click(make_ingest_handler(services), upload, [ingest_result, documents, ingest_summary, upload],
                     api_name="ingest_ui", api_visibility="private", **queueing.ingest_event())

    def list_documents() -> list[list[Any]]:
        return render.document_rows(services.documents())

    refresh.click(list_documents, None, documents, api_visibility="private")
    page.load(list_documents, None, documents, api_visibility="private")  # fresh on every page load

    # /ingest for gradio_client: a File input so the client uploads the bytes (gr.api's str params would not).
    api_files = gr.File(file_count="multiple", visible=False)
    api_report = gr.JSON(visible=False)
    api_button = gr.Button(visible=False)

    def ingest(files: list[str] | None) -> dict[str, Any]:
        """Ingest uploaded files; returns the `dxhire ingest --json` report, refused files included."""
        return services.ingest_uploads(files).model_dump(mode="json")

    api_button.click(ingest, api_files, api_report, api_name="ingest", **queueing.ingest_event())
