"""Toasts with Japanese titles. Every toast in the UI goes through these three.

Gradio 6.31 accepts a `title=` but its front end ignores it: the toast header is the message type, capitalised
("Info" / "Warning" / "Error"), for every locale. So the titles are passed (for a Gradio that honours them) and
`TOAST_JS`, loaded with the page, replaces the English header words with Japanese ones as toasts appear.
"""

from __future__ import annotations

import json

import gradio as gr

WARNING_TITLE = "確認してください"
INFO_TITLE = "お知らせ"
ERROR_TITLE = "エラー"
SUCCESS_TITLE = "完了"
HEADER_JA = {"Info": INFO_TITLE, "Warning": WARNING_TITLE, "Error": ERROR_TITLE, "Success": SUCCESS_TITLE}

TOAST_JS = """
() => {
  const ja = __HEADERS__;
  const fix = () => document.querySelectorAll(".toast-title").forEach((el) => {
    for (const node of el.childNodes) {
      const word = node.nodeType === 3 ? node.textContent.trim() : "";
      if (ja[word]) node.textContent = ja[word] + " ";
    }
  });
  new MutationObserver(fix).observe(document.body, {childList: true, subtree: true, characterData: true});
}
""".replace("__HEADERS__", json.dumps(HEADER_JA, ensure_ascii=False))


def japanese(message: str) -> str:
    """The Japanese part of a core message written "日本語 / English" (the English is for logs, the CLI and JSON)."""
    head, sep, _ = message.partition(" / ")
    return head if sep and head.strip() else message


def warn(message: str) -> None:
    """A yellow toast: the user can fix it (empty input, nothing selected)."""
    gr.Warning(japanese(message), title=WARNING_TITLE)


def info(message: str) -> None:
    gr.Info(japanese(message), title=INFO_TITLE)


def error(message: str) -> gr.Error:
    """A red toast that ends the event; use as `raise notify.error(...) from exc`."""
    return gr.Error(japanese(message), title=ERROR_TITLE)
