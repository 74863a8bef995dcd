"""The 設定 tab: the settings in effect, read-only, never a secret; the address shown is the one actually bound."""

from __future__ import annotations

from typing import Any

import gradio as gr

from app.services import Services
from app.ui import render


def rows(services: Services, page: gr.Blocks) -> list[list[str]]:
    """Settings as rows; after launch the bind address is the server's own (a `--port` or a taken port differs
    from DXHIRE_PORT)."""
    s = services.settings
    host = getattr(page, "server_name", None) or s.host
    port = getattr(page, "server_port", None) or s.port
    view: dict[str, Any] = render.settings_view(s.model_copy(update={"host": host, "port": port}))
    return [[k, str(v)] for k, v in view.items()]


def build(services: Services, page: gr.Blocks) -> None:
    gr.Markdown("設定は環境変数 `DXHIRE_*` で変更します（ここでは読み取り専用）。APIキーは表示しません。")
    table = gr.Dataframe(value=rows(services, page), headers=["項目", "値"], interactive=False, wrap=True,
                         elem_id="dx-settings")
    page.load(lambda: rows(services, page), None, table, api_visibility="private")
