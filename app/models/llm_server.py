"""Serve the packaged model as a real OpenAI-compatible HTTP endpoint (llama.cpp's own server, via xllamacpp).

`python -m app.models.llm_server --port 8080` (later `dxhire llm-server`) starts llama.cpp's native server with the
GGUF assembled from the PyPI parts: /v1/models, /v1/chat/completions (with SSE streaming), /health. Useful to share
one loaded model between several dxhire processes (DXHIRE_LLM_BACKEND=openai, DXHIRE_LLM_BASE_URL=…/v1,
DXHIRE_LLM_MODEL=qwen2.5-coder-1.5b-instruct), and it is what the end-to-end test of the endpoint path drives.
Prints `LISTENING <base_url>` on stdout once ready; runs until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from app.config import Settings, disable_telemetry
from app.models.errors import ModelError
from app.models.llm import EMBEDDED_MODEL_NAME, embedded_model_path, load_engine


def start(settings: Settings, host: str = "127.0.0.1", port: int = 8080):
    """Load the model and start listening; returns (server, base_url). Keep `server` referenced to keep serving."""
    path = embedded_model_path(settings)
    server = load_engine(str(path), settings.llm_ctx, settings.llm_threads, host=host, port=port)
    return server, f"{server.listening_address}/v1"


def main(argv: list[str] | None = None) -> int:
    disable_telemetry()
    parser = argparse.ArgumentParser(prog="dxhire llm-server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: local only)")
    parser.add_argument("--port", type=int, default=8080, help="port (0 = any free port; printed on start)")
    args = parser.parse_args(argv)
    try:
        server, base_url = start(Settings(), args.host, args.port)
    except ModelError as exc:
        print(f"エラー / error: {exc}", file=sys.stderr)
        return 2
    print(f"LISTENING {base_url} model={EMBEDDED_MODEL_NAME}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    del server
    return 0


if __name__ == "__main__":
    sys.exit(main())
