"""Screenshots of the chat with the real embedded model (issue 12): an evidence-first answer and its follow-up.

The e2e tests take chat-evidence.png with the fake model (fast, deterministic); this script shows what an officer
sees with the 1.5B model on this machine: the excerpts at once, then the model's checked まとめ, the evidence
sentence marked in the sources panel, and a follow-up (「副業型の場合は？」) answered about its own subject.

Heavy (loads the GGUF, indexes the corpus the first time): run it alone, under the shared lock::

    DXHIRE_HOME=/work/homes/<branch> DXHIRE_MODEL_CACHE=/work/main/.pytest_cache/dxhire-models HF_HUB_OFFLINE=1 \\
      flock /tmp/dxhire-heavy.lock .venv/bin/python docs/screenshots/real_model_chat.py

Writes docs/screenshots/chat-evidence-real.png and chat-followup-real.png and prints each answer's timings (JSON
on stdout: the seconds to evidence, to the first synthesis token, total). `--fake` is a dry run of the script itself
(the fake model, screenshots in test-output/).
"""

from __future__ import annotations

import json
import socket
import sys
import time
from typing import Any

from app.config import PROJECT_ROOT, Settings
from app.schemas import Answer

OUT = PROJECT_ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
QUESTIONS = [
    ("地域活性化起業人を受け入れると国からどんな財政支援がありますか？", "chat-evidence-real.png"),
    ("副業型の場合は？", "chat-followup-real.png"),
]
"""The question of the issue's browser test (the one that answered 「上記のほかに…」), then its follow-up."""
ANSWER_TIMEOUT_MS = 900_000  # the first answer loads the model (~100 s); the machine may be shared


class _Recorder:
    """Wraps the answer pipeline to keep every final Answer (for the timings printed at the end)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.answers: list[Answer] = []

    def stream_session(self, *args: Any, **kwargs: Any):
        for item in self.inner.stream_session(*args, **kwargs):
            if isinstance(item, Answer):
                self.answers.append(item)
            yield item


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(fake: bool = False) -> int:
    from playwright.sync_api import expect, sync_playwright

    from app.services import Services
    from app.ui.app import launch
    from ingest.pipeline import ensure_corpus_indexed

    settings = Settings(llm_backend="fake" if fake else "embedded")  # DXHIRE_* from the environment (home, cache)
    out = PROJECT_ROOT / "test-output" if fake else OUT
    out.mkdir(parents=True, exist_ok=True)
    print(f"indexing {settings.corpus_dir} into {settings.home} …", file=sys.stderr)
    ensure_corpus_indexed(settings)
    services = Services(settings)
    recorder = _Recorder(services.answers)
    services.__dict__["answers"] = recorder
    port = _free_port()
    demo = launch(services, host="127.0.0.1", port=port, block=False)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1500}, locale="ja-JP")  # a whole answer
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_role("tab", name="チャット").click()
            chat = page.locator("#dx-chat")
            for i, (question, name) in enumerate(QUESTIONS):
                started = time.monotonic()
                page.locator("#dx-q textarea").fill(question)
                page.locator("#dx-ask").click()
                evidence = chat.get_by_text("資料の該当箇所")
                expect(evidence).to_have_count(i + 1, timeout=ANSWER_TIMEOUT_MS)  # one block per answer
                seen_evidence = round(time.monotonic() - started, 1)
                deadline = time.monotonic() + ANSWER_TIMEOUT_MS / 1000
                while len(recorder.answers) <= i and time.monotonic() < deadline:  # the final Answer was yielded
                    page.wait_for_timeout(500)
                expect(chat).not_to_contain_text("▍", timeout=60_000)  # ... and is on screen
                page.wait_for_timeout(1000)
                chat.get_by_text(question, exact=True).last.evaluate("el => el.scrollIntoView({block: 'start'})")
                page.wait_for_timeout(500)
                page.screenshot(path=str(out / name), full_page=True)
                answer = recorder.answers[i] if len(recorder.answers) > i else None
                print(json.dumps({
                    "question": question, "screenshot": name, "browser_evidence_s": seen_evidence,
                    "browser_total_s": round(time.monotonic() - started, 1),
                    "standalone_question": answer.standalone_question if answer else None,
                    "answer": answer.answer if answer else None,
                    "evidence": [e.text for e in answer.evidence] if answer else [],
                    "flags": answer.flags if answer else [], "timings": answer.timings if answer else {},
                }, ensure_ascii=False))
            browser.close()
    finally:
        demo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(fake="--fake" in sys.argv[1:]))
