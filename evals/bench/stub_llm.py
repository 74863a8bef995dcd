"""A small streaming OpenAI-compatible server with a fixed per-token delay, for load tests of the *app*.

It measures dxhire (queueing, retrieval, streaming through Gradio), not a model: every request is answered after
`token_delay` seconds per token, many requests at once (asyncio), with text taken from the prompt itself — the
first sentence of each numbered passage with its marker, like `app.models.fake.extractive_answer` — so answers stay
on the session's own topic and cross-talk between sessions is visible. A follow-up rewrite request (no passages)
gets the question line back, which the app's rewrite check then replaces by its deterministic fallback.

    python -m evals.bench.stub_llm --port 0 --token-delay 0.02     # prints LISTENING http://127.0.0.1:PORT/v1

`GET /stats` reports requests served and the peak number in flight (what the app's slot limit let through);
`POST /stats/reset` starts counting again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import time
from typing import Any

from fastapi import FastAPI, Request  # module level: FastAPI resolves the handlers' annotations from here
from fastapi.responses import JSONResponse, StreamingResponse

MODEL = "stub-token-delay"
CHARS_PER_TOKEN = 2
"""Japanese text is ~1–2 characters per token for Qwen-style tokenizers; 2 keeps answers short in tokens."""


def reply_text(messages: list[dict[str, Any]]) -> str:
    from langchain_core.messages import HumanMessage

    from app.models.fake import NO_CONTEXT_REPLY, extractive_answer

    last = str(messages[-1].get("content", "")) if messages else ""
    text = extractive_answer([HumanMessage(content=last)])
    if text == NO_CONTEXT_REPLY and "<資料" not in last:  # a rewrite request: echo the question line
        lines = [line.strip() for line in last.splitlines() if line.strip()]
        text = lines[-1].split("：", 1)[-1].split(":", 1)[-1].strip() if lines else ""
    return text


def tokens_of(text: str, max_tokens: int) -> list[str]:
    return [text[i : i + CHARS_PER_TOKEN] for i in range(0, len(text), CHARS_PER_TOKEN)][:max_tokens]


def build_app(token_delay: float):

    app = FastAPI()
    stats = {"requests": 0, "in_flight": 0, "peak_in_flight": 0}

    @app.get("/v1/models")
    async def models() -> dict:
        return {"object": "list", "data": [{"id": MODEL, "object": "model"}]}

    @app.get("/stats")
    async def get_stats() -> dict:
        return dict(stats)

    @app.post("/stats/reset")
    async def reset_stats() -> dict:
        stats.update(requests=0, peak_in_flight=stats["in_flight"])
        return dict(stats)

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        body = await request.json()
        pieces = tokens_of(reply_text(body.get("messages", [])), int(body.get("max_tokens") or 400))
        created = int(time.time())
        stats["requests"] += 1

        def chunk(delta: dict, finish: str | None = None, usage: dict | None = None) -> str:
            payload = {"id": "stub", "object": "chat.completion.chunk", "created": created, "model": MODEL,
                       "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            if usage is not None:
                payload["usage"] = usage
            return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

        usage = {"prompt_tokens": 0, "completion_tokens": len(pieces), "total_tokens": len(pieces)}

        async def stream():
            stats["in_flight"] += 1
            stats["peak_in_flight"] = max(stats["peak_in_flight"], stats["in_flight"])
            try:
                yield chunk({"role": "assistant", "content": ""})
                for piece in pieces:
                    await asyncio.sleep(token_delay)
                    yield chunk({"content": piece})
                yield chunk({}, "stop", usage)
                yield "data: [DONE]\n\n"
            finally:
                stats["in_flight"] -= 1

        if body.get("stream"):
            return StreamingResponse(stream(), media_type="text/event-stream")
        stats["in_flight"] += 1
        stats["peak_in_flight"] = max(stats["peak_in_flight"], stats["in_flight"])
        try:
            await asyncio.sleep(token_delay * len(pieces))
        finally:
            stats["in_flight"] -= 1
        return JSONResponse({"id": "stub", "object": "chat.completion", "created": created, "model": MODEL,
                             "choices": [{"index": 0, "finish_reason": "stop",
                                          "message": {"role": "assistant", "content": "".join(pieces)}}],
                             "usage": usage})

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token-delay", type=float, default=0.02, help="seconds per streamed token")
    args = parser.parse_args(argv)
    import uvicorn

    sock = socket.socket()
    sock.bind((args.host, args.port))
    port = sock.getsockname()[1]
    print(f"LISTENING http://{args.host}:{port}/v1 model={MODEL} token_delay={args.token_delay}", flush=True)
    config = uvicorn.Config(build_app(args.token_delay), log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
