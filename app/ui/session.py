"""Per-browser-session guards shared by the tabs that start long runs (起案, 案件)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import gradio as gr


class RunGuard:
    """Refuses a second run of the same action for the same session while the first is still going.

    The button is also disabled and Gradio's `trigger_mode="once"` drops clicks while pending; this guard is the
    server-side backstop (two tabs of the same session, a scripted double POST).
    """

    def __init__(self) -> None:
        self._running: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, session: str, action: str) -> Iterator[bool]:
        key = (session, action)
        with self._lock:
            acquired = key not in self._running
            if acquired:
                self._running.add(key)
        try:
            yield acquired
        finally:
            if acquired:
                with self._lock:
                    self._running.discard(key)


def session_key(request: gr.Request | None) -> str:
    """The browser session (Gradio's session hash), or "api" for calls without one."""
    return getattr(request, "session_hash", None) or "api"
