"""Serve the packaged model as a real OpenAI-compatible HTTP endpoint (llama.cpp's own server, via xllamacpp).

`python -m app.models.llm_server --port 8080` starts llama.cpp's native server with the GGUF assembled from the
PyPI parts: /v1/models, /v1/chat/completions (with SSE streaming), /health. Useful to share one loaded model between
several dxhire processes (DXHIRE_LLM_BACKEND=openai, DXHIRE_LLM_BASE_URL=…/v1,
DXHIRE_LLM_MODEL=qwen2.5-coder-1.5b-instruct; docs/deploy.md), and it is what the end-to-end test of the endpoint
path and the llama.cpp load test drive. Prints `LISTENING <base_url>` on stdout once ready; runs until SIGINT/SIGTERM.

Unlike the in-process engine (which hides its listener behind a private Unix socket and a random key), this server
is meant to be reached: it has NO authentication unless `--api-key` is given, so anyone who can connect to
host:port can use the model. Keep the default 127.0.0.1, or put it behind a firewall / reverse proxy.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from app.config import Settings, disable_telemetry
from app.models.embedded import EMBEDDED_MODEL_NAME, embedded_model_path, load_engine
from app.models.errors import ModelError

HELP_EPILOG = (
    "Security: this server has no authentication unless --api-key (or DXHIRE_LLM_SERVER_KEY) is set; anyone who "
    "can reach HOST:PORT can use the model. The default host 127.0.0.1 keeps it on this machine (but open to every "
    "local user). Clients then send the key as DXHIRE_LLM_API_KEY. / 認証はありません（--api-key を指定した場合を除く）。"
)


def start(settings: Settings, host: str = "127.0.0.1", port: int = 8080, parallel: int = 1,
          api_key: str | None = None):
    """Load the model and start listening; returns (server, base_url). Keep `server` referenced to keep serving."""
    path = embedded_model_path(settings)
    server = load_engine(str(path), settings.llm_ctx, settings.llm_threads, host=host, port=port, parallel=parallel,
                         api_key=api_key)
    return server, f"{server.listening_address}/v1"


def main(argv: list[str] | None = None) -> int:
    disable_telemetry()
    parser = argparse.ArgumentParser(prog="python -m app.models.llm_server", description=__doc__.splitlines()[0],
                                     epilog=HELP_EPILOG)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8080, help="port (0 = any free port; printed on start)")
    parser.add_argument("--parallel", type=int, default=1,
                        help="decoding slots served at once (DXHIRE_LLM_CTX is split between them; default 1)")
    parser.add_argument("--api-key", default=os.environ.get("DXHIRE_LLM_SERVER_KEY"),
                        help="require this bearer key (default: none = NO authentication)")
    args = parser.parse_args(argv)
    try:
        server, base_url = start(Settings(), args.host, args.port, max(1, args.parallel), args.api_key or None)
    except ModelError as exc:
        print(f"エラー / error: {exc}", file=sys.stderr)
        return 2
    auth = "api-key required" if args.api_key else "NO authentication"
    print(f"LISTENING {base_url} model={EMBEDDED_MODEL_NAME} parallel={max(1, args.parallel)} ({auth})", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    del server
    return 0


if __name__ == "__main__":
    sys.exit(main())
