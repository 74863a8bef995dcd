"""The Gradio web app's page shell: the header, one tab per module in `app/ui/tabs/`, the API, and `launch()`.

A thin layer over `Services`: no retrieval, drafting or ingest work here or in the tabs. Queueing lives in
`app/ui/queueing.py`, the login in `app/ui/auth.py`, so neither needs an edit of this file.
"""

from __future__ import annotations

import gradio as gr

from app.services import Services
from app.ui import api, auth, notify, queueing
from app.ui.session import RunGuard
from app.ui.tabs import cases, chat, documents, draft, settings, start
from app.ui.uploads import upload_limit_bytes

TITLE = "dxhire — 外部デジタル人材の確保支援"
CSS = """
.dx-sources {max-height: 75vh; overflow-y: auto;}
.dx-preview {max-height: 70vh; overflow-y: auto; border: 1px solid var(--border-color-primary); padding: 0 12px;}
.dx-path {display: flex; align-items: stretch; gap: 6px; flex-wrap: wrap;}
.dx-path > i {align-self: center; font-style: normal; color: var(--body-text-color-subdued);}
.dx-step {flex: 1 1 150px; border-radius: 8px; padding: 8px 12px; border: 1px solid var(--border-color-primary);
          display: flex; flex-direction: column; gap: 2px;}
.dx-step span {font-size: var(--text-sm);}
.dx-todo {background: var(--background-fill-secondary);}
.dx-doing {background: #fff7e6; border-color: #f0a020;}
.dx-done {background: #eaf7ee; border-color: #3a9d5d;}
.dx-examples {flex-wrap: wrap;}
.dx-examples button {flex: 1 1 30%; min-width: 220px;}
@media (max-width: 640px) {
  .dx-path > i {display: none;}
  .dx-step {flex-basis: 100%;}
  /* 資料 on a phone: title, kind and file (documents); file, result and message (ingest) — the counts and dates
     stay on the wide layout and in `dxhire ingest --json`. Gradio draws body cells as virtual-row divs. */
  :is(#dx-documents, #dx-ingest-result) thead th:is(:nth-child(3), :nth-child(4), :nth-child(5)),
  :is(#dx-documents, #dx-ingest-result) [role=gridcell]:is([data-col="2"], [data-col="3"], [data-col="4"]),
  :is(#dx-documents, #dx-ingest-result) .sizing-body td:is(:nth-child(3), :nth-child(4), :nth-child(5))
    {display: none !important;}
  #dx-documents thead th:first-child, #dx-documents [role=gridcell][data-col="0"],
  #dx-ingest-result thead th:last-child, #dx-ingest-result [role=gridcell][data-col="5"]
    {width: 48% !important; min-width: 48% !important; max-width: 48% !important; flex: 0 0 48% !important;}
  :is(#dx-documents, #dx-ingest-result) thead th:not(:first-child):not(:last-child),
  #dx-documents thead th:last-child, #dx-ingest-result thead th:first-child,
  :is(#dx-documents, #dx-ingest-result) [role=gridcell]:not([data-col="0"]):not([data-col="5"]),
  #dx-documents [role=gridcell][data-col="5"], #dx-ingest-result [role=gridcell][data-col="0"]
    {width: 26% !important; min-width: 26% !important; max-width: 26% !important; flex: 0 0 26% !important;}
}
"""


def _indexing_banner(services: Services) -> None:
    """While `dxhire serve` indexes the corpus beside the page (first start), say so; the line goes when it is done."""
    status = services.indexing
    if status is None:
        return
    banner = gr.Markdown(status.ja(), elem_id="dx-indexing")
    timer = gr.Timer(2.0, active=not status.finished)
    timer.tick(lambda: (status.ja(), gr.Timer(active=not status.finished)), None, [banner, timer],
               api_visibility="private", show_progress="hidden", queue=False)


def build_app(services: Services) -> gr.Blocks:
    guard = RunGuard()
    with gr.Blocks(title=TITLE, analytics_enabled=False) as page:
        gr.Markdown(
            f"## {TITLE}\n"
            "総務省「外部デジタル人材の確保ガイドブック」に沿って、質問への回答と募集要項・面接資料の起案を支援します。"
            "回答の各文には根拠 [n] が付きます。**要約**（dxhireが公開情報から作成）と**公式PDF**は種別で区別されます。"
            "生成された文章は必ず根拠を確認してから使用してください。"
        )
        _indexing_banner(services)
        remembered_case = cases.case_memory(services)
        with gr.Tabs(elem_id="dx-main-tabs", overflow_behavior="wrap") as tabs:  # every tab visible on a phone
            with gr.Tab("はじめに", id="start", elem_id="dx-tab-start"):
                start_tab = start.build(services, page)
            with gr.Tab("チャット", id="chat", elem_id="dx-tab-chat"):
                chat_tab = chat.build(services)
            with gr.Tab("案件", id="cases", elem_id="dx-tab-cases"):
                cases.build(services, guard, page, remembered_case)
            with gr.Tab("起案", id="draft", elem_id="dx-tab-draft"):
                draft.build(services, guard)
            with gr.Tab("資料", id="docs", elem_id="dx-tab-docs"):
                documents.build(services, page)
            with gr.Tab("設定", id="settings", elem_id="dx-tab-settings"):
                settings.build(services, page)
        start_tab.connect(chat_tab, tabs)
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
        js=notify.TOAST_JS,
        quiet=not block,
    )
    return page
