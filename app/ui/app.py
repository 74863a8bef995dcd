"""The Gradio web app's page shell: the header, one tab per module in `app/ui/tabs/`, the API, and `launch()`.

A thin layer over `Services`: no retrieval, drafting or ingest work here or in the tabs. Queueing lives in
`app/ui/queueing.py`, the login in `app/ui/auth.py`, so neither needs an edit of this file.
"""

from __future__ import annotations

import gradio as gr

from app.services import Services
from app.ui import api, auth, queueing
from app.ui.session import RunGuard
from app.ui.tabs import chat, documents, draft, settings
from app.ui.uploads import upload_limit_bytes

TITLE = "dxhire — 外部デジタル人材の確保支援"
CSS = """
.dx-sources {max-height: 75vh; overflow-y: auto;}
.dx-preview {max-height: 70vh; overflow-y: auto; border: 1px solid var(--border-color-primary); padding: 0 12px;}
"""


def build_app(services: Services) -> gr.Blocks:
    guard = RunGuard()
    with gr.Blocks(title=TITLE, analytics_enabled=False) as page:
        gr.Markdown(
            f"## {TITLE}\n"
            "総務省「外部デジタル人材の確保ガイドブック」に沿って、質問への回答と募集要項・面接資料の起案を支援します。"
            "回答の各文には根拠 [n] が付きます。**要約**（dxhireが公開情報から作成）と**公式PDF**は種別で区別されます。"
            "生成された文章は必ず根拠を確認してから使用してください。"
        )
        with gr.Tabs(elem_id="dx-main-tabs"):
            with gr.Tab("チャット", id="chat", elem_id="dx-tab-chat"):
                chat.build(services)
            with gr.Tab("起案", id="draft", elem_id="dx-tab-draft"):
                draft.build(services, guard)
            with gr.Tab("資料", id="docs", elem_id="dx-tab-docs"):
                documents.build(services, page)
            with gr.Tab("設定", id="settings", elem_id="dx-tab-settings"):
                settings.build(services, page)
        api.register(services)
    return page


def launch(services: Services, host: str | None = None, port: int | None = None, block: bool = True) -> gr.Blocks:
    """Start the app: 127.0.0.1 unless told otherwise, login when DXHIRE_AUTH is set, no analytics, no share link."""
    from app.config import disable_telemetry

    disable_telemetry()
    s = services.settings
    page = build_app(services)
    page.queue(**queueing.queue_options(s))
    page.launch(
        **queueing.launch_options(s),
        server_name=host or s.host,
        server_port=port or s.port,
        **auth.launch_auth(s),
        max_file_size=upload_limit_bytes(s.max_file_mb),
        prevent_thread_lock=not block,
        show_error=True,
        share=False,
        css=CSS,
        quiet=not block,
    )
    return page
