"""Loopback load test: many chat sessions × turns through the Gradio queue, exactly as browsers talk to it.

Each simulated user has its own Gradio session (session_hash), asks a question naming a topic and then a
follow-up that only makes sense in that conversation (「その…」). It joins the queue of the chat tab's own event
(`/gradio_api/queue/join` with the event's fn_index, state kept server-side per session) and reads the
server-sent events (`/gradio_api/queue/data`) until the turn completes. Measured per turn: latency (join →
completed), time to the first answer text, whether it waited in line (「順番待ち」 shown), errors, and cross-talk
(the session's chat must hold exactly its own two questions, and each answer's sources must be on its topic).

`run_bench` starts the pieces on 127.0.0.1 only: an OpenAI-compatible server (the stub in
`evals/bench/stub_llm.py` with a fixed per-token delay — it measures the app, not a model — or llama.cpp's server
with the packaged model and several slots), and one `dxhire serve` per concurrency setting sharing one index, then
prints p50/p95 for concurrency 1 vs N in one run:

    dxhire bench load --sessions 50 --turns 2 --concurrency 1 --concurrency 8
    dxhire bench load --real-llm --parallel 4 --sessions 8 --concurrency 1 --concurrency 4
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.config import PROJECT_ROOT, Settings

TOPICS: list[tuple[str, str, str]] = [
    # (a word every on-topic source title contains, first question, follow-up that needs the first turn)
    ("地域活性化起業人", "地域活性化起業人とはどんな制度ですか？", "その制度の副業型の条件は？"),
    ("地域おこし協力隊", "地域おこし協力隊とは何ですか？", "その特別交付税措置は？"),
    ("地域情報化アドバイザー", "地域情報化アドバイザー派遣制度とは何ですか？", "それはどう申し込みますか？"),
    ("浜松市", "浜松市の外部人材の公募事例を教えてください。", "その公募の任期は？"),
    ("磐梯町", "磐梯町のCDO設置の事例を教えてください。", "その町の人口は？"),
]
CHAT_TRIGGER_ELEM = "dx-ask"
WAITING_MARK = "順番待ち"


@dataclass
class TurnResult:
    session: int
    turn: int
    topic: str
    ok: bool
    latency_s: float
    first_text_s: float | None = None
    waited: bool = False
    crosstalk: bool = False
    error: str | None = None


@dataclass
class RunResult:
    label: str
    concurrency: int
    sessions: int
    turns: int
    wall_s: float
    results: list[TurnResult] = field(default_factory=list)
    endpoint_peak_in_flight: int | None = None
    server_peak_rss_mb: float | None = None

    def summary(self) -> dict[str, Any]:
        lat = [r.latency_s for r in self.results if r.ok]
        ttft = [r.first_text_s for r in self.results if r.ok and r.first_text_s is not None]
        return {
            "label": self.label, "concurrency": self.concurrency, "sessions": self.sessions, "turns": self.turns,
            "completed": sum(r.ok for r in self.results), "errors": sum(not r.ok for r in self.results),
            "crosstalk": sum(r.crosstalk for r in self.results), "waited": sum(r.waited for r in self.results),
            "p50_s": _pct(lat, 50), "p95_s": _pct(lat, 95), "first_text_p50_s": _pct(ttft, 50),
            "first_text_p95_s": _pct(ttft, 95), "wall_s": round(self.wall_s, 2),
            "endpoint_peak_in_flight": self.endpoint_peak_in_flight, "server_peak_rss_mb": self.server_peak_rss_mb,
        }


def _pct(values: list[float], p: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[p - 1], 3)


# --- the client: Gradio's queue protocol ----------------------------------------------------------------


def _text(content: Any) -> str:
    """A chatbot message's content as text (a string, or Gradio's list of typed parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_text(c) for c in content)
    if isinstance(content, dict):
        return str(content.get("text") or content.get("value") or "")
    return "" if content is None else str(content)


def _apply_diff(value: Any, diff: Any) -> Any:
    from gradio_client.utils import apply_diff

    return apply_diff(value, diff)


async def chat_event(client, base: str) -> tuple[int, int]:
    """(fn_index, trigger_id) of the chat tab's send button, read from the app's own config."""
    config = (await client.get(f"{base}/config")).json()
    button = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == CHAT_TRIGGER_ELEM)
    for dep in config["dependencies"]:
        if any(t[0] == button and t[1] == "click" for t in dep.get("targets", [])):
            return int(dep["id"]), button
    raise RuntimeError("chat event not found in the app's config")


async def ask_turn(client, base: str, fn_index: int, trigger_id: int, session_hash: str, question: str,
                   timeout_s: float) -> dict[str, Any]:
    """One chat turn: join the queue, follow the event stream to the end. Returns outputs and timings."""
    start = time.perf_counter()
    payload = {"data": [question, None, None], "fn_index": fn_index, "trigger_id": trigger_id,
               "session_hash": session_hash, "event_data": None}
    joined = await client.post(f"{base}/gradio_api/queue/join", json=payload)
    joined.raise_for_status()
    event_id = joined.json()["event_id"]
    outputs: list[Any] | None = None
    first_text: float | None = None
    waited = False
    async with client.stream("GET", f"{base}/gradio_api/queue/data", params={"session_hash": session_hash},
                             timeout=timeout_s) as response:
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:].strip())
            if msg.get("event_id") not in (None, event_id):
                continue
            kind = msg.get("msg")
            if kind == "estimation" and (msg.get("rank") or 0) > 0:
                waited = True
            elif kind == "process_generating":
                data = msg.get("output", {}).get("data", [])
                if outputs is None:
                    outputs = list(data)
                else:
                    outputs = [_apply_diff(outputs[i] if i < len(outputs) else None, d) for i, d in enumerate(data)]
                shown = _last_assistant(outputs[0] if outputs else None)
                if WAITING_MARK in shown:
                    waited = True
                elif first_text is None and shown.strip("…▍ \n"):
                    first_text = time.perf_counter() - start
            elif kind == "process_completed":
                out = msg.get("output", {})
                if not msg.get("success", True):
                    raise RuntimeError(str(out.get("error") or out)[:200])
                data = out.get("data") or []
                final = data if data and not all(_is_update(d) for d in data[:2]) else outputs
                return {"outputs": final or outputs or [], "latency_s": time.perf_counter() - start,
                        "first_text_s": first_text, "waited": waited}
    raise RuntimeError("event stream closed before the turn completed")


def _is_update(value: Any) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "update"


def _last_assistant(chat: Any) -> str:
    if not isinstance(chat, list):
        return ""
    for message in reversed(chat):
        if isinstance(message, dict) and message.get("role") == "assistant":
            return _text(message.get("content"))
    return ""


def _own_conversation(chat: Any, questions: list[str]) -> bool:
    asked = [_text(m.get("content")).strip() for m in chat or [] if isinstance(m, dict) and m.get("role") == "user"]
    return asked == questions


async def run_sessions(base: str, sessions: int, turns: int = 2, timeout_s: float = 900.0,
                       topics: list[tuple[str, str, str]] | None = None, stagger_s: float = 0.05) -> list[TurnResult]:
    """`sessions` users at once, each `turns` turns (1: the topic question, 2+: follow-ups)."""
    import httpx

    topics = topics or TOPICS
    limits = httpx.Limits(max_connections=sessions * 2 + 10, max_keepalive_connections=sessions * 2 + 10)
    async with httpx.AsyncClient(timeout=timeout_s, limits=limits) as client:
        fn_index, trigger_id = await chat_event(client, base)

        async def one(i: int) -> list[TurnResult]:
            await asyncio.sleep(i * stagger_s)  # arrivals spread over a moment, as people are
            expect, first, follow = topics[i % len(topics)]
            session_hash = uuid.uuid4().hex[:11]
            asked: list[str] = []
            out: list[TurnResult] = []
            for turn in range(1, turns + 1):
                question = first if turn == 1 else follow
                t0 = time.perf_counter()
                try:
                    got = await ask_turn(client, base, fn_index, trigger_id, session_hash, question, timeout_s)
                except Exception as exc:  # noqa: BLE001 — every failure is a counted error, the run goes on
                    out.append(TurnResult(i, turn, expect, False, time.perf_counter() - t0,
                                          error=f"{type(exc).__name__}: {str(exc)[:160]}"))
                    break
                asked.append(question)
                chat, sources = (got["outputs"] + [None, None])[:2]
                answer = _last_assistant(chat)
                problem = None
                if not answer.strip() or answer.startswith("エラー"):
                    problem = f"no answer: {answer[:80]}"
                crosstalk = not _own_conversation(chat, asked) or expect not in str(sources or "")
                out.append(TurnResult(i, turn, expect, problem is None, got["latency_s"], got["first_text_s"],
                                      got["waited"], crosstalk, problem))
            return out

        results = await asyncio.gather(*(one(i) for i in range(sessions)))
    return [r for rs in results for r in rs]


# --- the servers (all on 127.0.0.1) ---------------------------------------------------------------------


def _wait_line(proc: subprocess.Popen, prefix: str, timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stdout.readline() if proc.stdout else ""
        if line.startswith(prefix):
            return line.strip()
        if not line and proc.poll() is not None:
            break
    raise RuntimeError(f"{' '.join(map(str, proc.args))} did not print {prefix!r} (exit {proc.poll()})")


def stop_process(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 30 s: every server this bench starts is ended by it."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def _process(args: list[str], env: dict[str, str], wait_for: str, timeout_s: float) -> Iterator[tuple[subprocess.Popen, str]]:
    proc = subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        yield proc, _wait_line(proc, wait_for, timeout_s)
    finally:
        stop_process(proc)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _base_env(home: Path, settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DXHIRE_")}
    env.update({"DXHIRE_HOME": str(home), "DXHIRE_MODEL_CACHE": str(settings.models_dir),
                "DXHIRE_EMBED_BACKEND": settings.embed_backend, "DXHIRE_EMBED_MODEL": settings.embed_model,
                "DXHIRE_CORPUS_DIR": str(settings.corpus_dir), "PYTHONUNBUFFERED": "1"})
    return env


def _rss_mb(pid: int) -> float | None:
    """Peak resident set (VmHWM) of a running process, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


@contextmanager
def llm_endpoint(settings: Settings, real: bool, token_delay: float, parallel: int) -> Iterator[tuple[str, str]]:
    """(base_url, model name) of an OpenAI-compatible server on 127.0.0.1: the stub, or llama.cpp's server."""
    env = _base_env(settings.home, settings)
    if real:
        from app.models.embedded import EMBEDDED_MODEL_NAME

        env["DXHIRE_LLM_CTX"] = str(max(settings.llm_ctx, 2048) * parallel)  # n_ctx is split between the slots
        args = [sys.executable, "-m", "app.models.llm_server", "--port", "0", "--parallel", str(parallel)]
        with _process(args, env, "LISTENING ", 600) as (_proc, line):
            yield line.split()[1], EMBEDDED_MODEL_NAME
        return
    from evals.bench.stub_llm import MODEL

    args = [sys.executable, "-m", "evals.bench.stub_llm", "--port", "0", "--token-delay", str(token_delay)]
    with _process(args, env, "LISTENING ", 60) as (_proc, line):
        yield line.split()[1], MODEL


@contextmanager
def app_server(settings: Settings, home: Path, llm_url: str, llm_model: str, concurrency: int,
               extra_env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """`dxhire serve --skip-ingest` on a free loopback port with `concurrency` model slots; (base url, pid)."""
    import httpx

    env = _base_env(home, settings) | {
        "DXHIRE_LLM_BACKEND": "openai", "DXHIRE_LLM_BASE_URL": llm_url, "DXHIRE_LLM_MODEL": llm_model,
        "DXHIRE_LLM_CONCURRENCY": str(concurrency), "DXHIRE_LLM_TIMEOUT_S": "900",
        "DXHIRE_LLM_MAX_TOKENS": str(settings.llm_max_tokens),
    } | (extra_env or {})
    port = _free_port()
    dxhire = Path(sys.executable).with_name("dxhire")  # the venv's console script
    proc = subprocess.Popen([str(dxhire), "serve", "--skip-ingest", "--port", str(port)],
                            cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"dxhire serve exited with {proc.returncode}")
            try:
                if httpx.get(f"{base}/config", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError("dxhire serve did not come up within 300 s")
        yield base, proc.pid
    finally:
        stop_process(proc)


def prepare_index(settings: Settings, home: Path) -> None:
    """Index the corpus once into `home`; every app server of the run shares it."""
    from ingest.pipeline import ensure_corpus_indexed

    ensure_corpus_indexed(settings.model_copy(update={"home": home}))


def _endpoint_stats(llm_url: str, reset: bool = False) -> dict[str, int] | None:
    """The stub's counters (llama.cpp's server has none: None)."""
    import httpx

    root = llm_url.rsplit("/v1", 1)[0]
    try:
        response = httpx.post(f"{root}/stats/reset", timeout=5) if reset else httpx.get(f"{root}/stats", timeout=5)
        return response.json() if response.status_code == 200 else None
    except httpx.HTTPError:
        return None


def run_bench(settings: Settings, sessions: int = 50, turns: int = 2, concurrency: list[int] | None = None,
              token_delay: float = 0.02, real_llm: bool = False, parallel: int = 4,
              echo: Callable[[str], None] = print) -> dict[str, Any]:
    concurrency = concurrency or [1, settings.llm_concurrency]
    with tempfile.TemporaryDirectory(prefix="dxhire-load-") as tmp:
        home = Path(tmp) / "home"
        t0 = time.perf_counter()
        prepare_index(settings, home)
        echo(f"<!-- index of {settings.corpus_dir.name}/ ready in {time.perf_counter() - t0:.1f} s "
             f"({settings.embed_backend}) -->")
        runs: list[RunResult] = []
        with llm_endpoint(settings, real_llm, token_delay, parallel) as (llm_url, llm_model):
            label = f"llama.cpp server, {parallel} slots" if real_llm else f"stub, {token_delay * 1000:.0f} ms/token"
            echo(f"<!-- LLM endpoint: {label} at {llm_url} -->")
            for c in concurrency:
                with app_server(settings, home, llm_url, llm_model, c) as (base, pid):
                    _endpoint_stats(llm_url, reset=True)
                    start = time.perf_counter()
                    results = asyncio.run(run_sessions(base, sessions, turns))
                    run = RunResult(label, c, sessions, turns, time.perf_counter() - start, results)
                    run.endpoint_peak_in_flight = (_endpoint_stats(llm_url) or {}).get("peak_in_flight")
                    run.server_peak_rss_mb = _rss_mb(pid)
                    runs.append(run)
                    echo(format_row(run.summary()))
        return {"runs": [r.summary() for r in runs], "turns": [asdict(t) for r in runs for t in r.results]}


HEADER = ("| LLM | DXHIRE_LLM_CONCURRENCY | sessions × turns | completed | errors | cross-talk | waited | "
          "p50 s | p95 s | first text p50 s | wall s |")


def format_row(s: dict[str, Any]) -> str:
    return (f"| {s['label']} | {s['concurrency']} | {s['sessions']} × {s['turns']} | {s['completed']} | "
            f"{s['errors']} | {s['crosstalk']} | {s['waited']} | {s['p50_s']} | {s['p95_s']} | "
            f"{s['first_text_p50_s']} | {s['wall_s']} |")
