"""Toasts with Japanese titles. Gradio titles them "Warning" / "Info" / "Error" unless told otherwise, and the user of
this app reads Japanese: every toast in the UI goes through these three."""

from __future__ import annotations

import gradio as gr

WARNING_TITLE = "確認してください"
INFO_TITLE = "お知らせ"
ERROR_TITLE = "エラー"


def warn(message: str) -> None:
    """A yellow toast: the user can fix it (empty input, nothing selected)."""
    gr.Warning(message, title=WARNING_TITLE)


def info(message: str) -> None:
    gr.Info(message, title=INFO_TITLE)


def error(message: str) -> gr.Error:
    """A red toast that ends the event; use as `raise notify.error(...) from exc`."""
    return gr.Error(message, title=ERROR_TITLE)
